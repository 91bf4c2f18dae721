"""``xorkit audit``: mutation analysis of each assignment's hidden checks."""

import os
from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import (
    assignment_given,
    assignment_option,
    course_option,
    per_assignment,
)

HELP = """\b
Exit codes:
  0  every audited assignment meets its gate
  1  an assignment's mutation score is below its audit_minimum, or a mutant
     loses points outside its own cell (listed in the output)
  2  the audit could not run (not built, stale build, no sandbox): fix and rerun"""


def _progress(total, desc):
    from autograder.progress import progress

    return progress(desc=desc, total=total)


@click.command("audit", epilog=HELP)
@course_option
@click.argument("assignment_argument", metavar="[ASSIGNMENT]", required=False)
@assignment_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/{assignment}"),
    show_default=True,
    help="The folder for audit.html (relative to the course directory), beside the "
    "class report; {assignment} stands for the assignment's name.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Mutants labelled and graded at once [default: number of cores].",
)
@click.option(
    "--no-sandbox",
    is_flag=True,
    help="Grade the mutants without bubblewrap (they are the instructor's own code, "
    "mutated). Without this flag the audit stops (exit 2) where bubblewrap does not work.",
)
def command(
    course: Path,
    assignment_argument: str | None,
    assignment: str | None,
    out: Path,
    jobs: int | None,
    no_sandbox: bool,
):
    """Check each assignment's hidden checks against simulated student mistakes.

    Makes first-order mutants of every contract function's reference solution
    (arithmetic, comparisons, constants, signs, axes, transposes, swapped
    arguments, left-out statements, return order, loop bounds, activations and
    reductions), sets aside those that compute the same as the reference on the
    notebook's own calls (likely equivalent), and grades every other one through
    the sandboxed grading engine. Prints, per function, the mutants killed and
    surviving, the mutation score, every survivor with the calls that tell it
    apart, and the mutants that lose points outside their own cell; writes
    audit.html beside the class report.

    \b
    Examples:
      xorkit audit                        # every assignment of the course
      xorkit audit xor_mlp                # one assignment
      xorkit audit --assignment xor_mlp --out /tmp/audit
    """
    # imported when the verb runs, not for --help: they load nbgrader and NumPy (seconds)
    from autograder import audit as audit_api
    from autograder.audit import report
    from autograder.faults import GraderFault

    root = course.resolve()
    names = course_checks.chosen(root, assignment_given(assignment_argument, assignment))
    outs = per_assignment(out, names, "--out")
    if no_sandbox:
        click.secho(
            "WARNING: the mutants are graded WITHOUT the sandbox (--no-sandbox).",
            fg="yellow",
            err=True,
        )
    below = []
    for name in names:
        try:
            result = audit_api.audit(
                root,
                name,
                jobs=jobs or os.cpu_count(),
                sandbox="off" if no_sandbox else "require",
                progress=_progress,
                log=click.echo,
            )
        except GraderFault as exc:
            raise KitFailed(f"{exc}\nthe audit of {name} could not run") from exc
        folder = outs[name] if outs[name].is_absolute() else root / outs[name]
        page = report.write(result, folder)
        click.echo(report.table(result))
        click.echo(f"→ {page}\n")
        if result.problems():
            below.append(name)
    if below:
        click.echo(f"below the gate: {', '.join(below)}")
        raise click.exceptions.Exit(STUDENTS_NEED_ATTENTION)
