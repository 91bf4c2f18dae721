"""The grading benchmark runs end to end on a small class (timings are printed, not asserted)."""

import pytest

from benchmarks import grading as bench


@pytest.mark.slow
def test_benchmark_small_class(capsys):
    """The benchmark grades a small class both ways and finds identical scores."""
    assert bench.main(["--students", "2", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "speed-up:" in out and "scores identical for all 2 submissions" in out
