"""``sgd_epoch`` by what the contract fixes, never by the reference's order of the
samples (``rng.permutation``, ``rng.shuffle`` or any other draw from ``rng`` is
the student's choice):

* with one batch (B ≥ N) an epoch is one full-batch step, whatever the order;
* every sample is used exactly once: with a tiny learning rate λ the epoch moves
  the parameters by λ times the sum of its batches' gradients, to first order,
  and with batches of equal size that sum is (N/B) times the full gradient,
  whatever the order. A sample skipped or used twice changes it by about 1/N;
* the order comes from ``rng``: the same seed gives the same epoch, another seed
  another one, and NumPy's global state plays no part;
* the arguments are left alone.
"""

import contextlib

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import case, read_only

NAMES = ("w1", "b1", "w2", "b2")
# λ of the first-order check. The second-order term of an epoch of three steps
# is about λ·‖Hessian‖·‖g‖ relative to the first: below 1e-5 on these cases, and
# rounding adds 1e-16/λ ≈ 1e-8. FIRST_ORDER_TOL sits far above both and far
# below the 1/N = 8 % a sample skipped or used twice costs.
TINY_RATE = 1e-6
FIRST_ORDER_TOL = 1e-3


@contextlib.contextmanager
def _global_seed(seed):
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def _epoch(impl, X, Y, params, rate, batch, seed):
    n = X.shape[0]
    result = call(
        impl,
        "sgd_epoch",
        X,
        Y,
        *params,
        rate,
        batch,
        np.random.default_rng(seed),
        where=f"for N={n}, batch_size={batch}",
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 4,
        "sgd_epoch should return the four parameters (w1, b1, w2, b2)",
    )
    return [np.asarray(p, dtype=float) for p in result]


def _full_gradient(X, Y, params):
    ref = ASSIGNMENT.reference()
    act, P = ref.forward_pass(X, *params)
    return ref.backward(X, Y, P, act, params[2])


@ASSIGNMENT.check("sgd_epoch", "with one batch, an epoch is one full-batch step", weight=1)
def test_full_batch(impl):
    for seed, (n, d, h, k), batch in [(70, (8, 3, 5, 4), 8), (71, (5, 4, 3, 3), 64)]:
        X, Y, params = case(seed, n, d, h, k)
        got = _epoch(impl, X, Y, params, 0.3, batch, seed=0)
        grads = _full_gradient(X, Y, params)
        for name, new, p, g in zip(NAMES, got, params, grads, strict=True):
            expect(new.shape == p.shape, f"the new {name} should keep the shape {p.shape}")
            if close(new, p + 0.3 * g):
                expect(False, "the step goes up the gradient: θ ← θ − λ·dθ")
            expect(
                close(new, p - 0.3 * g),
                f"for N={n} and batch_size={batch} (one batch) the epoch should be one step "
                f"θ ← θ − λ·dθ on the whole batch; {name} differs from it",
            )


@ASSIGNMENT.check("sgd_epoch", "uses every sample exactly once per epoch", weight=2)
def test_every_sample_once(impl):
    for seed, (n, d, h, k), batch in [
        (72, (12, 3, 4, 3), 4),
        (73, (12, 3, 4, 3), 3),
        (74, (12, 5, 2, 4), 6),
    ]:
        X, Y, params = case(seed, n, d, h, k)
        got = _epoch(impl, X, Y, params, TINY_RATE, batch, seed=1)
        grads = _full_gradient(X, Y, params)
        for name, new, p, g in zip(NAMES, got, params, grads, strict=True):
            moved = (p - new) / TINY_RATE
            want = (n / batch) * g
            error = np.max(np.abs(moved - want)) / np.max(np.abs(want))
            if error < FIRST_ORDER_TOL:
                continue
            hint = (
                "each batch's update is −λ times the gradient of that batch's mean loss, and "
                "every sample is in exactly one batch (a permutation of the N rows, cut into "
                "consecutive batches)"
            )
            if np.max(np.abs(moved - g)) / np.max(np.abs(g)) < FIRST_ORDER_TOL:
                hint = "the parameters moved by one step: is there one update per batch?"
            expect(
                False,
                f"for N={n} and batch_size={batch}, {name} did not move as {n // batch} updates "
                f"over batches holding every sample once would move it; {hint}",
            )
    # The last, smaller batch: with N identical samples each step sees the same gradient,
    # so an epoch of N=10 in batches of 4 takes ceil(10/4) = 3 steps, whatever the order.
    X, Y, params = case(75, 1, 3, 4, 3)
    X, Y = np.repeat(X, 10, axis=0), np.repeat(Y, 10, axis=0)
    got = _epoch(impl, X, Y, params, TINY_RATE, 4, seed=2)
    g = _full_gradient(X, Y, params)[0]
    steps = np.vdot(params[0] - got[0], g) / TINY_RATE / np.vdot(g, g)
    expect(
        abs(steps - 3) < 0.01,
        f"for N=10 and batch_size=4 an epoch has 3 batches (4, 4 and the last 2 samples), "
        f"but w1 moved as {steps:.2f} steps would: keep the last, smaller batch",
    )


@ASSIGNMENT.check("sgd_epoch", "shuffles with the rng it is given", weight=1)
def test_uses_rng(impl):
    X, Y, params = case(76, 10, 3, 4, 3)
    with _global_seed(1):
        a = _epoch(impl, X, Y, params, 0.5, 3, seed=5)
    with _global_seed(2):
        b = _epoch(impl, X, Y, params, 0.5, 3, seed=5)
    c = _epoch(impl, X, Y, params, 0.5, 3, seed=6)
    expect(
        all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)),
        "two generators with the same seed gave different epochs: shuffle with the `rng` "
        "argument (rng.permutation(N)), not with np.random",
    )
    expect(
        not all(np.allclose(x, z) for x, z in zip(a, c, strict=True)),
        "generators with different seeds gave the same epoch: draw a new order of the samples "
        "from `rng` at every epoch",
    )


@ASSIGNMENT.check("sgd_epoch", "leaves the arrays it is given unchanged", weight=1)
def test_read_only(impl):
    X, Y, params = case(77, 9, 3, 4, 3)
    frozen = read_only(X, Y, *params)
    call(
        impl,
        "sgd_epoch",
        *frozen,
        0.5,
        4,
        np.random.default_rng(3),
        where="for N=9, batch_size=4 and read-only arguments",
        hint="return new arrays, w1 = w1 - λ·dw1, and leave the caller's alone (not w1 -= λ·dw1)",
    )
