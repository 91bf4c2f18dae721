"""The ``xorkit`` command: a thin layer over the kit's Python API."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from autograder import build as build_mod
from autograder import contract, grading, results
from autograder.nbgrader_run import NbgraderError

COURSE = click.option(
    "--course",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The course directory (holds nbgrader_config.py and source/).",
)


@click.group()
def main():
    """Build, grade and report on the XOR MLP assignment."""


@main.command()
@COURSE
def build(course: Path):
    """Generate release/ and solutions/ from source/.

    \b
    Example:
      xorkit build
    """
    start = time.perf_counter()
    try:
        build_mod.build(course.resolve(), log=click.echo)
    except (NbgraderError, ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built in {time.perf_counter() - start:.1f} s")


@main.command()
@COURSE
@click.argument("assignment", default=contract.ASSIGNMENT)
def grade(course: Path, assignment: str):
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
