"""Exit codes shared by every ``xorkit`` verb.

* 0 — done, nothing needs attention;
* 1 — the kit did its job, but some students or files need attention (a
  submission failed to run, a file in the LMS download matched no student,
  written answers await a person, the class is empty);
* 2 — the kit itself failed (a wrong option, a folder that is not a course, an
  assignment the course does not have, a missing file, nbgrader failed, the
  reference does not score full marks, a bug): nothing was graded or written.
"""

import click

OK = 0
STUDENTS_NEED_ATTENTION = 1
KIT_FAILED = 2

HELP = """\b
Exit codes:
  0  done, nothing needs attention
  1  done, but some students or files need attention (listed in the output)
  2  the kit failed (bad option, missing file, nbgrader error): fix and rerun"""


class KitFailed(click.ClickException):
    """The kit could not do its job; the message says what to do next."""

    exit_code = KIT_FAILED


class StudentsNeedAttention(click.ClickException):
    """The kit did its job, or had none to do (an empty class); the message says what
    needs attention."""

    exit_code = STUDENTS_NEED_ATTENTION
