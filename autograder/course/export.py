"""Grades to a CSV an LMS gradebook imports, in the kit's plain layout or the LMS's own.

The plain layout (``lms="plain"``), one row per student keyed by student id:
``student_id`` (the key to match in the LMS import), ``score`` (the total to
import, after any late penalty, as ``nbgrader export`` computes it),
``max_score``, ``needs_manual_grading`` (written answers not graded yet: the
score is not final), ``raw_score`` (before the late penalty),
``late_submission_penalty`` (nbgrader's, from the late-penalty plugin),
``hours_late`` (past the due date plus the student's extension), then one
column per graded cell in notebook order — one per contract function
(``test_sigmoid`` …) and per written answer. A cell still awaiting a person is
left empty.

``lms="canvas"`` and ``lms="moodle"`` write the layouts those LMSs import
(``autograder.course.lms``), with only the grades they can import as they are.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import graded, lms, results
from autograder.text import spreadsheet_cell

FIXED = ["student_id", "score", "max_score", "needs_manual_grading"]
LATE = ["raw_score", "late_submission_penalty", "hours_late"]
LAYOUTS = ("plain", "canvas", "moodle")


@dataclass
class Exported:
    """What an export wrote: every graded student's outcome, how many rows of
    grades the file holds, and the students an LMS's file leaves out because it
    could not match their ids, with why (an LMS's file also leaves out the
    students whose written answers await a person: see ``manual_pending``)."""

    outcomes: list[results.StudentOutcome]
    written: int
    left_out: dict[str, str] = field(default_factory=dict)


def rows(outcomes: list[results.StudentOutcome]) -> tuple[list[str], list[dict[str, str]]]:
    """The plain layout's header and one row per student."""
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


def sheet(
    outcomes: list[results.StudentOutcome],
    lms_name: str,
    column: str,
    id_field: str | None = None,
) -> lms.Sheet:
    """The rows of an LMS's import file for ``outcomes``; ``column`` names the
    assignment's grade column, ``id_field`` what the kit's student ids are in
    that LMS (default: what ``xorkit collect`` files its download under)."""
    id_field = id_field or lms.ID_FIELDS[lms_name][0]
    if id_field not in lms.ID_FIELDS[lms_name]:
        fields = ", ".join(lms.ID_FIELDS[lms_name])
        raise ValueError(f"--id-field {id_field} is not one of {lms_name}'s ({fields})")
    if lms_name == "canvas":
        return lms.canvas(outcomes, column, id_field)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    return lms.moodle(outcomes, column, id_field, now)


def export_class(
    root: Path,
    out: Path,
    assignment: str,
    lms_name: str = "plain",
    id_field: str | None = None,
    column: str | None = None,
) -> Exported:
    """Write the class's grades to ``out`` in the layout ``lms_name``; ``column``
    (an LMS's name for the assignment's grade column) defaults to the assignment's name."""
    if lms_name not in LAYOUTS:
        raise ValueError(f"no export layout {lms_name!r}: {', '.join(LAYOUTS)}")
    outcomes = graded.outcomes(root, assignment)
    if lms_name == "plain":
        if id_field is not None:
            raise ValueError("--id-field is for an LMS's layout: pass --lms canvas or moodle")
        header, table = rows(outcomes)
        found = Exported(outcomes, len(table))
    else:
        made = sheet(outcomes, lms_name, column or assignment, id_field)
        found = Exported(outcomes, len(made.students), made.left_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        if lms_name == "plain":
            writer = csv.DictWriter(fh, fieldnames=header, restval="")
            writer.writeheader()
            writer.writerows(table)
        else:
            csv.writer(fh).writerows(made.rows)
    return found


def export_csv(root: Path, out: Path, assignment: str) -> int:
    """Write the class's grades to ``out`` (plain layout); return the number of students."""
    return export_class(root, out, assignment).written
