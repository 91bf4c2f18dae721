"""Collect submissions from an LMS download into nbgrader's ``submitted/`` folder.

Canvas and Moodle hand instructors one zip of every student's files, each named
after its student. nbgrader's ``zip_collect`` unpacks it into
``downloaded/<assignment>/`` and, with a regular expression over each file's
path (``FileNameCollectorPlugin.named_regexp``), files every notebook under
``submitted/<student>/<assignment>/``. This module picks the expression, runs
``zip_collect`` and then says which files were not collected, and why.

The download is read here, carefully, before nbgrader sees it: a zip is
extracted by this module (never by nbgrader, which would open archives inside
it), within limits of size, count, compression ratio, name length and depth;
no entry may leave the extraction folder, be a link or repeat another; a file
may lie at most one folder deep, where an LMS puts it, so that a student's
identity comes from the LMS's naming and never from a folder or an archive the
student made; and a student id must be plain ASCII (letters, digits, ``_``,
``.``, ``-``). Every entry refused is listed with its reason, in the output and
in ``downloaded/<assignment>/collect-report.txt``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.nbgrader_run import stream_nbgrader

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


# What a download may hold (a class of a thousand holds a few thousand files).
MAX_FILES = 20_000
MAX_FILE_MB = 64
MAX_TOTAL_MB = 4096
MAX_RATIO = 200  # uncompressed / compressed, for a member over 1 MiB
MAX_NAME = 255  # bytes in one path component
# Folders above a file inside the download: Canvas's is flat, Moodle gives each
# student a folder; a custom --pattern may use one level.
DEPTH = {"canvas": 0, "moodle": 1}
SAFE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class _Stager:
    """Copies a download's acceptable entries into nbgrader's archive folder and
    lists the others with why."""

    def __init__(self, archive: Path, pattern: str, depth: int):
        self.archive, self.pattern, self.depth = archive, re.compile(pattern), depth
        self.refused: list[tuple[str, str]] = []
        self.files, self.total, self.seen = 0, 0, set()

    def check(self, name: str, size: int) -> str | None:
        """Why the entry ``name`` (a path inside the download) is refused, if it is."""
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
            return "its path leaves the download folder"
        if any(len(p.encode()) > MAX_NAME for p in parts) or len(name.encode()) > 4 * MAX_NAME:
            return "its name is too long"
        if len(parts) - 1 > self.depth:
            where = "at the top" if self.depth == 0 else f"at most {self.depth} folder deep"
            return f"it lies in a folder of the student's own: the LMS puts files {where}"
        if name.casefold() in self.seen:
            return "another entry has the same name"
        if size > MAX_FILE_MB << 20:
            return f"it is larger than {MAX_FILE_MB} MiB"
        if self.files >= MAX_FILES:
            return f"the download holds more than {MAX_FILES} files"
        if self.total + size > MAX_TOTAL_MB << 20:
            return f"the download is larger than {MAX_TOTAL_MB} MiB"
        match = self.pattern.match("/" + name)
        if name.endswith(".ipynb") and match and "student_id" in match.groupdict():
            student = match["student_id"] or ""
            if not SAFE_ID.fullmatch(student):
                return f"the student id {student!r} is not plain ASCII letters and digits"
        return None

    def take(self, name: str, size: int) -> Path | None:
        """Where to write the entry, or None (then it was listed as refused)."""
        reason = self.check(name, size)
        if reason:
            self.refused.append((name, reason))
            return None
        self.seen.add(name.casefold())
        self.files += 1
        self.total += size
        target = self.archive / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


def _stage(
    download: Path, archive: Path, pattern: str, depth: int
) -> tuple[int, list[tuple[str, str]]]:
    """Copy the download (a zip or a folder) into nbgrader's archive folder, as
    the folder ``<download's name>/``; return how many files were staged and
    the entries refused, with why."""
    if archive.exists():
        shutil.rmtree(archive)
    archive.mkdir(parents=True)
    stager = _Stager(archive / download.stem, pattern, depth)
    if download.is_dir():
        _stage_folder(download, stager)
    elif zipfile.is_zipfile(download):
        _stage_zip(download, stager)
    else:
        raise ValueError(f"{download} is neither a zip file nor a folder")
    return stager.files, stager.refused


def _stage_folder(download: Path, stager: _Stager) -> None:
    for parent, folders, files in os.walk(download):
        for name in sorted(folders + files):
            path = Path(parent) / name
            relative = path.relative_to(download).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):
                stager.refused.append((relative, "it is a link or a special file"))
                continue
            target = stager.take(relative, path.lstat().st_size)
            if target is not None:
                shutil.copyfile(path, target, follow_symlinks=False)


def _stage_zip(download: Path, stager: _Stager) -> None:
    with zipfile.ZipFile(download) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind not in (0, stat.S_IFREG):
                stager.refused.append((info.filename, "it is a link or a special file"))
                continue
            big = info.file_size > 1 << 20
            if big and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                stager.refused.append(
                    (info.filename, f"it expands more than {MAX_RATIO} times (a zip bomb?)")
                )
                continue
            target = stager.take(info.filename, info.file_size)
            if target is not None:
                _extract(zf, info, target, stager)


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, stager) -> None:
    """Extract one member, trusting its header for nothing: at most the size it
    declares is written."""
    written = 0
    try:
        with zf.open(info) as source, open(target, "wb") as out:
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > info.file_size:
                    raise ValueError("it is larger than its header says")
                out.write(chunk)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        target.unlink(missing_ok=True)
        stager.files -= 1
        stager.refused.append((info.filename, f"it cannot be extracted ({exc})"))


def _classify(extracted: Path, pattern: str, released: set[str]) -> Collected:
    """Replay nbgrader's matching on every extracted file to tell what went where."""
    # imported when used: `xorkit collect --help` needs PATTERNS, not nbgrader (seconds)
    from nbgrader.plugins import FileNameCollectorPlugin

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
    assignment: str,
    lms: str = "canvas",
    pattern: str | None = None,
    force: bool = False,
) -> Collected:
    """File the notebooks of an LMS ``download`` (zip or folder) under
    ``root/submitted/``; ``pattern`` overrides the LMS's file-name expression,
    ``force`` replaces submissions already collected."""
    from autograder.progress import progress  # tqdm: imported when used, as nbgrader is

    depth = 1 if pattern else DEPTH[lms]
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
    n_files, refused = _stage(download.resolve(), base / "archive", pattern, depth)
    shutil.rmtree(base / "extracted", ignore_errors=True)  # scratch space, rebuilt every time
    args = [
        "zip_collect",
        assignment,
        "--strict",
        f"--FileNameCollectorPlugin.named_regexp={pattern}",
        "--ExtractorPlugin.zip_ext=[]",  # extracted above: nbgrader opens no archive
    ]
    with progress(total=n_files, desc="collect") as bar:
        stream_nbgrader(
            root,
            *args,
            *(["--force"] if force else []),
            on_line=lambda line: bar.update("Parsing file:" in line),
        )
    outcome = _classify(base / "extracted", pattern, released)
    outcome.unmatched = refused + outcome.unmatched
    _write_report(base / "collect-report.txt", outcome)
    return outcome


def _write_report(path: Path, outcome: Collected) -> None:
    lines = [f"collected {student} -> {where}" for student, where in outcome.submitted.items()]
    lines += [f"not collected {name!r}: {reason}" for name, reason in outcome.unmatched]
    path.write_text("\n".join(lines) + "\n")
