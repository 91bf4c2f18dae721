"""Read a graded class back: scores from the gradebook, lost checks from the notebooks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Grade, Gradebook, SubmittedAssignment, SubmittedNotebook
from sqlalchemy.orm import selectinload, undefer

from autograder.text import printable


@dataclass
class CellOutcome:
    grade_id: str
    score: float | None  # None while a written answer awaits manual grading
    max_score: float
    lost: list[str] = field(default_factory=list)


@dataclass
class StudentOutcome:
    student: str
    score: float  # nbgrader's score: every cell's points, before any late penalty
    max_score: float
    cells: list[CellOutcome]
    # why grading went wrong, from the kit's grader: a dead kernel, an
    # unreadable notebook, a deleted test cell (empty after stock nbgrader)
    problems: list[str] = field(default_factory=list)
    sandboxed: bool | None = None
    reused: bool = False  # this run kept the recorded grade: nothing that decides it changed
    # past the gradebook's due date plus the student's extension (timestamp.txt)
    seconds_late: float = 0.0
    penalty: float = 0.0  # nbgrader's late-penalty plugin's, added over the notebooks

    @property
    def final_score(self) -> float:
        """The score after the late penalty, as ``nbgrader export`` computes it."""
        return max(0.0, self.score - self.penalty)

    @property
    def manual_pending(self) -> list[str]:
        return [c.grade_id for c in self.cells if c.score is None]

    @property
    def lost(self) -> list[str]:
        return [item for c in self.cells for item in c.lost]


NOTES = "xorkit-notes.json"  # the grader's notes beside a submission's grades


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def check_results(output) -> list[dict]:
    """The hidden checks' results a test cell's output carries (the grader puts
    them in its metadata), whatever shape a damaged notebook gives them."""
    extra = output.get("metadata")
    found = extra.get("xorkit", {}) if isinstance(extra, dict) else {}
    results = found.get("results", []) if isinstance(found, dict) else []
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


def lost_checks(notebook: Path) -> dict[str, list[str]]:
    """For each autograded cell of a graded notebook, the properties it lost.

    The notebook is read as plain JSON, without nbformat's conversion and
    schema validation (the grader wrote it; a class of 800 is read in seconds),
    and every field is looked at defensively."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    lost: dict[str, list[str]] = {}
    for cell in _dicts(nb.get("cells") if isinstance(nb, dict) else None):
        meta = cell.get("metadata")
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        if cell.get("cell_type") != "code" or not isinstance(meta, dict) or not meta.get("grade"):
            continue
        grade_id = str(meta.get("grade_id"))
        items = []
        for output in _dicts(cell.get("outputs")):
            if output.get("output_type") == "error":
                ename, evalue = _text(output.get("ename")), _text(output.get("evalue"))
                if ename == "NotImplementedError":
                    items.append(f"{grade_id}: not attempted")
                else:
                    items.append(f"{grade_id}: {ename}: {evalue}"[:160])
            items += [
                f"{r.get('function')}: {r.get('name')}"
                + (" (not attempted)" if r.get("status") == "not attempted" else "")
                for r in check_results(output)
                if r.get("status") != "passed"
            ]
        lost[grade_id] = items
    return lost


def _dicts(items) -> list[dict]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _text(value) -> str:
    return "".join(map(str, value)) if isinstance(value, list) else str(value)


def _submissions(gb: Gradebook, assignment: str):
    """The assignment's submissions with their notebooks, grades and cells, in
    four queries (loaded one by one, they take one per grade)."""
    found = gb.find_assignment(assignment)
    grades = selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades)
    return (
        gb.db.query(SubmittedAssignment)
        .filter(SubmittedAssignment.assignment_id == found.id)
        .options(
            selectinload(SubmittedAssignment.notebooks).joinedload(SubmittedNotebook.notebook),
            grades.joinedload(Grade.cell),
            grades.undefer(Grade.max_score),
            undefer(SubmittedAssignment.max_score),
        )
        .all()
    )


def collect(root: Path, assignment: str) -> list[StudentOutcome]:
    """Every graded submission of ``assignment``, sorted by student id."""
    outcomes = []
    with Gradebook(db_url(root)) as gb:
        for submission in _submissions(gb, assignment):
            student = submission.student_id
            cells = []
            for nb in submission.notebooks:
                graded = root / "autograded" / student / assignment / f"{nb.name}.ipynb"
                try:
                    lost = lost_checks(graded) if graded.exists() else {}
                except Exception:  # one student's data never stops the class's table
                    lost = {}
                for grade in nb.grades:
                    score = None if grade.needs_manual_grade else grade.score
                    cells.append(
                        CellOutcome(grade.name, score, grade.max_score, lost.get(grade.name, []))
                    )
            notes = root / "autograded" / student / assignment / NOTES
            extra = json.loads(notes.read_text()) if notes.exists() else {}
            outcomes.append(
                StudentOutcome(
                    student,
                    submission.score,
                    submission.max_score,
                    cells,
                    extra.get("notes", []),
                    extra.get("sandboxed"),
                    # the due date is the assignment's, loaded above: no query per student
                    seconds_late=submission.total_seconds_late,
                    penalty=sum(nb.late_submission_penalty or 0.0 for nb in submission.notebooks),
                )
            )
    return sorted(outcomes, key=lambda o: o.student)


def late(outcome: StudentOutcome) -> str:
    """How late a submission was and what it cost (``"26.5 h, -3"``); ``"—"`` when it
    was not late, or has no timestamp (nbgrader counts neither as late)."""
    if outcome.seconds_late <= 0:
        return "—"
    return f"{outcome.seconds_late / 3600:.1f} h, -{outcome.penalty:g}"


def table(outcomes: list[StudentOutcome]) -> str:
    """A plain-text table: student, score (after any late penalty), max score,
    whether this run graded the submission or reused its recorded grade, how
    late it was and what that cost (a column shown only when someone was late),
    and the checks it lost."""
    show_late = any(o.seconds_late > 0 for o in outcomes)
    rows = [("student", "score", "max", "graded", *(["late"] if show_late else []), "lost checks")]
    for o in outcomes:
        lost = o.lost
        summary = "; ".join(lost[:4]) + (f"; … {len(lost) - 4} more" if len(lost) > 4 else "")
        if o.problems:
            summary = "; ".join(o.problems) + ("; " + summary if summary else "")
        if o.manual_pending:
            summary = (
                summary + "; " if summary else ""
            ) + f"{len(o.manual_pending)} answers to grade by hand"
        student, summary = printable(o.student, 60), printable(summary or "—", 300)
        graded = "reused" if o.reused else "now"
        lateness = [late(o)] if show_late else []
        rows.append((student, f"{o.final_score:g}", f"{o.max_score:g}", graded, *lateness, summary))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    align = ["<", ">", ">", "<", "<"]
    lines = [
        "  ".join(f"{cell:{align[i]}{widths[i]}}" for i, cell in enumerate(r[:-1])) + f"  {r[-1]}"
        for r in rows
    ]
    lines.insert(1, "-" * min(100, max(len(line) for line in lines)))
    return "\n".join(lines)
