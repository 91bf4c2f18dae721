"""Grade each mutant through the grading engine, as ``xorkit grade`` grades a student.

A mutant becomes a notebook: the source notebook with the mutant's solution
cell in place of the reference's. The engine runs it as it runs a submission
(``autograder.engine.remote``): the student's cells in a sandboxed child forked
from a zygote (bubblewrap, the course's limits, nothing surviving the child),
each test cell here in the grader, its visible asserts then its hidden checks,
a failed dependency swapped for the reference (one bug, one deduction). No
nbgrader bookkeeping: an audit records no grade.

Three things keep a full audit within minutes, and none changes a score:

* a mutant's notebook holds only the cells a score can depend on: the solution
  cells, the locked cells defining what they read (``np``, a constant), and the
  test cells of the mutated function and of the functions that call it,
  directly or not; the other test cells would grade unchanged reference code
  (full marks: the build vouches for it), so their functions are passed in as
  having passed. The demonstrations (plots, training runs, a printed gradient
  check) are left out: the grader never scores them. Consecutive cells that run
  in the sandbox are sent as one (they only define functions: a mutant changes
  a function's body, never what runs when the cell does);
* a mutant that loses points in its own cell is swapped for the reference in
  every later cell, so those cells score what they score without it: they are
  graded once per function (``grade_all``'s stand-in controls), not per mutant;
* mutants are graded in parallel, one zygote per worker, as submissions are.
"""

from __future__ import annotations

import ast
import copy
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.checking import assignment as assignments
from autograder.checking.hints import _global_loads
from autograder.course.results import check_results
from autograder.engine import grading as engine
from autograder.engine import remote
from autograder.engine.sandbox import Limits, Zygote
from autograder.faults import GraderFault


@dataclass
class Graded:
    """What the engine gave one mutant: the points of each test cell it ran."""

    scores: dict[str, float]  # grade_id -> points earned
    points: dict[str, float]  # grade_id -> points the cell is worth
    lost: dict[str, list[str]] = field(default_factory=dict)  # grade_id -> what it lost, why
    seconds: float = 0.0
    died: bool = False  # its sandbox died: every later cell scored zero

    def merged(self, other: Graded) -> Graded:
        """This outcome with the cells only ``other`` graded added."""
        new = {g for g in other.scores if g not in self.scores}
        return Graded(
            {**self.scores, **{g: other.scores[g] for g in new}},
            {**self.points, **{g: other.points[g] for g in new}},
            {**self.lost, **{g: other.lost[g] for g in new if g in other.lost}},
            self.seconds,
            self.died,
        )

    def short(self, grade_id: str) -> bool:
        """Whether the cell scored less than its points."""
        return self.scores.get(grade_id, 0.0) < self.points[grade_id] - 1e-9


# ---------------------------------------------------------------- what to run


def callers(assignment, reference) -> dict[str, set[str]]:
    """For each contract function, the functions whose cells a change to it can
    reach: itself and those whose reference code calls it, directly or not."""
    calls = {
        name: _global_loads(getattr(reference, name).__code__) & set(assignment.names)
        for name in assignment.names
    }
    reach = {}
    for name in assignment.names:
        found, todo = {name}, [name]
        while todo:
            callee = todo.pop()
            for caller, callees in calls.items():
                if callee in callees and caller not in found:
                    found.add(caller)
                    todo.append(caller)
        reach[name] = found
    return reach


def _bound(source: str) -> set[str] | None:
    """The names a cell binds at its top level (None if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            for child in ast.walk(node):
                if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                    names.add(child.id)
    return names


def _reads(source: str) -> set[str]:
    try:
        code = compile(source, "<cell>", "exec")
    except SyntaxError:
        return set()
    return _global_loads(code)


def _role(cell, tests: dict) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return "solution"
    if meta.get("grade_id") in tests:
        return "test"
    return "other"


def needed_cells(nb: nbformat.NotebookNode, tests: dict) -> set[int]:
    """The indices of the cells other than solutions and tests that the solution
    code needs: those binding a name it reads (``import numpy as np``, ``EPS =
    1e-12``), and, in turn, what those read. A cell that does not parse (a
    magic) is kept."""
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    wanted = set()
    for _, cell in code:
        if _role(cell, tests) == "solution":
            wanted |= _reads(remote.HIDDEN.sub("", cell.source))
    kept: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, cell in code:
            if i in kept or _role(cell, tests) != "other":
                continue
            bound = _bound(cell.source)
            if bound is None or bound & wanted:
                kept.add(i)
                wanted |= _reads(cell.source)
                changed = True
    return kept


@dataclass(frozen=True)
class Plan:
    """How each mutant's notebook is made from the source notebook."""

    source: nbformat.NotebookNode
    tests: dict  # grade_id -> remote.GradedCell, the instructor's test cells
    kept: set[int]  # the other cells the solution code needs
    reach: dict[str, set[str]]  # function -> the functions whose cells it can change

    def notebook(
        self, assignment, mutant, graded: set[str], failed: str = ""
    ) -> tuple[str, dict[str, bool]]:
        """The notebook (as JSON) of ``mutant`` (None: the reference) grading the
        test cells of the functions ``graded``, and what the others are taken to
        have done: passed, or failed for ``failed``."""
        cells_graded = {assignment.function(f).grade_id for f in graded}
        nb = copy.deepcopy(self.source)
        cells = []
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            role = _role(cell, self.tests)
            mutated = mutant is not None and meta.get("grade_id") == mutant.function
            if role == "solution" and mutated:
                cell.source = mutant.cell
            elif (role == "test" and meta.get("grade_id") not in cells_graded) or (
                role == "other" and i not in self.kept
            ):
                continue
            cell.outputs, cell.execution_count = [], None
            previous = cells[-1] if cells else None
            if previous is not None and _sandboxed(previous, self) and _sandboxed(cell, self):
                # consecutive cells of the sandbox run as one: a round trip each
                # costs more than the definitions they hold
                previous.source += "\n\n" + cell.source
            else:
                cells.append(cell)
        nb.cells = cells
        passed = {f: f != failed for f in assignment.names if f not in graded}
        return nbformat.writes(nb), passed


def _sandboxed(cell, plan: Plan) -> bool:
    """Whether ``cell`` runs in the sandbox (not a test cell, not a cell magic)."""
    return _role(cell, plan.tests) != "test" and not cell.source.lstrip().startswith("%%")


def plan(assignment, reference) -> Plan:
    source = nbformat.read(assignment.source_notebook(), as_version=4)
    tests = remote.graded_cells(source)
    missing = [f.grade_id for f in assignment.functions if f.grade_id not in tests]
    if missing:
        raise GraderFault(
            f"the source notebook has no test cell {', '.join(missing)}: run `xorkit build`, "
            "which checks the notebook against the contract"
        )
    return Plan(source, tests, needed_cells(source, tests), callers(assignment, reference))


# ---------------------------------------------------------------- grading


def _lost(run: remote.Execution, grade_id: str) -> list[str]:
    """The properties a test cell lost, or why it scored nothing."""
    for cell in run.notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        lost = [
            f"{r.get('name')}: {r.get('message')}"
            for output in cell.get("outputs", [])
            for r in check_results(output)
            if r.get("status") != "passed"
        ]
        if grade_id in run.reasons:
            lost.insert(0, run.reasons[grade_id])
        return lost
    return [run.reasons.get(grade_id, "the cell did not run")]


@dataclass(frozen=True)
class _Batch:
    course: Path
    name: str
    tests: dict
    limits: Limits
    use_bwrap: bool


_BATCH: _Batch | None = None  # a worker's, set when it starts
_ZYGOTE: Zygote | None = None  # one per worker, started on its first mutant


def _start_worker(batch: _Batch) -> None:
    global _BATCH
    _BATCH = batch
    engine._worker_init(batch.limits.grader_memory_mb)


def _grade(notebook: str, passed: dict[str, bool]) -> Graded:
    """In a worker: run one mutant's notebook in a fresh sandboxed child."""
    global _ZYGOTE
    batch = _BATCH
    if _ZYGOTE is None:
        _ZYGOTE = Zygote(engine._new_slot(), batch.limits, batch.use_bwrap)
    signal.alarm(engine.watchdog_seconds(batch.limits, 1))
    start = time.perf_counter()
    scratch = _ZYGOTE.slot / f"mutant-{os.urandom(6).hex()}"
    try:
        scratch.mkdir(parents=True)
        assignment = assignments.load(batch.course, batch.name)
        run = remote.execute(
            nbformat.reads(notebook, as_version=4),
            scratch,
            batch.limits,
            batch.use_bwrap,
            _ZYGOTE,
            tests=batch.tests,
            assignment=assignment,
            passed=passed,
        )
    finally:
        engine._empty_slot(_ZYGOTE)
        signal.alarm(0)
    ran = [
        c.metadata.get("nbgrader", {}).get("grade_id")
        for c in run.notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in batch.tests
    ]
    graded = Graded(
        {g: run.scores.get(g, 0.0) for g in ran},
        {g: batch.tests[g].points for g in ran},
        seconds=time.perf_counter() - start,
        died=any("(while running cell" in note for note in run.notes),
    )
    graded.lost = {g: _lost(run, g) for g in ran if graded.short(g)}
    return graded


@dataclass(frozen=True)
class _Task:
    """One notebook to grade: whose, and which cells."""

    kind: str  # "control", "stand-in" (a function failed, its callers graded) or "mutant"
    function: str = ""
    mutant: object = None
    graded: frozenset = frozenset()  # the functions whose test cells it grades


def _tasks(assignment, plan: Plan, mutants: list, full: bool) -> list[_Task]:
    """The mutants, each graded in its own cell, with the control and a
    stand-in control per function that others call; or, if ``full``, the
    mutants alone, each graded with its callers' cells too."""
    tasks = [] if full else [_Task("control", graded=frozenset(assignment.names))]
    for function in assignment.names:
        callers = plan.reach[function] - {function}
        if callers and not full:
            tasks.append(_Task("stand-in", function, graded=frozenset(callers)))
    for mutant in mutants:
        cells = plan.reach[mutant.function] if full else {mutant.function}
        tasks.append(_Task("mutant", mutant.function, mutant, frozenset(cells)))
    return tasks


def grade_all(
    assignment,
    plan: Plan,
    mutants: list,
    limits: Limits,
    use_bwrap: bool,
    jobs: int,
    progress=None,
) -> dict[str, Graded]:
    """Grade ``mutants`` on ``jobs`` workers; the engine's outcome of each, by name.

    The unmutated reference is graded first, the same way, as a control: if it
    does not score full marks in every cell, the audit's grading is broken
    (``GraderFault``), and no mutant's outcome would mean anything.

    A mutant that loses points in its own cell has failed its checks: in every
    later cell the grader swaps it for the reference, so what those cells score
    no longer depends on its code. They are graded once per function, with the
    reference's code in a notebook where that function failed ("stand-in
    control"), and the outcome is every such mutant's. Each mutant is graded in
    its own cell first; one that keeps full marks there (a survivor), or whose
    sandbox died, is graded again with every cell it can reach.
    """
    batch = _Batch(assignment.course, assignment.name, plan.tests, limits, use_bwrap)
    bar = progress(len(mutants)) if progress else None
    found: dict[str, Graded] = {}
    with engine.run_folder():
        pool = ProcessPoolExecutor(
            max(1, jobs), mp_context=_fork(), initializer=_start_worker, initargs=(batch,)
        )
        try:
            first = _run(pool, assignment, plan, _tasks(assignment, plan, mutants, full=False))
            stand_ins = {}
            again = []
            for task, graded in first:
                if task.kind == "control":
                    _control(graded)
                elif task.kind == "stand-in":
                    stand_ins[task.function] = graded
                elif plan.reach[task.function] != {task.function} and (
                    graded.died or not graded.short(assignment.function(task.function).grade_id)
                ):
                    again.append(task.mutant)  # its callers' cells may call it
                else:
                    found[task.mutant.name] = graded
                    if bar is not None:
                        bar.update(1)
            for mutant in mutants:  # the killed ones: their callers' cells as the stand-in's
                if mutant.name in found and mutant.function in stand_ins:
                    found[mutant.name] = found[mutant.name].merged(stand_ins[mutant.function])
            for task, graded in _run(pool, assignment, plan, _tasks(assignment, plan, again, True)):
                found[task.mutant.name] = graded
                if bar is not None:
                    bar.update(1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if bar is not None:
                bar.close()
    return found


def _run(pool, assignment, plan: Plan, tasks: list[_Task]) -> list[tuple[_Task, Graded]]:
    """Grade ``tasks`` on the pool, the notebooks with the most cells first."""
    futures = []
    for task in sorted(tasks, key=lambda t: -len(t.graded)):
        failed = task.function if task.kind == "stand-in" else ""
        notebook, passed = plan.notebook(assignment, task.mutant, set(task.graded), failed)
        futures.append((task, pool.submit(_grade, notebook, passed)))
    done = []
    for task, future in futures:
        what = f"mutant {task.mutant.name}" if task.mutant else f"the reference ({task.kind})"
        try:
            done.append((task, future.result()))
        except BrokenProcessPool:
            raise GraderFault(
                f"grading {what} killed the audit's worker process: run the audit again; "
                "if it happens again, report it"
            ) from None
        except (GraderFault, KeyboardInterrupt):
            raise
        except Exception as exc:  # the kit's own code broke, not the mutant
            raise GraderFault(
                f"grading {what} failed inside the audit ({type(exc).__name__}: {exc}): "
                "a bug in the kit; report it"
            ) from exc
    return done


def _control(graded: Graded) -> None:
    short = {g: lost for g, lost in graded.lost.items()}
    if short:
        what = "; ".join(f"{g}: {', '.join(lost)[:200]}" for g, lost in short.items())
        raise GraderFault(
            f"the audit's grading does not give the reference full marks ({what}): the "
            "mutants' outcomes would mean nothing; run `xorkit build` (it grades the "
            "reference the same way) and report this if the build passes"
        )


def _fork():
    import multiprocessing

    return multiprocessing.get_context("fork")
