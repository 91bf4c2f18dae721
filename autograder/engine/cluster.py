"""Grade a class on a Dask cluster: the workers grade, the coordinator alone records.

``xorkit grade --cluster ADDRESS`` (or ``c.Grading.cluster``) sends each
submission to a ``dask.distributed`` cluster as one task; ``local:N`` starts a
``LocalCluster`` of N worker processes on this machine. The rest of the run is
the local one (``autograder.engine.grading``): the same preparation, the same
fingerprints and reuse, the same recording in this process, one transaction
per submission.

* **The course, once per worker.** ``CourseOnWorker``, a worker plugin, carries
  what grading reads of the course (``autograder.engine.shipment``); every
  worker, including one that joins or restarts later, writes it into a
  temporary course of its own and verifies it before it grades anyone: the
  same kit and versions as here, the hashes of the build record, every check
  passing on the reference, and bubblewrap where the run needs it (it fails
  closed as local grading does).
* **Each task, one submission.** A task carries the submission's files and
  returns the ``Job`` a local worker would: the worker runs the kit's own
  pipeline (``grading.execute``: sanitize, the sandboxed executor with its
  zygote and limits, the checks, finish). A worker grades one submission at a
  time (one thread): the watchdog and the zygote are per process.
* **Few in flight.** At most two submissions per worker thread are out at
  once, so the scheduler holds a few tasks, not the class, and a lost
  coordinator loses little work.
* **A dead worker costs nobody.** When a worker dies (killed for memory, ended
  by its watchdog, lost with its machine), the scheduler sends its task
  elsewhere, up to its ``allowed-failures``; then the kit grades the
  submission once more, and if that kills a worker again, it is not graded
  and the command names it (exit 1), as locally. A ``local:N`` cluster allows
  no failure of its own and gives each worker only the task it runs, so the
  kit's rule alone applies: one more try, then not graded.
* **A dead coordinator loses nothing recorded.** Each submission is recorded
  in one transaction as its result arrives, its fingerprint beside it; the
  same command run again reuses every grade recorded and grades the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import resource
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path

import dask
import psutil
from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, as_completed

from autograder.engine import cgroup, grading, sandbox, shipment
from autograder.engine.address import LOCAL
from autograder.engine.bookkeeping import Job
from autograder.faults import GraderFault

CONNECT_SECONDS = 30  # to reach a scheduler
WORKERS_SECONDS = 120  # for a scheduler's first worker to join

FORK = sys.platform == "linux"  # where a LocalCluster's workers are forked from the coordinator
# A LocalCluster's scheduler and workers, as the kit runs them (a remote
# cluster's are its operator's):
LOCAL_CONFIG = {
    # a task whose worker dies fails at once: the kit decides what follows
    "distributed.scheduler.allowed-failures": 0,
    # a worker holds only the task it runs, so a death names one submission
    "distributed.scheduler.worker-saturation": 1.0,
    # workers are forked from the coordinator, which has imported the grader
    # (spawned, each would spend seconds importing nbgrader and NumPy again)
    "distributed.worker.multiprocessing-method": "fork" if FORK else "spawn",
    # ... and end with it (``dask_setup`` below, run as each worker starts)
    "distributed.worker.preload": [__name__],
    # the engine's own housekeeping wakes its threads less often: it shares the
    # GIL with the grader in every process (defaults 10 ms to 500 ms)
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    # a worker holds one task: nothing to steal, nothing to rebalance
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.active-memory-manager.start": False,
}


# ---------------------------------------------------------------- the coordinator


def grade(batch, students: list[str], address: str) -> dict[str, str]:
    """Grade ``students`` on the cluster at ``address`` and record each result
    in ``batch``'s gradebook as it arrives; the students not graded, with why."""
    if not students:  # every grade reused: no cluster to start
        return {}
    start = time.perf_counter()
    plugin = CourseOnWorker(
        shipment.course_files(batch.root, batch.assignment),
        batch.course,
        batch.limits,
        batch.use_bwrap,
        batch.tests,
        forked=bool(LOCAL.fullmatch(address)) and FORK,
    )
    try:
        with connect(address) as client:
            _register(client, plugin)
            grading._add(batch.seconds, {"start": time.perf_counter() - start})
            try:
                return _grade(batch, students, client, plugin.name)
            finally:
                start = time.perf_counter()
                with contextlib.suppress(Exception):  # the workers may be gone already
                    client.unregister_worker_plugin(plugin.name)
    finally:
        grading._add(batch.seconds, {"stop": time.perf_counter() - start})


@contextlib.contextmanager
def connect(address: str):
    """A client of the cluster at ``address``: a new LocalCluster for
    ``local:N``, closed afterwards; else the scheduler there, once a worker has
    joined it."""
    found = LOCAL.fullmatch(address)
    if found:
        with (
            local_cluster(int(found.group(1))) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise GraderFault(
            f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc}): "
            "start it, or correct --cluster (c.Grading.cluster), and grade again"
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise GraderFault(
                f"no Dask worker joined the scheduler at {address} within {WORKERS_SECONDS} s: "
                f"start workers (`dask worker {address} --nthreads 1`) and grade again"
            ) from None
        yield client


@contextlib.contextmanager
def local_cluster(workers: int, **options):
    """A LocalCluster of ``workers`` processes of one thread each, listening on
    127.0.0.1 only (the loopback: no other machine can reach its scheduler or
    its workers), without a dashboard; closed on exit."""
    environ = dict(os.environ)  # the nannies set their workers' variables here too
    if "local_directory" in options:  # the scheduler's scratch space too
        options.setdefault("scheduler_kwargs", {"local_directory": options["local_directory"]})
    quiet = {name: logging.getLogger(name).level for name in ("distributed", "tornado")}
    try:
        with dask.config.set(LOCAL_CONFIG):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # a killed worker or a watchdog is the kit's to report, not
                # the engine's to print
                silence_logs=logging.CRITICAL,
                **options,
            )
            try:
                yield cluster
            finally:
                cluster.close()
    finally:
        os.environ.clear()
        os.environ.update(environ)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def _register(client: Client, plugin: CourseOnWorker) -> None:
    """Send the course to every worker, now and as they join; a worker that
    cannot grade with it stops the run here."""
    try:
        client.register_plugin(plugin, name=plugin.name)
    except GraderFault:
        raise
    except Exception as exc:
        raise GraderFault(
            f"a Dask worker could not prepare to grade ({type(exc).__name__}: {exc})"
        ) from None


def _grade(batch, students: list[str], client: Client, plugin: str) -> dict[str, str]:
    """The coordinator's loop: keep at most two submissions per worker thread in
    flight, record each result as it comes, and give a submission whose worker
    died one more try."""
    run = uuid.uuid4().hex[:8]
    queue, ungraded, deaths = deque(students), {}, {}
    running: dict = {}
    done = as_completed(loop=client.loop)
    sent = 0
    try:
        while queue or running:
            room = 2 * max(1, sum(client.nthreads().values()))
            while queue and len(running) < room:
                student = queue.popleft()
                job = Job(student, fingerprint=batch.fingerprints.get(student))
                entries = _pack(batch, job)
                if entries is None:
                    continue
                sent += 1
                future = client.submit(
                    grade_submission, plugin, job, entries, key=f"xorkit-{run}-{sent}", pure=False
                )
                running[future] = job
                done.add(future)
            if not running:
                break
            future = next(done)
            job = running.pop(future)
            if future.status == "error" and isinstance(future.exception(), KilledWorker):
                deaths[job.student] = deaths.get(job.student, 0) + 1
                if deaths[job.student] > 1:
                    ungraded[job.student] = grading.WORKER_LOST
                else:
                    queue.appendleft(job.student)
                continue
            if future.status == "cancelled":
                raise GraderFault(LOST)
            graded = grading._result(future, job)
            future.release()
            grading._record(batch, [graded])
    except (OSError, TimeoutError, CancelledError) as exc:  # the scheduler is gone
        raise GraderFault(f"{LOST} ({type(exc).__name__}: {exc})") from None
    finally:
        if running:
            with contextlib.suppress(Exception):  # the scheduler may be gone
                client.cancel(list(running))
    return ungraded


LOST = (
    "the Dask cluster was lost while grading (its scheduler ended or stopped answering); "
    "the grades recorded so far are kept: grade again to finish"
)


def _pack(batch, job: Job) -> list | None:
    """The submission's files, to send with its task; or None when it holds a
    link or a special file: then it is recorded here as refused, with the
    reason local grading gives, and no file of it is read."""
    start = time.perf_counter()
    folder = batch.root / "submitted" / job.student / batch.assignment
    problem = grading.folder_problem(folder)
    if problem is None:
        try:
            entries = shipment.submission_files(folder)
        except (OSError, ValueError):  # it changed since it was looked at
            problem = grading.folder_problem(folder) or "the submission changed while read"
    grading._add(batch.seconds, {"pack": time.perf_counter() - start})
    if problem is None:
        return entries
    job.notes.append(problem)
    grading._record(batch, [job])
    return None


# ---------------------------------------------------------------- the workers


def dask_setup(worker) -> None:
    """As a worker of a ``local:N`` cluster starts (a Dask preload): end it when
    its coordinator, its parent process, ends. Dask's own watch (a pipe from
    the parent) fails with forked workers: each inherits the others' ends of
    those pipes, so none sees its parent go, and a coordinator killed with
    ``kill -9`` would leave them running, grading nobody."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:  # a child whose parent ends is given another
            time.sleep(0.5)
        os._exit(1)  # the zygote, bubblewrap's --die-with-parent, goes with it

    threading.Thread(target=watch, name="xorkit-coordinator-watch", daemon=True).start()


@dataclass
class _Prepared:
    """A worker's copy of the course, and what it changed in its process."""

    folder: Path
    course: object  # bookkeeping.Course, rooted at the worker's copy
    limits: object
    use_bwrap: bool
    tests: dict
    restore: dict


_PREPARED: dict[str, _Prepared] = {}  # plugin name -> the course, in a worker
_FAILED: dict[str, str] = {}  # plugin name -> why this worker could not prepare


class CourseOnWorker(WorkerPlugin):
    """What every worker grades with, sent once to each: the course's files
    (verified there), the gradebook's view of the assignment, the limits, the
    sandbox's use and the instructor's test cells. ``forked``: the workers are
    forks of this process, which has run every check on the reference already."""

    def __init__(self, files, course, limits, use_bwrap: bool, tests, forked: bool = False):
        self.files, self.course, self.limits = files, course, limits
        self.use_bwrap, self.tests, self.forked = use_bwrap, tests, forked
        self.name = f"xorkit-course-{files.digest[:16]}"

    def setup(self, worker):
        try:
            _PREPARED[self.name] = self._prepare(worker)
            _FAILED.pop(self.name, None)
        except GraderFault as exc:
            _FAILED[self.name] = f"the Dask worker {worker.address} cannot grade: {exc}"
            raise GraderFault(_FAILED[self.name]) from None

    def _prepare(self, worker) -> _Prepared:
        if worker.state.nthreads != 1:
            raise GraderFault(
                f"it runs {worker.state.nthreads} threads: a grading worker grades one "
                "submission at a time; start workers with --nthreads 1"
            )
        if self.use_bwrap:
            sandbox.bwrap_trouble.cache_clear()  # this machine's answer, not the coordinator's
            if not sandbox.bwrap_works():
                raise GraderFault(grading.INSTALL_BWRAP)
        _sweep_dead_workers()
        folder = Path(tempfile.mkdtemp(prefix=f"{COURSE_PREFIX}{os.getpid()}-"))
        restore = {
            "tempdir": tempfile.tempdir,
            "run": os.environ.get("XORKIT_RUN"),
            "memory": resource.getrlimit(resource.RLIMIT_AS),
        }
        try:
            shipment.write_course(self.files, folder / "course", self_test=not self.forked)
            # as in a local run: every temporary folder of the worker's grading
            # under one root, its sandboxes' control groups named for it (a
            # local cluster's inside the coordinator's run, which sweeps them)
            (folder / "tmp").mkdir()
            tempfile.tempdir = str(folder / "tmp")
            sandbox.forget_worker_copy()
            os.environ["XORKIT_RUN"] = f"{restore['run'] or 'xorkit'}-{folder.name}"
            grading._worker_init(self.limits.grader_memory_mb)
        except BaseException:
            _undo(folder, restore)
            raise
        course = dataclasses.replace(self.course, root=folder / "course")
        return _Prepared(folder, course, self.limits, self.use_bwrap, self.tests, restore)

    def teardown(self, worker):
        prepared = _PREPARED.pop(self.name, None)
        if prepared is not None:
            _undo(prepared.folder, prepared.restore)


COURSE_PREFIX = "xorkit-course-"  # a worker's copy of the course: xorkit-course-<pid>-…


def _sweep_dead_workers() -> None:
    """Remove the course copies that workers killed on this machine left in
    this temporary folder (a killed process runs no teardown; its nanny starts
    a new worker, which sweeps); a live process's copy is kept."""
    for folder in Path(tempfile.gettempdir()).glob(f"{COURSE_PREFIX}*-*"):
        pid = folder.name[len(COURSE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                grading.remove_tree(folder)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:  # gone
        return False


def _undo(folder: Path, restore: dict) -> None:
    """End the worker's zygote and remove everything its grading made."""
    zygote, grading._ZYGOTE = grading._ZYGOTE, None
    if zygote is not None:
        zygote.kill()
    grading._CONFIG.clear()
    run = os.environ.get("XORKIT_RUN")
    tempfile.tempdir = restore["tempdir"]
    sandbox.forget_worker_copy()
    grading.remove_tree(folder)
    if run and run.endswith(folder.name):
        cgroup.sweep(run)
    if restore["run"] is None:
        os.environ.pop("XORKIT_RUN", None)
    else:
        os.environ["XORKIT_RUN"] = restore["run"]
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, restore["memory"])
    with contextlib.suppress(ValueError):
        signal.alarm(0)


def grade_submission(plugin: str, job: Job, entries: list) -> Job:
    """The task, on a worker: write the submission into the worker's course and
    grade it as a local worker does."""
    prepared = _PREPARED.get(plugin)
    if prepared is None:
        raise GraderFault(
            _FAILED.get(plugin)
            or "a Dask worker received a submission before the course: grade again"
        )
    start = time.perf_counter()
    folder = prepared.course.root / "submitted" / job.student
    if folder.exists():  # left by a task this worker did not finish
        grading.remove_tree(folder)
    shipment.write_submission(entries, folder / prepared.course.assignment)
    unpack = time.perf_counter() - start
    try:
        job = grading.execute(
            job, prepared.course, prepared.limits, prepared.use_bwrap, prepared.tests
        )
    finally:
        grading.remove_tree(folder)
    job.seconds["unpack"] = unpack
    return job
