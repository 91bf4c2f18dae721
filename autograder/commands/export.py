"""``xorkit export``: the class's grades as a CSV for the LMS gradebook."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option, per_assignment
from autograder.course.lms import ID_FIELDS
from autograder.text import printable

PLAIN_TO = Path("grades/{assignment}.csv")
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}


def _where(ctx: click.Context, out: Path, lms: str) -> Path:
    """--to, or the layout's own default file (an LMS's file never replaces the plain one)."""
    if ctx.get_parameter_source("out") is click.core.ParameterSource.DEFAULT and lms != "plain":
        return Path(f"grades/{{assignment}}-{lms}.csv")
    return out


def _id_field(lms: str, id_field: str | None) -> str | None:
    """--id-field, when it is an id the chosen LMS imports on."""
    if id_field is None:
        return None
    if lms == "plain":
        raise click.UsageError("--id-field is for an LMS's layout: pass --lms canvas or moodle")
    if id_field not in ID_FIELDS[lms]:
        raise click.UsageError(
            f"--id-field {id_field} is not an id {LMS_NAMES[lms]} imports on: "
            f"{', '.join(ID_FIELDS[lms])}"
        )
    return id_field


def _columns(column: str | None, names: list[str]) -> dict[str, str | None]:
    """The LMS column of each assignment; one name cannot serve several assignments."""
    if column is not None and len(names) > 1 and "{assignment}" not in column:
        raise click.UsageError(
            f"--lms-assignment {column!r} names one assignment's column: choose the "
            "assignment with --assignment, or put {assignment} in it"
        )
    return {n: None if column is None else column.replace("{assignment}", n) for n in names}


@click.command("export", epilog=HELP)
@course_option
@click.option(
    "--to",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PLAIN_TO,
    show_default="grades/{assignment}.csv; with --lms, grades/{assignment}-<lms>.csv",
    help="The CSV file to write (relative to the course directory); {assignment} "
    "stands for the assignment's name.",
)
@click.option(
    "--lms",
    type=click.Choice(["plain", *LMS_NAMES]),
    default="plain",
    show_default=True,
    help="The layout: the kit's plain CSV, Canvas's gradebook import, or Moodle's (the "
    "assignment's grading worksheet; with --id-field username, email or idnumber, the "
    "gradebook's Import grades from CSV).",
)
@click.option(
    "--id-field",
    type=click.Choice(sorted({f for fields in ID_FIELDS.values() for f in fields})),
    default=None,
    help="What the kit's student ids are in the LMS: the column it matches rows on. "
    "Canvas: id (its user id, what `xorkit collect` files a Canvas download under), "
    "sis-user-id, sis-login-id. Moodle: participant (the number in the file names of its "
    "download, what `xorkit collect --lms moodle` files it under), username, email, "
    "idnumber. [default: id for Canvas, participant for Moodle]",
)
@click.option(
    "--lms-assignment",
    "column",
    default=None,
    metavar="NAME",
    help="The assignment's column in the LMS. Canvas: 'Title (assignment id)', as "
    "Canvas's own export names it (the id is the number in the assignment's URL, "
    "…/assignments/<id>); without an id Canvas matches an assignment of exactly that "
    "title, or creates one. [default: the assignment's name]",
)
@assignment_option
def command(
    course: Path,
    out: Path,
    lms: str,
    id_field: str | None,
    column: str | None,
    assignment: str | None,
):
    """Write the grades to a CSV, one row per student.

    The plain layout: student_id, score (after any late penalty), max_score,
    needs_manual_grading, raw_score, late_submission_penalty, hours_late, then
    the points of every graded cell (one per function, one per written answer).
    In the LMS's grade import, match student_id to the LMS user id (what
    `xorkit collect` files submissions under) and import score. While written
    answers await a person, the CSV is written but the scores are not final:
    the command says how many and exits 1.

    --lms canvas and --lms moodle write the file that LMS imports as it is,
    holding final grades only (after any late penalty): a student whose written
    answers await a person, or whose id cannot be the one the LMS matches rows
    on (--id-field), is left out, and the command says so and exits 1.

    \b
    Examples:
      xorkit export                      # grades/<assignment>.csv, each assignment
      xorkit export --assignment xor_mlp --to ~/xor_mlp.csv
      xorkit export --lms canvas --assignment xor_mlp --lms-assignment 'XOR MLP (4567)'
      xorkit export --lms moodle         # grades/<assignment>-moodle.csv: grading worksheet
      xorkit export --lms moodle --id-field username   # the gradebook's CSV import
    """
    # imported when the verb runs, not for --help: it loads nbgrader (seconds)
    from autograder.course import export as export_api

    ctx = click.get_current_context()
    id_field = _id_field(lms, id_field)
    root = course.resolve()
    names = course_checks.chosen(root, assignment)
    outs = per_assignment(_where(ctx, out, lms), names, "--to")
    columns = _columns(column, names)
    pending, left_out, skipped = [], 0, False
    names = course_checks.with_class(root, names)
    for name in names:
        path = outs[name] if outs[name].is_absolute() else root / outs[name]
        try:
            found = export_api.export_class(root, path, name, lms, id_field, columns[name])
        except FileNotFoundError as exc:
            if len(names) == 1:
                raise KitFailed(str(exc)) from exc
            # of several assignments, one not graded yet is skipped, and said so
            click.echo(f"{name}: not exported: {exc}")
            skipped = True
            continue
        except ValueError as exc:
            raise KitFailed(str(exc)) from exc
        click.echo(f"{name}: {found.written} students → {path}")
        for student, why in sorted(found.left_out.items()):
            click.echo(f"  left out {printable(student, 80)}: {why}")
        left_out += len(found.left_out)
        pending += [o for o in found.outcomes if o.manual_pending]
    if pending:
        answers = sum(len(o.manual_pending) for o in pending)
        consequence = (
            "their scores count them as 0 and are not final (needs_manual_grading=yes)."
            if lms == "plain"
            else f"those students are left out of the {LMS_NAMES[lms]} file until then "
            "(an import would count the answers as 0)."
        )
        click.echo(
            f"\n{answers} written answers of {len(pending)} students await manual grading: "
            f"{consequence}"
            "\ngrade them in nbgrader's formgrader (`jupyter lab` → Nbgrader → Formgrader "
            "→ Manual Grading), then rerun `xorkit export`"
        )
    if left_out:
        click.echo(
            f"\n{left_out} students are left out of the {LMS_NAMES[lms]} file: their ids cannot "
            "be the ones it matches rows on (see above); enter their grades by hand, or "
            "export again with the right --id-field"
        )
    if pending or left_out or skipped:
        ctx.exit(STUDENTS_NEED_ATTENTION)
