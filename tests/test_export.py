"""`xorkit export`: one CSV row per student, keyed by student id, for an LMS import."""

import csv

import pytest
from click.testing import CliRunner

from autograder.cli import main
from tests.conftest import CRASHING, STUDENTS, UNREADABLE
from tests.helpers import GRADED_CELLS, new_course


@pytest.mark.slow
def test_export_writes_one_row_per_student(graded_course, tmp_path):
    """The CSV has the id, total, max and manual-grading columns, the late-penalty
    columns, then one column per cell;
    with written answers still to grade it is written all the same, but the command exits 1
    and says how many answers of how many students, and where to grade them."""
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(main, ["export", "--course", str(graded_course), "--to", str(out)])
    assert result.exit_code == 1, result.output
    assert f"5 students → {out}" in result.output
    assert "9 written answers of 3 students await manual grading" in result.output
    assert "`jupyter lab` → Nbgrader → Formgrader → Manual Grading" in result.output
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, {r["student_id"]: r for r in reader}
    assert header[:4] == ["student_id", "score", "max_score", "needs_manual_grading"]
    assert header[4:7] == ["raw_score", "late_submission_penalty", "hours_late"]
    assert set(header[7:]) == set(GRADED_CELLS) | {"q-linear", "q-loops", "q-symmetry"}
    assert set(rows) == {*STUDENTS, CRASHING, UNREADABLE}
    assert rows[UNREADABLE]["score"] == "0"
    ada, cy = rows["ada_correct"], rows["cy_sigma_not_derivative"]
    assert (ada["score"], ada["max_score"], ada["needs_manual_grading"]) == ("20", "26", "yes")
    assert ada["test_backward"] == "4" and cy["test_backward"] == "2"
    assert (ada["raw_score"], ada["late_submission_penalty"], ada["hours_late"]) == ("20", "0", "0")
    assert ada["q-linear"] == ""  # awaiting a person, not zero


def test_export_without_gradebook_says_to_grade(tmp_path):
    """Exporting a course never graded exits 2, says to run `xorkit grade` and writes nothing."""
    new_course(tmp_path)
    (tmp_path / "submitted" / "ada" / "xor_mlp").mkdir(parents=True)
    result = CliRunner().invoke(main, ["export", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "run `xorkit grade` first" in result.output
    assert not (tmp_path / "grades.csv").exists() and not (tmp_path / "gradebook.db").exists()
