"""Benchmark: stock sequential `nbgrader autograde` against `xorkit grade`, side by side.

Both grade the same generated class (copies of the bundled example class's
realistic submissions) in two fresh course directories, in one run. Prints both
wall times, their ratio, the cost per submission and where each engine spends
its time, phase by phase; fails if any cell's score differs between the two.

    python -m benchmarks.grading --students 40
    python -m benchmarks.grading --scaling 50,200,800   # the kit alone, growing classes
    python -m benchmarks.grading --cluster local:2      # the local pool against a Dask cluster

Phases: ``sanitize`` restores the test cells and metadata from the gradebook;
``execute`` runs the student's code; ``checks`` runs the hidden checks (stock
nbgrader runs them inside ``execute``, in the same kernel); ``finish`` cleans
the outputs (stock nbgrader does it while recording); ``record`` writes the
gradebook. Stock nbgrader's phases are wall time in its one process; the kit's
sanitize, execute, checks and finish are added up over its workers, which run
side by side, and its record is wall time in the main process.

With ``--cluster ADDRESS`` the kit grades the class on this machine's process
pool (``--jobs``) and on the Dask cluster at ADDRESS (``local:N`` starts one),
``--repeat`` times each, alternately, and prints both wall times, their ratio,
each one's phases (a cluster's own: ``start``, connecting and preparing every
worker; ``pack`` and ``unpack``, a submission's files read on the coordinator
and written on a worker; ``stop``), the round trip of a task that does
nothing with a submission's files, and the capacity those costs imply.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
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
CLUSTER_PHASES = ("pack", "unpack", "sanitize", "execute", "checks", "finish", "record")
FIXED = ("start", "stop")  # once per run, not per submission
WORKER_PHASES = ("unpack", "sanitize", "execute", "checks", "finish")


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


def grade_kit(course: Path, jobs: int, cluster: str | None = None) -> tuple[float, dict, list]:
    phases: dict = {}
    start = time.perf_counter()
    outcomes = grading.autograde(
        course, ASSIGNMENT, jobs=jobs, sandbox="auto", phases=phases, cluster=cluster
    )
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


def task_round_trip(address: str, entries: list, tasks: int = 40) -> tuple[float, float]:
    """Seconds a task that does nothing with a submission's files (``len``)
    takes on the cluster at ``address``: one at a time (the latency a task
    adds), and per task with as many in flight as the grader keeps."""
    from autograder.engine import cluster

    with cluster.connect(address) as client:
        client.submit(len, entries, pure=False).result()  # the workers warm
        start = time.perf_counter()
        for _ in range(tasks):
            client.submit(len, entries, pure=False).result()
        alone = (time.perf_counter() - start) / tasks
        start = time.perf_counter()
        client.gather([client.submit(len, entries, pure=False) for _ in range(tasks)])
        pipelined = (time.perf_counter() - start) / tasks
    return alone, pipelined


def capacity(seconds_each: float, record_each: float) -> str:
    """What the measured costs imply for larger clusters: submissions per core-hour
    and per hour on 16, 64 and 256 worker cores, against the one writer's ceiling."""
    per_core = 3600 / seconds_each
    ceiling = 3600 / record_each if record_each else float("inf")
    lines = [
        f"capacity: {seconds_each:.2f} core-s per submission on the workers -> "
        f"{per_core:,.0f} submissions per core-hour; the coordinator records one in "
        f"{record_each * 1e3:.0f} ms -> at most {ceiling:,.0f} per hour"
    ]
    for cores in (16, 64, 256):
        rate = min(cores * per_core, ceiling)
        bound = "gradebook writer" if cores * per_core > ceiling else "worker cores"
        lines.append(f"  {cores:>3} worker cores: {rate:>9,.0f} submissions per hour ({bound})")
    return "\n".join(lines)


def cluster_compare(args) -> int:
    """The kit on this machine's pool against the kit on a Dask cluster, same class."""
    n, runs = args.students, {"pool": [], "cluster": []}
    with tempfile.TemporaryDirectory(prefix="xorkit-bench-") as tmp:
        template = make_course(Path(tmp) / "template", n)
        for repeat in range(args.repeat):
            for engine in runs:
                course = Path(shutil.copytree(template, Path(tmp) / f"{engine}-{repeat}"))
                cluster = args.cluster if engine == "cluster" else None
                runs[engine].append(grade_kit(course, args.jobs, cluster))
                shutil.rmtree(course)
        example = sorted((template / "submitted").iterdir())[0] / ASSIGNMENT
        from autograder.engine import shipment

        saved, tempfile.tempdir = tempfile.tempdir, tmp  # a LocalCluster's scratch space
        try:
            alone, pipelined = task_round_trip(args.cluster, shipment.submission_files(example))
        finally:
            tempfile.tempdir = saved

    def wall(engine):
        return statistics.median(r[0] for r in runs[engine])

    sandbox = "bubblewrap" if bwrap_works() else "none"
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(f"class: {n} submissions, {args.repeat} run(s) each, alternately; sandbox: {sandbox}")
    print(f"local pool ({args.jobs} jobs):   {wall('pool'):7.1f} s ({wall('pool') / n:.3f} s each)")
    print(f"cluster {args.cluster}:  {wall('cluster'):7.1f} s ({wall('cluster') / n:.3f} s each)")
    print(f"cluster / pool: {wall('cluster') / wall('pool'):.3f}")
    print("runs (s):", {e: [round(r[0], 1) for r in runs[e]] for e in runs})
    pool, on_cluster = runs["pool"][-1][1], runs["cluster"][-1][1]
    lines = [f"{'phase':<10} {'pool':>9} {'cluster':>9}   (seconds per submission)"]
    for phase in CLUSTER_PHASES:
        cells = [f"{d[phase] / n:9.3f}" if phase in d else f"{'—':>9}" for d in (pool, on_cluster)]
        lines.append(f"{phase:<10} {cells[0]} {cells[1]}")
    for phase in FIXED:
        lines.append(f"{phase:<10} {'—':>9} {on_cluster.get(phase, 0.0):9.2f}   (seconds, once)")
    print("\n".join(lines))
    print(
        f"task round trip (no work, a submission's files): {alone * 1e3:.1f} ms alone, "
        f"{pipelined * 1e3:.1f} ms each with tasks in flight"
    )
    worker_seconds = sum(on_cluster.get(p, 0.0) for p in WORKER_PHASES) / n
    print(capacity(worker_seconds, on_cluster.get("record", 0.0) / n))
    pool_scores, cluster_scores = scores(runs["pool"][0][2]), scores(runs["cluster"][0][2])
    differ = [s for s in pool_scores if pool_scores[s] != cluster_scores.get(s)]
    if differ or len(runs["cluster"][0][2]) != n:
        print(f"SCORES DIFFER for {sorted(differ)}", file=sys.stderr)
        return 1
    print(f"scores identical for all {n} submissions, cell by cell")
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
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="grade on the local pool and on this Dask cluster (local:N starts one)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each engine (--cluster)")
    args = parser.parse_args(argv)
    if args.cluster:
        return cluster_compare(args)
    return scaling(args) if args.scaling else compare(args)


if __name__ == "__main__":
    sys.exit(main())
