"""Numerical helpers shared by the checks: cases, tolerances, finite differences."""

import numpy as np

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

# (N, D, H) shapes the checks use beside XOR's (4, 2, 3); O is 1 throughout.
SHAPES = ((4, 2, 3), (7, 3, 5), (1, 4, 2), (16, 5, 8))


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


def case(seed: int, n: int, d: int, h: int):
    """Random inputs, targets and weights for one (N, D, H) case, in float64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    w1 = rng.normal(size=(d, h))
    w2 = rng.normal(size=(h, 1))
    return X, y, w1, w2


def xor_data():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    return X, y
