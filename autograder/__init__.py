"""Hidden checks, grading pipeline and CLI of the XOR MLP exercise kit."""

from autograder.runner import grade

__all__ = ["grade"]
