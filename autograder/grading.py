"""Grade every submission of an assignment in a course directory with nbgrader."""

from __future__ import annotations

from pathlib import Path

from autograder import contract, results
from autograder.nbgrader_run import run_nbgrader


def submissions(root: Path, assignment: str = contract.ASSIGNMENT) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``."""
    base = root / "submitted"
    return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())


def autograde(root: Path, assignment: str = contract.ASSIGNMENT) -> list[results.StudentOutcome]:
    """``nbgrader autograde`` the whole class, then read the outcomes back."""
    if not submissions(root, assignment):
        raise FileNotFoundError(f"no submissions in {root / 'submitted'}/*/{assignment}/")
    run_nbgrader(root, "autograde", assignment, "--force")
    return results.collect(root, assignment)
