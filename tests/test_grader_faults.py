"""Grader faults stop the run (exit 2) and record nothing for the students they affect."""

import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook

from autograder import grading, remote
from autograder.cli import main
from autograder.faults import GraderFault
from autograder.sandbox import Died
from tests.helpers import built_course, finished_release, submit


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = built_course(tmp_path_factory.mktemp("faults-course"))
    submit(course, "ada", finished_release())
    submit(course, "bo", finished_release())
    return course


def _recorded(course) -> list[str]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return [s.student_id for s in gb.find_assignment("xor_mlp").submissions]


def _never_starts(self):
    raise Died("the executor could not start: simulated")


def test_a_sandbox_that_cannot_start_is_a_grader_fault(course, monkeypatch):
    """A sandbox that fails to start twice stops grading; no student gets a zero for it."""
    monkeypatch.setattr(remote.Sandbox, "start", _never_starts)
    with pytest.raises(GraderFault, match="the sandbox could not start"):
        grading.autograde(course, jobs=1, sandbox="auto")
    assert _recorded(course) == []


def test_a_crashing_worker_is_a_grader_fault(course, monkeypatch):
    """A grading worker that raises stops the run instead of recording 'grading failed' zeros."""

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(grading, "execute", crash)
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--no-sandbox"])
    assert result.exit_code == 2, result.output
    assert "failed inside the grader" in result.output and "Traceback" not in result.output
    assert _recorded(course) == []


def test_nbgrader_failing_to_record_is_a_grader_fault(course, monkeypatch):
    """When nbgrader cannot record a student's grades, the run stops with exit 2."""
    convert = grading._convert

    def failing(converter, *args):
        if converter is grading._Record:
            return "nbgrader could not process it: simulated"
        return convert(converter, *args)

    monkeypatch.setattr(grading, "_convert", failing)
    with pytest.raises(GraderFault, match="could not record the grades"):
        grading.autograde(course, jobs=1, sandbox="auto")


def test_stock_nbgrader_needs_trusted_code(course):
    """Stock nbgrader runs submissions unsandboxed: it refuses unless told the code is trusted."""
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--engine", "nbgrader"])
    assert result.exit_code == 2, result.output
    assert "--no-sandbox" in result.output
