import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import ARCHITECTURES, parameters, xor_data

MARGIN = 1e-9  # every ŷ of the threshold cases stays this far from 0.5


def _cases():
    """Networks whose outputs straddle 0.5: the output bias is shifted by the median of Z_L."""
    ref = ASSIGNMENT.reference()
    rng = np.random.default_rng(70)
    for i, sizes in enumerate(ARCHITECTURES):
        n = (4, 9, 20, 1, 6)[i]
        X = rng.uniform(-1, 1, size=(n, sizes[0]))
        params = parameters(rng, sizes)
        zs, _ = ref.forward_pass(X, params)
        W, b = params[-1]
        params[-1] = (W, b - np.median(zs[-1]) + rng.uniform(-0.3, 0.3))
        y_hat = ref.forward_pass(X, params)[1][-1]
        assert np.all(np.abs(y_hat - 0.5) > MARGIN)
        yield X, params, y_hat, sizes


@ASSIGNMENT.check("predict", "0/1 predictions, 1 where ŷ > 0.5, shape (N, O)", weight=2)
def test_threshold(impl):
    for X, params, y_hat, sizes in _cases():
        where = f"for N={len(X)}, layers {sizes}"
        want = (y_hat > 0.5).astype(int)
        got = np.asarray(call(impl, "predict", X, params, where=where))
        expect(
            got.shape == want.shape,
            f"{where} predict should return shape {want.shape}, got {got.shape}",
        )
        expect(
            np.all(np.isin(got, [0, 1])),
            f"{where} predict should return only 0s and 1s: threshold ŷ at 0.5",
        )
        if want.size > 1 and np.array_equal(got, 1 - want):
            expect(False, f"{where} every prediction is the wrong way round: 1 where ŷ > 0.5")
        expect(
            np.array_equal(got, want),
            f"{where} some predictions differ from 1 where ŷ > 0.5, else 0: run the forward "
            "pass through every layer of params and compare its last activation with 0.5",
        )


@ASSIGNMENT.check("predict", "ŷ = 0.5 exactly is not above 0.5: predicts 0", weight=1)
def test_half(impl):
    X, _ = xor_data()
    params = [(np.ones((2, 3)), np.zeros((1, 3))), (np.zeros((3, 1)), np.zeros((1, 1)))]
    got = np.asarray(call(impl, "predict", X, params, where="for W2 = 0 and b2 = 0"))
    expect(
        got.shape == (4, 1) and np.array_equal(got, np.zeros((4, 1))),
        "with W2 = 0 and b2 = 0, ŷ = σ(0) = 0.5 exactly for every sample, which is not above "
        f"0.5: predict 0 (got {np.ravel(got).tolist()}); use ŷ > 0.5, not ≥",
    )
