"""nbgrader's per-submission bookkeeping, as ``nbgrader autograde`` does it, off the critical path.

For every submission ``nbgrader autograde`` runs a converter that sanitizes each
notebook (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
CheckCellMetadata), executes it, cleans its outputs (IgnorePattern,
ClearMetadataPreprocessor, LimitOutput, CheckCellMetadata) and records it
(SaveAutoGrades, AssignLatePenalties). Done that way in one process, the
bookkeeping alone costs about a second a submission: OverwriteCells queries the
gradebook three times per cell, SaveAutoGrades commits after every grade, and
CheckCellMetadata checks nbgrader's JSON schema itself again for every cell.

Here the same preprocessors, nbgrader's own classes, run in the grading
workers, in parallel:

* ``Course.load`` reads what sanitizing needs from the gradebook once per run
  (the source cells, their points and checksums, each notebook's kernelspec);
  ``sanitize`` runs the sanitizing preprocessors against that snapshot;
* ``finish`` runs the preprocessors nbgrader runs after executing;
* ``record``, in the main process (the only writer of the gradebook), writes
  what SaveAutoGrades and AssignLatePenalties write, with the grader's score for
  every test cell, in one session per batch of submissions.

Its gradebook, its restored cells and their metadata are what stock nbgrader
writes: ``tests/test_bookkeeping.py`` grades one class both ways and compares
them cell by cell. It is written against nbgrader 0.9 (``SUPPORTED``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import nbformat
import nbgrader
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook, MissingEntry
from nbgrader.nbgraderformat import common as nbgrader_format
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)
from sqlalchemy.orm import joinedload
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.results import NOTES, db_url
from autograder.faults import GraderFault

SUPPORTED = "0.9."  # the nbgrader versions whose preprocessors this module drives


def check_version() -> None:
    """Stop before grading with an nbgrader this module was not written for."""
    if not nbgrader.__version__.startswith(SUPPORTED):
        raise GraderFault(
            f"the kit's grading pipeline is written for nbgrader {SUPPORTED}x and this is "
            f"nbgrader {nbgrader.__version__}: install the kit's pinned version "
            "(`pip install -e .`) and grade again"
        )


# ---------------------------------------------------------------- schema checks


class _CachedSchemas:
    """``jsonschema.validate`` with each schema checked once, not per cell.

    nbgrader's metadata validator calls ``jsonschema.validate(meta, schema)`` for
    every cell of every notebook, and ``validate`` first checks the schema itself
    (about 4 ms here, 0.2 s a notebook). The validation is unchanged: the same
    validator class, the same ``best_match`` error.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators: dict[str, object] = {}

    def validate(self, instance, schema, *args, **kwargs):
        if args or kwargs:  # not how nbgrader calls it: leave it to jsonschema
            return jsonschema.validate(instance, schema, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None

    def __getattr__(self, name):  # anything else nbgrader may use of the module
        return getattr(jsonschema, name)


if getattr(nbgrader_format, "jsonschema", None) is jsonschema:
    nbgrader_format.jsonschema = _CachedSchemas()


# ---------------------------------------------------------------- the snapshot


@dataclass
class Notebook:
    """What sanitizing and recording need to know of one notebook of the assignment."""

    name: str
    kernelspec: str | None
    source_cells: list[SimpleNamespace]  # name, cell_type, locked, checksum, source
    points: dict[str, float]  # grade cells (task cells included): max_score
    solutions: list[str]
    tasks: list[str]

    @property
    def grade_cells(self):
        return [
            SimpleNamespace(name=n, max_score=p)
            for n, p in self.points.items()
            if n not in self.tasks
        ]

    @property
    def solution_cells(self):
        return [SimpleNamespace(name=n) for n in self.solutions]

    @property
    def task_cells(self):
        return [SimpleNamespace(name=n, max_score=self.points.get(n, 0.0)) for n in self.tasks]


@dataclass
class Course:
    """The gradebook's view of one assignment, read once per run, and the
    course's nbgrader configuration: everything a worker needs to sanitize and
    finish a notebook without opening the gradebook. Quacks like the part of
    ``nbgrader.api.Gradebook`` that OverwriteCells uses."""

    root: Path
    assignment: str
    notebooks: dict[str, Notebook] = field(default_factory=dict)
    duedate: object = None
    late_penalty: str | None = None  # this run's rule (``autograder.engine.late``), if any

    @classmethod
    def load(cls, root: Path, assignment: str) -> Course:
        course = cls(root, assignment)
        with Gradebook(db_url(root)) as gb:
            found = gb.find_assignment(assignment)
            course.duedate = found.duedate
            for nb in found.notebooks:
                course.notebooks[nb.name] = Notebook(
                    nb.name,
                    nb.kernelspec,
                    [
                        SimpleNamespace(
                            name=c.name,
                            cell_type=c.cell_type,
                            locked=c.locked,
                            checksum=c.checksum,
                            source=c.source,
                        )
                        for c in nb.source_cells
                    ],
                    {c.name: c.max_score for c in nb.grade_cells}
                    | {c.name: c.max_score for c in nb.task_cells},
                    [c.name for c in nb.solution_cells],
                    [c.name for c in nb.task_cells],
                )
        return course

    def config(self):
        """The course's nbgrader configuration, as nbgrader reads it."""
        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    # the Gradebook methods OverwriteCells calls
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def find_notebook(self, name: str, assignment: str) -> Notebook:
        if assignment != self.assignment or name not in self.notebooks:
            raise MissingEntry()
        return self.notebooks[name]

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        for cell in self.find_notebook(notebook, assignment).source_cells:
            if cell.name == name:
                return cell
        raise MissingEntry()

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        points = self.find_notebook(notebook, assignment).points
        if name not in points:
            raise MissingEntry()
        return SimpleNamespace(name=name, max_score=points[name])


# ---------------------------------------------------------------- sanitizing


class NormalizeGradeCells(NbGraderPreprocessor):
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

    def preprocess(self, nb, resources):
        known = resources["xorkit"]["course"].notebooks[resources["nbgrader"]["notebook"]]
        names = {c.name for c in known.source_cells}
        answers = set(known.solutions)
        locked = {c.name: c.locked for c in known.source_cells}
        seen: set[str] = set()
        notes = resources["xorkit"]["notes"]
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
                    "grade": grade_id in known.points and grade_id not in known.tasks,
                    "solution": grade_id in answers,
                    "locked": locked.get(grade_id, False),
                }
                if any(bool(meta.get(k)) != v for k, v in flags.items()):
                    notes.append(f"restored the nbgrader flags of {grade_id!r}, which were edited")
                    meta.update(flags)
                if flags["grade"]:  # OverwriteCells corrects points it finds
                    meta.setdefault("points", known.points[grade_id])
                else:
                    meta.pop("points", None)
            seen.add(grade_id)
        return nb, resources


class _OverwriteKernelspec(OverwriteKernelspec):
    """nbgrader's OverwriteKernelspec, reading the kernelspec from the snapshot."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        course = resources["xorkit"]["course"]
        kernelspec = course.find_notebook(info["notebook"], info["assignment"]).kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources


class _OverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells (its ``preprocess_cell`` unchanged), asking the
    snapshot where it would query the gradebook."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = resources["xorkit"]["course"]
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


SANITIZE = (
    NormalizeGradeCells,
    ClearOutput,
    DeduplicateIds,
    _OverwriteKernelspec,
    _OverwriteCells,
    CheckCellMetadata,
)
FINISH = (IgnorePattern, ClearMetadataPreprocessor, LimitOutput, CheckCellMetadata)


def _run(steps, nb, resources, config):
    """Apply preprocessors as nbconvert's exporter does (each honours its
    ``enabled`` setting), then check the notebook once, as nbconvert would."""
    for step in steps:
        nb, resources = step(config=config)(nb, resources)
    nbformat.validate(nb, relax_add_props=True)
    return nb, resources


def _resources(course: Course, student: str, notebook: str, notes: list[str]) -> dict:
    return {
        "unique_key": notebook,
        "output_files_dir": f"{notebook}_files",
        "nbgrader": {
            "student": student,
            "assignment": course.assignment,
            "notebook": notebook,
            "db_url": db_url(course.root),
        },
        "xorkit": {"course": course, "notes": notes},
    }


def sanitize(
    text: str, course: Course, student: str, notebook: str, notes: list[str], config
) -> str:
    """A submitted notebook (JSON text) sanitized as ``nbgrader autograde`` does.
    Raises what nbgrader would fail the notebook with."""
    nb = nbformat.reads(text, as_version=4)
    nb, _ = _run(SANITIZE, nb, _resources(course, student, notebook, notes), config)
    return nbformat.writes(nb)


def finish(nb, course: Course, student: str, notebook: str, config) -> tuple[str, list[dict]]:
    """An executed notebook cleaned as ``nbgrader autograde`` does before
    recording (JSON text), and its ``cell_facts``."""
    nb, _ = _run(FINISH, copy.deepcopy(nb), _resources(course, student, notebook, []), config)
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n"), cell_facts(nb)


def timestamp(folder: Path) -> tuple[str | None, str | None]:
    """The submission's ``timestamp.txt``, stripped, if it holds a time nbgrader
    can read; or why it cannot be read."""
    path = folder / "timestamp.txt"
    if not path.is_file() or path.is_symlink():
        return None, None
    if path.stat().st_size > 200:
        return None, "timestamp.txt is longer than any time: it cannot be read"
    try:
        text = path.read_text(errors="strict").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"timestamp.txt cannot be read ({type(exc).__name__})"
    if not text:
        return None, None
    try:
        utils.parse_utc(text)
    except (ValueError, OverflowError):
        return None, f"timestamp.txt holds no time nbgrader can read: {text[:40]!r}"
    return text, None


# ---------------------------------------------------------------- recording


@dataclass
class Job:
    """One submission: what a worker grades, and then what ``record`` writes."""

    student: str
    timestamp: str | None = None  # the submission's timestamp.txt, checked
    notebooks: dict[str, str] = field(default_factory=dict)  # name -> finished notebook (JSON)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # grader's decisions
    cells: dict[str, list[dict]] = field(default_factory=dict)  # name -> ``cell_facts``
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> time it took
    fingerprint: str | None = None  # what decided the grade (autograder.engine.fingerprint)


def record(gb: Gradebook, course: Course, one: Job, config) -> None:
    """Write one graded submission to the gradebook ``gb`` (open for the whole
    run: its engine caches the compiled queries), then its notebooks to
    ``autograded/``, as ``nbgrader autograde`` writes them; every autograded test
    cell gets the grader's score (zero and a reason for whatever did not run).

    The submission is one transaction: committed whole, or rolled back whole
    and the error raised, before anything is written for it in ``autograded/``.
    """
    late = AssignLatePenalties(config=config)
    late.init_plugin()
    try:
        with warnings.catch_warnings():
            # nbgrader's gradebook trips SQLAlchemy's autoflush warning when it
            # creates a submission row: nbgrader's, harmless, and noise here
            warnings.filterwarnings("ignore", "Object of type <Submitted")
            _record_one(gb, course, one, late)
            gb.db.commit()
    except BaseException:
        gb.db.rollback()
        raise
    _write(course, one, _permissions(config))


def _permissions(config) -> int:
    """The mode nbgrader gives the files it writes in ``autograded/``."""
    for section in ("Autograde", "BaseConverter"):
        if "permissions" in config.get(section, {}):
            return int(str(config[section]["permissions"]), 8)
    return 0o664 if config.get("CourseDirectory", {}).get("groupshared") else 0o444


def _record_one(gb: Gradebook, course: Course, one: Job, late: AssignLatePenalties) -> None:
    gb.update_or_create_student(one.student)
    if one.timestamp is not None:
        submission = gb.update_or_create_submission(
            course.assignment, one.student, timestamp=one.timestamp
        )
    else:
        submission = gb.update_or_create_submission(course.assignment, one.student)
    for notebook in submission.notebooks:
        grades = _by_name(gb, Grade, notebook)
        if notebook.name not in one.cells:  # not submitted, or not gradable: zero on every cell
            for grade in grades.values():
                grade.auto_score, grade.needs_manual_grade = 0.0, False
            continue
        comments = _by_name(gb, Comment, notebook)
        _save_grades(notebook.name, grades, comments, one, course)
    if submission.total_seconds_late > 0:
        gb.db.flush()  # the notebook's score, as the late penalty reads it
    for notebook in submission.notebooks:
        if submission.total_seconds_late > 0:
            gb.db.expire(notebook)
        _late_penalty(late, submission, notebook, one.student)


def _by_name(gb: Gradebook, model, notebook) -> dict:
    """A submitted notebook's grades or comments by cell name, in one query."""
    rows = gb.db.query(model).options(joinedload(model.cell)).filter(model.notebook == notebook)
    return {row.cell.name: row for row in rows}


def cell_facts(nb) -> list[dict]:
    """What SaveAutoGrades reads of each nbgrader cell of a finished notebook,
    worked out with nbgrader's own functions (in the worker, so that ``record``
    need not parse the notebook again)."""
    facts = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") is None:
            continue
        fact = {
            "grade_id": meta["grade_id"],
            "code": cell.cell_type == "code",
            "grade": utils.is_grade(cell),
            "solution": utils.is_solution(cell),
            "task": utils.is_task(cell),
            "unchanged": meta.get("checksum") == utils.compute_checksum(cell),
        }
        if fact["grade"] and (fact["solution"] or not fact["code"]):
            fact["auto_score"] = utils.determine_grade(cell)[0]  # a written answer
        facts.append(fact)
    return facts


def _save_grades(name: str, grades: dict, comments: dict, one: Job, course: Course) -> None:
    """SaveAutoGrades for one notebook, with the grader's decision for every
    autograded test cell (a cell the submission no longer has scores zero)."""
    answers = set(course.notebooks[name].solutions)
    decided = one.scores.get(name, {})
    present = set()
    for fact in one.cells[name]:
        grade_id = fact["grade_id"]
        present.add(grade_id)
        if fact["grade"] and grade_id in grades:
            grade = grades[grade_id]
            if fact["code"] and grade_id not in answers:
                auto_score = float(decided.get(grade_id, 0.0))  # the grader's decision
            else:
                auto_score = fact.get("auto_score")  # a written answer
            grade.auto_score = auto_score
            grade.needs_manual_grade = grade.manual_score is not None or auto_score is None
        if (fact["solution"] or fact["task"]) and grade_id in comments:
            no_response = fact["unchanged"] and not fact["task"]
            comments[grade_id].auto_comment = "No response." if no_response else None
    for cell_name, grade in grades.items():
        if cell_name not in present:
            what = "cell" if grade.cell.cell_type == "code" else "answer cell"
            one.notes.append(f"{what} {cell_name} is missing from {name}: scored 0")
            grade.auto_score, grade.needs_manual_grade = 0.0, False


def _late_penalty(late: AssignLatePenalties, submission, notebook, student: str) -> None:
    """AssignLatePenalties for one notebook, on the scores just written."""
    notebook.late_submission_penalty = None
    if submission.total_seconds_late > 0:
        penalty = late.plugin_inst.late_submission_penalty(
            student, notebook.score, submission.total_seconds_late
        )
        if penalty is not None:
            notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)


def _write(course: Course, one: Job, mode: int) -> None:
    """The submission's folder in ``autograded/``: its finished notebooks and
    its ``timestamp.txt`` (read-only, as nbgrader leaves them; nothing else the
    student sent is copied) and the grader's notes."""
    folder = course.root / "autograded" / one.student / course.assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in one.notebooks.items():
        path = folder / f"{name}.ipynb"
        path.write_text(text)
        os.chmod(path, mode)
    if one.timestamp is not None:
        (folder / "timestamp.txt").write_text(one.timestamp)
        os.chmod(folder / "timestamp.txt", mode)
    (folder / NOTES).write_text(
        json.dumps(
            {"notes": one.notes, "sandboxed": one.sandboxed, "fingerprint": one.fingerprint},
            indent=1,
        )
    )
