"""The inputs the checks of ``digits_mlp`` call the student's functions on, and
the digits themselves, loaded once per grading process."""

from functools import cache

import numpy as np

from . import ASSIGNMENT

# (N, D, H, K) shapes of the checks beside the digits' (N, 64, 32, 10). No two
# axes of a case have the same length (a transposed or mis-summed result has the
# wrong shape), except N = 1, where a sum over the batch is the sample itself.
SHAPES = ((5, 4, 6, 3), (9, 7, 3, 10), (1, 3, 4, 2), (16, 8, 5, 4))


def network(rng, d: int, h: int, k: int, scale: float = 1.0):
    """(w1, b1, w2, b2) of a D-H-K network, every entry normal with sd ``scale``
    (biases too: the checks want every term of the gradients non-zero)."""
    return (
        rng.normal(scale=scale, size=(d, h)),
        rng.normal(scale=scale, size=(1, h)),
        rng.normal(scale=scale, size=(h, k)),
        rng.normal(scale=scale, size=(1, k)),
    )


def case(seed: int, n: int, d: int, h: int, k: int):
    """Inputs, one-hot targets and parameters of one (N, D, H, K) case, in float64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    labels = rng.integers(0, k, size=n)
    return X, np.eye(k)[labels], network(rng, d, h, k)


def read_only(*arrays):
    """Read-only copies: a function that writes into one raises ``ValueError``."""
    frozen = []
    for array in arrays:
        copy = np.array(array, dtype=float)
        copy.flags.writeable = False
        frozen.append(copy)
    return tuple(frozen)


@cache
def digits():
    """The notebook's split of the digits: (X_train, Y_train, X_test, Y_test, labels_test),
    pixels scaled to [0, 1], one-hot targets. Loaded once per process: scikit-learn
    reads its bundled copy, no download."""
    from sklearn.datasets import load_digits

    data = load_digits()
    X_all = data.data / 16.0  # (1797, 64)
    labels = data.target  # (1797,)
    settings = ASSIGNMENT.settings
    order = np.random.default_rng(settings["SEED"]).permutation(len(X_all))
    n_test = round(settings["TEST_FRACTION"] * len(X_all))
    test, train = order[:n_test], order[n_test:]
    k = settings["N_CLASSES"]
    arrays = (X_all[train], np.eye(k)[labels[train]], X_all[test], np.eye(k)[labels[test]])
    for array in arrays:
        array.flags.writeable = False
    return arrays
