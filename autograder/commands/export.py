"""``xorkit export``: the class's grades as a CSV for the LMS gradebook."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option, per_assignment


@click.command("export", epilog=HELP)
@course_option
@click.option(
    "--to",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("grades/{assignment}.csv"),
    show_default=True,
    help="The CSV file to write (relative to the course directory); {assignment} "
    "stands for the assignment's name.",
)
@assignment_option
def command(course: Path, out: Path, assignment: str | None):
    """Write the grades to a CSV, one row per student.

    Columns: student_id, score (after any late penalty), max_score,
    needs_manual_grading, raw_score, late_submission_penalty, hours_late, then
    the points of every graded cell (one per function, one per written answer). In the
    LMS's grade import, match student_id to the LMS user id (what `xorkit
    collect` files submissions under) and import score. While written answers
    await a person, the CSV is written but the scores are not final: the command
    says how many and exits 1.

    \b
    Examples:
      xorkit export                      # grades/<assignment>.csv, each assignment
      xorkit export --assignment xor_mlp --to ~/xor_mlp.csv
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder.course import export as export_api

    root = course.resolve()
    names = course_checks.chosen(root, assignment)
    outs = per_assignment(out, names, "--to")
    pending = []
    for name in course_checks.with_class(root, names):
        path = outs[name] if outs[name].is_absolute() else root / outs[name]
        try:
            outcomes = export_api.export_class(root, path, name)
        except (FileNotFoundError, ValueError) as exc:
            raise KitFailed(str(exc)) from exc
        click.echo(f"{name}: {len(outcomes)} students → {path}")
        pending += [o for o in outcomes if o.manual_pending]
    if pending:
        answers = sum(len(o.manual_pending) for o in pending)
        click.echo(
            f"\n{answers} written answers of {len(pending)} students await manual grading: "
            "their scores count them as 0 and are not final (needs_manual_grading=yes)."
            "\ngrade them in nbgrader's formgrader (`jupyter lab` → Nbgrader → Formgrader "
            "→ Manual Grading), then rerun `xorkit export`"
        )
        click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
