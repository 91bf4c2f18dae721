"""`xorkit build` grades the reference and the blank release before writing anything."""

import nbformat
import pytest
from click.testing import CliRunner

from autograder.checking import assignment
from autograder.cli import main
from autograder.course import precheck
from autograder.course.results import CellOutcome, StudentOutcome
from tests.helpers import XOR_NAME, new_course

GENERATED = ["release/xor_mlp/xor_mlp.ipynb", "solutions/xor_mlp/reference.py"]


def _outcome(student, scores):
    cells = [CellOutcome(grade_id, score, points) for grade_id, (score, points) in scores.items()]
    return StudentOutcome(student, sum(c.score or 0 for c in cells), 26, cells)


def test_problems_name_each_wrong_cell():
    """A reference losing points and a release earning some are both named, cell by cell."""
    outcomes = {
        precheck.REFERENCE: _outcome(
            precheck.REFERENCE, {"test_mse": (1, 2), "test_dense": (1, 1), "q-linear": (None, 2)}
        ),
        precheck.BLANK: _outcome(precheck.BLANK, {"test_dense": (1, 1), "test_mse": (0, 2)}),
    }
    assert precheck.problems(outcomes) == [
        "the reference scores 1/2 on test_mse",
        "the blank release scores 1/1 on test_dense",
    ]


@pytest.mark.slow
def test_build_checks_then_writes(tmp_path):
    """A sound source passes the check and the build writes release/ and solutions/."""
    course = new_course(tmp_path)
    result = CliRunner().invoke(main, ["build", "--course", str(course)])
    assert result.exit_code == 0, result.output
    assert "the reference scores full marks, the blank release zero" in result.output
    for relpath in GENERATED:
        assert (course / relpath).exists()


@pytest.mark.slow
def test_build_refuses_a_reference_that_loses_points(tmp_path):
    """A reference with a wrong sigmoid stops the build (exit 2) before anything is written."""
    course = new_course(tmp_path)
    path = assignment.load(course, XOR_NAME).source_notebook()
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid"]
    cell.source = cell.source.replace("np.exp(-x)", "np.exp(x)")
    nbformat.write(nb, path)

    result = CliRunner().invoke(main, ["build", "--course", str(course), "--assignment", XOR_NAME])
    assert result.exit_code == 2, result.output
    assert "the hidden check 'sigmoid'" in result.output
    assert "fails on the reference solution" in result.output
    assert "release/ and solutions/ were left untouched" in result.output
    assert not (course / "release").exists() and not (course / "solutions").exists()

    # the escape hatch still builds, for an instructor who knows what they are doing
    forced = CliRunner().invoke(
        main, ["build", "--no-check", "--course", str(course), "--assignment", XOR_NAME]
    )
    assert forced.exit_code == 0, forced.output
    assert "precheck" not in forced.output
    for relpath in GENERATED:
        assert (course / relpath).exists()
