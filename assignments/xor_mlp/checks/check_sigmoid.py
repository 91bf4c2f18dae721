"""The sigmoid's properties: the kit's shared checks of a sigmoid."""

from autograder.checking import sigmoid_checks

from .. import ASSIGNMENT

test_values, test_scalar, test_extremes = sigmoid_checks.sigmoid(ASSIGNMENT)
