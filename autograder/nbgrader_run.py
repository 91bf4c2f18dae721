"""Run nbgrader's command line in a course directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    pass


def run_nbgrader(root: Path, *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` with this interpreter, in ``root``.

    nbgrader runs its database migrations through the executables next to the
    interpreter, so their folder goes first on PATH.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise NbgraderError(f"`nbgrader {' '.join(args)}` failed in {root}:\n{tail}")
    if not quiet:
        sys.stderr.write(proc.stderr)
    return proc
