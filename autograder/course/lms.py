"""Grades in the layouts Canvas and Moodle import as they are.

An LMS matches each row of an import to one of its users by an identity column,
and gives the grade to whoever it matched: a row keyed on the wrong kind of id
gives a grade to the wrong student. So each layout states which id the kit's
student ids are (``id_field``), writes it in the one column the LMS matches
that id on, and leaves out, with the reason, every student whose id cannot be
one (and every student whose written answers still await a person: an LMS
would count them as zero). Nothing else identifies a student in these files:
no name, which an LMS may fall back on and which is not unique.

**Canvas** (Grades → Import; the layout Canvas's own gradebook export writes,
``lib/gradebook_exporter.rb``, and its importer reads,
``lib/gradebook_importer.rb`` in instructure/canvas-lms): the header is
``Student, ID, SIS User ID, SIS Login ID, Section`` and then one column per
assignment, named ``<title> (<assignment id>)``; the importer matches that id
to an existing assignment, else an assignment of exactly that title, else
creates one, and any other column becomes an assignment too (so the kit adds
none). The row under the header starts with ``Points Possible`` and holds the
assignment's points. A student row is matched on ``ID`` (Canvas's user id, the
number ``xorkit collect`` files a Canvas download under), then on ``SIS User
ID`` or ``SIS Login ID``, then on the name in ``Student`` (left empty here).

**Moodle** has two CSV imports. The assignment's *grading worksheet*
(Assignment → Submissions → Upload grading worksheet, with the "Offline
grading worksheet" feedback type on; ``mod/assign/feedback/offline`` in
moodle/moodle) matches its ``Identifier`` column, ``Participant <number>``,
on the participant number Moodle puts in the file names of its download:
the id ``xorkit collect --lms moodle`` files submissions under. It reads
``Grade`` and ``Last modified (grade)`` (a grade changed in Moodle after that
time is kept unless the upload says otherwise) and ignores other columns
(the kit adds the maximum grade and the late penalty, for the instructor).
The gradebook's *Import grades from CSV* (``grade/import/csv``) maps a column
chosen at import to a user's username, email address or ID number (or
internal user id, never a participant number), and each other column to a
grade item. Worksheet column names are Moodle's English ones: Moodle compares
them in the language of whoever uploads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbgrader-free at import: the CLI's --help lists ID_FIELDS
    from autograder.course.results import StudentOutcome

# the ids an LMS import can match a row on, the first being what `xorkit collect`
# files that LMS's download under
ID_FIELDS = {
    "canvas": ("id", "sis-user-id", "sis-login-id"),
    "moodle": ("participant", "username", "email", "idnumber"),
}
NUMBERS = {"id", "participant"}  # ids an LMS gives as numbers

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_KEY = {"id": "ID", "sis-user-id": "SIS User ID", "sis-login-id": "SIS Login ID"}
CANVAS_POINTS = "    Points Possible"  # as Canvas's export writes it (its import finds the words)
# Canvas's importer drops a column whose header contains one of these (its totals)
CANVAS_TOTALS = (
    "Current Score",
    "Current Points",
    "Current Grade",
    "Final Score",
    "Final Points",
    "Final Grade",
    "Override Score",
    "Override Grade",
    "Override Status",
)

# what the worksheet's upload reads, then what it ignores (shown to the instructor)
MOODLE_WORKSHEET = ["Identifier", "Grade", "Last modified (grade)", "Maximum grade", "Late penalty"]
MOODLE_PARTICIPANT = "Participant "  # the prefix Moodle's worksheet puts before the number
MOODLE_USER_FIELD = {"username": "Username", "email": "Email address", "idnumber": "ID number"}

FORMULA = re.compile(r"[=+\-@\t\r]")  # what a spreadsheet starts a formula with
PLAIN_ID = re.compile(r"[^\x00-\x1f\x7f]{1,255}")  # no control characters


@dataclass
class Sheet:
    """An import file's rows (header first), the students it grades, and those
    whose ids the LMS cannot match, with why (students whose written answers
    await a person are in neither)."""

    rows: list[list[str]]
    students: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)


def number(value: float) -> str:
    """Points as an LMS reads them: a decimal point, no exponent, at most 4 decimals."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def id_problem(student: str, id_field: str, lms: str) -> str | None:
    """Why ``student`` cannot be the LMS's ``id_field`` (None when it can be)."""
    if id_field in NUMBERS:
        if re.fullmatch(r"[0-9]{1,20}", student):
            return None
        if lms == "canvas":
            return "not a Canvas user id (digits), which Canvas matches the ID column on"
        return "not a Moodle participant number (digits, as in the file names of its download)"
    if FORMULA.match(student) or not PLAIN_ID.fullmatch(student):
        return "it starts as a spreadsheet formula (= + - @) or holds a control character"
    return None


def _importable(outcomes: list[StudentOutcome], id_field: str, lms: str):
    """The outcomes an import may carry (final grades, ids the LMS can match),
    and the students whose ids it cannot match, with why."""
    kept, left_out = [], {}
    for o in outcomes:
        if o.manual_pending:  # not final: the command lists them separately
            continue
        if problem := id_problem(o.student, id_field, lms):
            left_out[o.student] = problem
        else:
            kept.append(o)
    return kept, left_out


def canvas_column(column: str) -> str:
    """``column`` if Canvas's importer reads it as an assignment; ``ValueError`` if not."""
    if not column.strip() or column in CANVAS_IDENTITY:
        raise ValueError(f"Canvas cannot read {column!r} as an assignment's column")
    totals = [t for t in CANVAS_TOTALS if t in column]
    if totals:
        raise ValueError(
            f"Canvas drops a column whose name contains {totals[0]!r} (its totals): "
            "name the assignment's column otherwise"
        )
    return column


def canvas(outcomes: list[StudentOutcome], column: str, id_field: str = "id") -> Sheet:
    """Canvas's gradebook import: identity columns, the assignment's column (its
    score after any late penalty), the Points Possible row under the header."""
    kept, left_out = _importable(outcomes, id_field, "canvas")
    header = [*CANVAS_IDENTITY, canvas_column(column)]
    points = max(o.max_score for o in outcomes)
    rows = [header, [CANVAS_POINTS, "", "", "", "", number(points)]]
    key = CANVAS_IDENTITY.index(CANVAS_KEY[id_field])
    for o in kept:
        row = [""] * len(header)  # Student left empty: Canvas would match a name
        row[key] = o.student
        row[-1] = number(o.final_score)
        rows.append(row)
    return Sheet(rows, [o.student for o in kept], left_out)


def moodle(
    outcomes: list[StudentOutcome], column: str, id_field: str = "participant", now: str = ""
) -> Sheet:
    """Moodle's assignment grading worksheet (participant numbers) or its
    gradebook's CSV import (usernames, email addresses, ID numbers), each grade
    after any late penalty. ``now`` is the worksheet's "Last modified (grade)"."""
    kept, left_out = _importable(outcomes, id_field, "moodle")
    if id_field == "participant":
        points = number(max(o.max_score for o in outcomes))
        rows = [MOODLE_WORKSHEET]
        for o in kept:
            late = number(o.penalty)
            rows.append([MOODLE_PARTICIPANT + o.student, number(o.final_score), now, points, late])
    else:
        rows = [[MOODLE_USER_FIELD[id_field], column]]
        rows += [[o.student, number(o.final_score)] for o in kept]
    return Sheet(rows, [o.student for o in kept], left_out)
