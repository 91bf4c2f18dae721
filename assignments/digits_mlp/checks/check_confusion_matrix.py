"""``confusion_matrix``: counts of (true class, predicted class) pairs, rows the
true classes, with repeated pairs counted every time and absent classes kept."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT


def _cases():
    rng = np.random.default_rng(100)
    labels = rng.integers(0, 10, size=60)
    predicted = np.where(rng.random(60) < 0.7, labels, rng.integers(0, 10, size=60))
    return (
        (np.array([0, 1, 2, 2, 2]), np.array([0, 2, 2, 1, 2]), 3),
        (labels, predicted, 10),
        (np.array([1, 1, 1, 0]), np.array([0, 0, 0, 0]), 2),
    )


def _matrix(impl, labels, predicted, k):
    where = f"for labels {labels.tolist()[:8]}{'…' if len(labels) > 8 else ''} and n_classes={k}"
    got = np.asarray(call(impl, "confusion_matrix", labels, predicted, k, where=where))
    return where, got


@ASSIGNMENT.check(
    "confusion_matrix", "C[t, p] counts the samples of class t predicted as p", weight=2
)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for labels, predicted, k in _cases():
        where, got = _matrix(impl, labels, predicted, k)
        want = ref.confusion_matrix(labels, predicted, k)
        expect(
            got.shape == want.shape,
            f"{where} C should have shape (K, K) = {want.shape}, got {got.shape}",
        )
        if np.array_equal(got, want):
            continue
        hint = "add one to C[labels[i], predicted[i]] for every sample i"
        if np.array_equal(got, want.T):
            hint = "it is transposed: rows are the true classes, columns the predictions"
        elif np.array_equal(got, np.minimum(want, 1)):
            hint = (
                "a pair that occurs several times is counted once: C[labels, predicted] += 1 "
                "adds 1 once per distinct pair; use np.add.at or a loop"
            )
        expect(False, f"{where} the confusion matrix is wrong; {hint}")


@ASSIGNMENT.check(
    "confusion_matrix", "n_classes rows and columns of integer counts summing to N", weight=1
)
def test_shape(impl):
    labels, predicted = np.array([2, 2, 0]), np.array([2, 0, 0])
    where, got = _matrix(impl, labels, predicted, 5)
    expect(
        got.shape == (5, 5),
        f"{where} C should have shape (5, 5) even though classes 1, 3 and 4 are absent, "
        f"got {got.shape}: use n_classes",
    )
    expect(
        np.array_equal(got, np.round(got)) and got.sum() == 3,
        f"{where} C should hold whole counts summing to N = 3",
    )
