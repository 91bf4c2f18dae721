"""Numerical probes shared by every assignment's checks: tolerances, finite
differences over any tuple of parameters, and the comparison of a submitted
gradient with the numerical one (shape, order, a constant factor named)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checking.runner import expect

# Comparing a submission with the reference: both compute the same float64
# expression, possibly in another order (loops, einsum, a - a**2), which moves
# results by a few ulps; 1e-6 relative leaves that room and still catches any
# wrong factor or sign.
RTOL = 1e-6
ATOL = 1e-9

# Gradient checks follow the CS231n convention: centred differences with step
# 1e-5 in float64, compared by the relative error |a - n| / max(|a| + |n|, tiny).
# On the checks' cases the reference (vectorised or with loops) reaches at most
# 1.2e-8 (smallest gradient entry 1.2e-4, so the differences' noise stays far
# below it); every wrong gradient in the catalogue is off by more than 0.2.
# 1e-6 sits between, 80 times above the worst correct case.
FD_STEP = 1e-5
FD_REL_TOL = 1e-6


def relative_error(a, b) -> float:
    """Largest element-wise relative error between two arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a) + np.abs(b), 1e-12)
    return float(np.max(np.abs(a - b) / scale))


def close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def numerical_gradient(loss, w: np.ndarray, step: float = FD_STEP) -> np.ndarray:
    """Centred finite differences of ``loss()`` with respect to each entry of ``w``."""
    grad = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        saved = w[idx]
        w[idx] = saved + step
        up = loss()
        w[idx] = saved - step
        down = loss()
        w[idx] = saved
        grad[idx] = (up - down) / (2 * step)
    return grad


def numerical_gradients(loss: Callable[[], float], params: Sequence[np.ndarray]):
    """Centred finite differences of ``loss()`` with respect to each array of
    ``params`` (changed in place while probing, restored after)."""
    return tuple(numerical_gradient(loss, w) for w in params)


def factor_hint(got, numeric, n: int) -> str | None:
    """Name a constant factor between ``got`` and ``numeric`` if there is one:
    a flipped sign, N times too large or small, twice or half, or a fixed batch
    size k in place of N."""
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
    return None


def expect_gradient(
    got,
    numeric: np.ndarray,
    *,
    name: str,
    parameter: str,
    shape_name: str,
    where: str,
    n: int,
    hint: str,
    others: dict[str, tuple[int, ...]] | None = None,
    order: str = "",
    shape_hints: dict[tuple[int, ...], str] | None = None,
) -> None:
    """``got`` must be the gradient ``numeric`` of ``parameter`` (shape
    ``shape_name``): a shape named in ``shape_hints`` (shape -> what it means,
    such as a bias gradient not summed over the batch), a transposed result, the
    shape of another returned gradient (``others``: name -> shape, with ``order``
    the return order to state), a wrong shape and a relative error over
    ``FD_REL_TOL`` each fail with what to look at; a constant factor is named,
    else ``hint``."""
    got = np.asarray(got, dtype=float)
    for shape, meaning in (shape_hints or {}).items():
        if got.shape == tuple(shape) and got.shape != numeric.shape:
            expect(False, f"{where} {name} has shape {got.shape}: {meaning}")
    if got.shape == numeric.T.shape and got.shape != numeric.shape:
        expect(
            False,
            f"{name} has shape {got.shape}, transposed: it must have the shape of "
            f"{parameter}, {shape_name}",
        )
    for other, shape in (others or {}).items():
        if other != name and got.shape == tuple(shape) and got.shape != numeric.shape:
            expect(
                False,
                f"{name} has the shape of {other}: return {order or 'the gradients'} in this order",
            )
    expect(
        got.shape == numeric.shape,
        f"{where} {name} should have the shape of {parameter}, {numeric.shape}, got {got.shape}",
    )
    err = relative_error(got, numeric)
    expect(
        err < FD_REL_TOL,
        f"{where} {name} differs from the numerical gradient by a relative error of "
        f"{err:.2g}; {factor_hint(got, numeric, n) or hint}",
    )
