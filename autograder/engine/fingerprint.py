"""Regrade only what changed: a grade is reused when nothing that decided it changed.

A submission's fingerprint is a SHA-256 over everything its grade depends on:

* every file of the submission (names and bytes, its ``timestamp.txt`` included);
* the grading context, the same for the whole class: the build record (the
  hashes of the source notebook, the reference and the checks), the kit's own
  code, the course's ``nbgrader_config.py`` (limits, late penalties, output
  filters), the grading limits, whether the sandbox is used, the versions of
  Python, nbgrader, nbformat, NumPy, matplotlib and IPython, and the
  gradebook's view of the assignment (its cells, points, checksums and due
  date) and the run's ``--late-penalty`` rule, if one was given;
* the student's extension in the gradebook.

``record`` writes it beside the grades (in ``autograded/.../xorkit-notes.json``).
The next ``xorkit grade`` reuses the grade of a submission whose fingerprint is
unchanged and whose gradebook row and notes file are still there, and says so
in the table; ``--force`` regrades everyone. Nothing a student
sends can forge a fingerprint: it is computed by the grader, and only the
grader writes ``autograded/``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path

import autograder
from autograder.checking import assignment as assignments

CHUNK = 1 << 20


def context(course, limits, use_bwrap: bool, tests: dict) -> str:
    """The part of every fingerprint that is the same for the whole class."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    record = assignments.load(course.root, course.assignment).record_path()
    add("build", record.read_bytes() if record.exists() else b"")
    config = course.root / "nbgrader_config.py"
    add("config", config.read_bytes() if config.exists() else b"")
    add("kit", kit().encode())
    add("limits", json.dumps(dataclasses.asdict(limits), sort_keys=True).encode())
    add("sandbox", str(bool(use_bwrap)).encode())
    add("versions", versions().encode())
    snapshot = {
        name: dataclasses.asdict(nb) | {"source_cells": [vars(c) for c in nb.source_cells]}
        for name, nb in course.notebooks.items()
    }
    add("gradebook", json.dumps(snapshot, sort_keys=True, default=str).encode())
    add("tests", json.dumps({k: vars(v) for k, v in tests.items()}, default=str).encode())
    add("due", str(course.duedate).encode())
    add("late", str(course.late_penalty).encode())
    return digest.hexdigest()


def kit() -> str:
    """A hash of the kit's own code, as installed here."""
    digest = hashlib.sha256()
    package = Path(autograder.__file__).parent
    for path in sorted(package.rglob("*.py")):
        data = path.read_bytes()
        digest.update(f"kit/{path.relative_to(package)}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def versions() -> str:
    """Python's and the packages' versions a submission runs with or is graded by:
    a new NumPy may compute differently, a new nbgrader record differently."""
    import importlib.metadata

    found = [sys.version]
    for package in ("nbgrader", "nbformat", "numpy", "matplotlib", "ipython", "scipy"):
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} absent")
    return "\n".join(found)


def submission(folder: Path, shared: str, extension) -> str | None:
    """The fingerprint of one submission, or None where it cannot be taken (a
    link or a special file: such a submission is always graded, and refused)."""
    digest = hashlib.sha256(f"{shared}:{extension}:".encode())
    for parent, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(folders + files):
            path = Path(parent) / name
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                return None
            relative = str(path.relative_to(folder)).encode("utf-8", "surrogateescape")
            digest.update(b"D" if path.is_dir() else b"F")
            digest.update(len(relative).to_bytes(4, "big") + relative)
            if path.is_file():
                digest.update(path.stat().st_size.to_bytes(8, "big"))
                with open(path, "rb") as data:
                    while chunk := data.read(CHUNK):
                        digest.update(chunk)
    return digest.hexdigest()


def recorded(notes: Path) -> str | None:
    """The fingerprint the last grading recorded beside the grades, if any."""
    try:
        found = json.loads(notes.read_text()).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None
