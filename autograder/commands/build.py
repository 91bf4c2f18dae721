"""``xorkit build``: check the reference, then generate release/ and solutions/ from source/."""

import time
from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, KitFailed
from autograder.commands.options import assignment_option, course_option
from autograder.engine.nbgrader_run import NbgraderError


@click.command("build", epilog=HELP)
@course_option
@assignment_option
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="First grade the reference and the blank release in a temporary course "
    "(about 20 s) and refuse to write anything unless they score full marks and zero.",
)
def command(course: Path, assignment: str | None, check: bool):
    """Generate release/ and solutions/ from source/.

    Before writing anything, the source notebook is graded as a submission (it
    must score full marks on every autograded cell) and so is the blank release
    (it must score zero). If either fails, nothing is written and the cells that
    scored wrong are listed.

    \b
    Examples:
      xorkit build                   # check, then write release/ and solutions/
      xorkit build --assignment xor_mlp   # one assignment only
      xorkit build --no-check        # skip the check (quick edits of the prose)
      xorkit build --course ~/xor    # a course directory elsewhere
    """
    # imported when the verb runs, not for --help: they load nbgrader (seconds)
    from autograder.checking import assignment as assignments
    from autograder.course import build as build_api
    from autograder.course import precheck as precheck_api
    from autograder.faults import GraderFault

    root = course.resolve()
    start = time.perf_counter()
    try:
        for name in course_checks.chosen(root, assignment):
            contract = assignments.load(root, name)
            build_api.contract(contract)  # before the precheck's minutes
            if check:
                precheck_api.precheck(root, name, log=click.echo)
            build_api.build(contract, log=click.echo)
    except precheck_api.PrecheckFailed as exc:
        raise KitFailed(str(exc)) from exc
    except (NbgraderError, ValueError, FileNotFoundError, GraderFault) as exc:
        raise KitFailed(
            f"{exc}\nfix the source notebook or the course directory, then rerun `xorkit build`"
        ) from exc
    click.echo(f"built in {time.perf_counter() - start:.1f} s")
