"""``one_hot`` by its values, its shape (N, K) whatever classes are present, and
its type."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT

CASES = (
    (np.array([3, 0, 2, 2, 1]), 4),
    (np.array([9]), 10),
    (np.array([1, 1, 0, 1, 0, 0, 1]), 2),
    (np.array([0, 5, 2]), 8),  # classes 1, 3, 4, 6 and 7 absent
)


@ASSIGNMENT.check("one_hot", "a single 1 in column labels[i] of row i", weight=2)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for labels, k in CASES:
        where = f"for labels {labels.tolist()} and n_classes={k}"
        got = np.asarray(call(impl, "one_hot", labels, k, where=where), dtype=float)
        want = ref.one_hot(labels, k)
        if got.shape == want.T.shape and got.shape != want.shape:
            expect(False, f"{where} the result is transposed: one row per sample, (N, K)")
        expect(
            got.shape == want.shape,
            f"{where} one_hot should have shape (N, K) = {want.shape}, got {got.shape}: "
            "the number of columns is n_classes",
        )
        expect(np.array_equal(got, want), f"{where} one_hot gives\n{got}\ninstead of\n{want}")


@ASSIGNMENT.check("one_hot", "numbers, one row per sample and n_classes columns", weight=1)
def test_shape(impl):
    labels = np.array([0, 2, 2, 0])
    got = np.asarray(call(impl, "one_hot", labels, 6, where="for n_classes=6"))
    expect(
        got.shape == (4, 6),
        f"for 4 labels of classes 0 and 2 and n_classes=6, one_hot should have shape (4, 6), "
        f"got {got.shape}: use n_classes, not the largest label",
    )
    expect(
        got.dtype.kind in "fiub" and np.all((got == 0) | (got == 1)),
        "one_hot should hold the numbers 0 and 1",
    )
