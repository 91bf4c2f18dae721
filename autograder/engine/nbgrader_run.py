"""Run nbgrader's command line in a course directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
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


def stream_nbgrader(
    root: Path, *args: str, on_line: Callable[[str], None]
) -> subprocess.CompletedProcess:
    """Like ``run_nbgrader`` but hands every log line to ``on_line`` as it comes,
    so a caller can show progress through a long nbgrader command."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args]
    lines = []
    with subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        for line in proc.stdout:
            lines.append(line)
            on_line(line.rstrip("\n"))
    output = "".join(lines)
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        raise NbgraderError(f"`nbgrader {' '.join(args)}` failed in {root}:\n{tail}")
    return subprocess.CompletedProcess(cmd, proc.returncode, output, "")
