"""Benchmark: stock sequential `nbgrader autograde` against `xorkit grade`, side by side.

Both grade the same generated class (copies of the bundled example class's
realistic submissions) in two fresh course directories, in one run. Prints both
wall times, their ratio and the cost per submission, and fails if any cell's
score differs between the two.

    python -m benchmarks.grading --students 40
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder import build, grading
from autograder.sandbox import bwrap_works

REPO = Path(__file__).resolve().parent.parent


def make_course(path: Path, students: int) -> Path:
    path.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", path)
    shutil.copytree(REPO / "source", path / "source")
    build.build(path, log=lambda _: None)
    examples = sorted((REPO / "submitted").glob("*/xor_mlp"))
    for i in range(students):
        example = examples[i % len(examples)]
        shutil.copytree(example, path / "submitted" / f"s{i:03d}_{example.parent.name}" / "xor_mlp")
    return path


def scores(outcomes) -> dict:
    return {o.student: {c.grade_id: c.score for c in o.cells} for o in outcomes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="xorkit-bench-") as tmp:
        stock_course = make_course(Path(tmp) / "stock", args.students)
        # the same class, graded apart: a copy made before either engine runs
        kit_course = Path(shutil.copytree(stock_course, Path(tmp) / "kit"))

        start = time.perf_counter()
        stock = grading.autograde(stock_course, engine="nbgrader", sandbox="off")
        stock_time = time.perf_counter() - start

        start = time.perf_counter()
        kit = grading.autograde(kit_course, jobs=args.jobs, sandbox="auto")
        kit_time = time.perf_counter() - start

    n = args.students
    sandbox = "bubblewrap" if bwrap_works() else "none"
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"class: {n} submissions; kit: {args.jobs} jobs, sandbox: {sandbox}")
    print(
        f"stock nbgrader autograde, sequential: {stock_time:7.1f} s ({stock_time / n:.2f} s each)"
    )
    print(f"xorkit grade:                         {kit_time:7.1f} s ({kit_time / n:.2f} s each)")
    print(f"speed-up: {stock_time / kit_time:.2f}x")
    differ = {s for s in scores(stock) if scores(stock)[s] != scores(kit).get(s)}
    if differ:
        print(f"SCORES DIFFER for {sorted(differ)}", file=sys.stderr)
        return 1
    print(f"scores identical for all {n} submissions, cell by cell")
    return 0


if __name__ == "__main__":
    sys.exit(main())
