"""The student's side before submitting: `nbgrader validate` and fast visible tests."""

import time
from datetime import datetime

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.engine.nbgrader_run import run_nbgrader
from tests.helpers import GRADED_CELLS, XOR, finished_release, release_with, solved_sources

# The ten visible test cells hold a few asserts each and train for 10 epochs at
# most: together they take milliseconds. The bound is far above that, so it
# only trips when a visible test starts doing real work (a full training run).
VISIBLE_TESTS_BUDGET_S = 5.0

HALF_DONE = ["sigmoid", "sigmoid_derivative", "dense", "initialize_weights", "forward_pass"]


def validate(folder, nb) -> str:
    """`nbgrader validate` as a student runs it: in a folder holding only the notebook."""
    path = folder / f"{XOR.name}.ipynb"
    nbformat.write(nb, path)
    return run_nbgrader(folder, "validate", path.name).stdout


@pytest.mark.slow
def test_finished_notebook_validates(tmp_path):
    """A release with every function written and every question answered passes validation."""
    out = validate(tmp_path, finished_release())
    assert "Success! Your notebook passes all the tests." in out
    assert "FAILED" not in out


@pytest.mark.slow
def test_unfinished_notebook_names_failing_cells(tmp_path):
    """Half-way through, validation fails on exactly the test cells of the unwritten
    functions, shows each one's source and says they raise NotImplementedError."""
    out = validate(tmp_path, finished_release(HALF_DONE))
    unwritten = [name for name in XOR.names if name not in HALF_DONE]
    assert f"VALIDATION FAILED ON {len(unwritten)} CELL(S)!" in out
    for name in XOR.names:
        shown = f'print("{name}: visible tests passed")' in out
        assert shown == (name in unwritten), name
    assert out.count("NotImplementedError: ") == len(unwritten)


@pytest.mark.slow
def test_a_wrong_gradient_fails_validation(tmp_path):
    """A backward whose dL_dw1 uses σ instead of σ′ passes every shape check, yet
    validation fails on its test cell and says how far off the gradient is."""
    code = solved_sources()
    code["backward"] = code["backward"].replace(
        "sigmoid_derivative(act_hidden)", "sigmoid(act_hidden)"
    )
    assert code["backward"] != solved_sources()["backward"]
    nb = finished_release()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "backward":
            cell.source = code["backward"]
    out = validate(tmp_path, nb)
    assert "VALIDATION FAILED ON 1 CELL(S)!" in out
    assert 'print("backward: visible tests passed")' in out  # the failing cell is shown
    assert "dL_dw1 differs from the numerical gradient" in out


@pytest.mark.slow
def test_blank_written_answers_fail_validation(tmp_path):
    """Code alone is not finished: each unanswered written question is a failing cell."""
    out = validate(tmp_path, release_with(solved_sources()))
    assert "VALIDATION FAILED ON 3 CELL(S)!" in out
    assert out.count("You did not provide a response.") == 3


def _seconds(cell) -> float:
    """How long the kernel took for a cell, from nbclient's timing metadata."""
    stamps = cell.metadata["execution"]
    start, end = (
        datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()


@pytest.mark.slow
def test_visible_tests_run_in_seconds(tmp_path):
    """On a finished notebook all ten visible test cells together run well within the budget."""
    nb = finished_release()
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    whole = time.perf_counter() - start
    times = {
        cell.metadata["nbgrader"]["grade_id"]: _seconds(cell)
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") in GRADED_CELLS
    }
    assert set(times) == set(GRADED_CELLS)
    report = ", ".join(f"{grade_id} {1e3 * s:.0f} ms" for grade_id, s in times.items())
    print(f"visible tests {sum(times.values()):.3f} s ({report}); whole notebook {whole:.1f} s")
    assert sum(times.values()) < VISIBLE_TESTS_BUDGET_S, report
