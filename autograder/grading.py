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

import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets.config.loader import PyFileConfigLoader

from autograder import contract, remote, results
from autograder.nbgrader_run import run_nbgrader
from autograder.sandbox import Limits, Zygote, bwrap_works

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
    """

    notes: ClassVar[dict] = {}

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            known = gb.find_notebook(info["notebook"], info["assignment"])
            names = {c.name for c in known.grade_cells + known.solution_cells + known.source_cells}
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


def _precheck(root: Path, assignment: str, student: str) -> str | None:
    """Problems nbgrader reports badly or not at all, in words for the report."""
    folder = root / "submitted" / student / assignment
    expected = f"{assignment}.ipynb"
    path = folder / expected
    if not path.exists():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return f"no {expected} in the submission" + (
            f" (found: {', '.join(found)})" if found else ""
        )
    text = path.read_bytes()
    if not text.strip():
        return f"{expected} is empty"
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return f"{expected} is not valid JSON ({exc.msg} at line {exc.lineno})"
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        return f"{expected} is nbformat {version}, not 4: open and save it in a current Jupyter"
    return None


def sanitize(root: Path, assignment: str, student: str) -> Job:
    job = Job(student)
    problem = _precheck(root, assignment, student)
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


def execute(job: Job, root: Path, assignment: str, limits: Limits, use_bwrap: bool) -> Job:
    """Phase 2, in a worker process: run each notebook in a fresh sandboxed child."""
    global _ZYGOTE
    if _ZYGOTE is None:
        _ZYGOTE = Zygote(Path(tempfile.mkdtemp(prefix="xorkit-")) / "slot", limits, use_bwrap)
    for name, text in list(job.notebooks.items()):
        scratch = _ZYGOTE.slot / "submission"
        shutil.rmtree(scratch, ignore_errors=True)
        # the student's other files, copied without following links
        shutil.copytree(root / "submitted" / job.student / assignment, scratch, symlinks=True)
        try:
            run = remote.execute(
                nbformat.reads(text, as_version=4), scratch, limits, use_bwrap, _ZYGOTE
            )
        except ValueError as exc:  # an authoring error in the hidden tests
            job.notes.append(f"could not grade {name}: {exc}")
            job.notebooks.pop(name)
            continue
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        job.notebooks[name] = nbformat.writes(run.notebook)
        job.notes += run.notes
        job.sandboxed = run.sandboxed
    return job


def record(root: Path, assignment: str, job: Job) -> None:
    """Phase 3: write grades through nbgrader; a zero and a reason otherwise."""
    _Precomputed.store = {(job.student, n): nbformat.reads(t, 4) for n, t in job.notebooks.items()}
    if job.notebooks:
        _NormalizeGradeCells.notes.clear()
        error = _convert(_Record, root, assignment, job.student)
        if error:
            job.notes.append(error)
    _zero_ungraded(root, assignment, job)
    _missing_cells(root, assignment, job)
    folder = root / "autograded" / job.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NOTES).write_text(
        json.dumps({"notes": job.notes, "sandboxed": job.sandboxed}, indent=1)
    )


def _zero_ungraded(root: Path, assignment: str, job: Job) -> None:
    """A submission nbgrader could not grade still gets a row: zero on every cell."""
    if job.notebooks:
        return
    with Gradebook(results.db_url(root)) as gb:
        try:
            submission = gb.find_submission(assignment, job.student)
        except MissingEntry:
            gb.update_or_create_student(job.student)
            submission = gb.update_or_create_submission(assignment, job.student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        gb.db.commit()


def _missing_cells(root: Path, assignment: str, job: Job) -> None:
    """A graded cell the submission no longer has (deleted, renamed grade_id) is
    worth zero, not a pending manual grade."""
    if not job.notebooks:
        return
    with Gradebook(results.db_url(root)) as gb:
        for name, text in job.notebooks.items():
            present = {
                c.metadata.get("nbgrader", {}).get("grade_id")
                for c in nbformat.reads(text, 4).cells
            }
            notebook = gb.find_submission_notebook(name, assignment, job.student)
            for grade in notebook.grades:
                if grade.name not in present and grade.cell.cell_type == "code":
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
                    job.notes.append(f"cell {grade.name} is missing from {name}: scored 0")
                elif grade.name not in present:
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
                    job.notes.append(f"answer cell {grade.name} is missing from {name}: scored 0")
        gb.db.commit()


def _worker_init():
    # each worker grades one notebook at a time: keep BLAS to one thread
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def autograde(
    root: Path,
    assignment: str = contract.ASSIGNMENT,
    jobs: int | None = None,
    engine: str = "kit",
    progress=None,
    sandbox: bool | None = None,
) -> list[results.StudentOutcome]:
    """Grade every submission in ``submitted/`` and read the outcomes back.

    ``progress(total)`` returns a progress bar (``update(n)``, ``close()``)
    advanced once per graded submission; ``sandbox=None`` uses bubblewrap
    where it works.
    """
    root = root.resolve()
    students = submissions(root, assignment)
    if not students:
        raise FileNotFoundError(f"no submissions in {root / 'submitted'}/*/{assignment}/")
    if engine == "nbgrader":
        run_nbgrader(root, "autograde", assignment, "--force")
        return results.collect(root, assignment)
    limits = Limits.from_course(root)
    use_bwrap = bwrap_works() if sandbox is None else sandbox
    workers = max(1, jobs or os.cpu_count() or 1)
    bar = progress(len(students)) if progress is not None else None
    context = multiprocessing.get_context("fork")
    # The three phases overlap: the main process sanitizes the next submission
    # and records finished ones while the workers execute.
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        running: dict = {}
        for student in students:
            job = sanitize(root, assignment, student)
            running[pool.submit(execute, job, root, assignment, limits, use_bwrap)] = job
            for future in [f for f in running if f.done()]:
                _finish(root, assignment, future, running.pop(future), bar)
        for future in as_completed(list(running)):
            _finish(root, assignment, future, running.pop(future), bar)
    if bar is not None:
        bar.close()
    return results.collect(root, assignment)


def _finish(root: Path, assignment: str, future, job: Job, bar) -> None:
    try:
        job = future.result()
    except Exception as exc:  # a worker crashed: the student still gets a row
        job.notes.append(f"grading failed: {type(exc).__name__}: {exc}")
        job.notebooks.clear()
    record(root, assignment, job)
    if bar is not None:
        bar.update(1)
