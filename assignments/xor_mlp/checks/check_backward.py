"""Checks shared by ``backward`` and ``backward_loops``: both return the same triple."""

from functools import cache

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import expect_gradient, numerical_gradient
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case

# What to look at when a gradient is wrong by more than a constant factor.
LAYER_HINTS = {
    ("backward", "w1"): "check the factor of the hidden-layer derivative σ′ = a·(1 − a) "
    "and the product with w2",
    ("backward", "w2"): "check the output-layer gradient act_hiddenᵀ (y_hat − y) / N",
    ("backward_loops", "w1"): "check that every sample k adds its term (+=), the indices "
    "X[k, i], w2[j] and a[k, j], and the factor σ′ = a·(1 − a)",
    ("backward_loops", "w2"): "check that every sample k adds residual[k]·a[k, j] / N to "
    "dL_dw2[j] (+=)",
}


@cache
def _cases():
    ref = ASSIGNMENT.reference()
    cases = []
    for i, (n, d, h) in enumerate(SHAPES):
        X, y, w1, w2 = case(50 + i, n, d, h)
        act, y_hat = ref.forward_pass(X, w1, w2)

        def loss(X=X, y=y, w1=w1, w2=w2):
            return ref.mse(ref.forward_pass(X, w1, w2)[1], y)[1]

        num_w1, num_w2 = numerical_gradient(loss, w1), numerical_gradient(loss, w2)
        cases.append(((n, d, h), (X, y, y_hat, act, w2), num_w1, num_w2))
    return tuple(cases)


def _triple(impl, function, args, n, d, h):
    result = call(
        impl,
        function,
        *args,
        where=f"for N={n}, D={d}, H={h}",
        hint="size every array and loop from the arguments X, act_hidden and w2",
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 3,
        f"{function} should return the triple (dL_dw1, dL_dw2, error)",
    )
    return result


def _gradient_check(function, which):
    index, name, shape_name = {
        "w1": (0, "dL_dw1", "(D, H)"),
        "w2": (1, "dL_dw2", "(H, O)"),
    }[which]

    def run(impl):
        for (n, d, h), args, num_w1, num_w2 in _cases():
            numeric, other = (num_w1, num_w2)[index], (num_w2, num_w1)[index]
            expect_gradient(
                _triple(impl, function, args, n, d, h)[index],
                numeric,
                name=name,
                parameter=which,
                shape_name=shape_name,
                where=f"for N={n}, D={d}, H={h}",
                n=n,
                hint=LAYER_HINTS[function, which],
                others={"the other gradient": other.shape},
                order="(dL_dw1, dL_dw2, error)",
            )

    return run


def _error_check(function):
    def run(impl):
        for (n, d, h), args, _, _ in _cases():
            _, y, y_hat = args[:3]
            want = float(np.mean(0.5 * (y_hat - y) ** 2))
            got = _triple(impl, function, args, n, d, h)[2]
            expect(np.size(got) == 1, f"the error returned by {function} should be one number")
            expect(
                np.isclose(float(np.squeeze(got)), want, rtol=1e-9),
                f"for N={n}, D={d}, H={h} the error returned by {function} is not the MSE "
                "of the batch: return mse(y_hat, y)'s error, the mean of ½·residual²",
            )

    return run


def register(function):
    """Register the gradient checks of ``function``; returns them for pytest."""
    return (
        ASSIGNMENT.check(function, "dL_dw2 matches finite differences", weight=2)(
            _gradient_check(function, "w2")
        ),
        ASSIGNMENT.check(function, "dL_dw1 matches finite differences", weight=3)(
            _gradient_check(function, "w1")
        ),
        ASSIGNMENT.check(function, "returns the error of the batch", weight=1)(
            _error_check(function)
        ),
    )


test_backward_dw2, test_backward_dw1, test_backward_error = register("backward")
test_loops_dw2, test_loops_dw1, test_loops_error = register("backward_loops")
