"""The xorkit command line, run in-process."""

from click.testing import CliRunner

from autograder.cli import main
from tests.helpers import new_course


def test_help_lists_the_verbs():
    """`xorkit --help` lists build and grade."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output and "grade" in result.output


def test_grade_without_submissions_says_what_is_missing(tmp_path):
    """Grading a course with no submissions exits 1 and names the folder it looked in."""
    course = new_course(tmp_path)
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 1
    assert "no submissions" in result.output


def test_help_documents_every_verb_and_the_exit_codes():
    """`xorkit --help` lists every verb and the three exit codes; each verb's help has examples."""
    from autograder.commands import VERBS

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


def test_a_crash_inside_a_verb_exits_2(tmp_path, monkeypatch):
    """An unexpected exception in a verb exits 2 ("the kit failed") and asks for a bug report."""
    from autograder import export

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export, "export_csv", broken)
    result = CliRunner().invoke(main, ["export", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "unexpected RuntimeError: disk on fire" in result.output
    assert "bug in the kit" in result.output
