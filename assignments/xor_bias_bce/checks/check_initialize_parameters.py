"""``initialize_parameters`` is judged by what the contract fixes: the shapes, the
law of the entries (normal, mean 0, standard deviation ``std``, biases included),
and that the draws come from the ``rng`` passed in. Never by the reference's exact
draws: the order of the draws and the NumPy call that makes them are the
student's choice."""

import contextlib

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT

NAMES = ("w1", "b1", "w2", "b2")

# The distribution checks pool the entries of DRAWS calls (seeds 0, 1, ...) of a
# 4-6-1 network: 2400 entries of w1, 600 of b1 and of w2, 100 of b2. For n
# normal draws of standard deviation s the sample mean has a standard error of
# s/√n and the sample standard deviation one of about s/√(2n); each bound is
# SIGMAS of those (b2: mean within 0.5·s, sd within 35 %; w1: 0.1·s and 7 %),
# so a correct implementation, whatever its draws, fails one of the 16
# comparisons with a probability below 1e-5, and zeros, a uniform law, an
# ignored, squared or square-rooted std all fail by far more.
DRAWS = 100
SHAPE = (4, 6, 1)
SIGMAS = 5.0
# Share of a normal law's entries within one standard deviation of the mean:
# 68.3 %; pooled over the 3700 entries its standard error is 0.8 %, and a
# uniform law with the same standard deviation puts 57.7 % there.
WITHIN_ONE_SD = 0.6827
WITHIN_ONE_SD_TOLERANCE = 0.04


@contextlib.contextmanager
def _global_seed(seed):
    """Seed NumPy's global state for the duration, so that a submission drawing
    from it (wrongly) still gets the same score every time; then restore it."""
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def _parameters(impl, d, h, o, seed, *std):
    where = f"for D={d}, H={h}, O={o}" + (f", std={std[0]:g}" if std else "")
    result = call(
        impl, "initialize_parameters", d, h, o, np.random.default_rng(seed), *std, where=where
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 4,
        "initialize_parameters should return the four arrays (w1, b1, w2, b2)",
    )
    return tuple(np.asarray(p, dtype=float) for p in result)


@ASSIGNMENT.check("initialize_parameters", "shapes (D, H), (1, H), (H, O) and (1, O)", weight=1)
def test_shapes(impl):
    for d, h, o in [(2, 3, 1), (5, 7, 1), (1, 4, 1), (3, 2, 1)]:
        with _global_seed(0):
            got = [p.shape for p in _parameters(impl, d, h, o, seed=0)]
        want = [(d, h), (1, h), (h, o), (1, o)]
        if got == want:
            continue
        where = f"for D={d}, H={h}, O={o}"
        if sorted(got) == sorted(want):
            expect(False, f"{where} the arrays are in the wrong order: return (w1, b1, w2, b2)")
        for name, shape, row in (("b1", got[1], h), ("b2", got[3], o)):
            if shape in ((row,), ()):
                expect(
                    False,
                    f"{where} {name} has shape {shape}: keep the biases 2-D, a row of "
                    f"shape (1, {row}) added to every row of the batch",
                )
            if shape == (row, 1) and row != 1:
                expect(False, f"{where} {name} is a column {shape}: it is a row, (1, {row})")
        if got[0] == (h, d) or got[2] == (o, h):
            expect(
                False,
                f"{where} the weights are transposed: w1 is (D, H) = ({d}, {h}), "
                f"w2 is (H, O) = ({h}, {o})",
            )
        expect(
            False,
            f"{where} expected shapes {', '.join(map(str, want))}, got "
            f"{', '.join(map(str, got))}: use input_size, hidden_size and output_size",
        )


def _pooled(impl, *std):
    """The entries of each array over DRAWS calls, seeds 0, 1, ...: name -> values."""
    draws = []
    for seed in range(DRAWS):
        with _global_seed(seed):
            draws.append(_parameters(impl, *SHAPE, seed, *std))
    d, h, o = SHAPE
    # Sizes, not shapes: a bias of the wrong shape costs the shape property only.
    want = [d * h, h, h * o, o]
    got = [p.size for p in draws[0]]
    expect(
        got == want,
        f"for D={d}, H={h}, O={o} the arrays have {got} entries, not {want}: the "
        "distribution cannot be checked",
    )
    return {name: np.concatenate([np.ravel(p[i]) for p in draws]) for i, name in enumerate(NAMES)}


def _spread(values, std):
    """(mean, standard deviation, bounds for both) of pooled entries of sd ``std``."""
    n = values.size
    return (
        values.mean(),
        values.std(),
        SIGMAS * std / np.sqrt(n),
        SIGMAS / np.sqrt(2 * n),  # relative to std
    )


@ASSIGNMENT.check(
    "initialize_parameters",
    "entries normal with mean 0 and standard deviation 1 by default, biases included",
    weight=2,
)
def test_distribution(impl):
    pooled = _pooled(impl)
    for name, values in pooled.items():
        expect(
            np.any(values != 0.0),
            f"{name} is all zeros: draw every entry, biases included, from the normal distribution",
        )
        expect(
            np.unique(values).size > values.size // 2,
            f"the entries of {name} are not random: many of them are equal",
        )
        mean, sd, mean_bound, sd_bound = _spread(values, 1.0)
        expect(
            abs(mean) < mean_bound,
            f"over {DRAWS} calls the entries of {name} have mean {mean:.2f}: they should have "
            "mean 0 (a normal law centred on 0, such as rng.normal(0.0, std, size=...))",
        )
        expect(
            abs(sd - 1.0) < sd_bound,
            f"over {DRAWS} calls the entries of {name} have standard deviation {sd:.2f}, "
            "not 1: with the default std=1.0 every entry has standard deviation 1",
        )
    values = np.concatenate(list(pooled.values()))
    within = float(np.mean(np.abs(values) < 1.0))
    expect(
        abs(within - WITHIN_ONE_SD) < WITHIN_ONE_SD_TOLERANCE,
        f"{within:.0%} of the entries lie within one standard deviation of 0, where a normal "
        "law puts 68%: draw from a normal distribution (rng.normal), not a uniform one",
    )


@ASSIGNMENT.check(
    "initialize_parameters", "the std argument sets the spread of every array", weight=1
)
def test_std(impl):
    for std in (0.1, 3.0):
        for name, values in _pooled(impl, std).items():
            mean, sd, mean_bound, sd_bound = _spread(values, std)
            if abs(sd / std - 1.0) < sd_bound and abs(mean) < mean_bound:
                continue
            where = f"with std={std:g} the entries of {name} have standard deviation {sd:.3g}"
            for ratio, why in [
                (1.0 / std, "std is ignored: pass it as the scale, rng.normal(0.0, std, size=...)"),
                (std, "that is std²: rng.normal takes the standard deviation, not the variance"),
                (1.0 / np.sqrt(std), "that is √std: std is the standard deviation itself"),
            ]:
                if abs(sd / std / ratio - 1.0) < sd_bound:
                    expect(False, f"{where}; {why}")
            expect(
                abs(sd / std - 1.0) < sd_bound,
                f"{where}, not {std:g}: every entry, biases included, has standard deviation std",
            )
            expect(
                False,
                f"with std={std:g} the entries of {name} have mean {mean:.3g}: they should "
                "have mean 0",
            )


@ASSIGNMENT.check("initialize_parameters", "draws from the rng it is given", weight=1)
def test_uses_rng(impl):
    with _global_seed(123):
        a = _parameters(impl, 3, 4, 1, seed=5)
    with _global_seed(123):
        b = _parameters(impl, 3, 4, 1, seed=5)
        c = _parameters(impl, 3, 4, 1, seed=6)
    with _global_seed(999):
        d = _parameters(impl, 3, 4, 1, seed=5)
    for name, x, y, z, w in zip(NAMES, a, b, c, d, strict=True):
        expect(
            np.array_equal(x, y),
            f"two generators with the same seed gave different {name}: draw from the `rng` "
            "argument, not from a generator of your own",
        )
        expect(
            np.array_equal(x, w),
            f"{name} depends on the global np.random state: draw it from the `rng` argument",
        )
        expect(
            not np.array_equal(x, z),
            f"generators with different seeds gave the same {name}: draw it from the `rng` "
            "argument",
        )
