"""``cross_entropy`` by its value (the mean over samples of the summed term), its
type, and its value where a probability is exactly 0."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case


def _probabilities(seed, n, k):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=2.0, size=(n, k))
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return P, np.eye(k)[rng.integers(0, k, size=n)]


def _loss(impl, P, Y):
    n, k = P.shape
    where = f"for N={n}, K={k}"
    value = call(impl, "cross_entropy", P, Y, where=where)
    expect(
        np.ndim(value) == 0,
        f"{where} cross_entropy should return one number, got an array of shape {np.shape(value)}",
    )
    return where, float(value)


@ASSIGNMENT.check("cross_entropy", "the mean over samples of −Σ_k y_k log p_k", weight=2)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for seed, (n, _, _, k) in enumerate(SHAPES):
        P, Y = _probabilities(seed + 50, n, k)
        where, got = _loss(impl, P, Y)
        want = ref.cross_entropy(P, Y)
        if np.isclose(got, want, rtol=1e-9):
            continue
        hint = "sum −y log p over the classes, then take the mean over the N samples"
        for wrong, why in [
            (want * n, "it is N times too large: divide the sum by N = P.shape[0]"),
            (want / k, "it is divided by N·K: the mean is over the samples only"),
            (-want, "the sign is flipped: the loss is −Σ y log p"),
            (
                -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)) * k,
                "it adds (1 − y) log(1 − p), the binary cross-entropy's term: "
                "with a softmax only the true class counts",
            ),
        ]:
            if np.isclose(got, wrong, rtol=1e-9):
                hint = why
        expect(False, f"{where} cross_entropy gives {got:.6g} instead of {want:.6g}; {hint}")


@ASSIGNMENT.check("cross_entropy", "a number where a probability is exactly 0", weight=1)
def test_zero_probability(impl):
    ref = ASSIGNMENT.reference()
    P = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    Y = np.eye(3)[[0, 1, 0]]
    where, got = _loss(impl, P, Y)
    expect(
        np.isfinite(got),
        f"{where}, with a true class of probability exactly 0, cross_entropy gives {got}: clip "
        "P into [1e-12, 1] before the logarithm",
    )
    want = ref.cross_entropy(P, Y)
    expect(
        np.isclose(got, want, rtol=1e-6),
        f"{where}, with probabilities of exactly 0, cross_entropy gives {got:.6g} instead of "
        f"{want:.6g}: clip P into [1e-12, 1] (log(1e-12) ≈ −27.6 for the class of probability 0)",
    )


@ASSIGNMENT.check("cross_entropy", "log 10 for uniform probabilities over 10 classes", weight=1)
def test_uniform(impl):
    _, Y, _ = case(60, 7, 2, 2, 10)
    where, got = _loss(impl, np.full((7, 10), 0.1), Y)
    expect(
        np.isclose(got, np.log(10)),
        f"{where}, with every probability 1/10, cross_entropy should be log 10 ≈ 2.3026, "
        f"got {got:.6g}",
    )
