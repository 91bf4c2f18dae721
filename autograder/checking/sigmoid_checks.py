"""Checks of the sigmoid and its derivative, for every assignment whose contract
has them with xor_mlp's meaning: ``sigmoid(x)`` is 1/(1+e^(−x)) element-wise on any
shape, and ``sigmoid_derivative(a)`` is a·(1 − a) for an already activated a.

An assignment's ``checks/check_sigmoid.py`` registers them on its own contract::

    test_values, test_scalar, test_extremes = sigmoid_checks.sigmoid(ASSIGNMENT)

(bound to names of the module, so that ``pytest assignments`` collects them too).
"""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

ARRAY_HINT = "sigmoid must work element-wise on NumPy arrays of any shape: use np.exp, not math.exp"
LIMIT_HINT = (
    "use np.exp: it works on arrays and, where it overflows to inf, 1 / (1 + inf) = 0 "
    "is the right limit (math.exp raises instead)"
)


def _truth(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid(assignment):
    """Register the sigmoid's properties on ``assignment``; the check functions."""

    @assignment.check("sigmoid", "values on arrays of several shapes", weight=2)
    def test_values(impl):
        rng = np.random.default_rng(11)
        for shape in [(4, 3), (7,), (2, 3, 4), (16, 1)]:
            x = rng.normal(scale=4.0, size=shape)
            out = np.asarray(
                call(impl, "sigmoid", x, where=f"on an array of shape {shape}", hint=ARRAY_HINT)
            )
            expect(
                out.shape == x.shape,
                f"for an input of shape {x.shape} sigmoid returned shape {out.shape}; "
                "it must work element-wise and keep the shape",
            )
            if close(out, _truth(-x)):
                expect(False, "the values are σ(−x): check the sign of the exponent")
            if close(out, 1.0 - _truth(x)) or close(out, np.exp(-x)):
                expect(False, "the values are not 1 / (1 + e^(−x)): check the formula")
            expect(
                close(out, _truth(x)),
                f"on an input of shape {x.shape} the values differ from 1 / (1 + e^(−x)) "
                f"by up to {np.max(np.abs(out - _truth(x))):.2g}",
            )

    @assignment.check("sigmoid", "works on a plain number", weight=1)
    def test_scalar(impl):
        for x in (0.0, -1.5, 3.0):
            out = call(impl, "sigmoid", x, where=f"for the number {x}")
            expect(
                np.size(out) == 1,
                f"sigmoid({x}) should be a single number, got shape {np.shape(out)}",
            )
            expect(
                close(float(np.squeeze(out)), _truth(x)),
                f"sigmoid({x}) returned {float(np.squeeze(out)):.6g}, "
                "which is not 1 / (1 + e^(−x))",
            )

    @assignment.check("sigmoid", "stays finite and correct for large |x|", weight=1)
    def test_extremes(impl):
        x = np.array([-1000.0, -60.0, 0.0, 60.0, 1000.0])
        out = call(impl, "sigmoid", x, where="for x = ±1000", hint=LIMIT_HINT)
        out = np.asarray(out, dtype=float)
        expect(out.shape == x.shape, f"for shape {x.shape} sigmoid returned shape {out.shape}")
        bad = [f"{v:g}" for v, o in zip(x, out, strict=True) if not np.isfinite(o)]
        expect(
            not bad, f"sigmoid returned nan or inf for x = {', '.join(bad)}; the limits are 0 and 1"
        )
        off = [(v, o) for v, o, t in zip(x, out, _truth(x), strict=True) if abs(o - t) > 1e-12]
        # Right side of 0.5 but not saturated: x was clipped (or σ approximated).
        early = all((o < 0.5) == (v < 0) for v, o in off)
        expect(
            not off,
            "; ".join(f"sigmoid({v:g}) returned {o:.6g}" for v, o in off[:2])
            + "; for large |x| it should be (almost exactly) 0 for x < 0 and 1 for x > 0"
            + (": do not clip x" if early else ""),
        )

    return test_values, test_scalar, test_extremes


def sigmoid_derivative(assignment):
    """Register σ′'s properties (through the activation) on ``assignment``; the
    check functions."""

    @assignment.check("sigmoid_derivative", "a·(1 − a) of an activated input, any shape", weight=2)
    def test_values(impl):
        rng = np.random.default_rng(12)
        for shape in [(4, 3), (9,), (2, 5, 3)]:
            a = rng.uniform(0.01, 0.99, size=shape)
            out = np.asarray(impl.sigmoid_derivative(a))
            expect(
                out.shape == a.shape,
                f"for an input of shape {a.shape} it returned shape {out.shape}",
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

    @assignment.check("sigmoid_derivative", "works on a plain number", weight=1)
    def test_scalar(impl):
        for a in (0.5, 0.2, 0.0):
            out = impl.sigmoid_derivative(a)
            expect(np.size(out) == 1, f"sigmoid_derivative({a}) should be one number")
            expect(
                close(float(np.squeeze(out)), a * (1 - a)),
                f"sigmoid_derivative({a}) returned {float(np.squeeze(out)):.6g}, "
                "which is not a·(1 − a)",
            )

    return test_values, test_scalar
