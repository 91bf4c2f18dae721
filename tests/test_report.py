"""`xorkit report`: the class's scores, pass rates, manual grading and crashes, in HTML and PNG."""

import shutil
import time

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course import report
from tests.conftest import CRASHING, UNREADABLE
from tests.helpers import new_course

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_report_writes_page_and_plots(graded_course, tmp_path):
    """The report writes index.html and three PNGs, lists the crash and exits 1."""
    out = tmp_path / "report"
    start = time.perf_counter()
    args = ["--course", str(graded_course), "--assignment", "xor_mlp", "--out", str(out)]
    result = CliRunner().invoke(main, ["report", *args])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1, result.output
    assert "2 submissions failed to run" in result.output
    assert f"{CRASHING}: test_sigmoid: NameError: name 'undefined_scale'" in result.output
    assert f"{UNREADABLE}: xor_mlp.ipynb is not valid JSON" in result.output
    for name in ["scores.png", "checks.png", "functions.png"]:
        assert (out / name).read_bytes().startswith(PNG), name
    html = (out / "index.html").read_text()
    for section in ["Needs manual grading", "Failed to run", "Which checks", "Which functions"]:
        assert section in html
    assert "undefined_scale" in html and "ada_correct" in html
    assert elapsed < 30, f"report took {elapsed:.1f} s"


@pytest.mark.slow
def test_pass_rates_show_what_the_class_missed(graded_course):
    """Pass rates count each check over the graded students; unrun checks count as failed."""
    result = report.analyse(graded_course, "xor_mlp")
    rate = result.check_pass_rate
    # both gradients: ada and zed (whose broken sigmoid costs only its own cell:
    # its backward is graded with the reference sigmoid); cy's σ bug fails
    # backward's visible test, so its checks only explain the zero; gus never
    # wrote backward
    assert rate["backward: dL_dw2 matches finite differences"] == pytest.approx(2 / 4)
    assert rate["backward: dL_dw1 matches finite differences"] == pytest.approx(2 / 4)
    assert result.function_score["backward"] < result.function_score["dense"]
    assert set(result.manual_pending) >= {"ada_correct", "cy_sigma_not_derivative"}
    assert list(result.failed_to_run) == [UNREADABLE, CRASHING]


@pytest.mark.slow
def test_report_counts_the_class_misconceptions(graded_course, tmp_path):
    """The report counts, per function, the students whose failed function showed a
    known misconception, and explains each on the page."""
    result = report.analyse(graded_course, "xor_mlp")
    assert result.misconceptions[("sigma-instead-of-derivative", "backward")] == 1
    assert result.misconceptions[("sigma-instead-of-derivative", "backward_loops")] == 1
    assert all(name in result.explanations for name, _ in result.misconceptions)
    report.report(graded_course, tmp_path / "out", "xor_mlp")
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Misconceptions the class showed" in page and "sigma-instead-of-derivative" in page


def test_report_without_gradebook_says_to_grade(tmp_path):
    """A report on a course never graded exits 2 and says to run `xorkit grade`."""
    new_course(tmp_path)
    (tmp_path / "submitted" / "ada" / "xor_mlp").mkdir(parents=True)
    result = CliRunner().invoke(main, ["report", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "xorkit grade" in result.output


@pytest.mark.slow
def test_submission_missing_from_gradebook_is_listed(graded_course, tmp_path):
    """A notebook in submitted/ that grading never reached is reported as failed to run."""
    course = shutil.copytree(graded_course, tmp_path / "course")
    late = course / "submitted" / "late_lou" / "xor_mlp"
    shutil.copytree(course / "submitted" / "ada_correct" / "xor_mlp", late)
    result = report.analyse(course, "xor_mlp")
    assert result.failed_to_run["late_lou"] == [
        "submitted but not in the gradebook: `xorkit grade` did not grade it"
    ]


@pytest.mark.slow
def test_one_students_data_never_stops_the_class(graded_course, tmp_path):
    """An autograded notebook whose outputs carry metadata of the wrong type, and
    one that cannot be read at all, leave the grade table, the report and the
    CSV for the rest of the class intact."""
    import json

    from autograder.course import export, results

    course = tmp_path / "course"
    shutil.copytree(graded_course, course)
    odd, garbage = sorted((course / "autograded").glob("*/xor_mlp/xor_mlp.ipynb"))[:2]
    nb = json.loads(odd.read_text())
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            output["metadata"] = ["not", "a", "dict"]
    odd.write_text(json.dumps(nb))
    garbage.write_bytes(b"\xff not json")
    outcomes = results.collect(course, "xor_mlp")
    assert len(outcomes) == len(results.collect(graded_course, "xor_mlp"))
    analysed = report.analyse(course, "xor_mlp")
    assert garbage.parent.parent.name in analysed.failed_to_run
    assert export.export_csv(course, tmp_path / "grades.csv", "xor_mlp") == len(outcomes)
