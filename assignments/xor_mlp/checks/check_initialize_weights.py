import contextlib

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT


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


def _weights(impl, d, h, o, seed):
    result = call(impl, "initialize_weights", d, h, o, np.random.default_rng(seed))
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "initialize_weights should return the pair (w1, w2)",
    )
    return tuple(np.asarray(w) for w in result)


@ASSIGNMENT.check("initialize_weights", "shapes (D, H) and (H, O)", weight=1)
def test_shapes(impl):
    for d, h, o in [(2, 3, 1), (5, 7, 1), (1, 4, 1)]:
        with _global_seed(0):
            w1, w2 = _weights(impl, d, h, o, seed=0)
        if w1.shape == (h, o) and w2.shape == (d, h):
            expect(False, "the pair is in the wrong order: return (w1, w2)")
        if w1.shape == (h, d) or w2.shape == (o, h):
            expect(
                False,
                f"for D={d}, H={h}, O={o} the shapes are transposed: w1 is (D, H), w2 is (H, O)",
            )
        expect(
            w1.shape == (d, h) and w2.shape == (h, o),
            f"for D={d}, H={h}, O={o} expected shapes ({d}, {h}) and ({h}, {o}), "
            f"got {w1.shape} and {w2.shape}: use input_size, hidden_size and output_size",
        )


@ASSIGNMENT.check("initialize_weights", "entries uniform in [0, 1)", weight=1)
def test_distribution(impl):
    d, h, o = 40, 50, 1
    with _global_seed(1):
        w1, w2 = _weights(impl, d, h, o, seed=1)
    values = np.concatenate([np.ravel(w1), np.ravel(w2)]).astype(float)
    expect(
        values.size == d * h + h * o,
        f"for D={d}, H={h}, O={o} expected {d * h + h * o} entries in all, got {values.size}, "
        "too few to check their distribution",
    )
    expect(
        values.min() >= 0.0 and values.max() < 1.0,
        f"entries must lie in [0, 1); found values from {values.min():.3g} to {values.max():.3g}",
    )
    # 2050 uniform draws: mean 0.5 ± 0.006 and std 0.289 ± 0.005 (one sigma),
    # so these bounds are many sigmas wide yet reject constants and other laws.
    expect(len(np.unique(values)) > len(values) // 2, "the entries are not random: many are equal")
    expect(
        abs(values.mean() - 0.5) < 0.05 and abs(values.std() - 0.2887) < 0.04,
        f"entries should be uniform on [0, 1) (mean 0.5, std 0.29); got mean "
        f"{values.mean():.2f}, std {values.std():.2f}",
    )


@ASSIGNMENT.check("initialize_weights", "draws from the rng it is given", weight=1)
def test_uses_rng(impl):
    with _global_seed(123):
        a = _weights(impl, 3, 4, 1, seed=5)
    with _global_seed(123):
        b = _weights(impl, 3, 4, 1, seed=5)
        c = _weights(impl, 3, 4, 1, seed=6)
    with _global_seed(999):
        d = _weights(impl, 3, 4, 1, seed=5)
    same = all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    expect(same, "two generators with the same seed gave different weights")
    expect(
        not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True)),
        "generators with different seeds gave the same weights: draw from the `rng` argument",
    )
    expect(
        all(np.array_equal(x, y) for x, y in zip(a, d, strict=True)),
        "the weights depend on the global np.random state: draw from the `rng` argument instead",
    )
