"""Every verb fails well: a wrong directory, a typo, a skipped step or an empty class
gets one line saying what to do and the documented exit code, never a traceback."""

import importlib
import shutil

import click
import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook

from autograder.checking import assignment
from autograder.cli import main
from autograder.commands import VERBS
from autograder.commands.exit_codes import KIT_FAILED, STUDENTS_NEED_ATTENTION
from tests.helpers import built_course

TYPO = "xor_mpl"
CLASS_VERBS = ["export", "feedback", "grade", "report"]  # the verbs that read a class


def _args(verb, tmp_path):
    """The arguments a verb needs besides --course (collect: a download that exists)."""
    return [str(tmp_path)] if verb == "collect" else []


def _one_line(result) -> str:
    """The output, checked to be one line and no traceback."""
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1, result.output
    return result.output


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("where", ["missing", "empty"])
def test_a_folder_that_is_not_a_course_is_named(verb, where, tmp_path):
    """Every verb given a --course that does not exist or holds no nbgrader_config.py and
    no source/ exits 2 and says it is not a course directory and what one looks like."""
    folder = tmp_path / "course"
    if where == "empty":
        folder.mkdir()
    result = CliRunner().invoke(main, [verb, "--course", str(folder), *_args(verb, tmp_path)])
    assert result.exit_code == KIT_FAILED
    output = _one_line(result)
    assert f"{folder} is not a course directory" in output
    assert "a folder with nbgrader_config.py, source/<assignment>/ and assignments/" in output


def test_the_current_directory_is_checked_too(tmp_path, monkeypatch):
    """Run outside a course without --course, a verb names the current directory as not a
    course, says what is missing, and exits 2."""
    (tmp_path / "source").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == KIT_FAILED
    assert f"{tmp_path} is not a course directory (no nbgrader_config.py)" in _one_line(result)


@pytest.mark.parametrize("gradebook", ["missing", "without the assignment"])
def test_grade_before_build_says_to_build(gradebook, tmp_path):
    """`xorkit grade` where the gradebook is missing or lacks the assignment exits 2 with
    one line saying to run `xorkit build` in the course directory."""
    course = built_course(tmp_path / "course")
    if gradebook == "missing":
        (course / "gradebook.db").unlink()
    else:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            gb.remove_assignment("xor_mlp")
    shutil.copytree(course / "release", course / "submitted" / "ada")
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == KIT_FAILED
    assert "run `xorkit build` in the course directory" in _one_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["grade", TYPO],
        ["grade", "--assignment", TYPO],
        ["feedback", "--assignment", TYPO],
        ["export", "--assignment", TYPO],
        ["report", "--assignment", TYPO],
    ],
)
def test_a_mistyped_assignment_gets_the_course_s_names(args, tmp_path):
    """A misspelt assignment exits 2 with one line naming the course's assignments (from
    source/ and the gradebook) and the nearest one, not advice to build or grade."""
    course = built_course(tmp_path / "course")
    (course / "source" / "xor_mlp_v2").mkdir()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_assignment("lab0")
    result = CliRunner().invoke(main, [*args, "--course", str(course)])
    assert result.exit_code == KIT_FAILED
    names = sorted({"lab0", *(p.name for p in (course / "source").iterdir())})
    assert {"xor_mlp", "xor_mlp_v2"} <= set(names)
    assert _one_line(result) == (
        f"Error: no assignment '{TYPO}' in this course: it has {', '.join(names)}; "
        "did you mean 'xor_mlp'?\n"
    )


@pytest.mark.parametrize("verb", CLASS_VERBS)
def test_an_empty_class_is_one_line(verb, tmp_path):
    """grade, feedback, export and report on a built course without submissions exit 1
    with one line naming the folder the submissions belong in (the course has two
    assignments: the line names both)."""
    course = built_course(tmp_path / "course")
    result = CliRunner().invoke(main, [verb, "--course", str(course)])
    assert result.exit_code == STUDENTS_NEED_ATTENTION
    assert (
        f"no submissions in {course / 'submitted'} for any assignment "
        f"({', '.join(assignment.names(course))})" in _one_line(result)
    )
    assert not (course / "grades.csv").exists() and not (course / "reports").exists()


def test_grade_takes_the_assignment_as_an_option_too(tmp_path):
    """`xorkit grade --assignment A` is `xorkit grade A`; the same name twice is fine."""
    course = built_course(tmp_path / "course")
    for args in (["xor_mlp"], ["--assignment", "xor_mlp"], ["xor_mlp", "--assignment", "xor_mlp"]):
        result = CliRunner().invoke(main, ["grade", "--course", str(course), *args])
        assert result.exit_code == STUDENTS_NEED_ATTENTION  # an empty class: it got that far
        assert "no submissions in" in result.output


def test_grade_given_two_different_assignments_is_a_usage_error(tmp_path):
    """`xorkit grade A --assignment B` exits 2 as a usage error naming both."""
    course = built_course(tmp_path / "course")
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "xor_mlp", "--assignment", "lab0"]
    )
    assert result.exit_code == KIT_FAILED
    assert "two assignments given: 'xor_mlp' and --assignment 'lab0'" in result.output


def test_the_assignment_option_is_the_same_on_every_verb():
    """Every verb takes the same --assignment option: name, default (every assignment of
    the course) and help."""
    described = {}
    for verb in VERBS:
        command = importlib.import_module(f"autograder.commands.{verb}").command
        for param in command.params:
            if isinstance(param, click.Option) and param.name == "assignment":
                described[verb] = (tuple(param.opts), param.default, param.help)
    assert set(described) == set(VERBS)
    assert {default for _, default, _ in described.values()} == {None}
    assert len(set(described.values())) == 1, described
