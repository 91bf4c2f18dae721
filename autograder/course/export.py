"""Grades to a CSV an LMS gradebook imports: one row per student, keyed by student id.

Columns: ``student_id`` (the key to match in the LMS import), ``score`` (the
total to import, after any late penalty, as ``nbgrader export`` computes it),
``max_score``, ``needs_manual_grading`` (written answers not graded yet: the
score is not final), ``raw_score`` (before the late penalty),
``late_submission_penalty`` (nbgrader's, from the late-penalty plugin),
``hours_late`` (past the due date plus the student's extension), then one
column per graded cell in notebook order — one per contract function
(``test_sigmoid`` …) and per written answer. A cell still awaiting a person is
left empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.course import graded, results
from autograder.text import spreadsheet_cell

FIXED = ["student_id", "score", "max_score", "needs_manual_grading"]
LATE = ["raw_score", "late_submission_penalty", "hours_late"]


def rows(outcomes: list[results.StudentOutcome]) -> tuple[list[str], list[dict[str, str]]]:
    """The header and one row per student."""
    cells = list(dict.fromkeys(c.grade_id for o in outcomes for c in o.cells))
    table = []
    for o in outcomes:
        row = {
            "student_id": spreadsheet_cell(o.student),
            "score": f"{o.final_score:g}",
            "max_score": f"{o.max_score:g}",
            "needs_manual_grading": "yes" if o.manual_pending else "no",
            "raw_score": f"{o.score:g}",
            "late_submission_penalty": f"{o.penalty:g}",
            "hours_late": f"{round(o.seconds_late / 3600, 2):g}",
        }
        row.update({c.grade_id: "" if c.score is None else f"{c.score:g}" for c in o.cells})
        table.append(row)
    return FIXED + LATE + cells, table


def export_class(root: Path, out: Path, assignment: str) -> list[results.StudentOutcome]:
    """Write the class's grades to ``out``; return the outcomes written, one a student."""
    outcomes = graded.outcomes(root, assignment)
    header, table = rows(outcomes)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(table)
    return outcomes


def export_csv(root: Path, out: Path, assignment: str) -> int:
    """Write the class's grades to ``out``; return the number of students."""
    return len(export_class(root, out, assignment))
