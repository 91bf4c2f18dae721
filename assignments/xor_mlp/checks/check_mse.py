import numpy as np

from autograder.checking.runner import expect

from .. import ASSIGNMENT


def _cases():
    rng = np.random.default_rng(40)
    for n in (4, 7, 16):
        yield rng.normal(size=(n, 1)), rng.integers(0, 2, size=(n, 1)).astype(float)


def _result(impl, y_hat, y):
    result = impl.mse(y_hat, y)
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "mse should return the pair (residual, error)",
    )
    if np.ndim(result[0]) == 0 and np.shape(result[1]) == np.shape(y):
        expect(False, "the pair is in the wrong order: return (residual, error)")
    return np.asarray(result[0]), result[1]


@ASSIGNMENT.check("mse", "residual = y_hat − y, shape (N, O)", weight=1)
def test_residual(impl):
    for y_hat, y in _cases():
        residual, _ = _result(impl, y_hat, y)
        expect(
            residual.shape == y.shape, f"residual should have shape {y.shape}, got {residual.shape}"
        )
        if np.allclose(residual, y - y_hat):
            expect(False, "residual has the wrong sign: it is y_hat − y")
        expect(np.allclose(residual, y_hat - y), "residual is not y_hat − y")


@ASSIGNMENT.check("mse", "error = mean of ½·residual² over the batch", weight=2)
def test_error(impl):
    for y_hat, y in _cases():
        n = len(y)
        want = float(np.mean(0.5 * (y_hat - y) ** 2))
        _, error = _result(impl, y_hat, y)
        try:
            got = float(np.squeeze(error))
        except (TypeError, ValueError):
            expect(False, f"error should be one number, got an array of shape {np.shape(error)}")
        hints = {
            2.0: "it is twice the expected value: is the factor ½ missing?",
            0.5: "it is half the expected value: is there an extra ½?",
            float(n): "it grows with the batch size: average over the N samples (mean, not sum)",
            1.0 / n: "it is divided by N once too often",
            2.0 * n: "it is a sum without the ½: use the mean of ½·residual²",
        }
        for ratio, hint in hints.items():
            if np.isclose(got, ratio * want, rtol=1e-9):
                expect(False, f"for N={n}: {hint}")
        expect(
            np.isclose(got, want, rtol=1e-9, atol=1e-12),
            f"for N={n} the error is {got:.4g}, which is not mean(½·residual²)",
        )


@ASSIGNMENT.check("mse", "error is a single number", weight=1)
def test_scalar(impl):
    y_hat, y = next(_cases())
    _, error = _result(impl, y_hat, y)
    expect(np.ndim(error) == 0, f"error should be a single number, got shape {np.shape(error)}")
