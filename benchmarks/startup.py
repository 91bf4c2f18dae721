"""Start-up time of the `xorkit` command: what an instructor waits for before any work.

    python -m benchmarks.startup

Runs `xorkit --help`, `xorkit grade --help` and a usage error (a verb that does
not exist), each in a fresh process, and prints the best of five wall times.
Target: under 0.5 s each; the verbs import nbgrader, nbformat and NumPy (seconds)
only when they run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

RUNS = 5  # the best of five: the run least disturbed by other work on the machine
TARGET_SECONDS = 0.5
# what is timed → its arguments and the exit code it must end with (else the timing is of a crash)
CASES = {
    "xorkit --help": (["--help"], 0),
    "xorkit grade --help": (["grade", "--help"], 0),
    "xorkit nosuchverb (usage error)": (["nosuchverb"], 2),
}


def xorkit() -> list[str]:
    """The `xorkit` entry point beside this interpreter (the venv's), else the same
    CLI called through this interpreter."""
    script = Path(sys.executable).parent / "xorkit"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from autograder.cli import main; main(prog_name='xorkit')"]


def best_of(args: list[str], exit_code: int, runs: int = RUNS) -> float:
    """The shortest wall time, in seconds, of ``runs`` fresh runs of `xorkit ARGS`."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([*xorkit(), *args], capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        if proc.returncode != exit_code:
            raise SystemExit(
                f"`xorkit {' '.join(args)}` exited {proc.returncode}, not {exit_code}:\n"
                f"{proc.stderr}"
            )
    return best


def startup_seconds(runs: int = RUNS) -> dict[str, float]:
    """Best-of-``runs`` wall seconds of every case in ``CASES``, by its name."""
    return {name: best_of(args, code, runs) for name, (args, code) in CASES.items()}


def main() -> int:
    seconds = startup_seconds()
    for name, value in seconds.items():
        print(f"{name:34s} {value:6.3f} s")
    slow = [name for name, value in seconds.items() if value > TARGET_SECONDS]
    verdict = f"slower than that: {', '.join(slow)}" if slow else "all within it"
    print(f"best of {RUNS}; target under {TARGET_SECONDS} s each: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
