import numpy as np

from autograder import reference
from autograder.runner import check, expect


def _cases():
    """Networks whose outputs spread over (−0.4, 1.4), around the 0.5 threshold.

    Inside (−0.5, 1.5) thresholding at 0.5 and rounding agree, as the contract
    allows both. The outputs are centred on 0.5 by an extra hidden unit that is
    always on (input column 50, weight 1, so σ ≈ 1) with output weight 0.5.
    """
    ref = reference.load()
    rng = np.random.default_rng(70)
    for n, d, h in [(4, 2, 3), (9, 3, 5), (20, 2, 4)]:
        X = np.hstack([rng.uniform(size=(n, d)), np.full((n, 1), 50.0)])
        w1 = np.zeros((d + 1, h + 1))
        w1[:d, :h] = rng.normal(size=(d, h))
        w1[d, h] = 1.0
        w2 = rng.normal(size=(h, 1))
        w2 *= 0.9 / max(np.max(np.abs(ref.forward_pass(X[:, :d], w1[:d, :h], w2)[1])), 1e-9)
        yield X, w1, np.vstack([w2, [[0.5]]])


@check("predict", "0/1 predictions thresholded at 0.5, shape (N, O)", weight=2)
def test_threshold(impl):
    ref = reference.load()
    for X, w1, w2 in _cases():
        n, d = X.shape
        want = (ref.forward_pass(X, w1, w2)[1] > 0.5).astype(int)
        got = np.asarray(impl.predict(X, w1, w2))
        expect(
            got.shape == want.shape,
            f"for N={n} predict should return shape ({n}, 1), got {got.shape}",
        )
        values = np.unique(got)
        strays = values[~np.isin(values, [0, 1])]
        expect(
            strays.size == 0,
            "predict should return only 0s and 1s, got values like "
            f"{strays[0] if strays.size else ''}: threshold the network output at 0.5",
        )
        expect(
            np.array_equal(got, want),
            f"for N={n}, D={d} some predictions differ from thresholding the network output at 0.5",
        )


@check("predict", "uses the weights it is given", weight=1)
def test_uses_arguments(impl):
    ref = reference.load()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    for scale in (1.0, -1.0):
        w1 = np.full((2, 5), 0.3)
        w2 = np.full((5, 1), scale * 0.3)
        want = (ref.forward_pass(X, w1, w2)[1] > 0.5).astype(int)
        got = np.asarray(impl.predict(X, w1, w2))
        expect(
            got.shape == want.shape and np.array_equal(got, want),
            "predictions do not follow the weights passed in (H = 5 here): use the arguments, "
            "not variables of the notebook",
        )
