"""σ′ written through the activation: the kit's shared checks of it."""

from autograder.checking import sigmoid_checks

from .. import ASSIGNMENT

test_values, test_scalar = sigmoid_checks.sigmoid_derivative(ASSIGNMENT)
