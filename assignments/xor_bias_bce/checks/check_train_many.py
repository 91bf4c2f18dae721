"""``train_many`` against the reference ``train`` run on each network alone.

No property asks how the K networks are computed (a loop over them is slow, not
wrong); each asks that network k ends where ``train`` takes it alone, epoch by
epoch, to the comparison tolerance of ``numerics`` (the reference is
bit-identical; implementations written otherwise differ by rounding, less than
1e-13 over these few epochs).
"""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import CheckFailed, expect

from .. import ASSIGNMENT
from ..cases import case, parameters, read_only, stacked, xor_data

NAMES = ("w1", "b1", "w2", "b2")
LEARNING_RATE = ASSIGNMENT.settings["LEARNING_RATE"]
HIDDEN = ASSIGNMENT.settings["HIDDEN"]

# (K, (N, D, H), λ, epochs, seed): XOR with the notebook's settings, then other
# shapes, with K networks drawn from consecutive seeds.
RUNS = (
    (3, (4, 2, HIDDEN), LEARNING_RATE, 30, 3),
    (4, (7, 3, 5), 0.3, 12, 80),
    (5, (1, 4, 2), 0.5, 10, 90),
    (3, (16, 5, 8), 0.1, 6, 100),
)


def _run_case(k, n, d, h, seed):
    if (n, d) == (4, 2):
        X, y = xor_data()
    else:
        X, y, _ = case(seed, n, d, h)
    networks = [parameters(np.random.default_rng(seed + j), d, h) for j in range(k)]
    return X, y, networks


def _run(impl, X, y, params, lr, epochs, where):
    result = call(impl, "train_many", X, y, *params, lr, epochs, where=where)
    expect(
        isinstance(result, tuple | list) and len(result) == 5,
        "train_many should return (w1, b1, w2, b2, losses)",
    )
    *trained, losses = result
    return [np.asarray(p, dtype=float) for p in trained], np.asarray(losses, dtype=float)


@ASSIGNMENT.check(
    "train_many", "parameters shaped as given, losses of shape (K, n_epochs)", weight=1
)
def test_shapes(impl):
    for k, (n, d, h), lr, epochs, seed in RUNS:
        X, y, networks = _run_case(k, n, d, h, seed)
        params = stacked(networks)
        where = f"for K={k}, N={n}, D={d}, H={h}"
        trained, losses = _run(impl, X, y, params, lr, epochs, where)
        for name, got, start in zip(NAMES, trained, params, strict=True):
            expect(
                got.shape == start.shape,
                f"{where} the trained {name} has shape {got.shape}, not {start.shape} as given"
                + (
                    ": the bias gradients sum over the samples, axis=1 of (K, N, H), "
                    "with keepdims=True"
                    if name.startswith("b") and got.ndim == 3 and got.shape[1] == n
                    else ""
                ),
            )
        if losses.shape == (epochs, k) and k != epochs:
            expect(False, f"{where} losses has shape {losses.shape}, transposed: (K, n_epochs)")
        if losses.shape == (epochs,):
            expect(
                False,
                f"{where} losses has shape {losses.shape}: one loss per network and epoch, "
                "(K, n_epochs); each network's loss is the mean over its own samples, "
                "axis=(1, 2)",
            )
        expect(
            losses.shape == (k, epochs),
            f"{where} losses should have shape (K, n_epochs) = ({k}, {epochs}), got {losses.shape}",
        )


def _why(losses, alone, k):
    """What a loss curve that left train's says, when a common slip explains it."""
    if losses.shape != alone.shape:
        return f"losses has shape {losses.shape}, not (K, n_epochs) = {alone.shape}"
    if k > 1 and np.allclose(losses, losses[:1]) and not np.allclose(alone, alone[:1]):
        return (
            "every network gets the same loss: average each network's loss over its own "
            "samples, axis=(1, 2), not over K"
        )
    if not np.allclose(losses[:, 0], alone[:, 0], rtol=1e-7):
        return "losses[:, 0] should be the losses of the initial parameters, before any update"
    return "use train's formulas, in the same order, with the network axis in front"


@ASSIGNMENT.check(
    "train_many",
    "network k follows train's trajectory, for K = 3 to 5 and several shapes",
    weight=2,
)
def test_matches_train(impl):
    ref = ASSIGNMENT.reference()
    for k, (n, d, h), lr, epochs, seed in RUNS:
        X, y, networks = _run_case(k, n, d, h, seed)
        where = f"for K={k}, N={n}, D={d}, H={h}, λ={lr:g}, {epochs} epochs"
        trained, losses = _run(impl, X, y, stacked(networks), lr, epochs, where)
        alone = [ref.train(X, y, *network, lr, epochs) for network in networks]
        want_losses = np.array([run[4] for run in alone])
        if losses.shape == want_losses.shape:
            off = np.argwhere(~np.isclose(losses, want_losses, rtol=1e-7))
            if off.size:
                j, epoch = off[0]
                expect(
                    False,
                    f"{where} network {j}'s loss at epoch {epoch} is {losses[j, epoch]:.6g}, "
                    f"where train gives it {want_losses[j, epoch]:.6g} alone; "
                    + _why(losses, want_losses, k),
                )
        expect(losses.shape == want_losses.shape, f"{where} {_why(losses, want_losses, k)}")
        for index, name in enumerate(NAMES):
            got = trained[index]
            want = np.stack([run[index] for run in alone])
            expect(
                got.shape == want.shape,
                f"{where} the trained {name} has shape {got.shape}, not {want.shape}",
            )
            for j in range(k):
                expect(
                    close(got[j], want[j]),
                    f"{where} the losses are right but network {j}'s {name} is not the {name} "
                    "train gives it alone: return the trained parameters, stacked as given",
                )


@ASSIGNMENT.check("train_many", "does not modify the arrays it is given", weight=1)
def test_arguments_untouched(impl):
    """The arguments are read-only: an update in place (w1 -= …) raises."""
    k, (n, d, h), lr, _, seed = RUNS[1]
    X, y, networks = _run_case(k, n, d, h, seed)
    try:
        X, y, *params = read_only(X, y, *stacked(networks))
        _run(impl, X, y, params, lr, 3, f"for K={k}, N={n}")
    except CheckFailed as exc:
        if "read-only" not in str(exc):
            raise
        expect(
            False,
            "train_many writes into the arrays it is given (they were read-only here): "
            "write w1 = w1 − λ·dw1, which makes a new array, not w1 -= λ·dw1",
        )
