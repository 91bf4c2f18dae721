import numpy as np

from autograder.runner import check, expect


@check("initialize_weights", "shapes (D, H) and (H, O)", weight=1)
def test_shapes(impl):
    for d, h, o in [(2, 3, 1), (5, 7, 1), (1, 4, 1)]:
        w1, w2 = impl.initialize_weights(d, h, o, np.random.default_rng(0))
        w1, w2 = np.asarray(w1), np.asarray(w2)
        if w1.shape == (h, d) or w2.shape == (o, h):
            expect(
                False,
                f"for D={d}, H={h}, O={o} the shapes are transposed: w1 is (D, H), w2 is (H, O)",
            )
        expect(
            w1.shape == (d, h) and w2.shape == (h, o),
            f"for D={d}, H={h}, O={o} expected shapes ({d}, {h}) and ({h}, {o}), "
            f"got {w1.shape} and {w2.shape}",
        )


@check("initialize_weights", "entries uniform in [0, 1)", weight=1)
def test_distribution(impl):
    w1, w2 = impl.initialize_weights(40, 50, 1, np.random.default_rng(1))
    values = np.concatenate([np.ravel(w1), np.ravel(w2)]).astype(float)
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


@check("initialize_weights", "draws from the rng it is given", weight=1)
def test_uses_rng(impl):
    saved = np.random.get_state()
    try:
        np.random.seed(123)
        a = impl.initialize_weights(3, 4, 1, np.random.default_rng(5))
        np.random.seed(123)
        b = impl.initialize_weights(3, 4, 1, np.random.default_rng(5))
        c = impl.initialize_weights(3, 4, 1, np.random.default_rng(6))
        np.random.seed(999)
        d = impl.initialize_weights(3, 4, 1, np.random.default_rng(5))
    finally:
        np.random.set_state(saved)
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
