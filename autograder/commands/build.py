"""``xorkit build``: generate release/ and solutions/ from source/."""

import time
from pathlib import Path

import click

from autograder import build as build_api
from autograder.commands.options import course_option
from autograder.nbgrader_run import NbgraderError


@click.command("build")
@course_option
def command(course: Path):
    """Generate release/ and solutions/ from source/.

    \b
    Example:
      xorkit build
    """
    start = time.perf_counter()
    try:
        build_api.build(course.resolve(), log=click.echo)
    except (NbgraderError, ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built in {time.perf_counter() - start:.1f} s")
