"""Grade batches in a process of their own and print what each cost, as JSON.

Run by the tests as ``python -m tests.grade_probe PLAN``, where PLAN is a JSON
file listing ``{"course": path, "jobs": n}``. Each batch is graded by
``grading.autograde`` in turn, with a temporary folder of its own; for each the
probe prints the wall time, the peak resident memory of every grading worker
(each worker reports its own after every job), the points per cell of every
student recorded, the students the grader could not grade, and what was left
behind: in the batch's temporary folder, and (owned by a sandbox's uid, or a
control group of the kit's) in the host's shared places, and processes of a
sandbox's uid. The last line also gives the peak resident memory of this main
process over all batches.
"""

import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from autograder.engine import cgroup, grading, sandbox_uids

_EXECUTE = grading.execute
_REPORT = Path(tempfile.mkdtemp(prefix="probe-")) / "workers"
# The uids a root grader's sandboxes run as. (Other test runs on this machine
# leave files of uid nobody and control groups of their own meanwhile: only the
# kit's sandbox uids and the groups this probe's workers made are counted.)
SANDBOX_UIDS = set(sandbox_uids.pool())


def measured_execute(job, *args):
    """``grading.execute``, then this worker's peak resident memory, reported."""
    try:
        return _EXECUTE(job, *args)
    finally:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(_REPORT, "a") as out:
            out.write(f"{os.getpid()} {peak}\n")


def host_files() -> set[str]:
    """Entries a sandbox's uid owns in the host's shared temporary places,
    processes running as a sandbox's uid, and the kit's control groups."""
    names = set()
    for place in ("/tmp", "/var/tmp", "/dev/shm"):
        for path in Path(place).iterdir() if Path(place).is_dir() else []:
            try:
                if path.lstat().st_uid in SANDBOX_UIDS:
                    names.add(str(path))
            except OSError:
                continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        uid = sandbox_uids.real_uid(pid)
        if uid in SANDBOX_UIDS:
            names.add(f"process {pid} of uid {uid}")
    for parent in (cgroup._parents() or {}).values():
        names |= {str(path) for path in parent.glob("xorkit-*")}
    return names


def ours(name: str, workers: set[int]) -> bool:
    """Whether a leftover is this batch's: any file or process of a sandbox's
    uid, and the control groups ``…-<pid>-<n>`` its ``workers`` made."""
    if not name.startswith(str(cgroup.ROOT)):
        return True
    found = re.search(r"-(\d+)-\d+$", name)
    return bool(found) and int(found[1]) in workers


def grade(course: Path, jobs: int) -> dict:
    _REPORT.write_text("")
    scratch = Path(tempfile.mkdtemp(prefix="probe-tmp-"))
    saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
    before = host_files()
    start = time.monotonic()
    ungraded: dict = {}
    try:
        outcomes = grading.autograde(course, "xor_mlp", jobs=jobs)
    except grading.StudentsNotGraded as exc:
        outcomes, ungraded = exc.outcomes, exc.ungraded
    finally:
        tempfile.tempdir = saved
    wall = time.monotonic() - start
    reports = [line.split() for line in _REPORT.read_text().splitlines()]
    workers = [int(peak) for _, peak in reports]
    pids = {int(pid) for pid, _ in reports}
    left = sorted(p.name for p in scratch.iterdir())
    if not left:
        scratch.rmdir()
    return {
        "wall": wall,
        "worker_mb": max(workers, default=0) / 1024,
        "scores": {o.student: {c.grade_id: c.score for c in o.cells} for o in outcomes},
        "ungraded": sorted(ungraded),
        "left_in_tmpdir": left,
        "left_on_host": sorted(n for n in host_files() - before if ours(n, pids)),
    }


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    grading.execute = measured_execute  # the workers are forked from this process
    batches = [grade(Path(b["course"]), b["jobs"]) for b in plan]
    _REPORT.unlink()
    _REPORT.parent.rmdir()
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"batches": batches, "main_mb": main_mb}))


if __name__ == "__main__":
    main()
