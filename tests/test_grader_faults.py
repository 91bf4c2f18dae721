"""Grader faults stop the run (exit 2) and record nothing for the students they affect."""

import os
import time

import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.course import results
from autograder.engine import grading, remote
from autograder.engine.sandbox import Died
from autograder.faults import GraderFault
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


# Workers receive the function they run by name: stand-ins live at module level.
_EXECUTE = grading.execute


def _crash(*args, **kwargs):
    raise RuntimeError("simulated crash")


def _kill_the_worker_for_killer(job, *args):
    if job.student == "killer":
        os._exit(9)  # what the kernel's OOM killer does to a worker
    return _EXECUTE(job, *args)


_INNER = grading._execute


def _hang_or_hog(job, *args):
    if job.student == "hanger":
        time.sleep(3600)  # a grader computation that never ends
    if job.student == "hog":
        bytearray(8 << 30)  # past the worker's memory bound: MemoryError
    return _INNER(job, *args)


def _short_watchdog(limits, notebooks):
    return 12  # an honest notebook takes a few seconds here


def _never_starts(self):
    raise Died("the executor could not start: simulated")


def test_a_sandbox_that_cannot_start_is_a_grader_fault(course, monkeypatch):
    """A sandbox that fails to start twice stops grading; no student gets a zero for it."""
    monkeypatch.setattr(remote.Sandbox, "start", _never_starts)
    with pytest.raises(GraderFault, match="the sandbox could not start"):
        grading.autograde(course, "xor_mlp", jobs=1, sandbox="auto")
    assert _recorded(course) == []


def test_a_crashing_worker_is_a_grader_fault(course, monkeypatch):
    """A grading worker that raises stops the run instead of recording 'grading failed' zeros."""
    monkeypatch.setattr(grading, "execute", _crash)
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--no-sandbox"])
    assert result.exit_code == 2, result.output
    assert "RuntimeError: simulated crash" in result.output
    assert "failed inside the grader" in result.output and "Traceback" not in result.output
    assert _recorded(course) == []


def test_nbgrader_failing_to_record_is_a_grader_fault(course, monkeypatch):
    """When nbgrader cannot record a student's grades, the run stops with exit 2
    and nobody graded in it keeps a gradebook row."""

    def failing(gb, course, one, late):
        gb.update_or_create_student(one.student)  # nbgrader commits this row itself
        raise RuntimeError("simulated: database disk image is malformed")

    monkeypatch.setattr(grading.bookkeeping, "_record_one", failing)
    with pytest.raises(GraderFault, match="could not record the grades"):
        grading.autograde(course, "xor_mlp", jobs=1, sandbox="auto")
    assert _recorded(course) == []


def test_stock_nbgrader_needs_trusted_code(course):
    """Stock nbgrader runs submissions unsandboxed: it refuses unless told the code is trusted."""
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--engine", "nbgrader"])
    assert result.exit_code == 2, result.output
    assert "--no-sandbox" in result.output


def test_a_worker_killer_costs_nobody_else(tmp_path, monkeypatch):
    """A submission whose grading kills the worker is found by grading it alone: it
    is not recorded and the command exits 1 naming it; every other student, graded
    before, beside and after it, gets their exact grade."""
    course = built_course(tmp_path / "course")
    for student in ["a_first", "killer", "m_beside", "z_after", "zz_last"]:
        submit(course, student, finished_release())
    monkeypatch.setattr(grading, "execute", _kill_the_worker_for_killer)
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "--no-sandbox", "--jobs", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "killer: not graded: grading this submission killed or hung" in result.output
    assert sorted(_recorded(course)) == ["a_first", "m_beside", "z_after", "zz_last"]
    for outcome in results.collect(course, "xor_mlp"):
        autograded = [c for c in outcome.cells if c.grade_id.startswith("test_")]
        assert all(c.score == c.max_score for c in autograded), outcome


def test_a_hung_or_hogging_worker_costs_nobody_else(tmp_path, monkeypatch):
    """A worker whose grading outlives its watchdog, or outgrows its memory bound,
    is ended and replaced; the submission is graded again alone, then reported as
    not graded (exit 1); every other student gets their exact grade."""
    course = built_course(tmp_path / "course")
    for student in ["a_first", "hanger", "hog", "z_after"]:
        submit(course, student, finished_release())
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.GradingLimits.grader_memory_mb = 1024\n")
    monkeypatch.setattr(grading, "_execute", _hang_or_hog)
    monkeypatch.setattr(grading, "watchdog_seconds", _short_watchdog)
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "--no-sandbox", "--jobs", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "hanger: not graded: grading this submission killed or hung" in result.output
    assert "hog: not graded" in result.output
    assert sorted(_recorded(course)) == ["a_first", "z_after"], result.output
    for outcome in results.collect(course, "xor_mlp"):
        autograded = [c for c in outcome.cells if c.grade_id.startswith("test_")]
        assert all(c.score == c.max_score for c in autograded), outcome
