import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import CheckFailed, expect

from .. import ASSIGNMENT


@ASSIGNMENT.check("relu", "max(0, z) element-wise, any shape", weight=2)
def test_values(impl):
    rng = np.random.default_rng(1)
    for shape in [(4, 3), (9,), (2, 5, 3)]:
        z = rng.normal(scale=3.0, size=shape)
        z.flat[0] = 0.0
        out = np.asarray(call(impl, "relu", z, where=f"for an input of shape {shape}"), dtype=float)
        expect(out.shape == z.shape, f"for an input of shape {shape} relu returned {out.shape}")
        if close(out, np.abs(z)):
            expect(False, "it returns |z|: negative inputs give 0, not their absolute value")
        if close(out, np.minimum(z, 0.0)):
            expect(False, "it keeps the negative entries: ReLU(z) = max(0, z)")
        expect(
            close(out, np.maximum(z, 0.0)),
            f"on an input of shape {shape} the values differ from max(0, z) by up to "
            f"{np.max(np.abs(out - np.maximum(z, 0.0))):.2g}",
        )


@ASSIGNMENT.check("relu", "works on a plain number", weight=1)
def test_scalar(impl):
    for z in (2.5, -1.0, 0.0):
        out = call(impl, "relu", z, where=f"for z = {z}")
        expect(np.size(out) == 1, f"relu({z}) should be one number")
        expect(
            float(np.squeeze(out)) == max(z, 0.0),
            f"relu({z}) returned {float(np.squeeze(out)):.6g}, not max(0, {z})",
        )


@ASSIGNMENT.check("relu", "does not modify its argument", weight=1)
def test_argument_untouched(impl):
    z = np.array([[-2.0, 1.0], [3.0, -0.5]])
    z.flags.writeable = False
    try:
        call(impl, "relu", z, where="for a read-only input")
    except CheckFailed as exc:
        if "read-only" not in str(exc):
            raise
        expect(
            False,
            "relu writes into the array it is given (it was read-only here): return a new "
            "array, np.maximum(z, 0), instead of setting z[z < 0] = 0",
        )
