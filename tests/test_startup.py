"""The start-up benchmark runs the real `xorkit` (timings are printed, not asserted)."""

from benchmarks import startup


def test_startup_benchmark_times_every_case():
    """The benchmark times `xorkit --help`, a verb's help and a usage error, each
    ending with its expected exit code, and reports a wall time for each."""
    seconds = startup.startup_seconds(runs=1)
    assert set(seconds) == set(startup.CASES)
    assert all(value > 0 for value in seconds.values())
