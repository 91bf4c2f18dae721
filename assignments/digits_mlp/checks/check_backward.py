"""``backward`` against centred finite differences of the mean cross-entropy, for
each of the four parameters, on several shapes (N, D, H, K) and seeds.

The reference's gradient is that of the unclipped loss; every case keeps the
probabilities of the true classes above 1e-3, far from the clip at 1e-12, so no
probe of step FD_STEP comes near it."""

from functools import cache

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close, expect_gradient, numerical_gradients
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case

NAMES = ("w1", "b1", "w2", "b2")
ORDER = "(dw1, db1, dw2, db2)"
SEEDS = (101, 102, 103, 104)  # one per shape of SHAPES

HINTS = {
    "w2": "check Δ2 = (P − Y) / N at the output and dw2 = act_hiddenᵀ Δ2",
    "b2": "db2 is Δ2 = (P − Y) / N summed over the samples (axis 0, keepdims=True)",
    "w1": "check Δ1 = (Δ2 w2ᵀ) · a(1 − a), with σ′ = a·(1 − a), and dw1 = Xᵀ Δ1",
    "b1": "db1 is Δ1 = (Δ2 w2ᵀ) · a(1 − a) summed over the samples (axis 0, keepdims=True)",
}


def _bias_shapes(name, n, units):
    """Shapes a bias gradient of shape (1, units) takes when summed wrongly, and why."""
    wrong_axis = "it is summed over the units (axis 1) instead of the samples (axis 0)"
    hints = {(n,): wrong_axis, (n, 1): wrong_axis, (1, n): wrong_axis}
    hints[n, units] = (
        f"one row per sample: {name}, shape (1, {units}), is added to every one of the N rows, "
        "so its gradient sums over the batch, delta.sum(axis=0, keepdims=True)"
    )
    hints[units,] = "keep it 2-D like the bias: sum over axis 0 with keepdims=True"
    hints[()] = "sum over the samples (axis 0) only, with keepdims=True"
    return hints


def _misconceptions(X, Y, P, act, w2):
    """Gradients of common wrong derivations, with what is wrong in each."""
    n = X.shape[0]

    def grads(delta_out, factor):
        delta_hidden = (delta_out @ w2.T) * factor
        return (
            X.T @ delta_hidden,
            delta_hidden.sum(axis=0, keepdims=True),
            act.T @ delta_out,
            delta_out.sum(axis=0, keepdims=True),
        )

    prime = act * (1 - act)
    return [
        (
            grads((P - Y) * P * (1 - P) / n, prime),
            "Δ2 = (P − Y)/N already includes the softmax: do not multiply by P(1 − P) again",
        ),
        (grads((P - Y) / n, 1.0), "the hidden layer's σ′ = a·(1 − a) is missing from Δ1"),
        (
            grads((P - Y) / n, 1 / (1 + np.exp(-act))),
            "it multiplies by σ(a) instead of σ′ = a·(1 − a)",
        ),
        (grads((Y - P) / n, prime), "the sign is flipped: Δ2 = (P − Y) / N"),
    ]


@cache
def _cases():
    ref = ASSIGNMENT.reference()
    cases = []
    for seed, (n, d, h, k) in zip(SEEDS, SHAPES, strict=True):
        X, Y, params = case(seed, n, d, h, k)
        params = [p.copy() for p in params]
        act, P = ref.forward_pass(X, *params)
        assert np.all(P[Y == 1] > 1e-3), (seed, n, d, h, k)

        def loss(X=X, Y=Y, params=params):
            return ref.cross_entropy(ref.forward_pass(X, *params)[1], Y)

        numeric = numerical_gradients(loss, params)
        cases.append(
            (
                (n, d, h, k),
                (X, Y, P, act, params[2]),
                numeric,
                _misconceptions(X, Y, P, act, params[2]),
            )
        )
    return tuple(cases)


def _returned(impl, args, where, numeric):
    result = call(
        impl,
        "backward",
        *args,
        where=where,
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
    shape_name = ("(D, H)", "(1, H)", "(H, K)", "(1, K)")[index]

    def run(impl):
        for (n, d, h, k), args, numeric, wrong in _cases():
            where = f"for N={n}, D={d}, H={h}, K={k}"
            got = _returned(impl, args, where, numeric)[index]
            hint = next((why for grads, why in wrong if close(got, grads[index])), HINTS[name])
            expect_gradient(
                got,
                numeric[index],
                name=f"d{name}",
                parameter=name,
                shape_name=shape_name,
                where=where,
                n=n,
                hint=hint,
                others={f"d{o}": g.shape for o, g in zip(NAMES, numeric, strict=True)},
                order=ORDER,
                shape_hints=_bias_shapes(name, n, h if name == "b1" else k)
                if name.startswith("b")
                else None,
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
    for (n, d, h, k), args, numeric, _ in _cases():
        where = f"for N={n}, D={d}, H={h}, K={k}"
        shapes = [g.shape for g in _returned(impl, args, where, numeric)]
        want = [g.shape for g in numeric]
        expect(
            shapes == want,
            f"{where} the gradients have shapes {', '.join(map(str, shapes))}; {ORDER} must "
            f"have the shapes of the parameters, {', '.join(map(str, want))}",
        )
