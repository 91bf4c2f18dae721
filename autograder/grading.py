"""Grade every submission of an assignment: in parallel, sandboxed, never stopping.

nbgrader stays the engine: its Autograde converter sanitizes each submission
(restores test cells and metadata from the gradebook) and records the grades;
only its ``Execute`` step is replaced. The pipeline is a declared list of phases:

1. ``sanitize`` (sequential): nbgrader's sanitizing preprocessors, per student,
   so one unreadable notebook cannot stop the others;
2. ``execute`` (``jobs`` processes): each notebook runs in a fresh sandboxed
   process, the hidden checks outside it (``autograder.remote``);
3. ``record`` (sequential, the only phase that writes the gradebook, so there is
   never a "database is locked"): nbgrader's Autograde with the outputs of
   phase 2 in place of executing, then a zero and a reason for whatever failed.

``engine="nbgrader"`` runs stock ``nbgrader autograde`` instead, for comparison.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets.config.loader import PyFileConfigLoader

from autograder import build, cgroup, contract, reference, remote, results, runner
from autograder.faults import GraderFault
from autograder.nbgrader_run import NbgraderError, run_nbgrader
from autograder.sandbox import Limits, Zygote, bwrap_works, forget_worker_copy

NOTES = "xorkit-notes.json"  # read back by results.collect


def submissions(root: Path, assignment: str = contract.ASSIGNMENT) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``."""
    base = root / "submitted"
    return sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())


@dataclass
class Job:
    student: str
    notebooks: dict[str, dict] = field(default_factory=dict)  # name -> sanitized nb (JSON)
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False
    # notebook -> grade_id -> points: what the grader decided for each test cell
    scores: dict[str, dict[str, float]] = field(default_factory=dict)


# ---------------------------------------------------------------- nbgrader glue


class _Capture(NbGraderPreprocessor):
    """Phase 1: keep the sanitized notebook, execute nothing."""

    store: ClassVar[dict] = {}

    def preprocess(self, nb, resources):
        key = (resources["nbgrader"]["student"], resources["nbgrader"]["notebook"])
        _Capture.store[key] = nbformat.from_dict(json.loads(nbformat.writes(nb)))
        return nb, resources


class _Precomputed(Execute):
    """Phase 3: put in the outputs computed in the sandbox instead of executing."""

    store: ClassVar[dict] = {}

    def preprocess(self, nb, resources):
        key = (resources["nbgrader"]["student"], resources["nbgrader"]["notebook"])
        executed = _Precomputed.store.get(key)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if executed is None or [c.source for c in executed.cells if c.cell_type == "code"] != [
            c.source for c in code
        ]:
            reason = "not graded: the notebook changed between sanitizing and recording"
            for cell in code:
                cell.outputs = [remote._error("NotGraded", reason)]
            return nb, resources
        for cell, done in zip(
            code, [c for c in executed.cells if c.cell_type == "code"], strict=True
        ):
            cell.outputs, cell.execution_count = done.outputs, done.execution_count
        return nb, resources


class _NormalizeGradeCells(NbGraderPreprocessor):
    """Strip nbgrader metadata the gradebook does not know, before nbgrader sees it.

    nbgrader's DeduplicateIds leaves an empty ``nbgrader`` dict on a duplicated
    cell, which CheckCellMetadata then rejects as an old schema, failing the
    whole notebook; a renamed grade_id fails it too. Here a duplicate (all but
    the last copy, as nbgrader keeps) or an unknown grade_id becomes a plain
    cell, so the rest of the notebook is graded and the lost cell scores zero.
    A known cell whose grade, solution or locked flag was edited (which makes
    nbgrader reject the whole notebook over its checksum) gets the gradebook's
    flags back; nbgrader then restores its source as usual.
    """

    notes: ClassVar[dict] = {}

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            known = gb.find_notebook(info["notebook"], info["assignment"])
            names = {c.name for c in known.grade_cells + known.solution_cells + known.source_cells}
            points = {c.name: c.max_score for c in known.grade_cells}
            answers = {c.name for c in known.solution_cells}
            locked = {c.name: c.locked for c in known.source_cells}
        seen: set[str] = set()
        notes = _NormalizeGradeCells.notes.setdefault(info["student"], [])
        for cell in reversed(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id is None:
                continue
            if grade_id in seen or grade_id not in names:
                what = "a duplicate of" if grade_id in seen else "an unknown cell id"
                notes.append(f"ignored {what} {grade_id!r}: the cell was graded as plain code")
                del cell.metadata["nbgrader"]
            else:
                meta = cell.metadata["nbgrader"]
                flags = {
                    "grade": grade_id in points,
                    "solution": grade_id in answers,
                    "locked": locked.get(grade_id, False),
                }
                if any(bool(meta.get(k)) != v for k, v in flags.items()):
                    notes.append(f"restored the nbgrader flags of {grade_id!r}, which were edited")
                    meta.update(flags)
                if flags["grade"]:
                    meta["points"] = points[grade_id]
                else:
                    meta.pop("points", None)
            seen.add(grade_id)
        return nb, resources


class _Sanitize(Autograde):
    autograde_preprocessors: ClassVar[list] = [_Capture]

    def _init_preprocessors(self) -> None:
        super()._init_preprocessors()
        if self._sanitizing:
            self.exporter._preprocessors.insert(0, _NormalizeGradeCells(parent=self.exporter))


class _Record(Autograde):
    def _init_preprocessors(self) -> None:
        self.exporter._preprocessors = []
        steps = self.sanitize_preprocessors if self._sanitizing else self.autograde_preprocessors
        if self._sanitizing:
            steps = [_NormalizeGradeCells, *steps]
        for step in steps:
            self.exporter.register_preprocessor(_Precomputed if step is Execute else step)


def _config(root: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _convert(converter_class, root: Path, assignment: str, student: str) -> str | None:
    """Run an nbgrader converter for one student; the error it logged, if any."""
    config = _config(root)
    # nbgrader copies a submission's other files into autograded/ (and from
    # there into feedback/): nothing but the notebooks goes where people look
    config.CourseDirectory.ignore = ["*", ".*"]
    coursedir = CourseDirectory(config=config)
    coursedir.root, coursedir.assignment_id, coursedir.student_id = str(root), assignment, student
    converter = converter_class(coursedir=coursedir, config=config)
    converter.force = True
    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())

    handler = Collect()
    converter.log.addHandler(handler)
    try:
        with warnings.catch_warnings():
            # nbgrader's gradebook trips SQLAlchemy's autoflush warning when it
            # creates a submission row: nbgrader's, harmless, and noise here
            warnings.filterwarnings("ignore", "Object of type <Submitted")
            converter.start()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        converter.log.removeHandler(handler)
    if not errors:
        return None
    tracebacks = [m for m in errors if "Traceback" in m]
    detail = tracebacks[-1].strip().splitlines()[-1] if tracebacks else errors[0]
    return f"nbgrader could not process it: {detail[:200]}"


# ---------------------------------------------------------------- phases


def _precheck(root: Path, assignment: str, student: str, notebook_mb: int) -> str | None:
    """Problems nbgrader reports badly or not at all, in words for the report."""
    folder = root / "submitted" / student / assignment
    expected = f"{assignment}.ipynb"
    path = folder / expected
    if folder.parent.is_symlink() or folder.is_symlink():
        return "the submission folder is a link, not a folder: submit the files themselves"
    odd = _not_regular(folder)
    if odd:
        return (
            f"the submission holds {odd}, which is a link or a special file, not a regular "
            "file: submit regular files only"
        )
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


def sanitize(root: Path, assignment: str, student: str, notebook_mb: int) -> Job:
    """Phase 1 for one student: the notebooks nbgrader sanitized, or the reason
    there are none (a notebook over ``notebook_mb`` MiB is not read)."""
    job = Job(student)
    problem = _precheck(root, assignment, student, notebook_mb)
    if problem:
        job.notes.append(problem)
        return job
    _Capture.store.clear()
    _NormalizeGradeCells.notes.clear()
    error = _convert(_Sanitize, root, assignment, student)
    job.notes += dict.fromkeys(_NormalizeGradeCells.notes.get(student, []))
    for (who, notebook), nb in _Capture.store.items():
        if who == student:
            job.notebooks[notebook] = nbformat.writes(nb)
    if error or not job.notebooks:
        job.notes.append(error or "nbgrader found no gradable notebook")
        job.notebooks.clear()
    return job


_ZYGOTE: Zygote | None = None  # one per worker process, started on its first job


def execute(
    job: Job, root: Path, assignment: str, limits: Limits, use_bwrap: bool, tests: dict
) -> Job:
    """Phase 2, in a worker process: run each notebook in a fresh sandboxed child,
    in a folder of its own in the zygote's slot, which is emptied afterwards."""
    global _ZYGOTE
    if _ZYGOTE is None:
        _ZYGOTE = Zygote(_new_slot(), limits, use_bwrap)
    signal.alarm(watchdog_seconds(limits, len(job.notebooks)))
    try:
        return _execute(job, root, assignment, limits, use_bwrap, tests)
    except MemoryError:
        # past this worker's memory bound outside a cell (remote scores those):
        # end the worker, so that the submission is graded again alone
        os._exit(70)
    finally:
        signal.alarm(0)


def _execute(job, root, assignment, limits, use_bwrap, tests) -> Job:
    for name, text in list(job.notebooks.items()):
        scratch = _ZYGOTE.slot / f"submission-{os.urandom(6).hex()}"
        try:
            # the student's other files, copied without following links
            source = root / "submitted" / job.student / assignment
            shutil.copytree(source, scratch, symlinks=True)
            run = remote.execute(
                nbformat.reads(text, as_version=4),
                scratch,
                limits,
                use_bwrap,
                _ZYGOTE,
                tests=tests,
            )
        finally:
            _empty_slot(_ZYGOTE)
        job.notebooks[name] = nbformat.writes(run.notebook)
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


def record(root: Path, assignment: str, job: Job) -> None:
    """Phase 3: write grades through nbgrader, then the grader's own score for
    every test cell (a zero and a reason for whatever did not run)."""
    _Precomputed.store = {(job.student, n): nbformat.reads(t, 4) for n, t in job.notebooks.items()}
    if job.notebooks:
        _NormalizeGradeCells.notes.clear()
        error = _convert(_Record, root, assignment, job.student)
        if error:
            raise GraderFault(
                f"nbgrader could not record the grades of {job.student}: {error}; nothing "
                "was recorded for them: check the gradebook and nbgrader_config.py, then "
                "grade again"
            )
    _zero_ungraded(root, assignment, job)
    _grader_scores(root, assignment, job)
    folder = root / "autograded" / job.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NOTES).write_text(
        json.dumps({"notes": job.notes, "sandboxed": job.sandboxed}, indent=1)
    )


def _grader_scores(root: Path, assignment: str, job: Job) -> None:
    """The score of every autograded test cell is the grader's decision, whatever
    nbgrader read from the outputs; a cell the grader did not run scores zero.
    A graded cell the submission no longer has (deleted, renamed grade_id) is
    worth zero too, an answer cell included, not a pending manual grade."""
    if not job.notebooks:
        return
    with Gradebook(results.db_url(root)) as gb:
        for name, text in job.notebooks.items():
            decided = job.scores.get(name, {})
            cells = nbformat.reads(text, 4).cells
            present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in cells}
            answers = {c.name for c in gb.find_notebook(name, assignment).solution_cells}
            notebook = gb.find_submission_notebook(name, assignment, job.student)
            for grade in notebook.grades:
                code = grade.cell.cell_type == "code"
                if grade.name not in present:
                    what = "cell" if code else "answer cell"
                    job.notes.append(f"{what} {grade.name} is missing from {name}: scored 0")
                elif not code or grade.name in answers:
                    continue  # a written answer, graded by a person
                grade.auto_score = float(decided.get(grade.name, 0.0))
                grade.needs_manual_grade = False
        gb.db.commit()


def _zero_ungraded(root: Path, assignment: str, job: Job) -> None:
    """A submission nbgrader could not grade still gets a row: zero on every cell."""
    if job.notebooks:
        return
    with Gradebook(results.db_url(root)) as gb, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Object of type <Submitted")  # see _convert
        try:
            submission = gb.find_submission(assignment, job.student)
        except MissingEntry:
            gb.update_or_create_student(job.student)
            submission = gb.update_or_create_submission(assignment, job.student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        gb.db.commit()


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
        raise GraderFault(INSTALL_BWRAP)
    return False


def prepare(root: Path, assignment: str) -> Path:
    """Everything grading needs from the course, checked before anyone is graded:
    the reference built from this course's source with these checks, a gradebook
    that knows the assignment, and checks that pass on that reference, which is
    left active (the caller deactivates it when grading ends)."""
    path = reference.verify(root, build.source_notebook(root))
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
    reference.activate(path)
    try:
        runner.self_test()
    except GraderFault:
        reference.activate(None)
        raise
    return path


def autograde(
    root: Path,
    assignment: str = contract.ASSIGNMENT,
    jobs: int | None = None,
    engine: str = "kit",
    progress=None,
    sandbox: str = "require",
) -> list[results.StudentOutcome]:
    """Grade every submission in ``submitted/`` and read the outcomes back.

    ``progress(total)`` returns a progress bar (``update(n)``, ``close()``)
    advanced once per graded submission; ``sandbox`` is ``use_sandbox``'s mode.
    Raises ``GraderFault`` (nothing recorded for the students it affects) when
    the course, the reference, the checks, the sandbox or nbgrader fail, and
    ``StudentsNotGraded`` (everyone else recorded) when some submissions kept
    killing the grader's worker.
    """
    root = root.resolve()
    students = submissions(root, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions in {root / 'submitted'}/*/{assignment}/")
    if engine == "nbgrader" and sandbox == "require":
        raise GraderFault(
            "stock `nbgrader autograde` runs every submission unsandboxed, hidden tests "
            "included: use it for trusted code only, with --no-sandbox"
        )
    path = prepare(root, assignment)
    try:
        ungraded = {}
        if engine == "nbgrader":
            _stock_autograde(root, assignment, path)
        else:
            use_bwrap = use_sandbox(sandbox)
            ungraded = _kit_autograde(root, assignment, students, jobs, progress, use_bwrap)
    finally:
        reference.activate(None)
    outcomes = results.collect(root, assignment)
    if ungraded:
        raise StudentsNotGraded(outcomes, ungraded)
    return outcomes


def _stock_autograde(root: Path, assignment: str, path: Path) -> None:
    """Stock ``nbgrader autograde``, its kernels grading with this course's reference."""
    saved = os.environ.get("XORKIT_REFERENCE")
    os.environ["XORKIT_REFERENCE"] = str(path)
    try:
        run_nbgrader(root, "autograde", assignment, "--force")
    except NbgraderError as exc:
        raise GraderFault(str(exc)) from exc
    finally:
        if saved is None:
            os.environ.pop("XORKIT_REFERENCE", None)
        else:
            os.environ["XORKIT_REFERENCE"] = saved


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

    root: Path
    assignment: str
    limits: Limits
    use_bwrap: bool
    tests: dict
    bar: object
    recorded: set = field(default_factory=set)


def _kit_autograde(root, assignment, students, jobs, progress, use_bwrap) -> dict[str, str]:
    """Grade ``students`` on ``jobs`` workers; the students not graded, with why.

    A worker that dies takes the submissions it had in hand with it, and nobody
    can tell which of them killed it. Those it may have been running are graded
    again, each alone on a fresh worker; the rest go back to the parallel queue.
    One that kills its worker alone too is not graded (nor recorded) and is
    returned; nobody else pays for it.
    """
    workers = max(1, jobs or os.cpu_count() or 1)
    batch = _Batch(
        root,
        assignment,
        Limits.from_course(root),
        use_bwrap,
        remote.graded_cells(nbformat.read(build.source_notebook(root), as_version=4)),
        progress(len(students)) if progress is not None else None,
    )
    before, ungraded = _graded(root, assignment), {}
    # every temporary folder of the run (zygote slots, their logs, the executor's
    # copy) lives under one root, removed when the run ends
    run_tmp, saved_tmp = tempfile.mkdtemp(prefix="xorkit-run-"), tempfile.tempdir
    tempfile.tempdir = run_tmp
    forget_worker_copy()
    # the sandboxes' control groups are named for the run, and removed with it
    saved_run = os.environ.get("XORKIT_RUN")
    os.environ["XORKIT_RUN"] = run = Path(run_tmp).name
    try:
        queue = list(students)
        while queue:
            unfinished = _grade_on_pool(batch, queue, workers)
            # a pool holds at most workers + 1 submissions at once: the suspects
            suspects, queue = unfinished[: workers + 1], unfinished[workers + 1 :]
            for student in suspects:
                if _grade_on_pool(batch, [student], 1):
                    ungraded[student] = WORKER_LOST
    except GraderFault:
        _forget(root, assignment, _graded(root, assignment) - before - batch.recorded)
        raise
    finally:
        if batch.bar is not None:
            batch.bar.close()
        tempfile.tempdir = saved_tmp
        forget_worker_copy()
        remove_tree(Path(run_tmp))
        cgroup.sweep(run)
        if saved_run is None:
            os.environ.pop("XORKIT_RUN", None)
        else:
            os.environ["XORKIT_RUN"] = saved_run
    _forget(root, assignment, set(ungraded) - before)
    return ungraded


def _grade_on_pool(batch: _Batch, students: list[str], workers: int) -> list[str]:
    """Grade ``students`` on a fresh pool of ``workers`` processes. If a worker
    dies, stop and return the students not recorded yet, in their order.

    The three phases overlap: the main process sanitizes the next submission and
    records finished ones while the workers execute. A grader fault stops
    everything: the students not yet recorded keep their previous grades.
    """
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(batch.limits.grader_memory_mb,),
    )
    running: dict = {}
    try:
        for student in students:
            job = sanitize(batch.root, batch.assignment, student, batch.limits.notebook_mb)
            args = (job, batch.root, batch.assignment, batch.limits, batch.use_bwrap, batch.tests)
            running[pool.submit(execute, *args)] = job
            for future in [f for f in running if f.done()]:
                _finish(batch, future, running.pop(future))
        for future in as_completed(list(running)):
            _finish(batch, future, running.pop(future))
    except BrokenProcessPool:
        return [s for s in students if s not in batch.recorded]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return []


def _graded(root: Path, assignment: str) -> set[str]:
    with Gradebook(results.db_url(root)) as gb:
        return {s.student_id for s in gb.find_assignment(assignment).submissions}


def _forget(root: Path, assignment: str, students: set[str]) -> None:
    """Undo what sanitizing wrote for students a grader fault left ungraded: their
    gradebook rows (no grade, not even a zero) and their autograded folders."""
    with Gradebook(results.db_url(root)) as gb:
        for student in students:
            gb.remove_submission(assignment, student)
    for student in students:
        shutil.rmtree(root / "autograded" / student / assignment, ignore_errors=True)


def _finish(batch: _Batch, future, job: Job) -> None:
    try:
        job = future.result()
    except (GraderFault, BrokenProcessPool):
        raise
    except Exception as exc:  # the grader's own code broke: not the student's fault
        raise GraderFault(
            f"grading {job.student} failed inside the grader ({type(exc).__name__}: {exc}); "
            "nothing was recorded for them or for the students after them: grade again"
        ) from exc
    record(batch.root, batch.assignment, job)
    batch.recorded.add(job.student)
    if batch.bar is not None:
        batch.bar.update(1)
