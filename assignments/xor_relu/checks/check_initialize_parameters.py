"""``initialize_parameters`` is judged by what the contract fixes: one (W, b) pair
per layer with their shapes, zero biases, He's law for the weights (normal, mean
0, standard deviation √(2 / n_{l−1})) and draws from the ``rng`` passed in. Never
by the reference's exact draws."""

import contextlib
import itertools

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import ARCHITECTURES, shapes

# The law is judged on DRAWS calls (seeds 0, 1, ...) of a [4, 6, 3, 1] network:
# 2400 entries of W1 (sd 0.707), 1800 of W2 (sd 0.577), 300 of W3 (sd 0.816).
# The sample mean has a standard error of s/√n and the sample sd one of about
# s/√(2n); each bound is SIGMAS of those (W1: mean within 0.10·s, sd within 7 %;
# W3: 0.29·s and 20 %), so a correct implementation fails one of the 9
# comparisons with a probability below 1e-5, while N(0, 1) (41 % off for W1),
# √(1/n) (29 %) and the fan-out instead of the fan-in (18 % for W1) all fail.
DRAWS = 100
LAW_SIZES = [4, 6, 3, 1]
SIGMAS = 5.0
WITHIN_ONE_SD = 0.6827  # a normal law; a uniform one of the same sd puts 57.7 % there
WITHIN_ONE_SD_TOLERANCE = 0.04


@contextlib.contextmanager
def _global_seed(seed):
    """Seed NumPy's global state for the duration (a submission drawing from it,
    wrongly, still scores the same every time), then restore it."""
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def _parameters(impl, sizes, seed):
    result = call(
        impl,
        "initialize_parameters",
        list(sizes),
        np.random.default_rng(seed),
        where=f"for layer sizes {sizes}",
    )
    expect(
        isinstance(result, tuple | list)
        and all(isinstance(p, tuple | list) and len(p) == 2 for p in result),
        "initialize_parameters should return a list of (W, b) pairs, one per layer",
    )
    return [(np.asarray(W, dtype=float), np.asarray(b, dtype=float)) for W, b in result]


@ASSIGNMENT.check(
    "initialize_parameters", "one (W, b) per layer: W (n_{l−1}, n_l), b (1, n_l)", weight=1
)
def test_shapes(impl):
    for sizes in ARCHITECTURES:
        with _global_seed(0):
            got = shapes(_parameters(impl, sizes, seed=0))
        want = [((a, b), (1, b)) for a, b in itertools.pairwise(sizes)]
        where = f"for layer sizes {sizes}"
        expect(
            len(got) == len(want),
            f"{where} there should be {len(want)} (W, b) pairs, one per pair of consecutive "
            f"sizes, got {len(got)}",
        )
        for layer, ((gw, gb), (ww, wb)) in enumerate(zip(got, want, strict=True), start=1):
            if gw == ww[::-1] and gw != ww:
                expect(
                    False, f"{where} W{layer} is transposed: its shape is (n_{{l−1}}, n_l) = {ww}"
                )
            expect(gw == ww, f"{where} W{layer} should have shape {ww}, got {gw}")
            expect(
                gb == wb,
                f"{where} b{layer} should be a row of shape {wb}, added to every sample, got {gb}",
            )


@ASSIGNMENT.check("initialize_parameters", "the biases start at zero", weight=1)
def test_zero_biases(impl):
    with _global_seed(0):
        params = _parameters(impl, [3, 5, 4, 1], seed=3)
    for layer, (_, b) in enumerate(params, start=1):
        expect(
            np.all(b == 0),
            f"b{layer} should start at zero, got entries up to {np.max(np.abs(b)):.3g}",
        )


def _pooled(impl):
    pooled = [[] for _ in LAW_SIZES[1:]]
    with _global_seed(0):
        for seed in range(DRAWS):
            for layer, (W, _) in enumerate(_parameters(impl, LAW_SIZES, seed)):
                pooled[layer].append(W.ravel())
    return [np.concatenate(p) for p in pooled]


@ASSIGNMENT.check(
    "initialize_parameters", "weights normal, mean 0, standard deviation √(2 / n_{l−1})", weight=2
)
def test_law(impl):
    weights = _pooled(impl)
    for layer, (entries, fan_in, fan_out) in enumerate(
        zip(weights, LAW_SIZES[:-1], LAW_SIZES[1:], strict=True), start=1
    ):
        want = np.sqrt(2.0 / fan_in)
        n = entries.size
        sd = float(entries.std())
        where = f"over {DRAWS} draws of layers {LAW_SIZES}, W{layer} (n_{{l−1}} = {fan_in})"
        expect(
            abs(entries.mean()) < SIGMAS * want / np.sqrt(n),
            f"{where} has mean {entries.mean():.3g}: the weights are centred on 0",
        )
        tolerance = SIGMAS / np.sqrt(2 * n)  # relative, on the standard deviation
        if abs(sd / want - 1) >= tolerance:
            for other, why in [
                (1.0, f"standard deviation 1: scale it by √(2 / n_{{l−1}}) = {want:.3f}"),
                (
                    np.sqrt(2.0 / fan_out),
                    f"standard deviation √(2 / {fan_out}): use the layer's inputs, "
                    f"n_{{l−1}} = {fan_in}, not its units",
                ),
            ]:
                if abs(sd / other - 1) < tolerance:
                    expect(False, f"{where} has {why}")
        expect(
            abs(sd / want - 1) < tolerance,
            f"{where} has standard deviation {sd:.3f}, not √(2 / {fan_in}) = {want:.3f}",
        )
        share = float(np.mean(np.abs(entries - entries.mean()) < sd))
        expect(
            abs(share - WITHIN_ONE_SD) < WITHIN_ONE_SD_TOLERANCE,
            f"{where}: {share:.1%} of the entries lie within one standard deviation of the mean, "
            "a normal law puts 68.3 % there: draw with rng.normal",
        )


@ASSIGNMENT.check("initialize_parameters", "draws from the rng it is given", weight=1)
def test_rng(impl):
    sizes = [2, 10, 1]
    with _global_seed(1):
        first = _parameters(impl, sizes, seed=11)
    with _global_seed(2):
        again = _parameters(impl, sizes, seed=11)
        other = _parameters(impl, sizes, seed=12)
    expect(
        all(np.array_equal(a[0], b[0]) for a, b in zip(first, again, strict=True)),
        "two generators with the same seed give different weights: draw from the rng "
        "argument, not from np.random",
    )
    expect(
        not np.array_equal(first[0][0], other[0][0]),
        "generators with different seeds give the same weights: draw from the rng argument",
    )
