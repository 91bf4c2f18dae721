"""Grade every submission of an assignment: in parallel, sandboxed, never stopping.

nbgrader stays the gradebook of record: its own preprocessors restore the test
cells and metadata of each submission, clean its outputs and decide what is
recorded, exactly as ``nbgrader autograde`` does (``autograder.engine.bookkeeping``);
only its ``Execute`` step is replaced. The pipeline, per submission:

1. ``sanitize`` (in a worker): the checks nbgrader lacks (``_precheck``), then
   nbgrader's sanitizing preprocessors against a snapshot of the gradebook;
2. ``execute`` (in the same worker): each notebook runs in a fresh sandboxed
   process, the hidden checks outside it (``autograder.engine.remote``), then
   nbgrader's post-execution preprocessors;
3. ``record`` (in the main process, the only writer of the gradebook, so there
   is never a "database is locked"): the grades, every finished submission at
   hand in one session, and the grader's own score for every test cell (a zero
   and a reason for whatever failed).

``jobs`` workers run phases 1 and 2 side by side; the main process only hands
out submissions and records. With ``cluster``, the workers are those of a Dask
cluster instead of a local pool (``autograder.engine.cluster``): the same
phases, the same rules, the same recording. ``engine="nbgrader"`` runs stock
``nbgrader autograde`` instead, for comparison.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.util
import os
import resource
import shutil
import signal
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograder.checking import assignment as assignments
from autograder.checking import reference, runner
from autograder.course import results
from autograder.course.results import NOTES
from autograder.engine import bookkeeping, cgroup, fingerprint, late, remote
from autograder.engine.bookkeeping import Course, Job
from autograder.engine.nbgrader_run import NbgraderError, run_nbgrader
from autograder.engine.sandbox import (
    Limits,
    Zygote,
    bwrap_trouble,
    bwrap_works,
    forget_worker_copy,
)
from autograder.faults import GraderFault

__all__ = ["NOTES", "Job", "autograde", "submissions"]


def submissions(root: Path, assignment: str) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``."""
    base = root / "submitted"
    return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())


# ---------------------------------------------------------------- phases


def _precheck(root: Path, assignment: str, student: str, notebook_mb: int) -> str | None:
    """Problems nbgrader reports badly or not at all, in words for the report."""
    folder = root / "submitted" / student / assignment
    expected = f"{assignment}.ipynb"
    path = folder / expected
    problem = folder_problem(folder)
    if problem:
        return problem
    if not path.exists():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return f"no {expected} in the submission" + (
            f" (found: {', '.join(found)})" if found else ""
        )
    if not path.is_file():
        return f"{expected} is not a regular file"
    if path.stat().st_size > notebook_mb * 1024 * 1024:
        return f"{expected} is larger than {notebook_mb} MiB: clear its outputs and submit it again"
    text = path.read_bytes()
    if not text.strip():
        return f"{expected} is empty"
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"{expected} is not UTF-8 text (an invalid byte at offset {exc.start}): open "
            "and save it in Jupyter"
        )
    try:
        raw = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return f"{expected} is not valid JSON ({exc.msg} at line {exc.lineno})"
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, 100,000 brackets
        return f"{expected} is not JSON Jupyter can read ({type(exc).__name__}: {str(exc)[:100]})"
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        if not isinstance(version, int | None):
            version = "?"
        return f"{expected} is nbformat {version}, not 4: open and save it in a current Jupyter"
    problem = _shape_problem(raw)
    if problem:
        return f"{expected} {problem}"
    try:
        nbformat.validate(raw)
    except nbformat.ValidationError as exc:
        return f"{expected} is not a valid notebook ({str(exc.message)[:200]})"
    return None


def folder_problem(folder: Path) -> str | None:
    """Why a submission folder holds something other than regular files and
    folders (checked before any of its files is read), if it does."""
    if folder.parent.is_symlink() or folder.is_symlink():
        return "the submission folder is a link, not a folder: submit the files themselves"
    odd = _not_regular(folder)
    if odd:
        return (
            f"the submission holds {odd}, which is a link or a special file, not a regular "
            "file: submit regular files only"
        )
    return None


def _not_regular(folder: Path) -> str | None:
    """The first entry of ``folder`` that is neither a regular file nor a folder
    (a link, a FIFO, a device), by its path inside it; links are never followed."""
    for parent, folders, files in os.walk(folder):
        for name in sorted(folders + files):
            path = Path(parent) / name
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                return repr(str(path.relative_to(folder)))[:200]
    return None


# What a notebook may hold before anything else reads it (a notebook of this
# course has about 60 cells, a few outputs each, nested 8 levels deep).
MAX_DEPTH = 64
MAX_CELLS = 2000
MAX_OUTPUTS = 5000


def _shape_problem(raw: dict) -> str | None:
    """Why a parsed notebook is too deep or too big to grade, if it is."""
    stack = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    cells = raw.get("cells")
    if isinstance(cells, list):
        if len(cells) > MAX_CELLS:
            return f"has {len(cells)} cells, more than the {MAX_CELLS} graded"
        outputs = sum(
            len(c.get("outputs"))
            for c in cells
            if isinstance(c, dict) and isinstance(c.get("outputs"), list)
        )
        if outputs > MAX_OUTPUTS:
            return f"has {outputs} outputs, more than {MAX_OUTPUTS}: clear its outputs"
    return None


def sanitize(job: Job, course: Course, notebook_mb: int, config) -> Job:
    """Phase 1 for one student, in a worker: the notebooks sanitized as nbgrader
    does, or the reason there are none (a notebook over ``notebook_mb`` MiB is
    not read). A notebook of the assignment the submission lacks is left out:
    ``record`` scores it zero."""
    root, assignment = course.root, course.assignment
    problem = _precheck(root, assignment, job.student, notebook_mb)
    if problem:
        job.notes.append(problem)
        return job
    folder = root / "submitted" / job.student / assignment
    job.timestamp, problem = bookkeeping.timestamp(folder)
    if problem:
        job.notes.append(problem)
        return job
    notes: list[str] = []
    for name in sorted(course.notebooks):
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            job.notebooks[name] = bookkeeping.sanitize(
                text, course, job.student, name, notes, config
            )
        except Exception as exc:  # what nbgrader would fail the notebook with
            detail = str(exc).strip().splitlines()[-1:] or [""]
            job.notes.append(
                f"nbgrader could not process it: {type(exc).__name__}: {detail[0][:200]}"
            )
            job.notebooks.clear()
            return job
    job.notes += dict.fromkeys(notes)
    if not job.notebooks:
        job.notes.append("nbgrader found no gradable notebook")
    return job


_ZYGOTE: Zygote | None = None  # one per worker process, started on its first job


def execute(job: Job, course: Course, limits: Limits, use_bwrap: bool, tests: dict) -> Job:
    """In a worker process: sanitize the submission, run each notebook in a fresh
    sandboxed child (in a folder of its own in the zygote's slot, emptied
    afterwards), then clean its outputs as nbgrader does before recording."""
    global _ZYGOTE
    if _ZYGOTE is None:
        _ZYGOTE = Zygote(_new_slot(), limits, use_bwrap)
        # ended with the worker, by the worker: left to die with it, its
        # processes would be reaped by the machine's init, whenever that reaps
        multiprocessing.util.Finalize(_ZYGOTE, _ZYGOTE.kill, exitpriority=10)
    signal.alarm(watchdog_seconds(limits, len(course.notebooks)))
    try:
        start = time.perf_counter()
        config = _course_config(course)
        job = sanitize(job, course, limits.notebook_mb, config)
        job.seconds["sanitize"] = time.perf_counter() - start
        return _execute(job, course, limits, use_bwrap, tests, config)
    except MemoryError:
        # past this worker's memory bound outside a cell (remote scores those):
        # end the worker, so that the submission is graded again alone
        os._exit(70)
    finally:
        signal.alarm(0)


_CONFIG: dict = {}  # the course's nbgrader configuration, read once per worker


def _course_config(course: Course):
    if course.root not in _CONFIG:
        _CONFIG[course.root] = course.config()
    return _CONFIG[course.root]


def _execute(job, course, limits, use_bwrap, tests, config) -> Job:
    job.seconds.setdefault("execute", 0.0)
    job.seconds.setdefault("finish", 0.0)
    for name, text in list(job.notebooks.items()):
        start = time.perf_counter()
        scratch = _ZYGOTE.slot / f"submission-{os.urandom(6).hex()}"
        try:
            # the student's other files, copied without following links
            source = course.root / "submitted" / job.student / course.assignment
            shutil.copytree(source, scratch, symlinks=True)
            run = remote.execute(
                nbformat.reads(text, as_version=4),
                scratch,
                limits,
                use_bwrap,
                _ZYGOTE,
                tests=tests,
                assignment=assignments.load(course.root, course.assignment),
            )
        finally:
            _empty_slot(_ZYGOTE)
        job.seconds["execute"] += time.perf_counter() - start - run.check_seconds
        job.seconds["checks"] = job.seconds.get("checks", 0.0) + run.check_seconds
        start = time.perf_counter()
        job.notebooks[name], job.cells[name] = bookkeeping.finish(
            run.notebook, course, job.student, name, config
        )
        job.seconds["finish"] += time.perf_counter() - start
        job.scores[name] = run.scores
        job.notes += run.notes
        job.sandboxed = run.sandboxed
    return job


def _new_slot() -> Path:
    return Path(tempfile.mkdtemp(prefix="xorkit-")) / "slot"


def _empty_slot(zygote: Zygote) -> None:
    """Nothing a submission wrote may reach the next one. Whatever cannot be
    removed condemns the slot: the zygote starts again in a new one."""
    for path in list(zygote.slot.iterdir()) if zygote.slot.exists() else []:
        remove_tree(path)
    if zygote.slot.exists() and any(zygote.slot.iterdir()):
        zygote.kill()
        zygote.slot = _new_slot()


def remove_tree(path: Path) -> None:
    """Remove ``path`` whatever its content: folders without permissions are
    opened first, links are removed, never followed."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
        return
    for folder, subfolders, _ in os.walk(path):
        for name in [folder, *(os.path.join(folder, s) for s in subfolders)]:
            with contextlib.suppress(OSError, NotImplementedError):
                if not os.path.islink(name):
                    os.chmod(name, 0o700)
    shutil.rmtree(path, ignore_errors=True)


def _worker_init(grader_memory_mb: int):
    """Each worker grades one notebook at a time (BLAS on one thread) and is
    bounded: its address space may grow ``grader_memory_mb`` beyond its size at
    start, so decoding or checking what a submission sent cannot take the
    machine's memory (a MemoryError there is that submission's); and SIGALRM,
    armed per job by ``execute``, ends a worker that outlives its deadline."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the kernel ends the process
    size = _address_space()
    if size:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = size + grader_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard < 0 else min(soft, hard), hard))


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc has no answer)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def watchdog_seconds(limits: Limits, notebooks: int) -> int:
    """How long a worker may take over one submission before it is ended: every
    notebook's time limit, plus a margin for starting a sandbox and recording."""
    return int(max(1, notebooks) * (limits.notebook_timeout + 60) + 60)


SANDBOX_MODES = ("require", "auto", "off")
INSTALL_BWRAP = (
    "student code runs only in the bubblewrap sandbox, and bubblewrap is missing or cannot "
    "create namespaces here: install it (`sudo apt-get install bubblewrap`) and grade again, "
    "or pass --no-sandbox if and only if you trust every submission's code"
)


def use_sandbox(mode: str) -> bool:
    """Whether to run student code in bubblewrap. ``require`` (the default for
    student code) fails closed without it; ``auto`` is for code the kit or the
    instructor wrote (the build's check); ``off`` is for trusted code only."""
    if mode not in SANDBOX_MODES:
        raise ValueError(f"sandbox must be one of {', '.join(SANDBOX_MODES)}")
    if mode == "off":
        return False
    if bwrap_works():
        return True
    if mode == "require":
        trouble = bwrap_trouble()
        raise GraderFault(f"{INSTALL_BWRAP} (here: {trouble})" if trouble else INSTALL_BWRAP)
    return False


def prepare(root: Path, assignment: str) -> Path:
    """Everything grading needs from the course, checked before anyone is graded:
    the assignment's package, the reference built from this course's source with
    these checks, a gradebook that knows the assignment, and checks that pass on
    that reference."""
    graded = assignments.load(root, assignment)
    path = reference.verify(graded)
    db = root / "gradebook.db"
    try:
        if not db.exists():
            raise MissingEntry()
        with Gradebook(results.db_url(root)) as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        raise GraderFault(
            f"the gradebook {db} has no assignment {assignment!r}: run `xorkit build` "
            "in the course directory, then grade again"
        ) from None
    graded.use_reference(None)  # the course's, which verify just vouched for
    runner.self_test(graded)
    return path


def autograde(
    root: Path,
    assignment: str,
    jobs: int | None = None,
    engine: str = "kit",
    progress=None,
    sandbox: str = "require",
    phases: dict | None = None,
    force: bool = False,
    late_penalty: str | None = None,
    cluster: str | None = None,
) -> list[results.StudentOutcome]:
    """Grade every submission in ``submitted/`` and read the outcomes back.

    ``progress(total)`` returns a progress bar (``update(n)``, ``close()``)
    advanced once per graded submission; ``sandbox`` is ``use_sandbox``'s mode.
    ``phases``, if given, receives the seconds each phase took, added up over
    the submissions (the kit's engine only). The kit's engine reuses the grade
    of a submission whose fingerprint (``autograder.engine.fingerprint``) is unchanged
    since it was recorded, unless ``force``; such outcomes are ``reused``.
    ``late_penalty`` (``autograder.engine.late``: none, zero, per-hour:POINTS)
    replaces the course's late-penalty rule for this run; without it,
    ``nbgrader_config.py`` decides (nbgrader's default: no penalty).
    ``cluster`` (a Dask scheduler's address, or ``local:N``) grades on that
    cluster's workers instead of ``jobs`` local processes.
    Raises ``GraderFault`` (nothing recorded for the students it affects) when
    the course, the reference, the checks, the sandbox or nbgrader fail, and
    ``StudentsNotGraded`` (everyone else recorded) when some submissions kept
    killing the grader's worker.
    """
    root = root.resolve()
    rule = None if late_penalty is None else late.parse(late_penalty)
    students = submissions(root, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions in {root / 'submitted'}/*/{assignment}/")
    if engine == "nbgrader" and sandbox == "require":
        raise GraderFault(
            "stock `nbgrader autograde` runs every submission unsandboxed, hidden tests "
            "included: use it for trusted code only, with --no-sandbox"
        )
    path = prepare(root, assignment)
    ungraded, reused = {}, set()
    if engine == "nbgrader":
        _stock_autograde(root, assignment, path, rule)
    else:
        use_bwrap = use_sandbox(sandbox)
        bookkeeping.check_version()
        ungraded, reused = _kit_autograde(
            root, assignment, students, jobs, progress, use_bwrap, phases, force, rule, cluster
        )
    outcomes = results.collect(root, assignment)
    for outcome in outcomes:
        outcome.reused = outcome.student in reused
    if ungraded:
        raise StudentsNotGraded(outcomes, ungraded)
    return outcomes


def _stock_autograde(root: Path, assignment: str, path: Path, rule=None) -> None:
    """Stock ``nbgrader autograde``, its kernels grading with this course's
    assignment package and reference (and ``rule``'s late penalty, if given)."""
    saved = {name: os.environ.get(name) for name in ("XORKIT_REFERENCE", "XORKIT_COURSE")}
    os.environ["XORKIT_REFERENCE"], os.environ["XORKIT_COURSE"] = str(path), str(root)
    try:
        extra = [] if rule is None else rule.arguments()
        run_nbgrader(root, "autograde", assignment, "--force", *extra)
    except NbgraderError as exc:
        raise GraderFault(str(exc)) from exc
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class StudentsNotGraded(Exception):
    """Grading finished, but the grader could not grade these submissions (their
    grading kept killing its worker process); everyone else was graded."""

    def __init__(self, outcomes: list[results.StudentOutcome], ungraded: dict[str, str]):
        names = ", ".join(sorted(ungraded))
        super().__init__(f"could not grade {len(ungraded)} submission(s): {names}")
        self.outcomes, self.ungraded = outcomes, ungraded


WORKER_LOST = (
    "not graded: grading this submission killed or hung the grader's worker process "
    "again when it was graded alone (its memory or time bound); nothing was recorded "
    "for it: look at the submission, or grade it alone with larger limits"
)


@dataclass
class _Batch:
    """What every submission of one run is graded with."""

    course: Course
    config: object  # the course's nbgrader configuration
    limits: Limits
    use_bwrap: bool
    tests: dict
    bar: object
    recorded: set = field(default_factory=set)
    fingerprints: dict = field(default_factory=dict)  # student -> what decides the grade
    gradebook: Gradebook | None = None  # open for the run, in the main process only
    # phase -> seconds, added up over submissions (the workers' phases) or
    # measured in the main process (record)
    seconds: dict = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.course.root

    @property
    def assignment(self) -> str:
        return self.course.assignment


def _kit_autograde(
    root,
    assignment,
    students,
    jobs,
    progress,
    use_bwrap,
    phases=None,
    force=False,
    rule=None,
    cluster=None,
) -> tuple[dict[str, str], set[str]]:
    """Grade ``students`` on ``jobs`` workers (or on ``cluster``'s); the students
    not graded, with why, and those whose grades were reused (unchanged since
    they were recorded).

    A worker that dies takes the submissions it had in hand with it, and nobody
    can tell which of them killed it. Those it may have been running are graded
    again, each alone on a fresh worker; the rest go back to the parallel queue.
    One that kills its worker alone too is not graded (nor recorded) and is
    returned; nobody else pays for it.
    """
    workers = max(1, jobs or os.cpu_count() or 1)
    course = Course.load(root, assignment)
    course.late_penalty = None if rule is None else str(rule)  # part of every fingerprint
    limits = Limits.from_course(root)
    source = assignments.load(root, assignment).source_notebook()
    tests = remote.graded_cells(nbformat.read(source, as_version=4))
    with Gradebook(results.db_url(root)) as gb:  # student -> extension, for those graded
        extensions = {s.student_id: s.extension for s in gb.find_assignment(assignment).submissions}
    prints, reused = _fingerprints(course, limits, use_bwrap, tests, students, extensions, force)
    students = [s for s in students if s not in reused]
    config = course.config()
    if rule is not None:  # this run's rule, over the course's
        config.merge(rule.config())
    batch = _Batch(
        course,
        config,
        limits,
        use_bwrap,
        tests,
        progress(len(students)) if progress is not None else None,
        fingerprints=prints,
    )
    before, ungraded = set(extensions), {}
    batch.gradebook = Gradebook(results.db_url(root))
    try:
        if cluster:
            from autograder.engine import cluster as dask_cluster  # imports Dask: only then

            ungraded = dask_cluster.grade(batch, students, cluster)
        else:
            with run_folder():
                ungraded = _grade_locally(batch, students, workers)
    except GraderFault:
        _forget(root, assignment, _graded(root, assignment) - before - batch.recorded)
        raise
    finally:
        batch.gradebook.close()
        if batch.bar is not None:
            batch.bar.close()
    _forget(root, assignment, set(ungraded) - before)
    if phases is not None:
        phases.update(batch.seconds)
    return ungraded, reused


@contextlib.contextmanager
def run_folder():
    """One run of sandboxes: every temporary folder it makes (zygote slots, the
    executor's copy) lives under one root, removed when the run ends,
    and the sandboxes' control groups are named for the run and removed with it."""
    run_tmp, saved_tmp = tempfile.mkdtemp(prefix="xorkit-run-"), tempfile.tempdir
    tempfile.tempdir = run_tmp
    forget_worker_copy()
    saved_run = os.environ.get("XORKIT_RUN")
    os.environ["XORKIT_RUN"] = run = Path(run_tmp).name
    try:
        yield Path(run_tmp)
    finally:
        tempfile.tempdir = saved_tmp
        forget_worker_copy()
        remove_tree(Path(run_tmp))
        cgroup.sweep(run)
        if saved_run is None:
            os.environ.pop("XORKIT_RUN", None)
        else:
            os.environ["XORKIT_RUN"] = saved_run


def _grade_locally(batch: _Batch, students: list[str], workers: int) -> dict[str, str]:
    """Grade ``students`` on pools of ``workers`` local processes; those not
    graded, with why."""
    ungraded, queue = {}, list(students)
    while queue:
        unfinished = _grade_on_pool(batch, queue, workers)
        # a pool holds at most 2 × workers submissions at once: the suspects
        suspects, queue = unfinished[: 2 * workers], unfinished[2 * workers :]
        for student in suspects:
            if _grade_on_pool(batch, [student], 1):
                ungraded[student] = WORKER_LOST
    return ungraded


def _fingerprints(course, limits, use_bwrap, tests, students, rows, force):
    """Each submission's fingerprint, and the students whose recorded grades
    can be reused: same fingerprint as recorded, gradebook row (``rows``:
    student -> extension) still there."""
    shared = fingerprint.context(course, limits, use_bwrap, tests)
    prints, reused = {}, set()
    for student in students:
        folder = course.root / "submitted" / student / course.assignment
        prints[student] = fingerprint.submission(folder, shared, rows.get(student))
        notes = course.root / "autograded" / student / course.assignment / NOTES
        if (
            not force
            and prints[student] is not None
            and student in rows
            and fingerprint.recorded(notes) == prints[student]
        ):
            reused.add(student)
    return prints, reused


def _grade_on_pool(batch: _Batch, students: list[str], workers: int) -> list[str]:
    """Grade ``students`` on a fresh pool of ``workers`` processes. If a worker
    dies, stop and return the students not recorded yet, in their order.

    Each worker sanitizes, executes and finishes whole submissions; the main
    process only hands them out and records what comes back, every finished
    submission at hand in one gradebook session. At most two submissions per
    worker are in flight, so a dead worker sends few back to be graded alone.
    A grader fault stops everything: the students not yet recorded keep their
    previous grades.
    """
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(batch.limits.grader_memory_mb,),
    )
    running: dict = {}
    waiting = list(students)
    try:
        while waiting or running:
            while waiting and len(running) < 2 * workers:
                student = waiting.pop(0)
                job = Job(student, fingerprint=batch.fingerprints.get(student))
                args = (job, batch.course, batch.limits, batch.use_bwrap, batch.tests)
                running[pool.submit(execute, *args)] = job
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            _finish(batch, {future: running.pop(future) for future in done})
    except BrokenProcessPool:
        return [s for s in students if s not in batch.recorded]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return []


def _graded(root: Path, assignment: str) -> set[str]:
    with Gradebook(results.db_url(root)) as gb:
        return {s.student_id for s in gb.find_assignment(assignment).submissions}


def _forget(root: Path, assignment: str, students: set[str]) -> None:
    """Undo what a run wrote for students a grader fault left ungraded: their
    gradebook rows (no grade, not even a zero) and their autograded folders."""
    with Gradebook(results.db_url(root)) as gb:
        for student in students:
            with contextlib.suppress(MissingEntry):  # never recorded: no row
                gb.remove_submission(assignment, student)
    for student in students:
        shutil.rmtree(root / "autograded" / student / assignment, ignore_errors=True)


def _finish(batch: _Batch, finished: dict) -> None:
    """Record the submissions whose futures are done, each in one transaction."""
    _record(batch, [_result(future, job) for future, job in finished.items()])


def _result(future, job: Job) -> Job:
    """What a worker sent back for ``job``; a ``GraderFault`` if the grader's
    own code broke there (not the student's fault)."""
    try:
        return future.result()
    except (GraderFault, BrokenProcessPool):
        raise
    except Exception as exc:
        raise GraderFault(
            f"grading {job.student} failed inside the grader ({type(exc).__name__}: "
            f"{exc}); nothing was recorded for them or for the students after them: "
            "grade again"
        ) from exc


def _record(batch: _Batch, graded: list[Job]) -> None:
    """Write finished submissions to the gradebook, each in one transaction."""
    for job in graded:
        start = time.perf_counter()
        try:
            bookkeeping.record(batch.gradebook, batch.course, job, batch.config)
        except Exception as exc:
            raise GraderFault(
                f"nbgrader could not record the grades of {job.student} "
                f"({type(exc).__name__}: {str(exc)[:200]}); nothing was recorded for "
                "them: check the gradebook and nbgrader_config.py, then grade again"
            ) from exc
        _add(batch.seconds, {"record": time.perf_counter() - start})
        _add(batch.seconds, job.seconds)
        batch.recorded.add(job.student)
        if batch.bar is not None:
            batch.bar.update(1)


def _add(total: dict, seconds: dict) -> None:
    for phase, value in seconds.items():
        total[phase] = total.get(phase, 0.0) + value
