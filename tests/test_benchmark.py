"""The grading benchmark runs end to end on a small class (timings are printed, not asserted)."""

import pytest

from benchmarks import grading as bench
from tests.helpers import built_course


@pytest.fixture(autouse=True)
def prebuilt(monkeypatch):
    """The benchmark's courses are copies of the course the test session built
    once (what ``make_course`` would build again, about 20 s each)."""

    def make_course(path, students):
        built_course(path)
        bench.add_students(path, students)
        return path

    monkeypatch.setattr(bench, "make_course", make_course)


@pytest.mark.slow
def test_benchmark_small_class(capsys):
    """The benchmark grades a small class both ways, finds identical scores and
    shows each engine's time per phase."""
    assert bench.main(["--students", "2", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "speed-up:" in out and "scores identical for all 2 submissions" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    for phase in ("sanitize", "execute", "record"):
        assert all(float(value) > 0 for value in rows[phase]), rows[phase]
    assert rows["checks"][0] == "—" and float(rows["checks"][1]) > 0


@pytest.mark.slow
def test_scaling_run(capsys):
    """The scaling run grades each class size with the kit and prints its cost."""
    assert bench.main(["--scaling", "1,3", "--jobs", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[-2:]] == ["1", "3"]


@pytest.mark.slow
def test_cluster_benchmark_small_class(capsys):
    """The benchmark grades a small class on the process pool and on a local Dask
    cluster, finds identical scores, and reports the ratio, the cluster's own
    phases, a task's round trip and the capacity they imply."""
    assert bench.main(["--students", "2", "--jobs", "2", "--cluster", "local:2"]) == 0
    out = capsys.readouterr().out
    assert "cluster / pool:" in out and "scores identical for all 2 submissions" in out
    assert "task round trip" in out and "submissions per core-hour" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert float(rows["start"][1]) > 0 and float(rows["unpack"][1]) > 0
