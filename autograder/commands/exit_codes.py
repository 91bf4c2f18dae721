"""Exit codes shared by every ``xorkit`` verb.

* 0 — done, nothing needs attention;
* 1 — the kit did its job, but some students or files need attention (a
  submission failed to run, a file in the LMS download matched no student);
* 2 — the kit itself failed (a wrong option, a missing file, nbgrader failed,
  the reference does not score full marks): nothing was graded or written.
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
