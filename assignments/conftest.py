"""``pytest assignments``: every assignment's hidden checks on its reference."""

import sys

import pytest

from autograder.checking.assignment import Assignment
from autograder.checking.runner import Submission


def _assignment_of(module) -> Assignment:
    """The ``ASSIGNMENT`` of the package a check module belongs to."""
    name = module.__name__
    while "." in name:
        name = name.rsplit(".", 1)[0]
        found = getattr(sys.modules.get(name), "ASSIGNMENT", None)
        if isinstance(found, Assignment):
            return found
    raise LookupError(f"{module.__name__} is not inside an assignment package")


@pytest.fixture
def impl(request):
    """The reference solution, seen through the same wrapper as a submission."""
    assignment = _assignment_of(request.module)
    return Submission(dict(vars(assignment.reference())), assignment.names)
