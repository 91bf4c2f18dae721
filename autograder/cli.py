"""The ``xorkit`` command: a thin layer over the verbs of ``autograder.commands``.

A verb's module is imported only when that verb runs or shows its help, so that
``xorkit --help`` and usage errors answer at once (tests/test_cli.py checks it).
"""

import importlib
import traceback

import click

from autograder.commands import VERBS
from autograder.commands.exit_codes import HELP, KitFailed
from autograder.faults import GraderFault


class KitGroup(click.Group):
    """A group that lists its verbs from ``VERBS`` and imports a verb's module only
    when that verb runs or shows its help, and whose unexpected errors exit 2 ("the
    kit failed"), not Python's 1, which the verbs reserve for "done, but some
    students need attention", in one line: the traceback only with ``--debug``."""

    def list_commands(self, ctx):
        return sorted(VERBS)

    def get_command(self, ctx, cmd_name):
        if cmd_name not in VERBS:
            return None
        return importlib.import_module(f"autograder.commands.{cmd_name}").command

    def format_commands(self, ctx, formatter):
        # The listing needs only each verb's summary: click lays out stand-ins made
        # from the table exactly as it would the verbs, and no verb module is imported.
        stand_ins = {name: click.Command(name, help=summary) for name, summary in VERBS.items()}
        click.Group(commands=stand_ins).format_commands(ctx, formatter)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests near names from the commands it holds: none until one runs
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=VERBS, ctx=ctx
            ) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except GraderFault as exc:  # the message says what to fix: no traceback
            raise KitFailed(str(exc)) from exc
        except Exception as exc:
            what = f"unexpected {type(exc).__name__}: {next(iter(str(exc).splitlines()), '')}"
            if ctx.params.get("debug"):
                click.echo(traceback.format_exc(), err=True)
                raise KitFailed(
                    f"{what}\nthis is a bug in the kit: report it with the traceback above"
                ) from exc
            raise KitFailed(
                f"{what} (a bug in the kit: rerun as `xorkit --debug {ctx.invoked_subcommand} …` "
                "for the traceback, and report it)"
            ) from exc


@click.group(cls=KitGroup, epilog=HELP)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an unexpected error (a bug in the kit), to report it.",
)
def main(debug: bool):
    """Build, grade and report on the assignments of an nbgrader course.

    \b
    A course cycle, in nbgrader's words (README: "Instructor walk-through"):
      xorkit build → release → xorkit collect → xorkit grade →
      formgrader (written answers) → xorkit feedback → xorkit export → xorkit report
    """
