"""Faults of the grader, as opposed to faults of a submission.

A missing, stale or broken reference, a check that fails on the reference, a
sandbox that cannot start or a gradebook nbgrader cannot write: none of these
is a student's doing, so none may cost a student points. ``GraderFault`` stops
the run before anything is recorded for the students it affects; its message
says what to fix, and every verb turns it into exit code 2.
"""


class GraderFault(RuntimeError):
    """The grader, not the submission, is at fault: stop, record nothing, say what to fix."""
