"""``xorkit gradescope``: export the assignment as a Gradescope autograder zip."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import KitFailed
from autograder.commands.options import assignment_option, course_option, folder_option
from autograder.course.gradescope_visibility import VISIBILITIES


@click.command("gradescope")
@course_option
@assignment_option
@folder_option("gradescope", "Folder to write the zip into.")
@click.option(
    "--visibility",
    type=click.Choice(VISIBILITIES),
    default="visible",
    show_default=True,
    help="When students see their per-function results on Gradescope.",
)
def command(course: Path, assignment: str | None, out: Path, visibility: str):
    """Export each assignment as a Gradescope autograder bundle (a zip).

    The zip holds setup.sh, run_autograder, the hidden checks, the reference
    solution, the source notebook's test cells and requirements.txt. Each
    submission is graded exactly as `xorkit grade` grades it.

    \b
    Examples:
      xorkit gradescope                       # gradescope/<assignment>-gradescope.zip, each
      xorkit gradescope --out dist --visibility after_published
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder.course import gradescope
    from autograder.faults import GraderFault

    root = course.resolve()
    for name in course_checks.chosen(root, assignment):
        try:
            path = gradescope.bundle(root, out, name, visibility)
        except (FileNotFoundError, ValueError, GraderFault) as exc:
            raise KitFailed(str(exc)) from exc
        click.echo(f"wrote {path}")
        click.echo(
            "Upload it on Gradescope: your programming assignment → Configure Autograder →\n"
            "Zip file upload → base image Ubuntu (22.04 or later) → Update Autograder;\n"
            f'then "Test Autograder" with release/{name}/{name}.ipynb (scores 0) and\n'
            "the solved notebook (scores full marks)."
        )
