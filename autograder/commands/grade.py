"""``xorkit grade``: autograde every submission and print a table of scores."""

import os
import time
from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_given, assignment_option, course_option
from autograder.engine import late
from autograder.engine.nbgrader_run import NbgraderError
from autograder.faults import GraderFault
from autograder.text import printable


def _progress(total):
    from autograder.progress import progress

    return progress(desc="grading", total=total)


def _late_rule(ctx: click.Context, param: click.Parameter, text: str | None) -> str | None:
    """The --late-penalty rule, checked before anything is graded."""
    if text is None:
        return None
    try:
        return str(late.parse(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _cluster(root: Path, option: str | None, jobs: int | None) -> str:
    """The cluster to grade on: --cluster, else c.Grading.cluster, else "" (this
    machine's process pool). Checked without importing Dask."""
    from autograder.engine import address

    found = option if option is not None else address.configured(root)
    where = "--cluster" if option is not None else f"c.Grading.cluster in {root}/nbgrader_config.py"
    problem = address.problem(found) if found else None
    if problem:
        raise KitFailed(f"{where}: {problem}")
    if not found or found == address.NONE:
        return ""
    if jobs is not None:
        raise click.UsageError(
            f"--jobs sizes this machine's process pool, and {where} names the cluster "
            f"{found}, whose workers grade: give --jobs with --cluster none, or --cluster "
            "local:N for N local workers"
        )
    return found


@click.command("grade")
@course_option
@click.argument("assignment_argument", metavar="[ASSIGNMENT]", required=False)
@assignment_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Notebooks graded at once [default: number of cores].",
)
@click.option(
    "--engine",
    type=click.Choice(["kit", "nbgrader"]),
    default="kit",
    show_default=True,
    help="kit: parallel and sandboxed; nbgrader: stock `nbgrader autograde`, "
    "unsandboxed (trusted code only: needs --no-sandbox).",
)
@click.option(
    "--no-sandbox",
    is_flag=True,
    help="For trusted code only: run submissions without bubblewrap. Without this flag "
    "grading stops (exit 2) where bubblewrap does not work.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    default=None,
    help="Grade on a Dask cluster: its scheduler's address (tcp://host:8786), local:N "
    "for N worker processes on this machine, or none for this machine's process pool "
    "[default: c.Grading.cluster in nbgrader_config.py, else none].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Regrade every submission, even those whose grade would be reused (nothing "
    "that decides it changed: the submission, the checks, the reference, the limits).",
)
@click.option(
    "--late-penalty",
    metavar="RULE",
    callback=_late_rule,
    default=None,
    help=f"The penalty of a submission whose timestamp.txt is past the gradebook's due "
    f"date (plus the student's extension), for this run: {late.RULES} (POINTS per hour "
    "or part of an hour late, at most the score). Computed by nbgrader's late-penalty "
    "plugin on the grader's scores [default: what nbgrader_config.py sets; nbgrader's "
    "default is none].",
)
def command(
    course: Path,
    assignment_argument: str | None,
    assignment: str | None,
    jobs: int | None,
    engine: str,
    no_sandbox: bool,
    force: bool,
    late_penalty: str | None,
    cluster: str | None,
):
    """Autograde every submission in submitted/ and print a table of scores.

    Student code runs in a sandbox (bubblewrap) with time, memory and output
    limits set in nbgrader_config.py (c.GradingLimits.*); grades land in
    nbgrader's gradebook, so `nbgrader export`, `generate_feedback` and the
    formgrader work as after `nbgrader autograde`.

    \b
    Examples:
      xorkit grade                 # every assignment's submitted/*/<assignment>/, all cores
      xorkit grade --jobs 4
      xorkit grade --force         # regrade everyone, unchanged submissions too
      xorkit grade --assignment xor_mlp   # the same as `xorkit grade xor_mlp`
      xorkit grade --cluster local:4      # a Dask cluster of 4 worker processes here
      xorkit grade --cluster tcp://scheduler:8786   # the workers of a Dask cluster
      xorkit grade --engine nbgrader --no-sandbox   # stock nbgrader, trusted code
      xorkit grade --late-penalty per-hour:0.5      # late work loses 0.5 points an hour
    """
    assignment = assignment_given(assignment_argument, assignment)
    root = course.resolve()
    if engine == "nbgrader" and cluster not in (None, "none"):
        raise click.UsageError("--cluster grades with the kit's engine, not stock nbgrader")
    address = _cluster(root, cluster, jobs) if engine == "kit" else ""

    # imported when the verb runs, not for --help: they load nbgrader and NumPy (seconds)
    from autograder.course import results
    from autograder.engine import grading

    names = course_checks.chosen(root, assignment)
    for name in names:
        course_checks.built(root, name)
    names = course_checks.with_class(root, names, graded_too=False)
    if engine == "kit" and no_sandbox:
        click.secho(
            "WARNING: grading is NOT sandboxed (--no-sandbox): student code can read and "
            "write what this user can. Use it for trusted code only.",
            fg="yellow",
            err=True,
        )
    attention = False
    for name in names:
        if len(names) > 1:
            click.echo(f"\n{name}")
        start = time.perf_counter()
        try:
            outcomes = grading.autograde(
                root,
                name,
                jobs=jobs or os.cpu_count(),
                engine=engine,
                progress=_progress,
                sandbox="off" if no_sandbox else "require",
                force=force,
                late_penalty=late_penalty,
                cluster=address or None,
            )
        except grading.StudentsNotGraded as exc:
            click.echo(results.table(exc.outcomes))
            for student, reason in sorted(exc.ungraded.items()):
                click.secho(f"{printable(student, 80)}: {reason}", fg="red", err=True)
            attention = True
            continue
        except GraderFault as exc:
            raise KitFailed(f"{exc}\nno grade was recorded for the students it affects") from exc
        except (NbgraderError, FileNotFoundError) as exc:
            raise KitFailed(str(exc)) from exc
        click.echo(results.table(outcomes))
        reused = sum(o.reused for o in outcomes)
        graded = len(outcomes) - reused
        click.echo(f"\ngraded {graded} submissions in {time.perf_counter() - start:.1f} s")
        if reused:
            click.echo(
                f"reused the recorded grades of {reused} unchanged submissions "
                "(nothing that decides them changed); --force regrades them"
            )
    if attention:
        raise click.exceptions.Exit(STUDENTS_NEED_ATTENTION)
