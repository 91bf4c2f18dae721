"""Benchmark: the article's sweep (one network per process task) against train_many.

Both ways train the same networks — every (scale, run) of one grid, from the
same seeds — over the same number of processes, in one run:

* the article's way: one process task per network, each calling ``train``, a
  Python loop over the epochs for that one network;
* the kit's way: ``sweep.run``, which trains chunks of networks in one call of
  ``train_many`` each (and stores them, in an in-memory SQLite).

Prints networks trained per second each way and their ratio (target: at least
50×), and fails unless both give every network the same final loss (1e-9). On
a shared machine the wall times follow the others' load; the CPU seconds beside
them (this process and its workers) much less so.

    python -m benchmarks.sweep           # 100 scales × 10 runs × 500 epochs: 1000 networks
    python -m benchmarks.sweep --full    # the article's 400 scales × 10 runs × 10,000 epochs
    python -m benchmarks.sweep --scales 1e-2:1e2:40 --runs 5 --epochs 2000 --jobs 2

The default grid is large enough for chunks of 500 networks on two processes,
as `xorkit sweep` trains the article's grid, and small enough for the
article's way to take about a minute on two cores; both ways' time grows
linearly with the epochs, so their ratio hardly depends on them. ``--full``
takes both ways 80 times longer.

The functions are those of the course's ``xor_bias_bce`` reference; until the
course has it, the stand-in of tests/bias_bce_network.py, and the run says so.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import types
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from autograder.checking import assignment
from autograder.course import sweep
from autograder.course.sweep_store import Store

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 50
# Both ways do the same arithmetic in the same order; this leaves room for a
# reference whose train and train_many sum in a different order.
SAME_LOSS = 1e-9


def functions(name: str) -> tuple[object, str]:
    """The reference of assignment ``name`` if the course has built one with train
    and train_many, else the tests' stand-in; and a line saying which."""
    if name in assignment.names(REPO):
        graded = assignment.load(REPO, name)
        if {"train", "train_many", "initialize_parameters"} <= set(graded.names) and (
            graded.reference_path().exists()
        ):
            return sweep.CourseReference(REPO, name), f"the course's {name} reference"
    from tests import bias_bce_network as stand_in

    namespace = types.SimpleNamespace(
        initialize_parameters=stand_in.initialize_parameters,
        train=stand_in.train,
        train_many=stand_in.train_many,
    )
    return namespace, f"tests/bias_bce_network.py (the course has no {name} reference yet)"


def one_network(network, study: sweep.Study, scale: float, run: int) -> float:
    """The article's task: one network, trained by ``train``; its final loss."""
    X, y = study.arrays()
    rng = sweep.network_rng(study.seed, scale, run)
    params = network.initialize_parameters(X.shape[1], study.hidden, y.shape[1], rng, std=scale)
    losses = network.train(X, y, *params, study.learning_rate, study.n_epochs)[4]
    return float(losses[-1])


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (a pool's
    workers, once it is shut down)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def article_way(network, study, grid, runs: int, jobs: int) -> dict:
    """Final loss of each (scale, run), one process task each."""
    pairs = [(float(s), r) for s in grid for r in range(runs)]
    with ProcessPoolExecutor(jobs) as pool:
        futures = {pair: pool.submit(one_network, network, study, *pair) for pair in pairs}
        return {pair: future.result() for pair, future in futures.items()}


def train_many_way(network, study, grid, runs: int, jobs: int) -> dict:
    """Final loss of each (scale, run), by ``sweep.run`` (its pool ends with it)."""
    with Store() as store:
        sweep.run(network, study, grid, runs, store=store, jobs=jobs)
        found = store.results(study, grid)
    return {(float(s), r): v[0] for s, got in zip(grid, found, strict=True) for r, v in got.items()}


WAYS = {"article": article_way, "train_many": train_many_way}


def compare(network, study: sweep.Study, grid, runs: int, jobs: int) -> dict[str, float]:
    """Both ways on the same networks: the wall and CPU seconds of each, their
    ratios, and the largest difference between the final losses they give."""
    got, final = {"networks": grid.size * runs}, {}
    for name, way in WAYS.items():
        wall, cpu = time.perf_counter(), cpu_seconds()
        final[name] = way(network, study, grid, runs, jobs)
        got[f"{name}_s"], got[f"{name}_cpu"] = time.perf_counter() - wall, cpu_seconds() - cpu
    assert (
        set(final["article"]) == set(final["train_many"])
        and len(final["article"]) == grid.size * runs
    )
    got["ratio"] = got["article_s"] / got["train_many_s"]
    got["cpu_ratio"] = got["article_cpu"] / got["train_many_cpu"]
    got["difference"] = max(
        abs(final["article"][p] - final["train_many"][p]) for p in final["article"]
    )
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="e^-3:e^4:100", help="as for xorkit sweep")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=sweep.default_jobs())
    parser.add_argument("--assignment", default="xor_bias_bce")
    parser.add_argument(
        "--full", action="store_true", help="the article's grid: 400 scales, 10,000 epochs"
    )
    args = parser.parse_args()
    if args.full:
        args.scales, args.epochs = sweep.ARTICLE_SCALES, 10_000
    network, which = functions(args.assignment)
    study = sweep.Study(n_epochs=args.epochs, trainer="benchmark")
    grid = sweep.scale_grid(args.scales)
    print(
        f"{grid.size} scales from {grid.min():.3g} to {grid.max():.3g} × {args.runs} runs, "
        f"{args.epochs} epochs, learning rate {study.learning_rate:g}, {args.jobs} processes; "
        f"functions: {which}"
    )
    got = compare(network, study, grid, args.runs, args.jobs)
    n = got["networks"]
    print(f"{'':36s} {'wall s':>8s} {'networks/s':>11s} {'CPU s':>8s} {'networks/CPU s':>15s}")
    for label, way in [
        ("article's way (train, a task each)", "article"),
        ("train_many", "train_many"),
    ]:
        wall, cpu = got[f"{way}_s"], got[f"{way}_cpu"]
        print(f"{label:36s} {wall:8.1f} {n / wall:11.1f} {cpu:8.1f} {n / cpu:15.1f}")
    verdict = "met" if got["ratio"] >= TARGET_RATIO else "NOT met"
    print(
        f"ratio {got['ratio']:.1f}× in networks per second (target ≥ {TARGET_RATIO}×: "
        f"{verdict}); {got['cpu_ratio']:.1f}× in networks per CPU second"
    )
    same = got["difference"] <= SAME_LOSS
    print(
        f"final losses: largest difference {got['difference']:.1e} "
        f"({'the same' if same else 'DIFFERENT'} within {SAME_LOSS:g})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
