"""``xorkit collect``: file the notebooks of an LMS download under submitted/."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option
from autograder.course import collecting
from autograder.engine.nbgrader_run import NbgraderError
from autograder.text import printable


@click.command("collect", epilog=HELP)
@course_option
@click.argument("download", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--lms",
    type=click.Choice(sorted(collecting.PATTERNS)),
    default="canvas",
    show_default=True,
    help="How the LMS names the files of its download.",
)
@click.option(
    "--pattern",
    default=None,
    help="A regular expression over each file's path, with the groups (?P<student_id>…) "
    "and (?P<file_id>…), for an LMS not listed (it replaces --lms).",
)
@click.option("--force", is_flag=True, help="Replace submissions collected before.")
@assignment_option
def command(
    course: Path, download: Path, lms: str, pattern: str, force: bool, assignment: str | None
):
    """Collect the notebooks of an LMS download (a zip or a folder) into submitted/.

    Uses nbgrader's zip_collect: the download is unpacked in downloaded/ and
    every notebook whose name carries a student id is copied to
    submitted/<student>/<assignment>/<assignment>.ipynb (--assignment may be
    left out in a course of one assignment). The student id is the LMS's user
    id (12345 below), the key its gradebook import matches `xorkit export` on.
    Files that match no student are listed, and the command exits 1.

    \b
    Examples:
      xorkit collect submissions.zip               # smithjane_12345_67890_xor_mlp.ipynb
      xorkit collect --lms moodle submissions.zip  # Jane Smith_12345_assignsubmission_file_…
      xorkit collect --force late.zip              # replace what was collected before
      xorkit collect --pattern '.*/(?P<student_id>[a-z]+)-(?P<file_id>xor_mlp)\\.ipynb$' dl/
    """
    root = course.resolve()
    assignment = course_checks.one(root, assignment)
    try:
        outcome = collecting.collect(root, download, assignment, lms, pattern, force)
    except NbgraderError as exc:
        hint = (
            "\nsome students were collected before: rerun with --force to replace them"
            if "Directory not empty" in str(exc)
            else "\ncheck the download and the pattern, then rerun `xorkit collect`"
        )
        raise KitFailed(f"{exc}{hint}") from exc
    except (ValueError, FileNotFoundError) as exc:
        raise KitFailed(str(exc)) from exc
    for student, path in sorted(outcome.submitted.items()):
        name = f"{student} ({outcome.names[student]})" if student in outcome.names else student
        click.echo(f"collected {printable(name, 80):32s} → {printable(path)}")
    click.echo(f"{len(outcome.submitted)} submissions collected into submitted/")
    if outcome.unmatched:
        click.echo(f"\n{len(outcome.unmatched)} files not collected:")
        for name, reason in outcome.unmatched:
            click.echo(f"  {printable(name)}: {printable(reason)}")
        click.echo(
            "rename them as the LMS does, or pass --pattern, and rerun with --force; "
            f"or copy them by hand to submitted/<student>/{assignment}/{assignment}.ipynb"
        )
        click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
    if outcome.submitted:
        click.echo("next: xorkit grade")
