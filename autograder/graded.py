"""The class as graded so far, or an error that says to grade first."""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.api import MissingEntry

from autograder import contract, grading, results


def outcomes(root: Path, assignment: str = contract.ASSIGNMENT) -> list[results.StudentOutcome]:
    """``results.collect`` without creating an empty gradebook as a side effect."""
    if not (root / "gradebook.db").exists():
        raise FileNotFoundError(f"no gradebook in {root}: run `xorkit grade` first")
    try:
        found = results.collect(root, assignment)
    except MissingEntry as exc:
        raise FileNotFoundError(
            f"{assignment} is not in the gradebook: run `xorkit build`, then `xorkit grade`"
        ) from exc
    if not found:
        raise FileNotFoundError(f"no graded submission of {assignment}: run `xorkit grade` first")
    return found


def notes(root: Path, student: str, assignment: str = contract.ASSIGNMENT) -> list[str]:
    """The reasons the grader recorded beside a student's autograded notebook
    (a time-out, a crash, a missing cell); none after stock nbgrader."""
    path = root / "autograded" / student / assignment / grading.NOTES
    return json.loads(path.read_text()).get("notes", []) if path.exists() else []
