"""The kit's bookkeeping writes the gradebook and the autograded notebooks that
stock ``nbgrader autograde`` writes, cell by cell (``autograder.engine.bookkeeping``)."""

import datetime
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.course import results
from autograder.engine import bookkeeping, grading
from tests.helpers import RELEASE_NB, built_course, finished_release, submit

DUE = datetime.datetime(2026, 11, 1, 12, 0, 0)


def _edited(edit) -> nbformat.NotebookNode:
    nb = finished_release()
    edit(nb)
    return nb


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _first_locked_markdown(nb):
    return next(
        c
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("locked")
    )


def _edit_locked_prose(nb):
    _first_locked_markdown(nb).source += "\n\nA student's note in the instructor's text."


def _edit_points_and_test(nb):
    cell = _cell(nb, "test_sigmoid")
    cell.metadata["nbgrader"]["points"] = 99
    cell.source = "assert True  # my own test"


def _edit_kernelspec(nb):
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}


def _leave_one_answer(nb):
    release = nbformat.read(RELEASE_NB, as_version=4)
    _cell(nb, "q-loops").source = _cell(release, "q-loops").source


SUBMISSIONS = {
    "honest": finished_release,
    "blank": lambda: nbformat.read(RELEASE_NB, as_version=4),
    "half": lambda: finished_release(["sigmoid", "sigmoid_derivative", "dense"]),
    "locked_prose_edited": lambda: _edited(_edit_locked_prose),
    "points_and_test_edited": lambda: _edited(_edit_points_and_test),
    "kernelspec_changed": lambda: _edited(_edit_kernelspec),
    "one_answer_left": lambda: _edited(_leave_one_answer),
    "late": finished_release,
    "on_time": finished_release,
}
STAMPS = {"late": "2026-11-03 09:30:00 UTC", "on_time": "2026-10-30 18:00:00 UTC"}


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory):
    """One class graded by stock ``nbgrader autograde`` and by the kit, in two
    copies of one course whose assignment is due on 1 November and whose late
    submissions lose everything."""
    stock = built_course(tmp_path_factory.mktemp("bookkeeping") / "stock")
    with open(stock / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with Gradebook(results.db_url(stock)) as gb:
        gb.update_or_create_assignment("xor_mlp", duedate=DUE)
    for student, make in SUBMISSIONS.items():
        path = submit(stock, student, make())
        if student in STAMPS:
            (path.parent / "timestamp.txt").write_text(STAMPS[student])
    kit = shutil.copytree(stock, stock.parent / "kit")
    grading.autograde(stock, "xor_mlp", engine="nbgrader", sandbox="off")
    grading.autograde(kit, "xor_mlp", jobs=2, sandbox="auto")
    return stock, kit


def gradebook_rows(course) -> dict:
    """Every value nbgrader keeps for each submission: times, grades, comments, penalties."""
    rows = {}
    with Gradebook(results.db_url(course)) as gb:
        for submission in gb.find_assignment("xor_mlp").submissions:
            notebooks = {}
            for nb in submission.notebooks:
                notebooks[nb.name] = {
                    "late_submission_penalty": nb.late_submission_penalty,
                    "grades": {
                        g.name: (g.auto_score, g.manual_score, g.needs_manual_grade, g.max_score)
                        for g in nb.grades
                    },
                    "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
                }
            rows[submission.student_id] = {
                "timestamp": submission.timestamp,
                "seconds_late": submission.total_seconds_late,
                "notebooks": notebooks,
            }
    return rows


def autograded_cells(course, student) -> tuple:
    """An autograded notebook's metadata and each cell's type, source and metadata,
    and the files of its folder with their modes. Outputs, ``language_info``
    and each cell's ``execution`` times differ by design: the kit's outputs come
    from the sandbox and the grader, and no Jupyter kernel reports its language
    or times its cells."""
    folder = course / "autograded" / student / "xor_mlp"
    nb = nbformat.read(folder / "xor_mlp.ipynb", as_version=4)
    files = {
        p.name: oct(p.stat().st_mode & 0o777) for p in folder.iterdir() if p.name != grading.NOTES
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    cells = [(c.cell_type, c.source, c.metadata) for c in nb.cells]
    nb.metadata.pop("language_info", None)
    return nb.metadata, cells, files


@pytest.mark.slow
def test_the_gradebook_is_what_stock_nbgrader_writes(two_courses):
    """Every grade, comment, timestamp and late penalty the kit records equals
    stock nbgrader's, for honest, blank, edited, late and on-time submissions."""
    stock, kit = two_courses
    want, got = gradebook_rows(stock), gradebook_rows(kit)
    assert sorted(got) == sorted(SUBMISSIONS)
    for student in SUBMISSIONS:
        assert got[student] == want[student], student
    late = want["late"]["notebooks"]["xor_mlp"]
    assert want["late"]["seconds_late"] > 0 and late["late_submission_penalty"] > 0
    assert want["on_time"]["notebooks"]["xor_mlp"]["late_submission_penalty"] is None


@pytest.mark.slow
def test_restored_cells_and_metadata_are_what_stock_nbgrader_writes(two_courses):
    """The autograded notebooks hold the cells, sources and nbgrader metadata that
    stock nbgrader restores, with the same kernelspec and file modes."""
    stock, kit = two_courses
    for student in SUBMISSIONS:
        assert autograded_cells(kit, student) == autograded_cells(stock, student), student
    edited = autograded_cells(kit, "points_and_test_edited")[1]
    test = next(c for c in edited if c[2].get("nbgrader", {}).get("grade_id") == "test_sigmoid")
    assert test[2]["nbgrader"]["points"] == 2 and "my own test" not in test[1]


def test_the_schema_cache_validates_as_jsonschema_does():
    """nbgrader's metadata check, with its schema checked once, still rejects
    what jsonschema rejects, with jsonschema's own error."""
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": False,
        "grade_id": "t",
        "points": "two",
        "schema_version": 3,
    }
    with pytest.raises(ValidationError) as cached:
        MetadataValidator().validate_cell(cell)
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(cell.metadata["nbgrader"], MetadataValidator().schema)
    assert cached.value.message == plain.value.message
    cell.metadata["nbgrader"]["points"] = 2
    MetadataValidator().validate_cell(cell)


def test_an_unsupported_nbgrader_stops_grading(monkeypatch):
    """Grading with an nbgrader the bookkeeping was not written for is a grader fault."""
    from autograder.faults import GraderFault

    monkeypatch.setattr(bookkeeping.nbgrader, "__version__", "0.10.0")
    with pytest.raises(GraderFault, match=r"written for nbgrader 0\.9"):
        bookkeeping.check_version()
