"""Label each mutant by what it computes, without looking at the checks.

A mutant is replayed on every call the reference notebook made to its function
(``autograder.audit.recording``) and on six perturbed copies of each:

* ``jittered``: every float argument moved by noise of 5% of its spread;
* ``redrawn`` (three times): every float array drawn anew, from a normal law
  with the array's own mean and spread (a trained network's outputs sit near 0
  and 1: redrawn weights put them anywhere, around a threshold of 0.5 too);
* ``resized``: every size of 2 or more enlarged to ``s + 1 + s // 2``,
  consistently across the arguments: the arrays' dimensions and the integer
  arguments of the same value (a layer's size), or every integer argument of a
  call without arrays; the arrays are refilled from their own values (so 0/1
  targets stay 0/1, activations stay in (0, 1));
* ``scaled``: every float array multiplied by 20 (saturated activations,
  overflowing exponentials).

A recorded call that took the reference more than 0.05 s (a training run of
thousands of epochs) is replayed as recorded only: its function's cheaper calls
are perturbed instead.

A mutant whose outputs agree with the reference's within the kit's tolerance
(``numerics.RTOL``, ``ATOL``: what a correct submission may differ by) on all of
them is set aside as *likely equivalent*: it computes the same function on every
input the audit could think of, so no fair check can tell it apart. A call
that raises on the reference is not used; one that raises, or runs 50 times
longer than the reference, on the mutant tells it apart.

A function given a random generator (``rng``) is judged as the contract judges
it, never by its exact draws: the same shapes (and number of values) as the
reference's; the same values from two generators with the same seed, whatever
NumPy's global state; other values from a generator with another seed; and
values from the same distribution as the reference's (a two-sample
Kolmogorov-Smirnov test over draws from 40 seeds, on the first four distinct
calls). Calls that differ only by their generator count once.
"""

from __future__ import annotations

import ast
import copy
import inspect
import math
import pickle
import signal
import textwrap
import time
from dataclasses import dataclass, field

import numpy as np

from autograder.audit.recording import Call
from autograder.checking.numerics import ATOL, RTOL
from autograder.checking.runner import quiet

JITTER = 0.05  # noise of a jittered float, as a share of its array's spread
SCALE = 20.0  # factor of a scaled float array
EXPENSIVE = 0.05  # s: a recorded call slower than this is replayed as recorded only
# the perturbed copies of a call, in order; three redrawn ones (another draw
# each): one draw of a few outputs may well miss a threshold, three seldom do
PERTURBATIONS = ("jittered", "redrawn", "redrawn", "redrawn", "resized", "scaled")
# A mutant may run this many times as long as the reference on a call (and at
# least the floor) before it counts as not finishing: a loop run one step
# longer is not slower by much, an endless one is.
SLOWER = 50
SLOWEST_FLOOR = 2.0
SEEDS = 40  # generators drawn from when comparing distributions
DISTRIBUTIONS = 4  # distinct calls whose distributions are compared (the first ones)
POOL = 20_000  # values drawn per function and call, about: fewer seeds for big draws
KS_ALPHA = 1e-6  # significance of the distribution test: a false alarm is this rare


@dataclass
class Verdict:
    """How a mutant compares with the reference on the replayed calls."""

    equivalent: bool
    evidence: list[str] = field(default_factory=list)  # how the calls tell it apart
    compared: int = 0  # replays it agreed on before the verdict


class Overtime(BaseException):
    """A mutant ran far longer than the reference on one call."""


def _time_limit(seconds: float):
    def expire(signum, frame):
        raise Overtime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _cancel(previous) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- perturbing


def _spread(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 1.0
    std = float(np.std(finite))
    return std if std > 0 else max(abs(float(np.mean(finite))), 1.0)


def _leaves(value):
    if isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value


def _sizes(call: Call) -> dict[int, int]:
    """How ``resized`` changes each size: dimensions of 2 or more, or the integer
    arguments of a call that has no arrays (a layer's sizes)."""
    leaves = list(_leaves((call.args, call.kwargs)))
    arrays = [v for v in leaves if isinstance(v, np.ndarray)]
    if arrays:
        found = {d for a in arrays for d in a.shape if d >= 2}
    else:
        found = {v for v in leaves if isinstance(v, int) and not isinstance(v, bool) and v >= 2}
    return {s: s + 1 + s // 2 for s in found}


def _perturb(value, how: str, rng: np.random.Generator, sizes: dict[int, int]):
    if isinstance(value, list | tuple):
        return type(value)(_perturb(v, how, rng, sizes) for v in value)
    if isinstance(value, dict):
        return {k: _perturb(v, how, rng, sizes) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        floats = value.dtype.kind == "f"
        if how == "resized":
            shape = tuple(sizes.get(d, d) for d in value.shape)
            pool = value.ravel() if value.size else np.zeros(1, value.dtype)
            return rng.choice(pool, size=shape).astype(value.dtype)
        if how == "jittered" and floats:
            return value + rng.normal(size=value.shape) * JITTER * _spread(value)
        if how == "redrawn" and floats:
            finite = value[np.isfinite(value)]
            mean = float(np.mean(finite)) if finite.size else 0.0
            return rng.normal(mean, _spread(value), size=value.shape)
        if how == "scaled" and floats:
            return value * SCALE
        return value.copy()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | np.integer) and how == "resized":
        return sizes.get(int(value), value)
    if isinstance(value, float | np.floating) and how in ("jittered", "redrawn"):
        return float(value) * (1.0 + JITTER * float(rng.normal()))
    return copy.deepcopy(value)


def variants(call: Call, seed: int = 0) -> list[Call]:
    """The recorded call and its perturbed copies (only the call itself when it
    is expensive: its function has cheaper calls to perturb)."""
    if call.seconds > EXPENSIVE:
        return [call]
    rng = np.random.default_rng(seed)
    sizes = _sizes(call)
    found = [call]
    for how in PERTURBATIONS:
        args = _perturb(call.args, how, rng, sizes)
        kwargs = _perturb(call.kwargs, how, rng, sizes)
        factor = 3.0 if how == "resized" else 1.0  # bigger arrays: a rough guess of the cost
        found.append(
            Call(
                call.function,
                args,
                kwargs,
                call.cell,
                call.via,
                call.seconds * factor,
                variant=how,
            )
        )
    return found


def _random(call: Call) -> bool:
    return any(
        isinstance(v, np.random.Generator | np.random.RandomState)
        for v in _leaves((call.args, call.kwargs))
    )


# ---------------------------------------------------------------- comparing


def _plain(value):
    """A value as numbers, or None if it is not numeric."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def difference(got, want, names: list[str] | None = None, where: str = "") -> str | None:
    """How ``got`` (the mutant's output) differs from ``want`` (the reference's),
    beyond the tolerance; None if they agree."""
    label = where or "the result"
    if want is None or got is None:
        if (want is None) != (got is None):
            return f"{label} is {_kind(got)} instead of {_kind(want)}"
        return None
    if isinstance(want, tuple | list) and any(
        isinstance(v, tuple | list | np.ndarray) for v in want
    ):
        if not isinstance(got, tuple | list):
            return f"{label} is {_kind(got)} instead of {len(want)} values"
        if len(got) != len(want):
            return f"{label} has {len(got)} values instead of {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            name = names[i] if names and i < len(names) else f"value {i + 1}"
            problem = difference(g, w, None, name)
            if problem:
                return problem
        return None
    g, w = _plain(got), _plain(want)
    if g is None or w is None:
        return None if got == want else f"{label} is {_kind(got)} instead of {_kind(want)}"
    if g.shape != w.shape:
        return f"{label} has shape {g.shape} instead of {w.shape}"
    if np.allclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True):
        return None
    with np.errstate(all="ignore"):
        gap = np.abs(g - w)
        gap = np.where(np.isnan(gap), np.inf, gap)
        worst = float(np.max(gap))
    return f"{label} differs by up to {worst:.3g}"


def _kind(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _structure(value):
    """The shapes of a value, not its numbers (for functions that draw at random)."""
    if isinstance(value, tuple | list):
        return tuple(_structure(v) for v in value)
    array = _plain(value)
    return ("?",) if array is None else array.shape


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov distance between two samples."""
    a, b = np.sort(np.ravel(a)), np.sort(np.ravel(b))
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / a.size
    fb = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def ks_threshold(n: int, m: int, alpha: float = KS_ALPHA) -> float:
    """The distance above which two samples of sizes n and m differ at ``alpha``."""
    return math.sqrt(-0.5 * math.log(alpha / 2)) * math.sqrt((n + m) / (n * m))


# ---------------------------------------------------------------- labelling


def returned_names(fn) -> list[str]:
    """The names a function returns (``return dL_dw1, dL_dw2, error``), for messages."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            return [ast.unparse(e) for e in node.value.elts]
    return []


class Labeller:
    """Replays the recorded calls (and their perturbed copies) on mutants."""

    def __init__(self, reference, calls: dict[str, list[Call]]):
        self.reference = reference
        self.replays: dict[str, list[Call]] = {}
        self.random: set[str] = set()
        self.recorded: dict[str, list[Call]] = calls
        for name, recorded in calls.items():
            if any(_random(c) for c in recorded):
                self.random.add(name)
            found = []
            for i, call in enumerate(recorded):
                for variant in variants(call, seed=i):
                    variant.extra["origin"] = i  # which recorded call it comes from
                    found.append(variant)
            self.replays[name] = sorted(found, key=lambda c: c.seconds)
        self._outputs: dict[tuple[str, int], object] = {}  # the reference's, computed once

    def parameters(self, function: str) -> list[str]:
        return list(inspect.signature(getattr(self.reference, function)).parameters)

    def mutant_function(self, mutant):
        namespace = dict(vars(self.reference))
        with quiet():
            exec(compile(mutant.cell, f"<{mutant.name}>", "exec"), namespace)
        return namespace[mutant.function]

    def label(self, mutant, limit: int = 1) -> Verdict:
        """Equivalent, or distinct with up to ``limit`` calls that tell it apart."""
        if not self.recorded.get(mutant.function):
            return Verdict(False, ["the notebook never calls it: nothing to compare on"])
        try:
            fn = self.mutant_function(mutant)
        except Exception as exc:
            return Verdict(False, [f"it does not define the function ({type(exc).__name__})"])
        if mutant.function in self.random:
            return self._label_random(mutant.function, fn)
        return self._label_deterministic(mutant.function, fn, limit)

    def _reference_output(self, function: str, index: int, call: Call):
        key = (function, index)
        if key not in self._outputs:
            ref = getattr(self.reference, function)
            start = time.perf_counter()
            try:
                with quiet():
                    value = ref(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
                self._outputs[key] = ("ok", value, time.perf_counter() - start)
            except Exception:  # outside the function's domain: not used
                self._outputs[key] = ("raised", None, 0.0)
        return self._outputs[key]

    def _run(self, fn, call: Call, budget: float):
        """(value, None) or (None, why it failed) for the mutant on one call."""
        previous = _time_limit(budget)
        try:
            with quiet():
                return fn(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs)), None
        except Overtime:
            return None, f"it did not finish within {budget:.3g} s"
        except Exception as exc:
            text = str(exc).splitlines()[0][:100] if str(exc) else ""
            return None, f"it raised {type(exc).__name__}" + (f": {text}" if text else "")
        finally:
            _cancel(previous)

    def _label_deterministic(self, function: str, fn, limit: int) -> Verdict:
        names = returned_names(getattr(self.reference, function))
        parameters = self.parameters(function)
        evidence, compared, told = [], 0, set()
        for index, call in enumerate(self.replays[function]):
            if call.extra.get("origin") in told:
                continue  # one line of evidence per recorded call
            status, want, seconds = self._reference_output(function, index, call)
            if status != "ok":
                continue
            got, failed = self._run(fn, call, max(SLOWEST_FLOOR, SLOWER * seconds))
            problem = failed or difference(got, want, names)
            if problem is None:
                compared += 1
                continue
            evidence.append(f"{call.describe(parameters)}: {problem}")
            told.add(call.extra.get("origin"))
            if len(evidence) >= limit:
                break
        return Verdict(not evidence, evidence, compared)

    # -- functions that draw from a generator ---------------------------------

    def _draw(self, fn, call: Call, seed: int, global_seed: int):
        """Call ``fn`` with every generator of ``call`` replaced by a fresh one
        seeded ``seed``, NumPy's global state seeded ``global_seed``."""

        def fresh(value):
            if isinstance(value, np.random.Generator):
                return np.random.default_rng(seed)
            if isinstance(value, np.random.RandomState):
                return np.random.RandomState(seed)
            if isinstance(value, list | tuple):
                return type(value)(fresh(v) for v in value)
            return copy.deepcopy(value)

        saved = np.random.get_state()
        np.random.seed(global_seed)
        try:
            args = tuple(fresh(v) for v in call.args)
            kwargs = {k: fresh(v) for k, v in call.kwargs.items()}
            return self._run(fn, Call(call.function, args, kwargs, call.cell), SLOWEST_FLOOR)
        finally:
            np.random.set_state(saved)

    def _label_random(self, function: str, fn) -> Verdict:
        ref = getattr(self.reference, function)
        parameters = self.parameters(function)
        calls, seen = [], set()
        for call in (v for c in self.recorded[function] for v in variants(c)):
            key = _without_generators(call)  # the generators are drawn anew anyway
            if call.variant in ("", "resized") and key not in seen:  # only sizes matter here
                seen.add(key)
                calls.append(call)
        for number, call in enumerate(calls):
            where = call.describe(parameters)
            want, failed = self._draw(ref, call, 1, 0)
            if failed:
                continue
            got, failed = self._draw(fn, call, 1, 0)
            if failed:
                return Verdict(False, [f"{where}: {failed}"])
            if _structure(got) != _structure(want):
                problem = difference(_shapes_only(got), _shapes_only(want)) or "other shapes"
                return Verdict(False, [f"{where}: {problem}"])
            again, failed = self._draw(fn, call, 1, 12345)
            if failed or difference(again, got) is not None:
                return Verdict(
                    False,
                    [
                        f"{where}: two generators with the same seed give other values when "
                        "NumPy's global state differs: it does not draw (only) from its generator"
                    ],
                )
            other_want, _ = self._draw(ref, call, 2, 0)
            other_got, failed = self._draw(fn, call, 2, 0)
            if difference(other_want, want) is not None and difference(other_got, got) is None:
                return Verdict(False, [f"{where}: another seed gives the same values"])
            problem = self._distribution(fn, ref, call) if number < DISTRIBUTIONS else None
            if problem:
                return Verdict(False, [f"{where}: {problem}"])
        return Verdict(True, [], len(calls))

    def _distribution(self, fn, ref, call: Call) -> str | None:
        pools: dict[str, list[list]] = {"mutant": [], "reference": []}
        first, _ = self._draw(ref, call, 100, 0)
        size = sum(np.size(_plain(v)) for v in _leaves(first)) if first is not None else 1
        seeds = min(SEEDS, max(4, POOL // max(size, 1)))  # big draws: fewer of them
        for who, f in (("mutant", fn), ("reference", ref)):
            for seed in range(seeds):
                value, failed = self._draw(f, call, 100 + seed, seed)
                if failed:
                    return failed if who == "mutant" else None
                leaves = [np.ravel(_plain(v)) for v in _leaves(value)]
                pools[who].append(leaves)
        for i in range(len(pools["reference"][0])):
            a = np.concatenate([draw[i] for draw in pools["mutant"]])
            b = np.concatenate([draw[i] for draw in pools["reference"]])
            if a.size == 0 or b.size == 0:
                continue
            distance = ks_distance(a, b)
            if distance > ks_threshold(a.size, b.size):
                return (
                    f"value {i + 1} is drawn from another distribution (Kolmogorov-Smirnov "
                    f"distance {distance:.2f}; mean {np.mean(a):.3g} and std {np.std(a):.3g} "
                    f"instead of {np.mean(b):.3g} and {np.std(b):.3g})"
                )
        return None


def _without_generators(call: Call) -> str:
    """A call's arguments, its generators left out, as a key."""

    def strip(value):
        if isinstance(value, np.random.Generator | np.random.RandomState):
            return None
        if isinstance(value, list | tuple):
            return type(value)(strip(v) for v in value)
        return value

    data = (strip(call.args), sorted((k, strip(v)) for k, v in call.kwargs.items()))
    try:
        return pickle.dumps(data).hex()
    except Exception:
        return str(id(call))


def _shapes_only(value):
    if isinstance(value, tuple | list):
        return tuple(_shapes_only(v) for v in value)
    array = _plain(value)
    return np.zeros(array.shape) if array is not None else value


# ---------------------------------------------------------------- in parallel

_LABELLER: Labeller | None = None  # the workers' (inherited when they fork)


def _label_one(mutant, limit: int) -> Verdict:
    return _LABELLER.label(mutant, limit)


def label_all(labeller: Labeller, mutants: list, jobs: int = 1, limit: int = 1, progress=None):
    """The verdict of each mutant, by name, labelled on ``jobs`` forked workers."""
    import multiprocessing

    global _LABELLER
    _LABELLER = labeller
    verdicts = {}
    bar = progress(len(mutants)) if progress else None
    try:
        if jobs <= 1 or len(mutants) < 2:
            for mutant in mutants:
                verdicts[mutant.name] = labeller.label(mutant, limit)
                if bar is not None:
                    bar.update(1)
            return verdicts
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            results = [(m, pool.apply_async(_label_one, (m, limit))) for m in mutants]
            for mutant, result in results:
                verdicts[mutant.name] = result.get()
                if bar is not None:
                    bar.update(1)
        return verdicts
    finally:
        _LABELLER = None
        if bar is not None:
            bar.close()
