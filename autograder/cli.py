"""The ``xorkit`` command: a thin layer that collects the verbs of ``autograder.commands``."""

import importlib

import click

from autograder.commands import VERBS


@click.group()
def main():
    """Build, grade and report on the XOR MLP assignment."""


for verb in VERBS:
    main.add_command(importlib.import_module(f"autograder.commands.{verb}").command)
