"""Checks shared by ``backward`` and ``backward_loops``: both return the same triple."""

from functools import cache

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import FD_REL_TOL, numerical_gradient, relative_error
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


def _hint(got, numeric, n, layer_hint):
    """Name a constant factor between ``got`` and ``numeric`` if there is one."""
    for factor, hint in [
        (-1.0, "the sign is flipped"),
        (float(n), "it is N times too large: divide by N"),
        (1.0 / n, "it is N times too small: divide by N only once"),
        (2.0, "it is twice too large"),
        (0.5, "it is half the right size"),
    ]:
        if np.allclose(got, factor * numeric, rtol=1e-5, atol=1e-12):
            return hint
    # A fixed divisor k instead of N (k = 4, the XOR batch, say) scales by N / k.
    scale = float(np.vdot(got, numeric) / max(np.vdot(numeric, numeric), 1e-300))
    if scale > 0 and np.allclose(got, scale * numeric, rtol=1e-5, atol=1e-12):
        k = n / scale
        if abs(k - round(k)) < 1e-6 and round(k) != n:
            return f"it is divided by {round(k)} instead of the batch size N = X.shape[0] = {n}"
    return layer_hint


def _gradient_check(function, which):
    index, name, shape_name = {
        "w1": (0, "dL_dw1", "(D, H)"),
        "w2": (1, "dL_dw2", "(H, O)"),
    }[which]
    layer_hint = LAYER_HINTS[function, which]

    def run(impl):
        for (n, d, h), args, num_w1, num_w2 in _cases():
            numeric = (num_w1, num_w2)[index]
            got = np.asarray(_triple(impl, function, args, n, d, h)[index], dtype=float)
            if got.shape == numeric.T.shape and got.shape != numeric.shape:
                expect(
                    False,
                    f"{name} has shape {got.shape}, transposed: it must have the shape "
                    f"of {which}, {shape_name}",
                )
            other = (num_w2, num_w1)[index]
            if got.shape == other.shape and got.shape != numeric.shape:
                expect(
                    False,
                    f"{name} has the shape of the other gradient: return "
                    "(dL_dw1, dL_dw2, error) in this order",
                )
            expect(
                got.shape == numeric.shape,
                f"for N={n}, D={d}, H={h} {name} should have the shape of {which}, "
                f"{numeric.shape}, got {got.shape}",
            )
            err = relative_error(got, numeric)
            expect(
                err < FD_REL_TOL,
                f"for N={n}, D={d}, H={h} {name} differs from the numerical gradient by a relative "
                f"error of {err:.2g}; {_hint(got, numeric, n, layer_hint)}",
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
