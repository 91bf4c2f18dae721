"""Student-supplied text reaches an instructor's terminal, spreadsheet and report inert."""

import unicodedata

import nbformat

from autograder.course import export, report, results
from autograder.text import printable, spreadsheet_cell

FORGED = "\x1b[2J\x1b[1;1Hada_correct   20   26  —\r\u202eevil"


def _no_hidden(text: str) -> bool:
    return not any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in text)


def test_printable_shows_escapes_and_bounds_length():
    """Escape sequences, carriage returns and bidirectional overrides are shown
    as escapes, never acted on, and the text is cut at the limit."""
    shown = printable(FORGED)
    assert _no_hidden(shown)
    assert "\\x1b[2J" in shown and "\\r" in shown and "\\u202e" in shown
    assert len(printable("x" * 10_000, 300)) == 300


def test_grade_table_rows_cannot_be_forged_or_flood_the_screen():
    """A student id and a reason full of control characters and 500,000
    characters long give one bounded line in the grade table."""
    outcome = results.StudentOutcome(FORGED, 0, 26, [], [FORGED + "y" * 500_000])
    table = results.table([outcome])
    lines = table.splitlines()
    assert len(lines) == 3
    assert all(_no_hidden(line) for line in lines)
    assert max(len(line) for line in lines) < 500


def test_csv_cells_are_not_formulas():
    """A student id a spreadsheet would run as a formula gets OWASP's leading quote."""
    for formula in ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]:
        assert spreadsheet_cell(formula) == "'" + formula
    assert spreadsheet_cell("ada") == "ada"
    outcome = results.StudentOutcome("=cmd|' /C calc'!A0", 1, 2, [])
    _, rows = export.rows([outcome])
    assert rows[0]["student_id"].startswith("'=")


def test_report_counts_only_the_graders_results(tmp_path):
    """Check results in an output of the student's own cell (which their process
    can print) never count as passed checks; those of a test cell do."""
    claim = {"xorkit": {"results": [{"function": "backward", "name": "x", "status": "passed"}]}}

    def cell(nbgrader: dict) -> nbformat.NotebookNode:
        code = nbformat.v4.new_code_cell("")
        code.metadata["nbgrader"] = nbgrader
        code.outputs = [
            nbformat.v4.new_output("display_data", {"text/plain": "ok"}, metadata=claim)
        ]
        return code

    nb = nbformat.v4.new_notebook()
    nb.cells = [cell({"grade_id": "backward", "solution": True, "grade": False})]
    path = tmp_path / "forged.ipynb"
    nbformat.write(nb, path)
    assert report.read_notebook(path)[0] == set()
    nb.cells = [cell({"grade_id": "test_backward", "solution": False, "grade": True})]
    nbformat.write(nb, path)
    assert report.read_notebook(path)[0] == {("backward", "x")}
