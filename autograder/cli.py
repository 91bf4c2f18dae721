"""The ``xorkit`` command: a thin layer that collects the verbs of ``autograder.commands``."""

import importlib

import click

from autograder.commands import VERBS
from autograder.commands.exit_codes import HELP


@click.group(epilog=HELP)
def main():
    """Build, grade and report on the XOR MLP assignment.

    \b
    A course cycle, in nbgrader's words (README: "Instructor walk-through"):
      xorkit build → release → xorkit collect → xorkit grade →
      formgrader (written answers) → xorkit feedback → xorkit export → xorkit report
    """


for verb in VERBS:
    main.add_command(importlib.import_module(f"autograder.commands.{verb}").command)
