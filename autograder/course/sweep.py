"""The weight-scale study: how the spread of the initial weights changes learning.

The seed article "Machine Learning XOR from Scratch" ends by training a 2-2-1
network with biases from weights drawn normal(0, s), for a log grid of scales s
and ten runs each, and plotting the mean loss ± its standard error against s.
It trains one network per process task, in a Python loop over epochs.

Here a network is the pair (scale, run) of a ``Study``; its initial weights
come from an rng of its own (``network_rng``), so its result does not depend on
which networks share its chunk. The networks of a chunk train together in one
call of ``train_many`` (the assignment's, vectorised across networks); chunks
go to a process pool; each chunk's results are stored as soon as it ends (see
``sweep_store``), so an interrupted sweep, run again, trains only what is
missing. Adaptive runs then go where the standard errors are widest.

A small sweep, in a notebook or a script::

    network = types.SimpleNamespace(initialize_parameters=..., train_many=...)
    study = Study(n_epochs=2000, trainer="my train_many")
    summary = run(network, study, scale_grid("0.1:10:8"), runs=5)
    plot(summary, ax=ax)  # or plot(summary, path="sweep.png"); write_csv(summary, path)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import heapq
import math
import os
import pickle
import signal
import types
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.course.sweep_store import Store, StoreError

# The truth tables a study can learn, inputs in the order of the article's table.
INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
GATES = {"xor": (0, 1, 1, 0), "or": (0, 1, 1, 1), "and": (0, 0, 0, 1)}
ARTICLE_SCALES = "e^-3:e^4:400"  # the article's grid: exp(linspace(-3, 4, 400))
# Networks trained by one call of train_many, at most: beyond a few hundred the
# per-epoch Python overhead is already shared and the chunk only grows in memory.
CHUNK = 500
METRICS = {
    "final_loss": "final loss (mean BCE at the last epoch)",
    "mean_loss": "loss averaged over the epochs (the article's measure)",
}


class SweepError(RuntimeError):
    """A sweep cannot go on: bad functions, a bad grid or store, a dead process."""


@dataclass(frozen=True)
class Study:
    """What one network's result depends on besides its scale and run: the store's key."""

    hidden: int = 2  # hidden units: the article's 2-2-1 network
    learning_rate: float = 0.4  # the article's 0.1 on the summed BCE, i.e. 0.4 on the mean
    n_epochs: int = 10_000  # the article's
    seed: int = 0  # network (scale, run) draws from default_rng([seed, scale's bits, run])
    data: str = "xor"  # the truth table learned: a key of GATES
    trainer: str = "custom"  # whose functions train: results of other code never mix

    def __post_init__(self):
        if self.data not in GATES:
            raise SweepError(f"no truth table {self.data!r}: choose one of {', '.join(GATES)}")
        if self.hidden < 1 or self.n_epochs < 1 or self.seed < 0:
            raise SweepError("hidden and n_epochs must be at least 1, seed at least 0")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise SweepError(f"the learning rate must be positive, not {self.learning_rate}")

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """X (4, 2) and y (4, 1), float64."""
        X = np.array(INPUTS, dtype=float)
        y = np.array(GATES[self.data], dtype=float).reshape(-1, 1)
        return X, y


# Study field → the key of an assignment's settings that gives it.
SETTINGS = {"hidden": "HIDDEN", "learning_rate": "LEARNING_RATE", "n_epochs": "N_EPOCHS"}


def study_for(settings: dict, trainer: str, **given) -> tuple[Study, dict[str, str]]:
    """The study of an assignment: each of hidden, learning_rate, n_epochs as
    ``given`` (None: not given), else from its ``settings``, else the article's;
    and where each came from ("option", "assignment" or "article")."""
    article = Study()
    values, origin = {}, {}
    for field, key in SETTINGS.items():
        cast = type(getattr(article, field))
        if given.get(field) is not None:
            values[field], origin[field] = cast(given[field]), "option"
        elif key in settings:
            values[field], origin[field] = cast(settings[key]), "assignment"
        else:
            values[field], origin[field] = getattr(article, field), "article"
    rest = {k: v for k, v in given.items() if k not in SETTINGS and v is not None}
    return Study(**values, **rest, trainer=trainer), origin


@dataclass
class Summary:
    """Mean and standard error of each metric at each scale; arrays of shape (S,)."""

    study: Study
    scales: np.ndarray
    networks: np.ndarray  # networks stored at each scale
    mean: dict[str, np.ndarray]  # metric → mean over the networks of each scale
    se: dict[str, np.ndarray]  # metric → its standard error (NaN under 2 networks)

    def best(self, metric: str = "final_loss") -> int | None:
        """The index of the scale with the lowest mean (None if every mean is NaN)."""
        means = self.mean[metric]
        return int(np.nanargmin(means)) if np.isfinite(means).any() else None


# -- the grid and the seeds -----------------------------------------------------


def _bound(text: str) -> float:
    text = text.strip()
    return math.exp(float(text[2:])) if text.startswith("e^") else float(text)


def scale_grid(spec: str) -> np.ndarray:
    """The scales of ``spec``: ``LO:HI:N``, N scales evenly spaced in log from LO to
    HI (a bound may be written ``e^X``), or a comma-separated list."""
    try:
        if ":" in spec:
            lo, hi, n = spec.split(":")
            grid = np.geomspace(_bound(lo), _bound(hi), int(n))
        else:
            grid = np.array([_bound(s) for s in spec.split(",")], dtype=float)
    except ValueError:
        grid = np.array([])
    if grid.size == 0 or not np.all(np.isfinite(grid) & (grid > 0)):
        raise SweepError(
            f"{spec!r} is no grid of positive scales: write LO:HI:N (e.g. 1e-2:1e2:40 or "
            f"{ARTICLE_SCALES}) or a list (0.5,1,2)"
        )
    if len(np.unique(grid)) != grid.size:
        raise SweepError(f"{spec!r} holds a scale twice")
    return grid


def network_rng(seed: int, scale: float, run: int) -> np.random.Generator:
    """The rng network (scale, run) draws its initial weights from: its scale enters
    by its 64 bits, so a stored result means one network whatever grid asked for it."""
    bits = int(np.float64(scale).view(np.uint64))
    return np.random.default_rng([seed, bits, run])


# -- training a chunk -------------------------------------------------------------


def train_chunk(network, study: Study, tasks: Sequence[tuple[float, int]]):
    """Train the networks (scale, run) of ``tasks`` in one call of
    ``network.train_many``; their final and mean losses, two arrays (K,)."""
    X, y = study.arrays()
    try:
        params = [
            network.initialize_parameters(
                X.shape[1], study.hidden, y.shape[1], network_rng(study.seed, s, r), std=s
            )
            for s, r in tasks
        ]
        stacked = [np.stack([p[i] for p in params]) for i in range(4)]  # w1 (K, D, H) …
        out = network.train_many(X, y, *stacked, study.learning_rate, study.n_epochs)
        losses = np.asarray(out[4], dtype=float)
    except Exception as exc:
        raise SweepError(f"{study.trainer} failed: {type(exc).__name__}: {exc}") from exc
    if losses.shape != (len(tasks), study.n_epochs):
        raise SweepError(
            f"{study.trainer}: train_many returned losses of shape {losses.shape} for "
            f"{len(tasks)} networks and {study.n_epochs} epochs, not (K, n_epochs)"
        )
    return losses[:, -1], losses.mean(axis=1)


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops the sweep."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunks(tasks: list, size: int) -> list[list]:
    return [tasks[k : k + size] for k in range(0, len(tasks), size)]


def _train(pool, jobs, network, study, store, tasks, chunk, progress, on_chunk) -> None:
    """Train ``tasks`` chunk by chunk (in ``pool`` unless it is None) and store each
    chunk as it ends. On Ctrl-C no chunk starts; those running end and are kept."""
    pieces = _chunks(tasks, chunk or max(1, min(CHUNK, math.ceil(len(tasks) / jobs))))

    def keep(piece, result) -> None:
        final, mean = result
        store.add(study, [(s, r, f, m) for (s, r), f, m in zip(piece, final, mean, strict=True)])
        if progress is not None:
            progress.update(len(piece))
        if on_chunk is not None:
            on_chunk(piece)

    if pool is None:
        for piece in pieces:
            keep(piece, train_chunk(network, study, piece))
        return
    futures = {pool.submit(train_chunk, network, study, piece): piece for piece in pieces}
    kept = set()
    try:
        for future in as_completed(futures):
            kept.add(future)  # first: an interrupt in keep must not keep it twice
            keep(futures[future], future.result())
    except BrokenProcessPool as exc:
        raise SweepError(
            "a sweep process died (out of memory?); the chunks that ended are stored: rerun"
        ) from exc
    except KeyboardInterrupt:
        # the workers ignore Ctrl-C: their chunks run to the end, so keep them
        running = [f for f in futures if f not in kept and not f.cancel()]
        for future in as_completed(running):
            if future.exception() is None:
                keep(futures[future], future.result())
        raise
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise


# -- the study --------------------------------------------------------------------


def summarise(store: Store, study: Study, scales) -> Summary:
    """The study's networks stored at ``scales``, as means and standard errors."""
    scales = np.asarray(scales, dtype=float)
    found = store.results(study, scales)
    counts = np.array([len(runs) for runs in found])
    mean, se = {}, {}
    for m, metric in enumerate(METRICS):  # the store's pairs follow METRICS' order
        values = [np.array([v[m] for v in runs.values()]) for runs in found]
        mean[metric] = np.array([v.mean() if v.size else np.nan for v in values])
        se[metric] = np.array(
            [v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else np.nan for v in values]
        )
    return Summary(study, scales, counts, mean, se)


def allocate(counts: Sequence[int], sds: Sequence[float], budget: int) -> list[int]:
    """How many more networks each scale gets: one at a time, ``budget`` times, each
    to the scale whose standard error sd/√n is then the widest (a scale with fewer
    than two networks has no error bar yet: it comes first)."""
    added = [0] * len(counts)
    heap = [(-_se(sd, n), n, i) for i, (n, sd) in enumerate(zip(counts, sds, strict=True))]
    heapq.heapify(heap)  # widest error first, then fewest networks, then lowest scale
    for _ in range(budget):
        _, n, i = heapq.heappop(heap)
        added[i] += 1
        heapq.heappush(heap, (-_se(sds[i], n + 1), n + 1, i))
    return added


def _se(sd: float, n: int) -> float:
    if n < 2:
        return math.inf
    # a NaN spread (a network whose loss is NaN) is no reason to train more there
    return sd / math.sqrt(n) if math.isfinite(sd) else 0.0


def _next_runs(done: set[int], start: int, count: int) -> list[int]:
    """The ``count`` lowest run numbers from ``start`` on that are not done."""
    runs, r = [], start
    while len(runs) < count:
        if r not in done:
            runs.append(r)
        r += 1
    return runs


def run(
    network,
    study: Study,
    scales,
    runs: int = 10,
    *,
    adaptive: int = 0,
    store: Store | str = "sqlite://",
    jobs: int = 1,
    chunk: int | None = None,
    metric: str = "final_loss",
    progress: Callable[[int], object] | None = None,
    on_chunk: Callable[[list[tuple[float, int]]], None] | None = None,
) -> Summary:
    """Train ``runs`` networks per scale, and ``adaptive`` more in all where the
    standard error of ``metric`` is widest; return the summary of the store.

    ``network`` has ``initialize_parameters`` and ``train_many`` (a module, a
    namespace, a ``CourseReference``); with ``jobs`` > 1 it must pickle (functions
    of an importable module). Networks already in ``store`` (a ``Store`` or a
    SQLAlchemy URL; default: in memory) are not trained again; adaptive runs
    stored before count against ``adaptive``. ``progress(total)`` makes a bar
    (``update(n)``, ``close()``); ``on_chunk`` is called with each stored chunk's
    (scale, run) pairs.
    """
    scales = np.asarray(scales, dtype=float)
    if scales.ndim != 1 or len(np.unique(scales)) != scales.size or not np.all(scales > 0):
        raise SweepError("the scales must be distinct positive numbers (scale_grid makes them)")
    if runs < 1 or adaptive < 0 or jobs < 1 or (chunk is not None and chunk < 1):
        raise SweepError("runs, jobs and chunk must be at least 1, adaptive at least 0")
    if metric not in METRICS:
        raise SweepError(f"no metric {metric!r}: choose one of {', '.join(METRICS)}")
    if jobs > 1:
        network = _picklable(network)
    owned, bar = isinstance(store, str), None
    try:
        store = Store(store) if owned else store
        done = [set(found) for found in store.results(study, scales)]
        base = [
            (float(s), r)
            for s, d in zip(scales, done, strict=True)
            for r in range(runs)
            if r not in d
        ]
        budget = max(0, adaptive - sum(r >= runs for d in done for r in d))
        bar = progress(len(base) + budget) if progress else None
        pool = ProcessPoolExecutor(jobs, initializer=_ignore_interrupts) if jobs > 1 else None
        with pool or contextlib.nullcontext():
            _train(pool, jobs, network, study, store, base, chunk, bar, on_chunk)
            while budget > 0:  # rounds of as many networks as scales, errors re-estimated
                summary = summarise(store, study, scales)
                sds = summary.se[metric] * np.sqrt(summary.networks)
                added = allocate(summary.networks, sds, min(budget, len(scales)))
                done = [set(found) for found in store.results(study, scales)]
                tasks = [
                    (float(s), r)
                    for s, d, a in zip(scales, done, added, strict=True)
                    for r in _next_runs(d, runs, a)
                ]
                _train(pool, jobs, network, study, store, tasks, chunk, bar, on_chunk)
                budget -= len(tasks)
        return summarise(store, study, scales)
    except StoreError as exc:
        raise SweepError(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
        if owned and isinstance(store, Store):
            store.close()


def _picklable(network):
    """``network`` as worker processes can receive it: itself, or (a module, say)
    its two functions, which pickle when their module is importable."""
    for candidate in (
        network,
        types.SimpleNamespace(
            initialize_parameters=getattr(network, "initialize_parameters", None),
            train_many=getattr(network, "train_many", None),
        ),
    ):
        try:
            pickle.dumps(candidate)
        except Exception as exc:
            why = exc
            continue
        return candidate
    raise SweepError(
        f"the network functions cannot go to other processes ({why}): use jobs=1, "
        "or functions defined in an importable module"
    )


# -- the course's reference ---------------------------------------------------------


@dataclass(frozen=True)
class CourseReference:
    """The reference functions of a course's assignment, named rather than held: it
    pickles, and each worker process imports the reference itself (the reference is
    imported from a file, under a name no other process knows)."""

    course: Path
    assignment: str

    def module(self):
        from autograder.checking import assignment

        return assignment.load(self.course, self.assignment).reference()

    @property
    def initialize_parameters(self):
        return self.module().initialize_parameters

    @property
    def train_many(self):
        return self.module().train_many

    @property
    def train(self):
        return self.module().train

    def trainer(self) -> str:
        """Its name in the store: the assignment and a hash of the reference's code, so
        that a rebuilt reference which trains differently never meets old results."""
        from autograder.checking import assignment

        path = assignment.load(self.course, self.assignment).reference_path()
        return f"{self.assignment} reference {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


# -- what a sweep writes --------------------------------------------------------------


def write_csv(summary: Summary, path: Path) -> Path:
    """One row per scale: scale, networks, then the mean and SE of each metric."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["scale", "networks", *(f"{m}_{stat}" for m in METRICS for stat in ("mean", "se"))]
        )
        for i, scale in enumerate(summary.scales):
            stats = [
                repr(float(getattr(summary, s)[m][i])) for m in METRICS for s in ("mean", "se")
            ]
            writer.writerow([repr(float(scale)), int(summary.networks[i]), *stats])
    return path


def plot(summary: Summary, path: Path | None = None, ax=None, metric: str = "final_loss"):
    """Mean ``metric`` ± standard error against the scale (log x), on ``ax`` or on a
    new figure saved to ``path``; returns the axes. The dotted line is Glorot's
    scale for the hidden layer, √(2 / (D + H)) (the article's 1/√2)."""
    if ax is None:
        # Figure without pyplot renders with Agg, to files only: no display, no global state.
        from matplotlib.figure import Figure

        ax = Figure(figsize=(7, 4.2)).subplots()
    study, mean, se = summary.study, summary.mean[metric], summary.se[metric]
    ax.fill_between(summary.scales, mean - se, mean + se, color="tab:blue", alpha=0.25, lw=0)
    ax.errorbar(summary.scales, mean, yerr=se, fmt=".-", ms=3, lw=1, label="mean ± SE")
    ax.axvline(glorot(study), color="k", ls=":", label="Glorot √(2/(D+H))")
    best = summary.best(metric)
    if best is not None:
        ax.axvline(summary.scales[best], color="tab:green", ls="--", label="lowest mean")
    ax.set_xscale("log")
    ax.set_xlabel("initial weight scale (std of every weight and bias)")
    ax.set_ylabel(METRICS[metric])
    ax.set_title(
        f"{study.data.upper()}, {len(INPUTS[0])}-{study.hidden}-1 network, learning rate "
        f"{study.learning_rate:g}, {study.n_epochs} epochs: {int(summary.networks.sum())} networks",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=100)
    return ax


def glorot(study: Study) -> float:
    """Glorot's scale for the hidden layer, √(2 / (D + H)): the article's 1/√2."""
    return math.sqrt(2 / (len(INPUTS[0]) + study.hidden))


def default_jobs() -> int:
    """Processes for a sweep: the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
