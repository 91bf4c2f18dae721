"""The inputs the checks of ``xor_bias_bce`` call the student's functions on."""

import numpy as np

# (N, D, H) shapes the checks use beside XOR's (4, 2, 3); O is 1 throughout.
# No two axes of a case have the same length, except N = 1, where a bias
# gradient summed over the batch and one that is not coincide (the other
# shapes tell them apart).
SHAPES = ((4, 2, 3), (7, 3, 5), (1, 4, 2), (16, 5, 8))

# (seed, (N, D, H)) of the finite-difference checks of backward. The seeds are
# chosen so that every gradient entry is large enough for centred differences
# to measure it well: on these cases the reference's gradients differ from the
# numerical ones by a relative error of at most 2.1e-9, almost 500 times below
# FD_REL_TOL (1e-6); every wrong gradient of the catalogue is off by more than 0.2.
GRADIENT_CASES = (
    (101, (4, 2, 3)),
    (106, (7, 3, 5)),
    (100, (1, 4, 2)),
    (111, (16, 5, 8)),
    (104, (5, 3, 4)),
    (107, (9, 4, 6)),
)


def parameters(rng, d: int, h: int, scale: float = 1.0):
    """(w1, b1, w2, b2) of a D-H-1 network, entries normal with sd ``scale``."""
    return (
        rng.normal(scale=scale, size=(d, h)),
        rng.normal(scale=scale, size=(1, h)),
        rng.normal(scale=scale, size=(h, 1)),
        rng.normal(scale=scale, size=(1, 1)),
    )


def case(seed: int, n: int, d: int, h: int):
    """Random inputs, 0/1 targets and parameters for one (N, D, H) case, in float64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    return X, y, parameters(rng, d, h)


def xor_data():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    return X, y


def stacked(networks):
    """K networks' (w1, b1, w2, b2) stacked along a leading axis: (K, D, H), ..."""
    return tuple(np.stack(arrays) for arrays in zip(*networks, strict=True))


def read_only(*arrays):
    """Read-only copies: a function that writes into one raises ``ValueError``."""
    frozen = []
    for array in arrays:
        copy = np.array(array, dtype=float)
        copy.flags.writeable = False
        frozen.append(copy)
    return tuple(frozen)
