"""Grading on a Dask cluster (`xorkit grade --cluster`), with the real engine.

Every test here starts a real ``distributed.LocalCluster`` of process workers on
127.0.0.1: the kit's own (``local:N``) or one the test starts and names by its
scheduler's address, as a remote cluster is named. Classes are small: the
machine the suite runs on has two cores.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from click.testing import CliRunner
from distributed import Client
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.course import results
from autograder.engine import cluster, fingerprint, grading, sandbox, shipment
from autograder.faults import GraderFault
from tests.helpers import GRADED_CELLS, REPO, built_course, finished_release, submit
from tests.test_adversarial import _checksums, _make, corpus
from tests.test_bookkeeping import gradebook_rows

EXAMPLE_CLASS = sorted(p.name for p in (REPO / "submitted").iterdir())
NEEDS_BWRAP = pytest.mark.skipif(
    not sandbox.bwrap_works(), reason="student code runs only in bubblewrap, missing here"
)


def _example_class(path: Path) -> Path:
    course = built_course(path)
    for student in EXAMPLE_CLASS:
        folder = REPO / "submitted" / student / "xor_mlp"
        submit(course, student, nbformat.read(folder / "xor_mlp.ipynb", as_version=4))
    return course


def _graded_test_cells(course: Path, student: str) -> list:
    """The autograded notebook's test cells as the grader left them: source,
    metadata and outputs (the hidden checks' results among them)."""
    path = course / "autograded" / student / "xor_mlp" / "xor_mlp.ipynb"
    nb = nbformat.read(path, as_version=4)
    return [
        (c.source, c.metadata.get("nbgrader"), c.outputs)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in GRADED_CELLS
    ]


def _notes(course: Path, student: str) -> dict:
    return json.loads((course / "autograded" / student / "xor_mlp" / grading.NOTES).read_text())


def _recorded(course: Path) -> list[str]:
    with Gradebook(results.db_url(course)) as gb:
        return sorted(s.student_id for s in gb.find_assignment("xor_mlp").submissions)


def _full_marks(course: Path, students) -> None:
    by_student = {o.student: o for o in results.collect(course, "xor_mlp")}
    for student in students:
        cells = {c.grade_id: c.score for c in by_student[student].cells}
        assert {g: cells[g] for g in GRADED_CELLS} == GRADED_CELLS, student


# ---------------------------------------------------------------- the address


def test_a_wrong_cluster_address_is_a_kit_failure(tmp_path):
    """A --cluster or c.Grading.cluster that names no cluster exits 2 before
    anything is graded, and says which of the two was wrong; --jobs with a
    cluster is a usage error."""
    course = built_course(tmp_path / "course")
    submit(course, "ada", finished_release())
    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--cluster", "x y"])
    assert result.exit_code == 2 and "--cluster: 'x y' is not a Dask scheduler's" in result.output
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "--cluster", "local:2", "--jobs", "2"]
    )
    assert result.exit_code == 2 and "give --jobs with --cluster none" in result.output
    with open(course / "nbgrader_config.py", "a") as config:
        config.write('\nc.Grading.cluster = "local:0"\n')
    result = CliRunner().invoke(main, ["grade", "--course", str(course)])
    assert result.exit_code == 2 and "c.Grading.cluster in" in result.output
    assert _recorded(course) == []


# ---------------------------------------------------------------- what is sent


def test_a_worker_refuses_a_course_its_build_record_does_not_vouch_for(tmp_path):
    """What a worker receives is verified against the build record: a reference
    changed on the way, or a worker whose kit differs, is a grader fault."""
    course = built_course(tmp_path / "course")
    sent = shipment.course_files(course, "xor_mlp")
    files = dict(sent.files)
    files["solutions/xor_mlp/reference.py"] += b"\n# changed\n"
    tampered = shipment.CourseFiles("xor_mlp", files, sent.kit, sent.versions)
    with pytest.raises(GraderFault, match="does not match its build record"):
        shipment.write_course(tampered, tmp_path / "worker-a")
    other_kit = shipment.CourseFiles("xor_mlp", sent.files, "0" * 64, sent.versions)
    with pytest.raises(GraderFault, match="kit"):
        shipment.write_course(other_kit, tmp_path / "worker-b")
    assert shipment.write_course(sent, tmp_path / "worker-c").name == "xor_mlp"


def test_a_submission_arrives_as_it_was_submitted(tmp_path):
    """A submission's folders, files, modes and times are written on the worker
    as they are in submitted/; a link is never read."""
    folder = tmp_path / "sent"
    (folder / "data" / "inner").mkdir(parents=True)
    (folder / "xor_mlp.ipynb").write_text("{}")
    (folder / "data" / "inner" / "weights.bin").write_bytes(bytes(range(256)))
    os.chmod(folder / "data" / "inner" / "weights.bin", 0o600)
    (folder / "data" / "inner").chmod(0o500)
    entries = shipment.submission_files(folder)
    shipment.write_submission(entries, tmp_path / "received")
    assert shipment.submission_files(tmp_path / "received") == entries
    (folder / "data" / "inner").chmod(0o700)
    (folder / "link").symlink_to("/etc/passwd")
    with pytest.raises(ValueError, match="neither a regular file nor a folder"):
        shipment.submission_files(folder)


def test_a_worker_removes_what_killed_workers_left(tmp_path, monkeypatch):
    """A worker starting on a machine removes the course copies that killed
    workers (no process by their pid, or a zombie) left in its temporary
    folder, and no live worker's."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"{cluster.COURSE_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{cluster.COURSE_PREFIX}{os.getpid()}-def"
    for folder in (left, live):
        (folder / "course" / "locked").mkdir(parents=True)
        (folder / "course" / "locked").chmod(0)
    cluster._sweep_dead_workers()
    assert not left.exists() and live.exists()
    (live / "course" / "locked").chmod(0o700)


# ---------------------------------------------------------------- the example class


@contextlib.contextmanager
def _dask_unimportable():
    """Within it, importing Dask raises ImportError (here and in forked workers)."""
    names = [n for n in sys.modules if n.split(".")[0] in ("dask", "distributed")]
    saved = {n: sys.modules.pop(n) for n in names}
    sys.modules.update({"dask": None, "distributed": None})
    try:
        yield
    finally:
        del sys.modules["dask"], sys.modules["distributed"]
        sys.modules.update(saved)


@pytest.mark.slow
@NEEDS_BWRAP
def test_the_example_class_grades_on_a_cluster_as_it_does_locally(tmp_path):
    """`xorkit grade --cluster local:2` records, for every student of the example
    class, exactly what local grading records: every grade, comment and
    timestamp in the gradebook, the grader's notes and fingerprint, and each
    test cell of the autograded notebook; run again, it reuses every grade.
    Without a cluster, the verb never imports Dask."""
    local = _example_class(tmp_path / "local")
    on_cluster = _example_class(tmp_path / "cluster")
    with _dask_unimportable():
        result = CliRunner().invoke(
            main, ["grade", "--course", str(local), "--cluster", "none", "--jobs", "2"]
        )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        main, ["grade", "--course", str(on_cluster), "--cluster", "local:2"]
    )
    assert result.exit_code == 0, result.output
    assert gradebook_rows(on_cluster) == gradebook_rows(local)
    for student in EXAMPLE_CLASS:
        assert _notes(on_cluster, student) == _notes(local, student), student
        assert _notes(on_cluster, student)["sandboxed"] is True
        assert _graded_test_cells(on_cluster, student) == _graded_test_cells(local, student)
    again = CliRunner().invoke(main, ["grade", "--course", str(on_cluster), "--cluster", "local:2"])
    assert again.exit_code == 0, again.output
    assert f"reused the recorded grades of {len(EXAMPLE_CLASS)} unchanged" in again.output


# ---------------------------------------------------------------- losing workers


class _KillOneBusyWorker:
    """A progress bar that, when the first grade is recorded, kills (SIGKILL)
    a worker process of ``client``'s cluster that is grading a submission."""

    def __init__(self, client: Client):
        self.client, self.killed = client, []
        self.pids = client.run(os.getpid)

    def __call__(self, total):
        return self

    def update(self, n):
        if self.killed:
            return
        busy = [w for w, keys in self.client.processing().items() if keys]
        if busy:
            os.kill(self.pids[busy[0]], signal.SIGKILL)
            self.killed.append(busy[0])

    def close(self):
        pass


@pytest.mark.slow
def test_a_worker_killed_mid_batch_costs_nobody(tmp_path, monkeypatch):
    """A worker process killed while it grades a submission is replaced; its
    submission is graded again elsewhere and every student gets their exact
    grade, recorded once. The cluster listens on 127.0.0.1 only."""
    # what the killed worker leaves (it runs no teardown) stays in tmp_path
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    course = built_course(tmp_path / "course")
    students = ["a", "b", "c", "d"]
    for student in students:
        submit(course, student, finished_release())
    here = cluster.local_cluster(2, local_directory=str(tmp_path / "dask"))
    with here as local, Client(local, set_as_default=False) as client:
        for address in [local.scheduler_address, *client.scheduler_info()["workers"]]:
            assert address.startswith("tcp://127.0.0.1:"), address
        # the workers, and this process (the scheduler and the nannies live here)
        listening = [
            c.laddr.ip
            for pid in [os.getpid(), *client.run(os.getpid).values()]
            for c in psutil.Process(pid).net_connections("inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert listening and set(listening) == {"127.0.0.1"}
        killer = _KillOneBusyWorker(client)
        outcomes = grading.autograde(
            course, "xor_mlp", sandbox="auto", progress=killer, cluster=local.scheduler_address
        )
    assert killer.killed, "no worker was busy when the first grade was recorded"
    assert sorted(o.student for o in outcomes) == students
    assert _recorded(course) == students
    _full_marks(course, students)


_EXECUTE = grading.execute


def _kill_the_worker_for_killer(job, *args):
    if job.student == "killer":
        os._exit(9)  # what the kernel's OOM killer does to a worker
    return _EXECUTE(job, *args)


@pytest.mark.slow
def test_a_submission_that_kills_its_worker_again_is_not_graded(tmp_path, monkeypatch):
    """A submission whose grading kills a cluster worker is graded once more; when
    that kills a worker too, it is not recorded and the command exits 1 naming
    it; everyone graded before, beside and after it gets their exact grade."""
    course = built_course(tmp_path / "course")
    students = ["a_first", "killer", "m_beside", "z_after"]
    for student in students:
        submit(course, student, finished_release())
    # the kit's workers are forked from this process, so they run the stand-in
    monkeypatch.setattr(grading, "execute", _kill_the_worker_for_killer)
    result = CliRunner().invoke(
        main, ["grade", "--course", str(course), "--no-sandbox", "--cluster", "local:2"]
    )
    assert result.exit_code == 1, result.output
    assert "killer: not graded: grading this submission killed or hung" in result.output
    assert _recorded(course) == ["a_first", "m_beside", "z_after"]
    _full_marks(course, ["a_first", "m_beside", "z_after"])


def _valid_notes(course: Path) -> set[str]:
    found = set()
    for path in course.glob(f"autograded/*/xor_mlp/{grading.NOTES}"):
        if fingerprint.recorded(path) is not None:
            found.add(path.parent.parent.name)
    return found


@pytest.mark.slow
@NEEDS_BWRAP
def test_a_coordinator_killed_mid_batch_loses_nothing(tmp_path):
    """`xorkit grade --cluster local:2` killed (SIGKILL) after some grades are
    recorded takes its workers and sandboxes with it; run again, it keeps every
    grade recorded (none graded twice), grades the rest, and leaves a gradebook
    in which every submission is recorded once, consistent with its notes."""
    course = built_course(tmp_path / "course")
    students = [f"s{i}" for i in range(6)]
    for student in students:
        submit(course, student, finished_release())
    env = dict(os.environ, TMPDIR=str(tmp_path))
    xorkit = Path(sys.executable).parent / "xorkit"
    coordinator = subprocess.Popen(
        [str(xorkit), "grade", "--course", str(course), "--cluster", "local:2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(_valid_notes(course)) < 2 and coordinator.poll() is None:
        assert time.monotonic() < deadline, "no grade recorded in 120 s"
        time.sleep(0.05)
    family = psutil.Process(coordinator.pid).children(recursive=True)
    coordinator.send_signal(signal.SIGKILL)
    coordinator.wait()
    _, alive = psutil.wait_procs(family, timeout=30)
    assert alive == [], f"left running after the coordinator died: {alive}"
    kept = _valid_notes(course)
    assert 2 <= len(kept) < len(students), kept

    result = CliRunner().invoke(main, ["grade", "--course", str(course), "--cluster", "local:2"])
    assert result.exit_code == 0, result.output
    assert f"reused the recorded grades of {len(kept)} unchanged" in result.output
    assert f"graded {len(students) - len(kept)} submissions" in result.output
    assert _recorded(course) == students
    _full_marks(course, students)
    # consistent: every grade is now the one its fingerprint vouches for
    outcomes = grading.autograde(course, "xor_mlp", jobs=2)
    assert all(o.reused for o in outcomes)


# ---------------------------------------------------------------- hostile code


@pytest.mark.slow
@NEEDS_BWRAP
def test_a_worker_without_bubblewrap_refuses_to_grade(tmp_path):
    """A worker where bubblewrap does not work fails closed, as local grading
    does: the run stops (a grader fault) and nobody is recorded."""
    course = built_course(tmp_path / "course")
    submit(course, "ada", finished_release())
    no_bwrap = cluster.local_cluster(
        1, env={"XORKIT_NO_BWRAP": "1"}, local_directory=str(tmp_path / "dask")
    )
    with no_bwrap as local, pytest.raises(GraderFault, match="bubblewrap"):
        grading.autograde(course, "xor_mlp", cluster=local.scheduler_address)
    assert _recorded(course) == []


# The adversarial corpus's cases (tests/test_adversarial.py) whose containment
# a worker of the cluster must hold as a local worker does (a dying kernel or
# zygote, memory, output, the course's files, the network), the links and
# special files the coordinator refuses unread, and its honest ones. The rest
# exercise code a cluster's worker shares with a local one, and run locally.
HOSTILE = [
    "honest_reference",
    "os_exit",
    "segfault",
    "allocate_50gb",
    "print_200mb",
    "kill_the_zygote",
    "read_reference",
    "write_gradebook",
    "network_socket",
    "zz_honest_after_attacks",
    "invalid_json",
    "notebook_links_elsewhere",
    "folder_links_elsewhere",
    "fifo_beside",
]

REACH_THE_CLUSTER = """
import socket
for _port in {ports}:
    try:
        socket.create_connection(("127.0.0.1", _port), timeout=2).close()
        print("reached", _port)
    except OSError as exc:
        print("blocked", _port, type(exc).__name__)
"""

# looks everywhere but the system's and Python's own files for this course's
# reference, build record, checks or gradebook
FIND_THE_COURSE = """
import os
_found = []
for _top in ["/", "/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/xorkit-in", "/submission"]:
    for _parent, _folders, _files in os.walk(_top):
        _folders[:] = [] if _top == "/" else [
            f for f in _folders if f not in ("site-packages", "dist-packages")]
        _found += [os.path.join(_parent, f) for f in _files
                   if f in ("reference.py", "build.json", "gradebook.db") or f.startswith("check_")]
print("found", sorted(f for f in _found if "xor_mlp" in f or "xorkit" in f))
"""


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """The corpus graded in one batch on a two-worker LocalCluster named by its
    address, with two more cases: code that connects to the cluster's scheduler
    and workers, and code that looks for the course a worker holds."""
    from tests.test_adversarial import append, solved_with

    if not sandbox.bwrap_works():
        pytest.skip("hostile code runs only in the bubblewrap sandbox, which does not work here")
    course = built_course(tmp_path_factory.mktemp("hostile-cluster"))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.GradingLimits.cell_timeout = 10\nc.GradingLimits.memory_mb = 1500\n")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    here = cluster.local_cluster(2, local_directory=str(course.parent / "dask"))
    with here as local, Client(local, set_as_default=False) as client:
        workers = client.scheduler_info()["workers"]
        addresses = [local.scheduler_address, *workers, *(w["nanny"] for w in workers.values())]
        ports = [int(a.rsplit(":", 1)[1]) for a in addresses]
        reach = REACH_THE_CLUSTER.format(ports=ports)
        entries = [e for e in corpus(course, listener.getsockname()[1]) if e[0] in HOSTILE]
        entries += [
            ("reach_the_cluster", solved_with(**append("predict", reach)), {}, []),
            ("find_the_course", solved_with(**append("predict", FIND_THE_COURSE)), {}, []),
        ]
        for student, content, _, _ in entries:
            folder = course / "submitted" / student / "xor_mlp"
            folder.mkdir(parents=True)
            path = folder / "xor_mlp.ipynb"
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif isinstance(content, tuple):
                _make(folder, path, *content)
            else:
                nbformat.write(content, path)
        guarded = [
            course / "source",
            course / "submitted",
            course / "solutions",
            REPO / "autograder",
        ]
        before = _checksums(*guarded)
        thread.start()
        outcomes = grading.autograde(course, "xor_mlp", cluster=local.scheduler_address)
        stop.set()
        thread.join()
    return course, entries, {o.student: o for o in outcomes}, before, _checksums(*guarded), accepted


@pytest.mark.slow
def test_hostile_code_is_contained_on_a_cluster_as_locally(hostile_batch):
    """On the cluster's workers every hostile submission earns exactly the points
    its code honestly earns, with the reason local grading gives; the honest
    ones, graded after the attacks on the same workers, full marks."""
    course, entries, outcomes, *_ = hostile_batch
    assert set(outcomes) == {e[0] for e in entries}
    for student, _, expected, words in entries:
        cells = {c.grade_id: c.score for c in outcomes[student].cells}
        for grade_id, points in GRADED_CELLS.items():
            want = expected.get(grade_id, points)
            assert cells.get(grade_id, 0) == pytest.approx(want, abs=1e-3), (student, grade_id)
        notes = " ".join(_notes(course, student)["notes"])
        for word in words:
            assert word in notes, (student, notes)


def _printed(course: Path, student: str) -> str:
    """What the student's own cells printed, as the autograded notebook keeps it."""
    path = course / "autograded" / student / "xor_mlp" / "xor_mlp.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_hostile_code_reaches_neither_the_cluster_nor_the_course(hostile_batch):
    """Student code on a worker cannot connect to the cluster's scheduler or
    workers (nor to anything else on the host), finds no reference, check or
    gradebook on the worker, and changes no file of the course or the kit."""
    course, _, _, before, after, accepted = hostile_batch
    printed = _printed(course, "reach_the_cluster")
    assert "blocked" in printed and "reached" not in printed, printed
    assert "found []" in _printed(course, "find_the_course")
    assert accepted == []
    assert before == after
