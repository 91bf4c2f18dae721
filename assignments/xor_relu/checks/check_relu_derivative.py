"""ReLU′ at the pre-activation, 1 where z > 0 and 0 where z < 0; at z = 0 the
contract's convention, 0, is a property of its own, worth one point."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT


def _derivative(impl, z, where):
    return np.asarray(call(impl, "relu_derivative", z, where=where), dtype=float)


@ASSIGNMENT.check("relu_derivative", "1 where z > 0 and 0 where z < 0, any shape", weight=2)
def test_values(impl):
    rng = np.random.default_rng(2)
    for shape in [(4, 3), (9,), (2, 5, 3)]:
        z = rng.normal(scale=2.0, size=shape)
        z[np.abs(z) < 1e-3] = 0.5  # away from the kink: both conventions agree here
        out = _derivative(impl, z, f"for an input of shape {shape}")
        expect(out.shape == z.shape, f"for an input of shape {shape} it returned {out.shape}")
        want = (z > 0).astype(float)
        if np.allclose(out, np.maximum(z, 0.0)):
            expect(False, "it returns ReLU(z) itself: the derivative is 1 where z > 0, else 0")
        if np.allclose(out, 1 - want):
            expect(False, "it is the wrong way round: 1 where z > 0 and 0 where z < 0")
        expect(
            np.array_equal(out, want),
            f"on an input of shape {shape} some values are not 1 where z > 0 and 0 where z < 0 "
            "(its argument is the pre-activation z)",
        )


@ASSIGNMENT.check("relu_derivative", "0 at z = 0, the notebook's convention", weight=1)
def test_convention(impl):
    out = _derivative(impl, np.array([[0.0, -0.0, 1.0]]), "for z = [[0, -0, 1]]")
    expect(
        out.shape == (1, 3) and np.array_equal(out, [[0.0, 0.0, 1.0]]),
        f"for z = [[0, -0, 1]] it returned {out.tolist()}: the notebook's convention is "
        "ReLU′(0) = 0, so use z > 0, not z >= 0",
    )


@ASSIGNMENT.check("relu_derivative", "works on a plain number", weight=1)
def test_scalar(impl):
    for z, want in ((3.0, 1.0), (-2.0, 0.0)):
        out = call(impl, "relu_derivative", z, where=f"for z = {z}")
        expect(np.size(out) == 1, f"relu_derivative({z}) should be one number")
        expect(
            float(np.squeeze(out)) == want,
            f"relu_derivative({z}) returned {float(np.squeeze(out)):.6g}, not {want:g}",
        )
