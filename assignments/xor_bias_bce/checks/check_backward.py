"""``backward`` against centred finite differences of the loss, for each of the
four parameters, on several shapes (N, D, H) and seeds.

The reference ``backward`` returns the gradient of the unclipped loss, which is
the gradient of the notebook's clipped one only where the clipping is inactive,
ŷ ∈ (ε, 1 − ε) with ε = 1e-12, that is |z2| < 27.6. Every case keeps ŷ inside
(0.001, 0.999), |z2| < 6.9 (``_cases`` refuses any other), so no probe of step
FD_STEP comes near the clip.
"""

from functools import cache

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close, expect_gradient, numerical_gradients
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import GRADIENT_CASES, case

NAMES = ("w1", "b1", "w2", "b2")
ORDER = "(dw1, db1, dw2, db2)"
INSIDE = 1e-3  # how far from 0 and 1 every ŷ of the cases stays

# What to look at when a gradient is wrong by more than a constant factor.
HINTS = {
    "w2": "check δ2 = (ŷ − y) / N at the output and dw2 = act_hiddenᵀ δ2",
    "b2": "db2 is δ2 = (ŷ − y) / N summed over the samples (axis 0, keepdims=True)",
    "w1": "check δ1 = (δ2 w2ᵀ) · a(1 − a), with σ′ = a·(1 − a), and dw1 = Xᵀ δ1",
    "b1": "db1 is δ1 = (δ2 w2ᵀ) · a(1 − a) summed over the samples (axis 0, keepdims=True)",
}


def _bias_shapes(name, n, units):
    """Shapes a bias gradient of shape (1, units) takes when summed wrongly, and why."""
    what = f"b{name[-1]}, shape (1, {units}), is added to every one of the N rows"
    wrong_axis = "it is summed over the units (axis 1) instead of the samples (axis 0)"
    hints = {(n,): wrong_axis, (n, 1): wrong_axis, (1, n): wrong_axis}
    # after the wrong-axis shapes: for b2, (N, 1) is δ2 itself, not summed at all
    hints[n, units] = (
        f"one row per sample: {what}, so its gradient sums over the batch, "
        "delta.sum(axis=0, keepdims=True)"
    )
    hints[units,] = "keep it 2-D like the bias: sum over axis 0 with keepdims=True"
    hints[()] = "it is one number: sum over the samples (axis 0) only, with keepdims=True"
    return hints


def _gradients(X, y_hat, act, w2, delta_out, hidden_factor):
    """(dw1, db1, dw2, db2) for an output error ``delta_out`` and a hidden factor."""
    dw2 = act.T @ delta_out
    db2 = delta_out.sum(axis=0, keepdims=True)
    delta_hidden = (delta_out @ w2.T) * hidden_factor
    return X.T @ delta_hidden, delta_hidden.sum(axis=0, keepdims=True), dw2, db2


def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


def _misconceptions(X, y, y_hat, act, w2):
    """The four gradients of common wrong derivations, with what is wrong in each."""
    n, prime = y.size, act * (1 - act)
    bce = (y_hat - y) / n
    return [
        (
            _gradients(X, y_hat, act, w2, (y_hat - y) * y_hat * (1 - y_hat) / n, prime),
            "this is the squared error's gradient, δ2 = (ŷ − y)·ŷ(1 − ŷ) / N: with the "
            "cross-entropy the ŷ(1 − ŷ) of the sigmoid cancels, δ2 = (ŷ − y) / N",
        ),
        (
            _gradients(X, y_hat, act, w2, bce, _sigma(act) * (1 - _sigma(act))),
            "σ is applied again: act_hidden is already a = σ(z1), so σ′ = a·(1 − a)",
        ),
        (
            _gradients(X, y_hat, act, w2, bce, _sigma(act)),
            "it multiplies by σ(a) instead of σ′ = a·(1 − a) (sigmoid_derivative)",
        ),
        (
            _gradients(X, y_hat, act, w2, bce, 1.0),
            "the hidden layer's σ′ = a·(1 − a) is missing from δ1",
        ),
    ]


@cache
def _cases():
    ref = ASSIGNMENT.reference()
    cases = []
    for seed, (n, d, h) in GRADIENT_CASES:
        X, y, params = case(seed, n, d, h)
        params = [p.copy() for p in params]
        act, y_hat = ref.forward_pass(X, *params)
        assert np.all((y_hat > INSIDE) & (y_hat < 1 - INSIDE)), (seed, n, d, h)

        def loss(X=X, y=y, params=params):
            return ref.binary_cross_entropy(ref.forward_pass(X, *params)[1], y)

        numeric = numerical_gradients(loss, params)
        wrong = _misconceptions(X, y, y_hat, act, params[2])
        cases.append(((n, d, h), (X, y, y_hat, act, params[2]), numeric, wrong))
    return tuple(cases)


def _returned(impl, args, n, d, h, numeric):
    result = call(
        impl,
        "backward",
        *args,
        where=f"for N={n}, D={d}, H={h}",
        hint="size every array from the arguments X, act_hidden and w2",
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 4,
        f"backward should return the four gradients {ORDER}",
    )
    grads = [np.asarray(g, dtype=float) for g in result]
    matches = [
        next((j for j, want in enumerate(numeric) if close(got, want)), None) for got in grads
    ]
    if sorted(m for m in matches if m is not None) == [0, 1, 2, 3] and matches != [0, 1, 2, 3]:
        expect(False, f"the four gradients are right but in the wrong order: return {ORDER}")
    return grads


def _gradient_check(index):
    name = NAMES[index]
    shape_name = ("(D, H)", "(1, H)", "(H, O)", "(1, O)")[index]

    def run(impl):
        for (n, d, h), args, numeric, wrong in _cases():
            got = _returned(impl, args, n, d, h, numeric)[index]
            hint = next((why for grads, why in wrong if close(got, grads[index])), HINTS[name])
            units = h if name == "b1" else 1
            expect_gradient(
                got,
                numeric[index],
                name=f"d{name}",
                parameter=name,
                shape_name=shape_name,
                where=f"for N={n}, D={d}, H={h}",
                n=n,
                hint=hint,
                others={f"d{other}": g.shape for other, g in zip(NAMES, numeric, strict=True)},
                order=ORDER,
                shape_hints=_bias_shapes(name, n, units) if name.startswith("b") else None,
            )

    return run


test_dw2 = ASSIGNMENT.check("backward", "dw2 matches finite differences", weight=2)(
    _gradient_check(2)
)
test_db2 = ASSIGNMENT.check(
    "backward", "db2 matches finite differences (summed over the batch)", weight=1
)(_gradient_check(3))
test_dw1 = ASSIGNMENT.check("backward", "dw1 matches finite differences", weight=2)(
    _gradient_check(0)
)
test_db1 = ASSIGNMENT.check(
    "backward", "db1 matches finite differences (summed over the batch)", weight=1
)(_gradient_check(1))


@ASSIGNMENT.check(
    "backward", "returns (dw1, db1, dw2, db2), each shaped like its parameter", weight=1
)
def test_shapes(impl):
    for (n, d, h), args, numeric, _ in _cases():
        got = _returned(impl, args, n, d, h, numeric)
        shapes = [g.shape for g in got]
        want = [g.shape for g in numeric]
        expect(
            shapes == want,
            f"for N={n}, D={d}, H={h} the gradients have shapes "
            f"{', '.join(map(str, shapes))}; {ORDER} must have the shapes of the parameters, "
            f"{', '.join(map(str, want))}",
        )
