"""The class as graded so far, or an error that says to grade first."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import MissingEntry

from autograder.course import results


def outcomes(root: Path, assignment: str) -> list[results.StudentOutcome]:
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
