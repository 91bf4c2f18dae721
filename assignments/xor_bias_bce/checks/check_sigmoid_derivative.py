"""σ′ written through the activation, as in xor_mlp (the contract says the same function)."""

import numpy as np

from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT


def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


@ASSIGNMENT.check("sigmoid_derivative", "a·(1 − a) of an activated input, any shape", weight=2)
def test_values(impl):
    rng = np.random.default_rng(12)
    for shape in [(4, 3), (9,), (2, 5, 3)]:
        a = rng.uniform(0.01, 0.99, size=shape)
        out = np.asarray(impl.sigmoid_derivative(a))
        expect(
            out.shape == a.shape, f"for an input of shape {a.shape} it returned shape {out.shape}"
        )
        if close(out, _sigma(a) * (1 - _sigma(a))):
            expect(
                False,
                "it applies σ again: the argument is already the activation a = σ(h), "
                "so the derivative is a·(1 − a)",
            )
        expect(
            close(out, a * (1 - a)),
            f"on an input of shape {a.shape} the values differ from a·(1 − a) "
            f"by up to {np.max(np.abs(out - a * (1 - a))):.2g}",
        )


@ASSIGNMENT.check("sigmoid_derivative", "works on a plain number", weight=1)
def test_scalar(impl):
    for a in (0.5, 0.2, 0.0):
        out = impl.sigmoid_derivative(a)
        expect(np.size(out) == 1, f"sigmoid_derivative({a}) should be one number")
        expect(
            close(float(np.squeeze(out)), a * (1 - a)),
            f"sigmoid_derivative({a}) returned {float(np.squeeze(out)):.6g}, "
            "which is not a·(1 − a)",
        )
