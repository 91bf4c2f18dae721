"""What a verb checks in the course before its work, so that a typo or a skipped
step gets one line saying what to do, not a traceback or another step's advice.

Kept free of nbgrader: the gradebook's assignment names are read with sqlite3.
A verb without ``--assignment`` works on every assignment of the course
(``chosen``): those with a source folder and a package in ``assignments/``.
"""

import difflib
import sqlite3
from pathlib import Path

import click

from autograder.checking.assignment import names as assignment_packages
from autograder.commands.exit_codes import KitFailed, StudentsNeedAttention
from autograder.text import printable


def gradebook_assignments(root: Path) -> set[str]:
    """The assignments nbgrader's gradebook knows (none without a gradebook)."""
    db = root / "gradebook.db"
    if not db.is_file():
        return set()
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
            return {name for (name,) in conn.execute("SELECT name FROM assignment")}
    except sqlite3.Error:  # not a gradebook yet: the verb's own error says what to do
        return set()


def assignments(root: Path) -> set[str]:
    """The course's assignments: the folders of source/, and those in the gradebook."""
    sources = {p.name for p in (root / "source").glob("*/") if p.is_dir()}
    return sources | gradebook_assignments(root)


def known_assignment(root: Path, assignment: str) -> None:
    """Stop with the course's assignments and the nearest one when ``assignment``
    is not one of them (a typo, not a missing build)."""
    names = sorted(assignments(root))
    if assignment in names:
        return
    near = difflib.get_close_matches(assignment, names, n=1)
    has = f"it has {', '.join(names)}" if names else "it has none (source/ is empty)"
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise KitFailed(f"no assignment {printable(assignment, 80)!r} in this course: {has}{hint}")


def built(root: Path, assignment: str) -> None:
    """Stop, saying to build, when the gradebook does not know ``assignment``."""
    if assignment not in gradebook_assignments(root):
        raise KitFailed(
            f"{assignment} has not been built in {root}: run `xorkit build` in the course "
            "directory, then grade again"
        )


def not_empty(root: Path, assignment: str, graded_too: bool = True) -> None:
    """Stop (exit 1) when the class is empty: nobody in submitted/ (nor, with
    ``graded_too``, in autograded/) for ``assignment``."""
    from autograder.engine.grading import submissions  # loads nbgrader: only when a verb runs

    graded = [p for p in (root / "autograded").glob(f"*/{assignment}") if p.is_dir()]
    if submissions(root, assignment) or (graded_too and graded):
        return
    raise StudentsNeedAttention(
        f"no submissions in {root / 'submitted'}/*/{assignment}/: the class is empty; "
        "file them there with `xorkit collect`, then run `xorkit grade`"
    )


def chosen(root: Path, assignment: str | None) -> list[str]:
    """The assignments a verb works on: the one given, once it is known, or every
    assignment of the course."""
    if assignment is not None:
        known_assignment(root, assignment)
        return [assignment]
    names = assignment_packages(root)
    if not names:
        raise KitFailed(
            f"{root} has no assignment: each needs source/<name>/<name>.ipynb and its "
            "package assignments/<name>/ (README: Adding an assignment)"
        )
    return names


def one(root: Path, assignment: str | None) -> str:
    """The assignment of a verb that works on one (an LMS download is for one):
    the one given, or the course's only one."""
    names = chosen(root, assignment)
    if len(names) > 1:
        raise click.UsageError(
            f"this course has several assignments ({', '.join(names)}): say which with --assignment"
        )
    return names[0]


def with_class(root: Path, names: list[str], graded_too: bool = True) -> list[str]:
    """Those of ``names`` that have a class; stop as ``not_empty`` does when one
    assignment was asked for and has none, or when none of several has one."""
    if len(names) == 1:
        not_empty(root, names[0], graded_too)
        return names
    full = []
    for name in names:
        try:
            not_empty(root, name, graded_too)
        except StudentsNeedAttention:
            continue
        full.append(name)
    if not full:
        raise StudentsNeedAttention(
            f"no submissions in {root / 'submitted'} for any assignment ({', '.join(names)}): "
            "file them there with `xorkit collect`, then run `xorkit grade`"
        )
    return full
