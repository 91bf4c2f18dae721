"""Grading trusts only a reference built from the course's own source with these checks."""

import json

import pytest
from click.testing import CliRunner

from autograder.checking import reference, runner
from autograder.cli import main
from autograder.course import build
from autograder.engine import grading
from autograder.faults import GraderFault
from tests.helpers import built_course, finished_release, submit


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.mktemp("reference-course"))


def _verify(course):
    return reference.verify(course, build.source_notebook(course))


def test_a_fresh_build_verifies(course):
    """The reference a build wrote passes verification and is the course's own file."""
    assert _verify(course) == reference.course_path(course)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda c: reference.course_path(c).unlink(), "reference.py is missing"),
        (lambda c: reference.record_path(c).unlink(), "build.json is missing"),
        (
            lambda c: reference.course_path(c).write_text("owned"),
            "is not the one the last build wrote",
        ),
        (
            lambda c: build.source_notebook(c).write_text(
                build.source_notebook(c).read_text().replace("σ(0)", "sigma(0)")
            ),
            "changed since the last build",
        ),
        (
            lambda c: reference.record_path(c).write_text(json.dumps({"checks": "0"})),
            "changed since the last build",
        ),
    ],
    ids=["reference-missing", "record-missing", "reference-edited", "source-edited", "stale"],
)
def test_a_damaged_build_is_a_grader_fault(tmp_path, damage, words):
    """A missing, edited or stale reference stops grading with a message saying to rebuild."""
    course = built_course(tmp_path / "course")
    damage(course)
    with pytest.raises(GraderFault, match="xorkit build") as info:
        _verify(course)
    assert words in str(info.value)


@pytest.mark.slow
def test_grade_with_a_broken_reference_records_nothing(tmp_path):
    """`xorkit grade` on a course whose reference was overwritten exits 2 and records no grade."""
    course = built_course(tmp_path / "course")
    submit(course, "ada", finished_release())
    reference.course_path(course).write_text("owned")
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 2, result.output
    assert "is not the one the last build wrote" in result.output
    assert "Traceback" not in result.output
    assert not (course / "autograded").exists()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_assignment("xor_mlp").submissions == []


def test_grade_without_a_build_says_what_to_do(tmp_path):
    """Grading a course that was never built stops with exit 2 and says to run `xorkit build`."""
    from tests.helpers import new_course

    course = new_course(tmp_path / "course")
    submit(course, "ada", finished_release())
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 2, result.output
    assert "xorkit build" in result.output and "Traceback" not in result.output


def test_grading_fails_closed_without_bubblewrap(tmp_path, monkeypatch):
    """Without a working bubblewrap, grading refuses student code unless told it is trusted."""
    monkeypatch.setattr(grading, "bwrap_works", lambda: False)
    with pytest.raises(GraderFault, match="apt-get install bubblewrap"):
        grading.use_sandbox("require")
    assert grading.use_sandbox("off") is False
    assert grading.use_sandbox("auto") is False


def test_grade_cli_without_bubblewrap_exits_2(course, monkeypatch):
    """`xorkit grade` where bubblewrap does not work exits 2 and names the install command."""
    monkeypatch.setattr(grading, "bwrap_works", lambda: False)
    submit(course, "ada", finished_release())
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 2, result.output
    assert "apt-get install bubblewrap" in result.output and "--no-sandbox" in result.output


def _register(monkeypatch, run):
    item = runner.Check("sigmoid", "a property under test", 1.0, run)
    monkeypatch.setitem(runner.REGISTRY, "sigmoid", [item])
    return item


def test_a_check_broken_on_the_reference_is_a_grader_fault(monkeypatch):
    """A check that raises on the reference too stops grading instead of costing a property."""
    from autograder import checks  # noqa: F401  (register the real checks first)

    def broken(impl):
        return impl.sigmoid(0.0).no_such_attribute

    _register(monkeypatch, broken)
    student = runner.Submission({"sigmoid": lambda x: 0.5})
    with pytest.raises(GraderFault, match="is broken"):
        runner.run_checks_on("sigmoid", student)


def test_a_check_tripped_by_student_values_fails_that_property(monkeypatch):
    """A check that passes on the reference but cannot use a student's value fails that property."""
    from autograder import checks  # noqa: F401

    def shape_check(impl):
        runner.expect(impl.sigmoid(reference.load().np.zeros(3)).shape == (3,), "shape")

    _register(monkeypatch, shape_check)
    (result,) = runner.run_checks_on("sigmoid", runner.Submission({"sigmoid": lambda x: "0.5"}))
    assert result.status == "failed"
    assert "cannot be evaluated on" in result.message
