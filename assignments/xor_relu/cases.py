"""The inputs the checks of ``xor_relu`` call the student's functions on."""

import itertools

import numpy as np

# Layer sizes [n_0, ..., n_L] the checks use beside XOR's [2, 10, 1]: depths 1
# to 4, no two consecutive layers of the same width (a transposed W shows), O = 1.
ARCHITECTURES = ([2, 10, 1], [3, 5, 1], [4, 6, 3, 1], [3, 7, 2, 5, 1], [5, 1])

# Away from ReLU's kink: every hidden pre-activation of a finite-difference case
# is at least KINK_MARGIN from 0, a hundred times the step FD_STEP = 1e-5, so no
# probe crosses a kink and the difference quotient is the derivative there,
# whatever the convention at 0. ``kink_free_case`` redraws until that holds.
KINK_MARGIN = 1e-3


def parameters(rng, sizes, bias_scale=0.5):
    """He-scaled weights and normal biases (sd ``bias_scale``) for ``sizes``."""
    return [
        (
            rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)),
            rng.normal(0.0, bias_scale, size=(1, b)),
        )
        for a, b in itertools.pairwise(sizes)
    ]


def pre_activations(X, params):
    """The pre-activations Z_1 ... Z_L of a ReLU network with a sigmoid output."""
    zs, a = [], X
    for W, b in params:
        zs.append(a @ W + b)
        a = np.maximum(zs[-1], 0.0)
    return zs


def case(seed, n, sizes):
    """Random inputs (N, n_0), 0/1 targets (N, 1) and parameters, in float64."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
    return X, y, parameters(rng, sizes)


def kink_free_case(seed, n, sizes, margin=KINK_MARGIN):
    """``case`` for seeds seed, seed + 1000, ... until every hidden pre-activation
    is at least ``margin`` away from 0 and ŷ stays inside (0.01, 0.99)."""
    for attempt in range(1000):
        X, y, params = case(seed + 1000 * attempt, n, sizes)
        zs = pre_activations(X, params)
        hidden_ok = all(np.min(np.abs(z)) > margin for z in zs[:-1])
        if hidden_ok and np.max(np.abs(zs[-1])) < 4.5:
            return X, y, params
    raise RuntimeError(f"no kink-free case for seed {seed}, N={n}, layers {sizes}")


def xor_data():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    return X, y


def read_only(params):
    """Read-only copies of a list of (W, b): writing into one raises ``ValueError``."""
    frozen = []
    for W, b in params:
        W, b = np.array(W, dtype=float), np.array(b, dtype=float)
        W.flags.writeable = b.flags.writeable = False
        frozen.append((W, b))
    return frozen


def shapes(params):
    return [(tuple(np.shape(W)), tuple(np.shape(b))) for W, b in params]
