import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT


@ASSIGNMENT.check("mse", "mean((ŷ − y)²) over all elements, one number", weight=2)
def test_value(impl):
    rng = np.random.default_rng(5)
    for n in (4, 7, 1, 16):
        y_hat = rng.uniform(0.01, 0.99, size=(n, 1))
        y = rng.integers(0, 2, size=(n, 1)).astype(float)
        out = call(impl, "mse", y_hat, y, where=f"for N={n}")
        expect(
            np.size(out) == 1, f"for N={n} mse should return one number, got shape {np.shape(out)}"
        )
        got, want = float(np.squeeze(out)), float(np.mean((y_hat - y) ** 2))
        for wrong, why in [
            (want / 2, "it has a factor ½: this notebook's loss is the plain mean of the squares"),
            (want * n, "it is the sum of the squares: divide by N (np.mean)"),
            (float(np.mean(np.abs(y_hat - y))), "it is the mean absolute error: square"),
        ]:
            if n > 1 and np.isclose(got, wrong, rtol=1e-9) and not np.isclose(got, want):
                expect(False, f"for N={n} {why}")
        expect(
            np.isclose(got, want, rtol=1e-9, atol=1e-15),
            f"for N={n} mse returned {got:.6g}, not the mean of (ŷ − y)², {want:.6g}",
        )


@ASSIGNMENT.check("mse", "0 for a perfect fit, the same for a wrong sign of the residual", weight=1)
def test_properties(impl):
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    expect(float(np.squeeze(call(impl, "mse", y, y))) == 0.0, "mse(y, y) should be 0")
    above, below = y + 0.25, y - 0.25
    a, b = (float(np.squeeze(call(impl, "mse", v, y))) for v in (above, below))
    expect(
        np.isclose(a, 0.0625) and np.isclose(b, 0.0625),
        f"ŷ = y + 0.25 and ŷ = y − 0.25 should both give 0.0625, got {a:.6g} and {b:.6g}",
    )
