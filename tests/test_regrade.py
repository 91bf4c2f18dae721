"""Regrading a class costs only what changed (``autograder.engine.fingerprint``)."""

import shutil

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.engine import grading
from autograder.engine.sandbox import bwrap_works
from tests.helpers import built_course, finished_release, submit

CLASS = {
    "ada": finished_release,
    "bo": lambda: finished_release([]),
    "cy": lambda: finished_release(["sigmoid", "sigmoid_derivative", "dense"]),
}


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory):
    course = built_course(tmp_path_factory.mktemp("regrade") / "course")
    for student, make in CLASS.items():
        submit(course, student, make())
    outcomes = grading.autograde(course, "xor_mlp", jobs=2, sandbox="auto")
    assert not any(o.reused for o in outcomes)
    return course, {o.student: o for o in outcomes}


@pytest.fixture
def course(graded_once, tmp_path):
    """A copy of the graded class, gradebook and autograded notebooks included."""
    return shutil.copytree(graded_once[0], tmp_path / "course")


def _regrade(course, **options):
    phases: dict = {}
    outcomes = grading.autograde(
        course, "xor_mlp", jobs=2, sandbox="auto", phases=phases, **options
    )
    return {o.student: o for o in outcomes}, phases


def _scores(outcome):
    return [(c.grade_id, c.score) for c in outcome.cells]


@pytest.mark.slow
def test_an_unchanged_class_reuses_every_grade(graded_once, course):
    """Grading an unchanged class again runs no submission and reuses every
    recorded grade, which stays exactly as it was."""
    again, phases = _regrade(course)
    assert all(o.reused for o in again.values())
    assert "execute" not in phases and "record" not in phases  # nothing ran
    for student, first in graded_once[1].items():
        assert _scores(again[student]) == _scores(first)


@pytest.mark.slow
def test_only_the_changed_and_the_new_submissions_are_graded(graded_once, course):
    """A notebook that changed and a late submission are graded; nobody else is."""
    submit(course, "cy", finished_release(["sigmoid", "sigmoid_derivative", "dense", "mse"]))
    submit(course, "late_dee", finished_release())
    again, _ = _regrade(course)
    assert {s for s, o in again.items() if not o.reused} == {"cy", "late_dee"}
    assert again["cy"].score > graded_once[1]["cy"].score
    assert again["late_dee"].score == graded_once[1]["ada"].score
    assert _scores(again["ada"]) == _scores(graded_once[1]["ada"])


@pytest.mark.slow
def test_a_new_file_or_timestamp_in_a_submission_regrades_it(course):
    """Any file of the submission counts, not only its notebook."""
    folder = course / "submitted" / "bo" / "xor_mlp"
    (folder / "timestamp.txt").write_text("2026-11-03 09:30:00 UTC")
    again, _ = _regrade(course)
    assert {s for s, o in again.items() if not o.reused} == {"bo"}


@pytest.mark.slow
def test_changed_limits_or_force_regrade_everyone(course):
    """A change to the course's configuration (here a grading limit) or --force
    regrades every submission; the table says which grades were reused."""
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.GradingLimits.output_kb = 200\n")
    again, _ = _regrade(course)
    assert not any(o.reused for o in again.values())
    # the same sandbox as sandbox="auto" chose, or the grades would not be reused
    grade = ["grade", "--course", str(course), "--jobs", "2"]
    grade += [] if bwrap_works() else ["--no-sandbox"]
    result = CliRunner().invoke(main, grade)
    assert result.exit_code == 0, result.output
    assert "reused the recorded grades of 3 unchanged submissions" in result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith("ada ")]
    assert rows and rows[0][3] == "reused"
    result = CliRunner().invoke(main, [*grade, "--force"])
    assert result.exit_code == 0, result.output
    assert "reused" not in result.output


@pytest.mark.slow
def test_a_lost_gradebook_row_or_notes_file_regrades(course):
    """A grade is reused only while the gradebook still holds it and the grader's
    record of what decided it is still beside it."""
    (course / "autograded" / "ada" / "xor_mlp" / grading.NOTES).unlink()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.remove_submission("xor_mlp", "bo")
    again, _ = _regrade(course)
    assert {s for s, o in again.items() if not o.reused} == {"ada", "bo"}
