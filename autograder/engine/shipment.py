"""What a cluster worker needs to grade, as bytes: the course once, each submission per task.

The workers of a cluster share no filesystem with the coordinator and get no
write access to the course. The coordinator reads what grading needs of the
course (``course_files``: the course's ``nbgrader_config.py``, the
assignment's source notebook, its package of checks, its reference and the
build record that vouches for them) and each submission (``submission_files``:
its regular files and folders, never following a link). A worker writes them
into a temporary course of its own (``write_course``, ``write_submission``)
and grades there, with the same code as a local worker.

What a worker writes is verified before anyone is graded with it
(``write_course``): the worker's kit and the versions it grades with (Python,
nbgrader, NumPy, …) must be the coordinator's, since both decide a grade; the
source notebook, the reference and the checks must hash to what the build
record says, the checks core being the worker's own; and every check must pass
on that reference, on that worker (unless the worker was forked from the
coordinator, whose own process passed them before grading began). A worker
that fails any of these is a grader fault: nobody is graded with it.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from autograder.checking import assignment as assignments
from autograder.checking import reference, runner
from autograder.engine import fingerprint
from autograder.faults import GraderFault

CONFIG = "nbgrader_config.py"


@dataclass(frozen=True)
class CourseFiles:
    """The files of a course that grading one assignment reads, by path
    relative to the course, and what they were graded with on the coordinator."""

    assignment: str
    files: dict[str, bytes]
    kit: str  # fingerprint.kit() on the coordinator
    versions: str  # fingerprint.versions() on the coordinator

    @property
    def digest(self) -> str:
        """One hash over every file, its path and the coordinator's kit."""
        digest = hashlib.sha256(f"{self.assignment}:{self.kit}:".encode())
        for path, data in sorted(self.files.items()):
            digest.update(f"{path}:{len(data)}:".encode())
            digest.update(data)
        return digest.hexdigest()


def course_files(root: Path, name: str) -> CourseFiles:
    """What a worker needs of the course at ``root`` to grade assignment ``name``
    (checked by ``grading.prepare`` beforehand)."""
    graded = assignments.load(root, name)
    paths = [
        root / CONFIG,
        graded.source_notebook(),
        graded.solutions() / "reference.py",
        graded.record_path(),
    ]
    for path in sorted(graded.package_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
            paths.append(path)
    files = {str(p.relative_to(root)): p.read_bytes() for p in paths if p.is_file()}
    return CourseFiles(name, files, fingerprint.kit(), fingerprint.versions())


def write_course(
    shipped: CourseFiles, folder: Path, self_test: bool = True
) -> assignments.Assignment:
    """Write ``shipped`` into ``folder``, a new course, and verify it (see the
    module's doc; ``self_test``: run every check on the reference here); its
    assignment, loaded. ``GraderFault`` if it does not hold."""
    if shipped.kit != fingerprint.kit():
        raise GraderFault(
            "this worker's kit (the autograder package) is not the coordinator's: install "
            "the same version of the kit on every worker and grade again"
        )
    here = fingerprint.versions()
    if shipped.versions != here:
        differ = sorted(set(here.splitlines()) ^ set(shipped.versions.splitlines()))
        raise GraderFault(
            "this worker grades with other versions than the coordinator "
            f"({'; '.join(differ)}): install the same Python and packages on every worker "
            "(the same image or environment) and grade again"
        )
    for relative, data in shipped.files.items():
        path = _inside(folder, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    graded = assignments.load(folder, shipped.assignment)
    try:
        reference.verify(graded)
    except GraderFault as exc:
        raise GraderFault(
            f"the course this worker received does not match its build record ({exc})"
        ) from None
    graded.use_reference(None)
    if self_test:
        runner.self_test(graded)
    return graded


def _inside(folder: Path, relative: str | bytes) -> Path:
    """``folder / relative``, refusing a path that would leave ``folder``."""
    parts = Path(os.fsdecode(relative)).parts
    if not parts or Path(os.fsdecode(relative)).is_absolute() or ".." in parts:
        raise GraderFault(f"refused to write {relative!r}: not a path inside the course")
    return folder.joinpath(*parts)


# A submission's entries: (path relative to its folder, as bytes; mode;
# modification time in ns; content, or None for a folder).
Entry = tuple[bytes, int, int, bytes | None]


def submission_files(folder: Path) -> list[Entry]:
    """Every folder and regular file of a submission, links never followed.
    ``ValueError`` if it holds anything else (``grading.folder_problem`` says
    what, and such a submission is never sent)."""
    entries: list[Entry] = []
    for parent, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(folders + files):
            path = Path(parent) / name
            relative = os.fsencode(path.relative_to(folder))
            info = path.lstat()
            if stat.S_ISDIR(info.st_mode):
                entries.append((relative, stat.S_IMODE(info.st_mode), info.st_mtime_ns, None))
            elif stat.S_ISREG(info.st_mode):
                data, info = _read_regular(path)
                entries.append((relative, stat.S_IMODE(info.st_mode), info.st_mtime_ns, data))
            else:
                raise ValueError(f"{path} is neither a regular file nor a folder")
    return entries


def _read_regular(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file; never a link, a FIFO or a device, even one
    swapped in since it was looked at."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} is not a regular file")
        return file.read(), info


def write_submission(entries: list[Entry], folder: Path) -> None:
    """Write a submission's entries into ``folder`` (new), with their modes and
    times; a folder's own mode is set last, so that a locked folder still gets
    its content."""
    folder.mkdir(parents=True)
    folders = []
    for relative, mode, mtime, data in entries:
        path = _inside(folder, relative)
        if data is None:
            path.mkdir(exist_ok=True)
            folders.append((path, mode, mtime))
        else:
            path.write_bytes(data)
            os.chmod(path, mode)
            os.utime(path, ns=(mtime, mtime))
    for path, mode, mtime in reversed(folders):  # the deepest first
        os.chmod(path, mode)
        os.utime(path, ns=(mtime, mtime))
