"""Hidden checks, one module per contract function.

Each check is a pytest test taking the fixture ``impl`` (a ``Submission``);
``pytest autograder/checks`` runs them on the reference solution, and the
notebook's hidden test cells run them on a student's functions via ``grade``.
"""

from autograder.checks import (  # noqa: F401  (importing registers the checks)
    check_backward,
    check_dense,
    check_forward_pass,
    check_initialize_weights,
    check_mse,
    check_predict,
    check_sigmoid,
    check_sigmoid_derivative,
    check_train,
)
