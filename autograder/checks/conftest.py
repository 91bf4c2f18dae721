import pytest

from autograder.checking import reference
from autograder.checking.runner import Submission


@pytest.fixture
def impl():
    """The reference solution, seen through the same wrapper as a submission."""
    return Submission(dict(vars(reference.load())))
