"""Options shared by several verbs."""

from pathlib import Path

import click

course_option = click.option(
    "--course",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The course directory (holds nbgrader_config.py and source/).",
)
