"""Hidden checks machinery, grading pipeline and CLI of the neural-network exercise kit."""

__all__ = ["grade"]


def __getattr__(name):
    # `from autograder import grade` (the notebook's hidden tests) loads the runner
    # and NumPy on first use, not every import of the package: `xorkit --help` too.
    if name == "grade":
        from autograder.checking.runner import grade

        return grade
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
