"""``initialize_parameters`` is judged by what the contract fixes: the shapes, zero
biases, the law of the weights (normal, mean 0, standard deviation 1/√fan-in) and
that the draws come from the ``rng`` passed in. Never by the reference's exact
draws: the order of the draws and the NumPy call that makes them are the
student's choice."""

import contextlib

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT

NAMES = ("w1", "b1", "w2", "b2")

# The distribution check pools DRAWS calls (seeds 0, 1, ...) of a 16-9-5
# network: 14,400 entries of w1 (sd 1/4) and 4,500 of w2 (sd 1/3). The sample
# mean has a standard error of sd/√n, the sample standard deviation one of
# about sd/√(2n); each bound is SIGMAS of those (w2: mean within 0.025, sd
# within 5.3 %), so a correct implementation fails one of the comparisons with
# a probability below 1e-5, and a standard deviation of 1, 1/D instead of 1/√D,
# the other layer's fan-in or a uniform law fail by far more.
DRAWS = 100
SHAPE = (16, 9, 5)
SIGMAS = 5.0
# Share of a normal law's entries within one standard deviation of the mean:
# 68.3 %; pooled over 18,900 entries its standard error is 0.34 %, and a
# uniform law with the same standard deviation puts 57.7 % there.
WITHIN_ONE_SD = 0.6827
WITHIN_ONE_SD_TOLERANCE = 0.025


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


def _parameters(impl, d, h, k, seed):
    result = call(
        impl,
        "initialize_parameters",
        d,
        h,
        k,
        np.random.default_rng(seed),
        where=f"for D={d}, H={h}, K={k}",
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 4,
        "initialize_parameters should return the four arrays (w1, b1, w2, b2)",
    )
    return tuple(np.asarray(p, dtype=float) for p in result)


@ASSIGNMENT.check("initialize_parameters", "shapes (D, H), (1, H), (H, K) and (1, K)", weight=1)
def test_shapes(impl):
    for d, h, k in [(64, 32, 10), (5, 7, 3), (1, 4, 2), (3, 2, 6)]:
        with _global_seed(0):
            got = [p.shape for p in _parameters(impl, d, h, k, seed=0)]
        want = [(d, h), (1, h), (h, k), (1, k)]
        if got == want:
            continue
        where = f"for D={d}, H={h}, K={k}"
        if sorted(got) == sorted(want):
            expect(False, f"{where} the arrays are in the wrong order: return (w1, b1, w2, b2)")
        for name, shape, row in (("b1", got[1], h), ("b2", got[3], k)):
            if shape in ((row,), ()):
                expect(
                    False,
                    f"{where} {name} has shape {shape}: keep the biases 2-D, a row of shape "
                    f"(1, {row}) added to every row of the batch",
                )
        if got[0] == (h, d) or got[2] == (k, h):
            expect(
                False,
                f"{where} the weights are transposed: w1 is (D, H) = ({d}, {h}), "
                f"w2 is (H, K) = ({h}, {k})",
            )
        expect(
            False,
            f"{where} expected shapes {', '.join(map(str, want))}, got "
            f"{', '.join(map(str, got))}: use input_size, hidden_size and output_size",
        )


@ASSIGNMENT.check("initialize_parameters", "the biases start at zero", weight=1)
def test_zero_biases(impl):
    for seed in range(3):
        with _global_seed(seed):
            _, b1, _, b2 = _parameters(impl, 6, 4, 3, seed)
        expect(
            b1.size == 4 and b2.size == 3,
            "for D=6, H=4, K=3 the biases should have 4 and 3 entries",
        )
        expect(
            not np.any(b1) and not np.any(b2),
            "the biases should be zeros (np.zeros((1, H)) and np.zeros((1, K))): the random "
            "weights already make the units differ",
        )


def _pooled(impl):
    """The entries of w1 and w2 over DRAWS calls, seeds 0, 1, ..."""
    d, h, k = SHAPE
    draws = []
    for seed in range(DRAWS):
        with _global_seed(seed):
            draws.append(_parameters(impl, d, h, k, seed))
    got = [p.size for p in draws[0]]
    expect(
        got[0] == d * h and got[2] == h * k,
        f"for D={d}, H={h}, K={k} the weights have {got[0]} and {got[2]} entries, not "
        f"{d * h} and {h * k}: the distribution cannot be checked",
    )
    return {
        "w1": np.concatenate([np.ravel(p[0]) for p in draws]),
        "w2": np.concatenate([np.ravel(p[2]) for p in draws]),
    }


@ASSIGNMENT.check(
    "initialize_parameters",
    "weights normal with mean 0 and standard deviation 1/√fan-in (1/√D for w1, 1/√H for w2)",
    weight=2,
)
def test_distribution(impl):
    d, h, _ = SHAPE
    pooled = _pooled(impl)
    for name, values, fan_in, fan_name in (
        ("w1", pooled["w1"], d, "D"),
        ("w2", pooled["w2"], h, "H"),
    ):
        want = 1.0 / np.sqrt(fan_in)
        expect(
            np.unique(values).size > values.size // 2,
            f"the entries of {name} are not random: many of them are equal",
        )
        n = values.size
        mean, sd = values.mean(), values.std()
        # the spread first: a wrong one also moves the mean beyond the bound it sets
        if abs(sd / want - 1) >= SIGMAS / np.sqrt(2 * n):
            where = (
                f"for {fan_name} = {fan_in} the entries of {name} have standard deviation "
                f"{sd:.3g}, not 1/√{fan_name} = {want:.3g}"
            )
            for wrong, why in [
                (1.0, "the scale is missing: pass 1/√(fan-in) as rng.normal's scale"),
                (1.0 / fan_in, f"that is 1/{fan_name}, the variance: the scale is its square root"),
                (1.0 / np.sqrt(d + h - fan_in), "that is the other layer's fan-in"),
            ]:
                if abs(sd / wrong - 1) < SIGMAS / np.sqrt(2 * n):
                    expect(False, f"{where}; {why}")
            expect(False, f"{where}: w1 has fan-in D = input_size, w2 has fan-in H = hidden_size")
        expect(
            abs(mean) < SIGMAS * want / np.sqrt(n),
            f"over {DRAWS} calls the entries of {name} have mean {mean:.3f}: they should have "
            "mean 0 (rng.normal(0.0, scale, size=...))",
        )
        within = float(np.mean(np.abs(values) < want))
        expect(
            abs(within - WITHIN_ONE_SD) < WITHIN_ONE_SD_TOLERANCE,
            f"{within:.0%} of the entries of {name} lie within one standard deviation of 0, "
            "where a normal law puts 68%: draw from a normal distribution (rng.normal)",
        )


@ASSIGNMENT.check("initialize_parameters", "draws from the rng it is given", weight=1)
def test_uses_rng(impl):
    with _global_seed(123):
        a = _parameters(impl, 3, 4, 2, seed=5)
    with _global_seed(123):
        b = _parameters(impl, 3, 4, 2, seed=5)
        c = _parameters(impl, 3, 4, 2, seed=6)
    with _global_seed(999):
        d = _parameters(impl, 3, 4, 2, seed=5)
    for name, x, y, z, w in zip(NAMES[::2], a[::2], b[::2], c[::2], d[::2], strict=True):
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
