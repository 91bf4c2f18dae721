"""Bound what all of a sandbox's processes use together: a control group each.

Resource limits (``setrlimit``) hold per process: a submission that forks
cannot be held to 2 GiB in all, nor to a number of processes (the kernel does
not count a user namespace's processes apart from root's). A control group
can: ``memory`` caps the memory of every process in it together with the
pages of its tmpfs mounts, and ``pids`` caps how many processes it may hold.

A group is made for each sandbox when the grader may (it runs as root and
finds cgroup v2, or v1's ``memory`` and ``pids`` hierarchies, writable), and
the sandbox's first process joins it before it runs anything. Where no group
can be made, ``create`` returns None and the per-process limits remain.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_COUNTER = itertools.count()


def _own(controller: str) -> str:
    """This process's group in a v1 hierarchy (``/`` if it has none)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return path
    return "/"


def _parents() -> dict[str, Path] | None:
    """Where groups are made: {"v2": root} or {"memory": …, "pids": …}."""
    if os.geteuid() != 0:
        return None
    if (ROOT / "cgroup.controllers").exists():
        wanted = {"memory", "pids"}
        with contextlib.suppress(OSError):
            if wanted <= set((ROOT / "cgroup.subtree_control").read_text().split()):
                return {"v2": ROOT}
        return None
    parents = {c: ROOT / c / _own(c).lstrip("/") for c in ("memory", "pids")}
    if all(p.is_dir() and os.access(p, os.W_OK) for p in parents.values()):
        return parents
    return None


class Group:
    """One control group (a folder in each hierarchy it spans)."""

    def __init__(self, paths: list[Path]):
        self.paths = paths

    def join(self) -> None:
        """Move the calling process into the group (run in the sandbox's first
        process, before it starts anything)."""
        for path in self.paths:
            with open(path / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def remove(self) -> None:
        """Kill whatever is left in the group, then remove it."""
        for path in self.paths:
            for _ in range(100):
                if not path.exists():
                    break
                with contextlib.suppress(OSError, ValueError):
                    for pid in (path / "cgroup.procs").read_text().split():
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(int(pid), signal.SIGKILL)
                try:
                    path.rmdir()
                except OSError:
                    time.sleep(0.05)


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def create(prefix: str, memory_mb: int, processes: int) -> Group | None:
    """A new group named ``<prefix>-<pid>-<n>`` whose processes together may use
    ``memory_mb`` of memory (tmpfs pages included, no swap) and hold
    ``processes`` processes; None where the grader cannot make one."""
    parents = _parents()
    if parents is None:
        return None
    name = f"{prefix}-{os.getpid()}-{next(_COUNTER)}"
    memory = str(memory_mb * 1024 * 1024)
    paths = []
    try:
        for kind, parent in parents.items():
            path = parent / name
            path.mkdir()
            paths.append(path)
            if kind == "v2":
                ok = _write(path / "memory.max", memory) and _write(
                    path / "pids.max", str(processes)
                )
                _write(path / "memory.swap.max", "0")
            elif kind == "memory":
                ok = _write(path / "memory.limit_in_bytes", memory)
                _write(path / "memory.memsw.limit_in_bytes", memory)
            else:
                ok = _write(path / "pids.max", str(processes))
            if not ok:
                raise OSError(f"cannot set the limits of {path}")
    except OSError:
        Group(paths).remove()
        return None
    return Group(paths)


def sweep(prefix: str) -> None:
    """Remove every group named ``<prefix>-…`` (those a run's workers made)."""
    parents = _parents() or {}
    for parent in parents.values():
        for path in parent.glob(f"{prefix}-*"):
            Group([path]).remove()
