"""Options shared by several verbs, named, described and defaulted once."""

from pathlib import Path

import click

from autograder.commands.exit_codes import KitFailed

# what an instructor is told when --course (or the current directory) is not a course
COURSE_LOOKS_LIKE = (
    "a course directory is a folder with nbgrader_config.py, source/<assignment>/ and "
    "assignments/<assignment>/: run xorkit in one, or pass --course DIR"
)


def _a_course(ctx: click.Context, param: click.Parameter, path: Path) -> Path:
    """The --course folder, once it looks like a course: checked before a verb starts,
    so that no verb reads or writes in a folder that is not one."""
    if ctx.resilient_parsing:  # shell completion: never stop it
        return path
    shown = path.resolve()
    if not path.is_dir():
        why = "it does not exist"
    else:
        missing = [name for name in ("nbgrader_config.py", "source") if not (path / name).exists()]
        if not missing:
            return path
        why = "no " + ", no ".join(f"{name}/" if name == "source" else name for name in missing)
    raise KitFailed(f"{shown} is not a course directory ({why}): {COURSE_LOOKS_LIKE}")


course_option = click.option(
    "--course",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    callback=_a_course,
    help="The course directory (holds nbgrader_config.py and source/).",
)


def per_assignment(path: Path, names: list[str], option: str) -> dict[str, Path]:
    """``path`` for each assignment, ``{assignment}`` in it replaced by the name;
    several assignments need the placeholder, or they would share one file."""
    if len(names) > 1 and "{assignment}" not in str(path):
        raise click.UsageError(
            f"{option} {path} would be written for {len(names)} assignments: put "
            "{assignment} in it, or choose one with --assignment"
        )
    return {name: Path(str(path).replace("{assignment}", name)) for name in names}


assignment_option = click.option(
    "--assignment",
    default=None,
    help="The assignment: its folder in source/ and submitted/<student>/, its package "
    "in assignments/, and its name in the gradebook [default: every assignment of the "
    "course].",
)


def assignment_given(argument: str | None, option: str | None) -> str | None:
    """The assignment of a verb that also takes it as an argument (``xorkit grade
    xor_mlp``): the argument or --assignment, but not two different names."""
    ctx = click.get_current_context()
    from_option = ctx.get_parameter_source("assignment") is not click.core.ParameterSource.DEFAULT
    if argument is not None and from_option and argument != option:
        raise click.UsageError(
            f"two assignments given: {argument!r} and --assignment {option!r}; give one"
        )
    return argument if argument is not None else option


def count_option(*names: str, minimum: int = 1, default: int | None = None, help: str):
    """An option taking a whole number of at least ``minimum``, its default shown
    (a default of None, computed when the verb runs, is described in ``help``)."""
    return click.option(
        *names,
        type=click.IntRange(min=minimum),
        default=default,
        show_default=default is not None,
        help=help,
    )


def folder_option(default: str, help: str):
    """``--out``: the folder a verb writes into, ``default`` unless given."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )
