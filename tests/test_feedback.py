"""`xorkit feedback`: per-student HTML with the hidden checks' messages, never their code."""

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.engine.preprocessors import DropHiddenMessages, HideHiddenTestSource
from tests.conftest import CRASHING, STUDENTS, UNREADABLE
from tests.helpers import new_course

HIDDEN_CODE = [
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "from autograder",
    'grade("xor_mlp", "backward"',
]


def _html(course, student):
    return (course / "feedback" / student / "xor_mlp" / "xor_mlp.html").read_text()


@pytest.mark.slow
def test_feedback_shows_messages_not_hidden_code(graded_course):
    """Each graded student gets HTML with the checks' messages and scores, no hidden code."""
    args = ["--course", str(graded_course), "--assignment", "xor_mlp"]
    result = CliRunner().invoke(main, ["feedback", *args])
    # the written answers still await a person: done, but needs attention
    assert result.exit_code == 1, result.output
    assert "4 feedback files written" in result.output
    assert f"no graded notebook, so no feedback, for: {UNREADABLE}" in result.output
    assert "written answers not graded yet" in result.output and "Formgrader" in result.output
    for student in [*STUDENTS, CRASHING]:
        html = _html(graded_course, student)
        for leak in HIDDEN_CODE:
            assert leak not in html, (student, leak)
    html = _html(graded_course, "cy_sigma_not_derivative")
    assert "Score: 14.0 / 26.0" in html
    # the visible test's message, then what the hidden checks found and the misconception
    assert "differs from the numerical gradient" in html and "hidden-layer derivative" in html
    assert "likely mistake" in html


@pytest.mark.slow
def test_hide_hidden_messages_keeps_scores_only(graded_course):
    """With --hide-hidden-messages the checks' reports are gone; the cell scores remain."""
    result = CliRunner().invoke(
        main,
        [
            "feedback",
            "--course",
            str(graded_course),
            "--assignment",
            "xor_mlp",
            "--hide-hidden-messages",
            "--student",
            "cy_sigma_not_derivative",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "1 feedback files written" in result.output
    html = _html(graded_course, "cy_sigma_not_derivative")
    assert "Score: 14.0 / 26.0" in html and "Score: 0.0 / 4.0" in html
    assert "hidden-layer derivative" not in html and "checks passed" not in html
    assert "what the hidden checks found" not in html and "likely mistake" not in html
    for leak in HIDDEN_CODE:
        assert leak not in html


def test_feedback_before_grading_says_to_grade(tmp_path):
    """Feedback on a course with nothing graded exits 2 and says to run `xorkit grade`."""
    new_course(tmp_path)
    (tmp_path / "submitted" / "ada" / "xor_mlp").mkdir(parents=True)
    result = CliRunner().invoke(main, ["feedback", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "xorkit grade" in result.output


def _test_cell(source, outputs):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_backward", "points": 4}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return nbformat.v4.new_notebook(cells=[cell])


SOURCE = (
    'assert ok, "visible"\n'
    "### BEGIN HIDDEN TESTS\n"
    "from autograder import grade\n"
    'grade("xor_mlp", "backward", globals())\n'
    "### END HIDDEN TESTS"
)
FRAME = (
    "\x1b[36mCell\x1b[39m In[3], line 4\n"
    '      1 assert ok, "visible"\n'
    "      2 ### BEGIN HIDDEN TESTS\n"
    "      3 from autograder import grade\n"
    '----> 4 grade("xor_mlp", "backward", globals())\n'
)
KIT_FRAME = (
    "File /site-packages/autograder/checking/runner.py:212, in grade(...)\n"
    "    210 results = run_checks()\n"
)


def test_hidden_test_source_is_cut_from_source_and_tracebacks():
    """The hidden region leaves the cell source and every traceback frame; kit frames vanish."""
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "boom",
        "traceback": ["----", FRAME, KIT_FRAME, "ValueError: boom"],
    }
    nb = _test_cell(SOURCE, [error])
    nb, _ = HideHiddenTestSource()(nb, {})  # called as nbconvert calls it
    cell = nb.cells[0]
    assert cell.source == 'assert ok, "visible"'
    text = "\n".join(cell.outputs[0].traceback)
    assert "visible" in text and "ValueError: boom" in text
    for leak in ["HIDDEN", "import grade", "globals()", "runner.py", "run_checks"]:
        assert leak not in text, leak


def test_drop_hidden_messages_keeps_other_outputs():
    """Only outputs carrying the kit's results are dropped; a student's prints stay."""
    report = {
        "output_type": "display_data",
        "data": {"text/plain": "backward: 2/3 checks passed"},
        "metadata": {"xorkit": {"results": []}},
    }
    printed = {"output_type": "stream", "name": "stdout", "text": "visible tests passed\n"}
    nb, _ = DropHiddenMessages()(_test_cell(SOURCE, [printed, report]), {})
    assert [o.output_type for o in nb.cells[0].outputs] == ["stream"]


@pytest.mark.slow
def test_an_assignment_not_graded_yet_is_skipped(graded_course):
    """Without --assignment, feedback is written for the assignments graded so far;
    one not graded yet is named and skipped (exit 1), not a failure of the kit."""
    result = CliRunner().invoke(
        main, ["feedback", "--course", str(graded_course), "--student", "ada_correct"]
    )
    assert result.exit_code == 1, result.output
    assert "xor_bias_bce: no feedback: nothing graded" in result.output
    assert "xor_mlp: 1 feedback files written" in result.output
