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
