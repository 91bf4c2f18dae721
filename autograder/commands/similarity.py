"""``xorkit similarity``: the pairs of students whose code is most alike, for a person to read."""

from pathlib import Path

import click

from autograder.commands import course as course_checks
from autograder.commands.exit_codes import HELP, STUDENTS_NEED_ATTENTION, KitFailed
from autograder.commands.options import assignment_option, course_option, per_assignment
from autograder.course.similarity_defaults import THRESHOLD, TOP
from autograder.text import printable


@click.command("similarity", epilog=HELP)
@course_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/{assignment}/similarity.html"),
    show_default=True,
    help="The HTML page to write (relative to the course directory), the CSV beside it "
    "with .csv; {assignment} stands for the assignment's name.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=THRESHOLD,
    show_default=True,
    help="Pairs scoring this or more are listed and flagged (1 = the same code).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=TOP,
    show_default=True,
    help="How many of the most similar pairs the page shows side by side.",
)
@assignment_option
def command(course: Path, out: Path, threshold: float, top: int, assignment: str | None):
    """Compare the students' code, pair by pair, and write the most similar pairs.

    Only what students wrote counts: the code of their solution cells, without
    the released scaffold and without what the reference solution writes.
    Renamed variables, comments, blank lines, reordered independent statements
    and a loop written as a comprehension make no difference; code much of the
    class shares counts less. The page shows each of the --top most similar
    pairs side by side, the shared lines highlighted; the CSV beside it scores
    every pair that shares code. A score is evidence for a person to look at,
    never a verdict. Exits 1 when some pair scores --threshold or more, or a
    notebook could not be read.

    \b
    Examples:
      xorkit similarity                   # reports/<assignment>/similarity.html and .csv
      xorkit similarity --assignment xor_mlp --threshold 0.6 --top 10
      xorkit similarity --out /tmp/{assignment}-similarity.html
    """
    # imported when the verb runs, not for --help: it loads NumPy and nbgrader (seconds)
    from autograder.course import similarity as similarity_api

    root = course.resolve()
    names = course_checks.chosen(root, assignment)
    outs = per_assignment(out, names, "--out")
    attention = False
    for name in course_checks.with_class(root, names, graded_too=False):
        path = outs[name] if outs[name].is_absolute() else root / outs[name]
        try:
            result = similarity_api.similarity(root, path, name, threshold, top)
        except FileNotFoundError as exc:
            raise KitFailed(str(exc)) from exc
        compared = len(result.students)
        pairs = similarity_api.counted(compared * (compared - 1) // 2, "pair")
        click.echo(
            f"{name}: {similarity_api.counted(compared, 'submission')} compared, {pairs} "
            f"→ {path} and {path.with_suffix('.csv').name}"
        )
        flagged = result.flagged
        if flagged:
            attention = True
            verb = "scores" if len(flagged) == 1 else "score"
            click.echo(
                f"{similarity_api.counted(len(flagged), 'pair')} {verb} {threshold:g} or more:"
            )
            for pair in flagged[:top]:
                click.echo(
                    f"  {pair.score:.2f}  {printable(pair.a, 40)} and {printable(pair.b, 40)}"
                    f"  ({', '.join(pair.functions[:4])}{', …' if len(pair.functions) > 4 else ''})"
                )
            if len(flagged) > top:
                click.echo(f"  … and {len(flagged) - top} more in the CSV")
            click.echo(
                "evidence for a person to look at, never a verdict: read the code side by "
                "side on the page before deciding anything"
            )
        else:
            click.echo(f"no pair scores {threshold:g} or more")
        if result.skipped:
            attention = True
            click.echo(f"\n{len(result.skipped)} notebooks could not be read, so not compared:")
            for student, why in result.skipped.items():
                click.echo(f"  {printable(student, 80)}: {printable(why)}")
    if attention:
        click.get_current_context().exit(STUDENTS_NEED_ATTENTION)
