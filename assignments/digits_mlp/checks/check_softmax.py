"""``softmax`` by its values on several shapes, its rows, its stability on logits
of ±1000 and its invariance to a shift of a row."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT

# (N, K) shapes, none square, so that a softmax over the wrong axis has rows
# that do not sum to 1 and values that differ
SHAPES = ((4, 3), (1, 10), (7, 2), (3, 5))


def _logits(seed, n, k, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, k))


def _softmax(impl, Z, where):
    P = call(impl, "softmax", Z, where=where)
    return np.asarray(P, dtype=float)


@ASSIGNMENT.check("softmax", "matches the row-wise softmax on several shapes", weight=2)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for seed, (n, k) in enumerate(SHAPES):
        Z = _logits(seed, n, k)
        got, want = _softmax(impl, Z, f"for Z of shape ({n}, {k})"), ref.softmax(Z)
        expect(got.shape == want.shape, f"for Z of shape ({n}, {k}) softmax returned {got.shape}")
        if not close(got, want) and close(got, np.exp(Z) / np.exp(Z).sum(axis=0)):
            expect(False, "the softmax is taken over the columns (axis 0): each row is a sample")
        if not close(got, want) and close(got, np.exp(Z) / np.exp(Z).sum()):
            expect(False, "it divides by the sum over the whole batch: normalise each row alone")
        expect(
            close(got, want),
            f"for Z of shape ({n}, {k}) softmax differs from exp(z_k) / Σ_j exp(z_j) row by row",
        )


@ASSIGNMENT.check("softmax", "every row is positive and sums to 1", weight=1)
def test_rows(impl):
    for seed, (n, k) in enumerate(SHAPES):
        P = _softmax(impl, _logits(seed + 10, n, k), f"for Z of shape ({n}, {k})")
        expect(P.shape == (n, k), f"for Z of shape ({n}, {k}) softmax returned shape {P.shape}")
        expect(bool(np.all(P > 0)), "every probability of a softmax is positive")
        sums = P.sum(axis=1)
        expect(
            np.allclose(sums, 1.0, rtol=1e-9, atol=1e-12),
            f"for Z of shape ({n}, {k}) the rows sum to {np.round(sums, 4)}, not 1: "
            "divide each row by its own sum (axis=1, keepdims=True)",
        )


@ASSIGNMENT.check("softmax", "finite and exact on logits of ±1000", weight=1)
def test_stable(impl):
    ref = ASSIGNMENT.reference()
    Z = np.array(
        [[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [800.0, 800.0, 0.0], [0.0, 1.0, 2.0]]
    )
    P = _softmax(impl, Z, "for logits of ±1000")
    expect(
        bool(np.all(np.isfinite(P))),
        "on logits such as [1000, 0, -1000] or [-1000, -1000, -999] the softmax gives inf "
        "or nan: subtract each row's maximum (axis=1, keepdims=True) before exp, so that exp "
        "never overflows and the "
        "largest term of every row is exp(0) = 1",
    )
    expect(
        close(P, ref.softmax(Z)),
        "on logits of ±1000 the softmax should be [1, 0, 0], [e⁻¹, e⁻¹, 1]/(1 + 2e⁻¹), "
        "[½, ½, 0], …: subtract each row's own maximum, not the maximum of the whole batch",
    )


@ASSIGNMENT.check("softmax", "adding a number to a row changes nothing", weight=1)
def test_shift(impl):
    Z = _logits(20, 5, 4)
    shifts = np.array([[0.0], [500.0], [-700.0], [1200.0], [3.0]])
    P, shifted = (
        _softmax(impl, Z, "for Z of shape (5, 4)"),
        _softmax(impl, Z + shifts, "for Z plus a different number on each row"),
    )
    expect(
        P.shape == shifted.shape and np.allclose(P, shifted, rtol=1e-9, atol=1e-12),
        "adding 500, −700 or 1200 to every logit of a row should not change its probabilities: "
        "exp(z_k + c) / Σ exp(z_j + c) = exp(z_k) / Σ exp(z_j); subtract the row's maximum first",
    )
