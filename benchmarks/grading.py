"""Benchmark: stock sequential `nbgrader autograde` against `xorkit grade`, side by side.

Both grade the same generated class (copies of the bundled example class's
realistic submissions) in two fresh course directories, in one run. Prints both
wall times, their ratio, the cost per submission and where each engine spends
its time, phase by phase; fails if any cell's score differs between the two.

    python -m benchmarks.grading --students 40
    python -m benchmarks.grading --scaling 50,200,800   # the kit alone, growing classes

Phases: ``sanitize`` restores the test cells and metadata from the gradebook;
``execute`` runs the student's code; ``checks`` runs the hidden checks (stock
nbgrader runs them inside ``execute``, in the same kernel); ``finish`` cleans
the outputs (stock nbgrader does it while recording); ``record`` writes the
gradebook. Stock nbgrader's phases are wall time in its one process; the kit's
sanitize, execute, checks and finish are added up over its workers, which run
side by side, and its record is wall time in the main process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.checking import assignment
from autograder.course import build, results
from autograder.engine import grading
from autograder.engine.sandbox import bwrap_works

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "xor_mlp"
PHASES = ("sanitize", "execute", "checks", "finish", "record", "other")


def make_course(path: Path, students: int) -> Path:
    path.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", path)
    shutil.copytree(REPO / "source", path / "source")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / assignment.PACKAGES, path / assignment.PACKAGES, ignore=ignore)
    build.build(assignment.load(path, ASSIGNMENT), log=lambda _: None)
    add_students(path, students)
    return path


def add_students(path: Path, students: int) -> None:
    examples = sorted((REPO / "submitted").glob(f"*/{ASSIGNMENT}"))
    for i in range(students):
        example = examples[i % len(examples)]
        shutil.copytree(
            example, path / "submitted" / f"s{i:03d}_{example.parent.name}" / ASSIGNMENT
        )


def scores(outcomes) -> dict:
    return {o.student: {c.grade_id: c.score for c in o.cells} for o in outcomes}


def grade_stock(course: Path) -> tuple[float, dict, list]:
    """Stock ``nbgrader autograde`` in its own process, timed phase by phase
    (``benchmarks.stock_phases``), with the course's checked reference."""
    start = time.perf_counter()
    path = grading.prepare(course, ASSIGNMENT)
    out = course / "stock-phases.json"
    env = dict(os.environ, XORKIT_REFERENCE=str(path), XORKIT_COURSE=str(course))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    subprocess.run(
        [sys.executable, "-m", "benchmarks.stock_phases", str(course), ASSIGNMENT, str(out)],
        cwd=REPO,
        env=env,
        check=True,
    )
    outcomes = results.collect(course, ASSIGNMENT)
    wall = time.perf_counter() - start
    return wall, json.loads(out.read_text()), outcomes


def grade_kit(course: Path, jobs: int) -> tuple[float, dict, list]:
    phases: dict = {}
    start = time.perf_counter()
    outcomes = grading.autograde(course, ASSIGNMENT, jobs=jobs, sandbox="auto", phases=phases)
    wall = time.perf_counter() - start
    return wall, phases, outcomes


def phase_table(n: int, stock: dict, kit: dict) -> str:
    lines = [f"{'phase':<10} {'stock':>9} {'kit':>9}   (seconds per submission)"]
    for phase in PHASES:
        if phase in stock or phase in kit:
            cells = [f"{d[phase] / n:9.3f}" if phase in d else f"{'—':>9}" for d in (stock, kit)]
            lines.append(f"{phase:<10} {cells[0]} {cells[1]}")
    return "\n".join(lines)


def compare(args) -> int:
    n = args.students
    with tempfile.TemporaryDirectory(prefix="xorkit-bench-") as tmp:
        stock_course = make_course(Path(tmp) / "stock", n)
        # the same class, graded apart: a copy made before either engine runs
        kit_course = Path(shutil.copytree(stock_course, Path(tmp) / "kit"))
        stock_time, stock_phases, stock = grade_stock(stock_course)
        kit_time, kit_phases, kit = grade_kit(kit_course, args.jobs)

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
    print(phase_table(n, stock_phases, kit_phases))
    differ = {s for s in scores(stock) if scores(stock)[s] != scores(kit).get(s)}
    if differ or len(kit) != n or len(stock) != n:
        print(f"SCORES DIFFER for {sorted(differ)}", file=sys.stderr)
        return 1
    print(f"scores identical for all {n} submissions, cell by cell")
    return 0


def scaling(args) -> int:
    """The kit alone on growing classes: the cost per submission should stay flat."""
    print(f"machine: {os.cpu_count()} cores; kit: {args.jobs} jobs")
    print(f"{'submissions':>11} {'wall s':>8} {'s each':>7} {'record s each':>14}")
    with tempfile.TemporaryDirectory(prefix="xorkit-scale-") as tmp:
        template = make_course(Path(tmp) / "template", 0)
        for n in args.scaling:
            course = Path(shutil.copytree(template, Path(tmp) / f"class-{n}"))
            add_students(course, n)
            wall, phases, outcomes = grade_kit(course, args.jobs)
            shutil.rmtree(course)
            if len(outcomes) != n:
                print(f"graded {len(outcomes)} of {n} submissions", file=sys.stderr)
                return 1
            record = phases.get("record", 0.0) / n
            print(f"{n:>11} {wall:>8.1f} {wall / n:>7.3f} {record:>14.4f}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument(
        "--scaling",
        type=lambda text: [int(n) for n in text.split(",")],
        help="grade classes of these sizes with the kit alone (e.g. 50,200,800)",
    )
    args = parser.parse_args(argv)
    return scaling(args) if args.scaling else compare(args)


if __name__ == "__main__":
    sys.exit(main())
