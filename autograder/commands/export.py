"""``xorkit export``: the class's grades as a CSV for the LMS gradebook."""

from pathlib import Path

import click

from autograder import contract
from autograder.commands.exit_codes import HELP, KitFailed
from autograder.commands.options import course_option


@click.command("export", epilog=HELP)
@course_option
@click.option(
    "--to",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("grades.csv"),
    show_default=True,
    help="The CSV file to write (relative to the course directory).",
)
@click.option("--assignment", default=contract.ASSIGNMENT, show_default=True)
def command(course: Path, out: Path, assignment: str):
    """Write the grades to a CSV, one row per student.

    Columns: student_id, score, max_score, needs_manual_grading, then the points
    of every graded cell (one per function, one per written answer). In the
    LMS's grade import, match student_id to the LMS user id (what `xorkit
    collect` files submissions under) and import score.

    \b
    Examples:
      xorkit export                      # grades.csv in the course directory
      xorkit export --to ~/xor_mlp.csv
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder import export as export_api

    root = course.resolve()
    path = out if out.is_absolute() else root / out
    try:
        n = export_api.export_csv(root, path, assignment)
    except (FileNotFoundError, ValueError) as exc:
        raise KitFailed(str(exc)) from exc
    click.echo(f"{n} students → {path}")
