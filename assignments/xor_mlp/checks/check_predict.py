import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT


def _cases():
    """Networks whose outputs spread over [−0.4, 1.4], around the 0.5 threshold.

    Inside (−0.5, 1.5) thresholding at 0.5 and rounding agree, as the contract
    allows both; outside it rounding would give −1 or 2. A random network's
    outputs are mapped affinely onto [−0.4, 1.4]: the scale goes into w2, the
    shift into an extra hidden unit that is always on (input column 50 with
    weight 1, so σ(50) = 1.0 in float64).
    """
    ref = ASSIGNMENT.reference()
    rng = np.random.default_rng(70)
    for n, d, h in [(4, 2, 3), (9, 3, 5), (20, 2, 4)]:
        X = np.hstack([rng.uniform(size=(n, d)), np.full((n, 1), 50.0)])
        w1 = np.zeros((d + 1, h + 1))
        w1[:d, :h] = rng.normal(scale=3.0, size=(d, h))
        w1[d, h] = 1.0
        w2 = rng.normal(size=(h, 1))
        raw = ref.forward_pass(X[:, :d], w1[:d, :h], w2)[1]
        scale = 1.8 / (raw.max() - raw.min())
        shift = -0.4 - scale * raw.min()
        yield X, w1, np.vstack([scale * w2, [[shift]]])


@ASSIGNMENT.check("predict", "0/1 predictions thresholded at 0.5, shape (N, O)", weight=2)
def test_threshold(impl):
    ref = ASSIGNMENT.reference()
    for X, w1, w2 in _cases():
        n, d = X.shape  # d counts the always-on input column
        want = (ref.forward_pass(X, w1, w2)[1] > 0.5).astype(int)
        got = np.asarray(call(impl, "predict", X, w1, w2, where=f"for N={n}, D={d - 1}"))
        expect(
            got.shape == want.shape,
            f"for N={n} predict should return shape ({n}, 1), got {got.shape}",
        )
        values = np.unique(got)
        strays = values[~np.isin(values, [0, 1])]
        expect(
            strays.size == 0,
            f"predict should return only 0s and 1s, got {strays.size} other distinct "
            "value(s): threshold the network output at 0.5",
        )
        expect(
            np.array_equal(got, want),
            f"for N={n}, D={d - 1} some predictions differ from thresholding the network output "
            "at 0.5",
        )


@ASSIGNMENT.check("predict", "uses the weights it is given", weight=1)
def test_uses_arguments(impl):
    """Two networks with H = 5, no notebook variable's shape, whose outputs are
    all near −0.3 and all near 1.3: any thresholding of the outputs, right or
    wrong, tells them apart; a predict that ignores its weights does not."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    w1 = np.full((2, 5), 0.3)
    low, high = (
        np.asarray(call(impl, "predict", X, w1, np.full((5, 1), weight), where="for H = 5"))
        for weight in (-0.1, 0.42)
    )
    expect(
        not (low.shape == high.shape and np.array_equal(low, high)),
        "predictions do not change with the weights passed in (H = 5 here): compute the "
        "output from the arguments X, w1 and w2",
    )
