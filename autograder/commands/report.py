"""``xorkit report``: an HTML page and PNG plots on how the class did."""

import time
from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option, per_assignment
from autograder.text import printable


@click.command("report", epilog=HELP)
@course_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/{assignment}"),
    show_default=True,
    help="The folder for index.html and its plots (relative to the course directory); "
    "{assignment} stands for the assignment's name.",
)
@assignment_option
def command(course: Path, out: Path, assignment: str | None):
    """Write an instructor's report of the graded class: index.html and PNG plots.

    A histogram of scores, the share of students passing each hidden check and
    the mean share of points per function (what the class struggled with), the
    submissions whose written answers await a person, and the ones that failed
    to run, with their reasons. Exits 1 when some submissions failed to run.

    \b
    Examples:
      xorkit report                       # reports/<assignment>/index.html, each assignment
      xorkit report --assignment xor_mlp --out /tmp/xor-report
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder.course import report as report_api
    from autograder.faults import GraderFault

    root = course.resolve()
    names = course_checks.chosen(root, assignment)
    outs = per_assignment(out, names, "--out")
    failed = False
    names = course_checks.with_class(root, names)
    for name in names:
        path = outs[name] if outs[name].is_absolute() else root / outs[name]
        start = time.perf_counter()
        try:
            result = report_api.report(root, path, name)
        except FileNotFoundError as exc:
            if len(names) == 1:
                raise KitFailed(str(exc)) from exc
            # of several assignments, one not graded yet is skipped, and said so
            click.echo(f"{name}: no report: {exc}")
            failed = True
            continue
        except GraderFault as exc:
            raise KitFailed(str(exc)) from exc
        click.echo(f"{name}: report of {len(result.outcomes)} submissions → {path / 'index.html'}")
        click.echo(f"written in {time.perf_counter() - start:.1f} s")
        if result.manual_pending:
            click.echo(
                f"{len(result.manual_pending)} submissions have written answers to grade: "
                "the formgrader (`jupyter lab`, Nbgrader → Formgrader)"
            )
        if result.failed_to_run:
            failed = True
            click.echo(f"\n{len(result.failed_to_run)} submissions failed to run:")
            for student, reasons in result.failed_to_run.items():
                click.echo(f"  {printable(student, 80)}: {printable('; '.join(reasons))}")
            click.echo(
                "open their notebooks in autograded/ to see why; regrade with `xorkit grade`"
            )
    if failed:
        click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
