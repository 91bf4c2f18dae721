"""``xorkit grade``: autograde every submission and print a table of scores."""

import time
from pathlib import Path

import click

from autograder import contract, grading, results
from autograder.commands.options import course_option
from autograder.nbgrader_run import NbgraderError


@click.command("grade")
@course_option
@click.argument("assignment", default=contract.ASSIGNMENT)
def command(course: Path, assignment: str):
    """Autograde every submission in submitted/ and print a table of scores.

    \b
    Example:
      xorkit grade            # grades submitted/*/xor_mlp/
    """
    start = time.perf_counter()
    try:
        outcomes = grading.autograde(course.resolve(), assignment)
    except (NbgraderError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(results.table(outcomes))
    click.echo(f"\ngraded {len(outcomes)} submissions in {time.perf_counter() - start:.1f} s")
