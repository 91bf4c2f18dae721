import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import parameters, xor_data

# ŷ = σ(z) lies in [0, 1], where rounding (np.round, half to even) and the
# threshold ŷ > 0.5 agree everywhere, 0.5 itself included: both are accepted.
# Other roundings differ only at ŷ = 0.5 exactly (floor(ŷ + 0.5), ŷ >= 0.5),
# which the last property tests alone; the threshold property keeps every ŷ at
# least MARGIN away from 0.5, where no two ways of computing σ disagree.
MARGIN = 1e-9


def _cases():
    """Networks whose outputs straddle 0.5: b2 is shifted by the median of z2."""
    ref = ASSIGNMENT.reference()
    rng = np.random.default_rng(70)
    for n, d, h in [(4, 2, 3), (9, 3, 5), (20, 2, 4), (1, 3, 2)]:
        X = rng.uniform(-1, 1, size=(n, d))
        w1, b1, w2, b2 = parameters(rng, d, h, scale=2.0)
        act = ref.forward_pass(X, w1, b1, w2, b2)[0]
        b2 = b2 - np.median(act @ w2 + b2) + rng.uniform(-0.3, 0.3)
        y_hat = ref.forward_pass(X, w1, b1, w2, b2)[1]
        assert np.all(np.abs(y_hat - 0.5) > MARGIN)
        yield X, (w1, b1, w2, b2), y_hat


def _predict(impl, X, params, where):
    return np.asarray(call(impl, "predict", X, *params, where=where))


@ASSIGNMENT.check("predict", "0/1 predictions, 1 where ŷ > 0.5, shape (N, O)", weight=2)
def test_threshold(impl):
    for X, params, y_hat in _cases():
        n, d = X.shape
        where = f"for N={n}, D={d}, H={params[0].shape[1]}"
        want = (y_hat > 0.5).astype(int)
        got = _predict(impl, X, params, where)
        expect(
            got.shape == want.shape,
            f"{where} predict should return shape (N, O) = ({n}, 1), got {got.shape}",
        )
        values = np.unique(got)
        strays = values[~np.isin(values, [0, 1])]
        expect(
            strays.size == 0,
            f"{where} predict should return only 0s and 1s, got {strays.size} other distinct "
            "value(s): threshold the probability ŷ at 0.5",
        )
        if np.array_equal(got, 1 - want):
            expect(False, f"{where} every prediction is the wrong way round: 1 where ŷ > 0.5")
        expect(
            np.array_equal(got, want),
            f"{where} some predictions differ from 1 where ŷ > 0.5, else 0 (ŷ = σ(act_hidden "
            "w2 + b2) is already a probability: compare it with 0.5)",
        )


@ASSIGNMENT.check("predict", "ŷ = 0.5 exactly is not above 0.5: predicts 0", weight=1)
def test_half(impl):
    X, _ = xor_data()
    params = (np.ones((2, 3)), np.zeros((1, 3)), np.zeros((3, 1)), np.zeros((1, 1)))
    got = _predict(impl, X, params, "for w2 = 0 and b2 = 0")
    expect(
        got.shape == (4, 1) and np.array_equal(got, np.zeros((4, 1))),
        "with w2 = 0 and b2 = 0, ŷ = σ(0) = 0.5 exactly for every sample, which is not above "
        f"0.5: predict 0 (got {np.ravel(got).tolist()}); use ŷ > 0.5, not ≥",
    )


@ASSIGNMENT.check("predict", "uses the parameters it is given, biases included", weight=1)
def test_uses_arguments(impl):
    """Pairs of networks with H = 5 (no notebook variable's shape) that differ in
    one bias only, one with ŷ far below 0.5 for every sample, the other far above."""
    ref = ASSIGNMENT.reference()
    X, _ = xor_data()
    w1, w2 = np.full((2, 5), 0.3), np.full((5, 1), 0.1)
    zeros, low_b2 = np.zeros((1, 5)), np.array([[-0.3]])
    for name, low, high in [
        ("b2", (zeros, np.array([[-4.0]])), (zeros, np.array([[4.0]]))),
        ("b1", (np.full((1, 5), -9.0), low_b2), (np.full((1, 5), 9.0), low_b2)),
    ]:
        outputs = [ref.forward_pass(X, w1, b1, w2, b2)[1] for b1, b2 in (low, high)]
        a, b = (_predict(impl, X, (w1, b1, w2, b2), "for H = 5") for b1, b2 in (low, high))
        expect(
            not (a.shape == b.shape and np.array_equal(a, b)),
            f"predictions do not change with {name} (H = 5 here), although ŷ is about "
            f"{outputs[0].mean():.2f} for every sample of one network and "
            f"{outputs[1].mean():.2f} for the other: compute ŷ from the arguments X, w1, "
            "b1, w2 and b2 and threshold it at 0.5",
        )
