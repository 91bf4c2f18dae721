"""Before a build writes anything: does the reference score full marks, the release zero?

The check runs in a temporary course: it builds the reference module and the
release there, submits the source notebook itself (as ``reference``) and the
blank release (as ``release_blank``), grades both and compares every autograded
cell with what it must score. A build whose checks would fail the reference, or
give points for nothing, never reaches release/.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from autograder.checking import assignment as assignments
from autograder.course import build
from autograder.course.results import StudentOutcome
from autograder.engine import grading
from autograder.faults import GraderFault
from autograder.progress import progress

REFERENCE, BLANK = "reference", "release_blank"


class PrecheckFailed(RuntimeError):
    """The reference does not score full marks or the release scores points."""


def _progress(total):
    return progress(desc="precheck", total=total)


def _copy_course(root: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", into / "nbgrader_config.py")
    shutil.copytree(root / "source", into / "source")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(root / assignments.PACKAGES, into / assignments.PACKAGES, ignore=ignore)
    return into


def _submit(course: Path, name: str, student: str, notebook: Path) -> None:
    out = course / "submitted" / student / name / notebook.name
    out.parent.mkdir(parents=True)
    shutil.copy(notebook, out)


def problems(outcomes: dict[str, StudentOutcome]) -> list[str]:
    """What is wrong with the graded reference and blank release; empty when all is well."""
    found = []
    for cell in outcomes[REFERENCE].cells:
        if cell.score is not None and cell.score != cell.max_score:
            lost = f" (lost: {'; '.join(cell.lost)})" if cell.lost else ""
            found.append(
                f"the reference scores {cell.score:g}/{cell.max_score:g} on {cell.grade_id}{lost}"
            )
    for cell in outcomes[BLANK].cells:
        if cell.score:
            found.append(
                f"the blank release scores {cell.score:g}/{cell.max_score:g} on {cell.grade_id}"
            )
    return found


def precheck(root: Path, name: str, log: Callable[[str], None] = print) -> None:
    """Grade the reference and the blank release of assignment ``name`` in a
    temporary copy of ``root``; raise ``PrecheckFailed`` naming every cell that
    scores wrong."""
    with tempfile.TemporaryDirectory(prefix="xorkit-precheck-") as tmp:
        course = _copy_course(root, Path(tmp) / "course")
        copy = assignments.load(course, name)
        build.contract(copy)
        build.reference_module(copy)
        (release_nb,) = build.release(copy)
        build.build_record(copy)
        _submit(course, name, REFERENCE, copy.source_notebook())
        _submit(course, name, BLANK, release_nb)
        log(f"precheck: grading {name}'s reference and blank release in a temporary course")
        try:
            # the instructor's own notebooks: sandboxed where bubblewrap works
            graded = grading.autograde(course, name, progress=_progress, sandbox="auto")
        except GraderFault as exc:
            raise PrecheckFailed(
                f"the build would release a broken assignment: {exc}\n"
                "release/ and solutions/ were left untouched"
            ) from exc
    outcomes = {o.student: o for o in graded}
    missing = {REFERENCE, BLANK} - set(outcomes)
    if missing:
        raise PrecheckFailed(f"nbgrader did not grade {', '.join(sorted(missing))}")
    found = problems(outcomes)
    notes = [f"{o.student}: {note}" for o in outcomes.values() for note in o.problems]
    if found:
        raise PrecheckFailed(
            "the build would release a broken assignment:\n  "
            + "\n  ".join(found + notes)
            + f"\nfix source/{name}/{name}.ipynb (or the checks in assignments/{name}/) and "
            "rerun `xorkit build`; release/ and solutions/ were left untouched"
        )
    log("precheck: the reference scores full marks, the blank release zero")
