"""The inputs the checks of ``xor_mlp`` call the student's functions on."""

import numpy as np

# (N, D, H) shapes the checks use beside XOR's (4, 2, 3); O is 1 throughout.
SHAPES = ((4, 2, 3), (7, 3, 5), (1, 4, 2), (16, 5, 8))


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
