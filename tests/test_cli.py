"""The xorkit command line, run in-process (and in a fresh Python, to see what it imports)."""

import importlib
import json
import subprocess
import sys

import click
from click.testing import CliRunner

from autograder.checking import assignment
from autograder.cli import main
from autograder.commands import VERBS
from tests.helpers import built_course, new_course


def test_help_lists_the_verbs():
    """`xorkit --help` lists build and grade."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output and "grade" in result.output


def test_grade_without_submissions_says_what_is_missing(tmp_path):
    """Grading a built course with no submissions exits 1 and names the folder it looked
    in, per assignment when one is named, for every assignment of the course otherwise."""
    course = built_course(tmp_path)
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "xor_mlp"])
    assert result.exit_code == 1
    assert f"no submissions in {course / 'submitted'}/*/xor_mlp/" in result.output
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 1
    assert (
        f"no submissions in {course / 'submitted'} for any assignment "
        f"({', '.join(assignment.names(course))})" in result.output
    )


def test_help_documents_every_verb_and_the_exit_codes():
    """`xorkit --help` lists every verb and the three exit codes; each verb's help has examples."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for verb in VERBS:
        assert verb in result.output
    for line in ["0  done", "1  done, but some students", "2  the kit failed"]:
        assert line in result.output
    for verb in set(VERBS) - {"grade"}:  # grade's help belongs to the grading issue
        verb_help = CliRunner().invoke(main, [verb, "--help"])
        assert verb_help.exit_code == 0
        assert "Example" in verb_help.output and "xorkit " + verb in verb_help.output


def test_unknown_option_is_a_kit_failure():
    """A wrong option exits 2, the code for "the kit failed", not 1 ("students need attention")."""
    result = CliRunner().invoke(main, ["export", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_a_mistyped_verb_gets_a_suggestion():
    """A verb typed wrong exits 2 and suggests the verb it is closest to."""
    result = CliRunner().invoke(main, ["gra"])
    assert result.exit_code == 2
    assert "No such command 'gra'. Did you mean 'grade'?" in result.output


def _broken_export(monkeypatch, tmp_path):
    from autograder.course import export

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(export, "export_class", broken)
    course = new_course(tmp_path)
    (course / "submitted" / "ada" / "xor_mlp").mkdir(parents=True)
    return course


def test_a_crash_inside_a_verb_exits_2_in_one_line(tmp_path, monkeypatch):
    """An unexpected exception in a verb exits 2 ("the kit failed") with one line that
    calls it a bug in the kit and points to --debug; no traceback."""
    course = _broken_export(monkeypatch, tmp_path)
    result = CliRunner().invoke(main, ["export", "--course", str(course)])
    assert result.exit_code == 2
    assert result.output == (
        "Error: unexpected RuntimeError: disk on fire (a bug in the kit: rerun as "
        "`xorkit --debug export …` for the traceback, and report it)\n"
    )


def test_debug_shows_the_traceback_of_a_crash(tmp_path, monkeypatch):
    """`xorkit --debug` prints the traceback of an unexpected exception, still exiting 2."""
    course = _broken_export(monkeypatch, tmp_path)
    result = CliRunner().invoke(main, ["--debug", "export", "--course", str(course)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.output
    assert "RuntimeError: disk on fire" in result.output
    assert "bug in the kit: report it with the traceback above" in result.output


# What one verb's run needs and `xorkit --help` must not wait for (seconds of imports).
HEAVY_MODULES = {"nbformat", "nbgrader", "numpy", "jsonschema", "sqlalchemy", "nbconvert"}

HELP_AND_USAGE_ERRORS = """\
import json, sys
from click.testing import CliRunner
from autograder.cli import main
from autograder.commands import VERBS
runs = [["--help"], [], ["nosuchverb"], ["export", "--no-such-option"], ["grade", "--jobs", "0"]]
runs += [[verb, "--help"] for verb in VERBS]
codes = {" ".join(args): CliRunner().invoke(main, args).exit_code for args in runs}
print(json.dumps({"codes": codes, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def test_help_and_usage_errors_import_no_heavy_module(tmp_path):
    """`xorkit --help`, every verb's --help and usage errors import none of nbgrader,
    nbformat, NumPy and the like: a verb's module loads its dependencies when it runs."""
    proc = subprocess.run(
        [sys.executable, "-c", HELP_AND_USAGE_ERRORS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(proc.stdout)
    assert seen["codes"] == {
        "--help": 0,
        "": 2,
        "nosuchverb": 2,
        "export --no-such-option": 2,
        "grade --jobs 0": 2,
        **{f"{verb} --help": 0 for verb in VERBS},
    }
    assert HEAVY_MODULES & set(seen["modules"]) == set()


def test_the_verb_table_matches_the_verbs():
    """Every verb in VERBS is its module's command, with the table's summary as its short
    help, and `xorkit --help` lists the verbs as click would list the commands themselves."""
    commands = {}
    for verb, summary in VERBS.items():
        command = importlib.import_module(f"autograder.commands.{verb}").command
        assert command.name == verb
        assert command.get_short_help_str(limit=1000) == summary
        commands[verb] = command
    for width in (50, 78, 120):  # click shortens the summaries to fit the terminal
        listings = []
        for group in (main, click.Group(commands=commands)):
            formatter = click.HelpFormatter(width=width)
            group.format_commands(click.Context(group), formatter)
            listings.append(formatter.getvalue())
        assert listings[0] == listings[1]
