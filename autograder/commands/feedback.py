"""``xorkit feedback``: per-student HTML feedback, hidden checks' messages without their code."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option
from autograder.engine.nbgrader_run import NbgraderError
from autograder.text import printable


@click.command("feedback", epilog=HELP)
@course_option
@click.option(
    "--show-hidden-messages/--hide-hidden-messages",
    default=True,
    show_default=True,
    help="Show what each hidden check said (never its code), or only the cell's score.",
)
@click.option("--student", default=None, help="Only this student id (a glob such as 'a*' works).")
@assignment_option
def command(course: Path, show_hidden_messages: bool, student: str, assignment: str | None):
    """Write feedback/<student>/<assignment>/<assignment>.html for every graded submission.

    Run it after `xorkit grade` and after grading the written answers in the
    formgrader (`jupyter lab`, Nbgrader → Formgrader): answers not graded yet
    show as 0. The hidden test code nbgrader restores into each test cell is
    removed from the HTML.

    \b
    Examples:
      xorkit feedback                           # everyone, with the hidden checks' messages
      xorkit feedback --hide-hidden-messages    # scores only for the hidden checks
      xorkit feedback --student ada_correct     # one student, after a regrade
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder.course import feedback as feedback_api

    root = course.resolve()
    attention = False
    names = course_checks.with_class(root, course_checks.chosen(root, assignment))
    for assignment_name in names:
        try:
            out = feedback_api.feedback(root, assignment_name, show_hidden_messages, student)
        except NbgraderError as exc:
            raise KitFailed(f"{exc}\nrerun `xorkit grade`, then `xorkit feedback`") from exc
        except FileNotFoundError as exc:
            if len(names) == 1:
                raise KitFailed(str(exc)) from exc
            # of several assignments, one not graded yet is skipped, and said so
            click.echo(f"{assignment_name}: no feedback: {exc}")
            attention = True
            continue
        for name, path in sorted(out.written.items()):
            click.echo(f"feedback {printable(name, 80):24s} → {path}")
        click.echo(f"{assignment_name}: {len(out.written)} feedback files written")
        if out.not_graded:
            attention = True
            click.echo(
                f"\nno graded notebook, so no feedback, for: {', '.join(out.not_graded)}"
                "\nrun `xorkit grade` (see its output for why they were not graded)"
            )
        if out.manual_pending:
            attention = True
            click.echo(
                f"\nwritten answers not graded yet (shown as 0): {', '.join(out.manual_pending)}"
                "\ngrade them in the formgrader (`jupyter lab`, Nbgrader → Formgrader), "
                "then rerun `xorkit feedback`"
            )
    if attention:
        click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
