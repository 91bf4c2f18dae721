"""Grading trusts only a reference built from the course's own source with these checks."""

import json

import pytest
from click.testing import CliRunner

from autograder.checking import assignment, reference, runner
from autograder.cli import main
from autograder.engine import grading
from autograder.faults import GraderFault
from tests.helpers import XOR, XOR_NAME, built_course, finished_release, submit


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.mktemp("reference-course"))


def _xor(course):
    return assignment.load(course, XOR_NAME)


def _verify(course):
    return reference.verify(_xor(course))


def test_a_fresh_build_verifies(course):
    """The reference a build wrote passes verification and is the course's own file."""
    assert _verify(course) == _xor(course).solutions() / "reference.py"


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda c: (_xor(c).solutions() / "reference.py").unlink(), "reference.py is missing"),
        (lambda c: _xor(c).record_path().unlink(), "build.json is missing"),
        (
            lambda c: (_xor(c).solutions() / "reference.py").write_text("owned"),
            "is not the one the last build wrote",
        ),
        (
            lambda c: (
                _xor(c)
                .source_notebook()
                .write_text(_xor(c).source_notebook().read_text().replace("σ(0)", "sigma(0)"))
            ),
            "changed since the last build",
        ),
        (
            lambda c: _xor(c).record_path().write_text(json.dumps({"checks": "0"})),
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
    (_xor(course).solutions() / "reference.py").write_text("owned")
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
    monkeypatch.setitem(XOR.load_checks(), "sigmoid", [item])
    return item


def test_a_check_broken_on_the_reference_is_a_grader_fault(monkeypatch):
    """A check that raises on the reference too stops grading instead of costing a property."""

    def broken(impl):
        return impl.sigmoid(0.0).no_such_attribute

    _register(monkeypatch, broken)
    student = runner.Submission({"sigmoid": lambda x: 0.5}, XOR.names)
    with pytest.raises(GraderFault, match="is broken"):
        runner.run_checks_on(XOR, "sigmoid", student)


def test_a_check_tripped_by_student_values_fails_that_property(monkeypatch):
    """A check that passes on the reference but cannot use a student's value fails that property."""

    def shape_check(impl):
        runner.expect(impl.sigmoid(XOR.reference().np.zeros(3)).shape == (3,), "shape")

    _register(monkeypatch, shape_check)
    student = runner.Submission({"sigmoid": lambda x: "0.5"}, XOR.names)
    (result,) = runner.run_checks_on(XOR, "sigmoid", student)
    assert result.status == "failed"
    assert "cannot be evaluated on" in result.message
