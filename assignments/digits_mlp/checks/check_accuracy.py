"""``accuracy``: the share of predictions equal to the labels, one number."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT

CASES = (
    (np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])),
    (np.array([0, 0, 0]), np.array([1, 2, 3])),
    (np.array([5]), np.array([5])),
    (np.array([3, 1, 4, 1, 5, 9, 2, 6]), np.array([3, 1, 4, 1, 5, 8, 9, 7])),
)


@ASSIGNMENT.check("accuracy", "the share of predictions equal to the labels", weight=2)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for predicted, labels in CASES:
        where = f"for predictions {predicted.tolist()} and labels {labels.tolist()}"
        got = call(impl, "accuracy", predicted, labels, where=where)
        expect(
            np.ndim(got) == 0, f"{where} accuracy should be one number, got shape {np.shape(got)}"
        )
        want = ref.accuracy(predicted, labels)
        hint = "the mean of predicted == labels"
        if np.isclose(float(got), want * len(labels)):
            hint = "that is the count of right predictions: divide by N"
        elif np.isclose(float(got), 1 - want):
            hint = "that is the share of wrong predictions"
        expect(
            np.isclose(float(got), want),
            f"{where} accuracy gives {float(got):.4g} instead of {want:.4g}; {hint}",
        )
