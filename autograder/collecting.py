"""Collect submissions from an LMS download into nbgrader's ``submitted/`` folder.

Canvas and Moodle hand instructors one zip of every student's files, each named
after its student. nbgrader's ``zip_collect`` unpacks it into
``downloaded/<assignment>/`` and, with a regular expression over each file's
path (``FileNameCollectorPlugin.named_regexp``), files every notebook under
``submitted/<student>/<assignment>/``. This module picks the expression, runs
``zip_collect`` and then says which files were not collected, and why.
"""

from __future__ import annotations

import logging
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin

from autograder import contract
from autograder.nbgrader_run import stream_nbgrader
from autograder.progress import progress

# nbgrader matches these from the start of each extracted file's absolute path.
# The student id is the LMS's own user id (unique, and the key its gradebook
# import matches on); the name is kept for messages. The notebook name may carry
# the "-1" an LMS adds to a resubmission.
PATTERNS = {
    # smithjane_12345_67890_xor_mlp.ipynb: name, user id, submission id, file name
    # (smithjane_LATE_12345_67890_xor_mlp-1.ipynb for a late resubmission)
    "canvas": (
        r".*/(?P<name>[^/]+?)_(?:LATE_)?(?P<student_id>\d+)_\d+_"
        r"(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$"
    ),
    # Jane Smith_12345_assignsubmission_file_xor_mlp.ipynb (also one folder per student)
    "moodle": (
        r".*/(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_/?"
        r"(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$"
    ),
}

# nbgrader already logged each skipped file; replaying its matching stays quiet.
_SILENT = logging.getLogger("xorkit.collect.replay")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False


@dataclass
class Collected:
    """What a collect did: the notebooks filed per student and the files left out."""

    submitted: dict[str, Path] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # student id → name in the file name
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def _stage(download: Path, archive: Path) -> int:
    """Copy the download (a zip or a folder) into nbgrader's archive folder;
    return how many files it holds, for the progress bar."""
    if archive.exists():
        shutil.rmtree(archive)
    archive.mkdir(parents=True)
    if download.is_dir():
        shutil.copytree(download, archive, dirs_exist_ok=True)
        return sum(1 for p in archive.rglob("*") if p.is_file())
    if not zipfile.is_zipfile(download):
        raise ValueError(f"{download} is neither a zip file nor a folder")
    shutil.copy(download, archive / download.name)
    with zipfile.ZipFile(download) as zf:
        return sum(1 for info in zf.infolist() if not info.is_dir())


def _classify(extracted: Path, pattern: str, released: set[str]) -> Collected:
    """Replay nbgrader's matching on every extracted file to tell what went where."""
    plugin = FileNameCollectorPlugin(named_regexp=pattern, log=_SILENT)
    outcome = Collected()
    for path in sorted(p for p in extracted.rglob("*") if p.is_file()):
        name = str(path.relative_to(extracted))
        if path.suffix != ".ipynb":
            outcome.unmatched.append((name, "not a notebook"))
            continue
        info = plugin.collect(str(path))
        if not info:
            outcome.unmatched.append((name, "the file name matches no student (see --pattern)"))
            continue
        notebook = Path(info["file_id"]).stem + ".ipynb"
        if notebook not in released:
            expected = ", ".join(sorted(released))
            outcome.unmatched.append((name, f"{notebook} is not in the release ({expected})"))
            continue
        student = info["student_id"]
        outcome.submitted[student] = Path("submitted", student, extracted.parent.name, notebook)
        if info.get("name"):
            outcome.names[student] = info["name"]
    return outcome


def collect(
    root: Path,
    download: Path,
    assignment: str = contract.ASSIGNMENT,
    lms: str = "canvas",
    pattern: str | None = None,
    force: bool = False,
) -> Collected:
    """File the notebooks of an LMS ``download`` (zip or folder) under
    ``root/submitted/``; ``pattern`` overrides the LMS's file-name expression,
    ``force`` replaces submissions already collected."""
    pattern = pattern or PATTERNS[lms]
    if "(?P<student_id>" not in pattern or "(?P<file_id>" not in pattern:
        raise ValueError("the pattern needs the groups (?P<student_id>…) and (?P<file_id>…)")
    re.compile(pattern)
    released = {p.name for p in (root / "release" / assignment).glob("*.ipynb")}
    if not released:
        raise FileNotFoundError(
            f"no release notebook in {root / 'release' / assignment}: run `xorkit build` first"
        )
    if not download.exists():
        raise FileNotFoundError(f"{download} does not exist")
    base = root / "downloaded" / assignment
    n_files = _stage(download.resolve(), base / "archive")
    shutil.rmtree(base / "extracted", ignore_errors=True)  # scratch space, rebuilt every time
    args = [
        "zip_collect",
        assignment,
        "--strict",
        f"--FileNameCollectorPlugin.named_regexp={pattern}",
    ]
    with progress(total=n_files, desc="collect") as bar:
        stream_nbgrader(
            root,
            *args,
            *(["--force"] if force else []),
            on_line=lambda line: bar.update("Parsing file:" in line),
        )
    return _classify(base / "extracted", pattern, released)
