"""Grade a course in a process of its own and print what it cost, as JSON.

Run by the tests as ``python -m tests.grade_probe COURSE JOBS``: the wall time,
the peak resident memory of the main process and of every grading worker (each
worker reports its own after every job it ran), the points per cell of every
student recorded, and the students the grader could not grade.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from autograder import grading

_EXECUTE = grading.execute
_REPORT = Path(tempfile.mkdtemp(prefix="probe-")) / "workers"


def measured_execute(job, *args):
    """``grading.execute``, then this worker's peak resident memory, reported."""
    try:
        return _EXECUTE(job, *args)
    finally:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(_REPORT, "a") as out:
            out.write(f"{os.getpid()} {peak}\n")


def main() -> None:
    course, jobs = Path(sys.argv[1]), int(sys.argv[2])
    report = _REPORT
    report.touch()
    grading.execute = measured_execute  # the workers are forked from this process
    start = time.monotonic()
    ungraded: dict = {}
    try:
        outcomes = grading.autograde(course, jobs=jobs)
    except grading.StudentsNotGraded as exc:
        outcomes, ungraded = exc.outcomes, exc.ungraded
    wall = time.monotonic() - start
    workers = [int(line.split()[1]) for line in report.read_text().splitlines()]
    report.unlink()
    report.parent.rmdir()
    print(
        json.dumps(
            {
                "wall": wall,
                "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_mb": max(workers, default=0) / 1024,
                "scores": {o.student: {c.grade_id: c.score for c in o.cells} for o in outcomes},
                "ungraded": sorted(ungraded),
            }
        )
    )


if __name__ == "__main__":
    main()
