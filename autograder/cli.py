"""The ``xorkit`` command: a thin layer that collects the verbs of ``autograder.commands``."""

import importlib
import traceback

import click

from autograder.commands import VERBS
from autograder.commands.exit_codes import HELP, KitFailed
from autograder.faults import GraderFault


class KitGroup(click.Group):
    """A group whose unexpected errors exit 2 ("the kit failed"), not Python's 1,
    which the verbs reserve for "done, but some students need attention"."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except GraderFault as exc:  # the message says what to fix: no traceback
            raise KitFailed(str(exc)) from exc
        except Exception as exc:
            click.echo(traceback.format_exc(), err=True)
            raise KitFailed(
                f"unexpected {type(exc).__name__}: {exc}\n"
                "this is a bug in the kit: report it with the traceback above"
            ) from exc


@click.group(cls=KitGroup, epilog=HELP)
def main():
    """Build, grade and report on the XOR MLP assignment.

    \b
    A course cycle, in nbgrader's words (README: "Instructor walk-through"):
      xorkit build → release → xorkit collect → xorkit grade →
      formgrader (written answers) → xorkit feedback → xorkit export → xorkit report
    """


for verb in VERBS:
    main.add_command(importlib.import_module(f"autograder.commands.{verb}").command)
