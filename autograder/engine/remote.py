"""Execute one sanitized notebook in a sandbox; grade its test cells outside it.

The student's cells run in the sandboxed executor. A test cell never does: the
grader runs its visible part here, in its own interpreter, with the student's
functions reached over the socket, and then the hidden checks
(``grade("assignment", "fn", globals())``), also here. So the grader alone decides
whether a test cell completed and what it scores; student code can only return
values, never patch an assert, a check, a score or an output of a test cell.

While a cell's visible part runs, the cell's own function is the student's,
with the dependencies that failed their own checks swapped for the reference
(as the hidden checks do), and every other contract function it calls is the
reference: one bug costs points in its own cell only. The notebook data the
visible part uses (``X``, ``y``, ``SEED``, …) are the simple assignments of the
locked cells above it, which nbgrader restored from the gradebook, evaluated
here: never the student's values.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import json
import re
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from autograder.checking import runner
from autograder.checking.assignment import Assignment
from autograder.checking.runner import CheckFailed, NotAttempted
from autograder.engine.sandbox import Died, Limits, Sandbox, Zygote
from autograder.engine.worker import wire
from autograder.faults import GraderFault

HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.M | re.S
)
MESSAGE_LIMIT = 2000  # characters of an error message kept in a test cell


@dataclass
class Execution:
    notebook: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False
    # grade_id -> the points the grader awards each autograded test cell it ran,
    # and why a cell scored zero; a cell absent here did not run and scores zero
    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    check_seconds: float = 0.0  # spent grading test cells (the rest ran student code)


def split_test_cell(
    source: str, assignment: Assignment
) -> tuple[str, list[tuple[str, float]], str] | None:
    """(code before, [(function, points)], code after) for a cell with hidden
    tests, or None. Hidden tests must be ``grade("<assignment>", "<function>",
    globals())`` calls (and their import), naming this assignment and a function
    of its contract, which gives the points: anything else is an authoring error."""
    match = HIDDEN.search(source)
    if not match:
        return None
    calls = []
    for node in ast.parse(match.group(1)).body:
        if isinstance(node, ast.ImportFrom) and node.module == "autograder":
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        literals = [a.value for a in getattr(call, "args", [])[:2] if isinstance(a, ast.Constant)]
        if not (
            isinstance(call, ast.Call)
            and getattr(call.func, "id", None) == "grade"
            and len(call.args) == 3
            and not call.keywords
            and len(literals) == 2
        ):
            raise ValueError(
                f'hidden tests must only call grade("{assignment.name}", "<function>", '
                f"globals()): {ast.unparse(node)!r}"
            )
        name, function = literals
        if name != assignment.name:
            raise ValueError(f"grade(...) names assignment {name!r}, not {assignment.name!r}")
        if function not in assignment.names:
            raise ValueError(f"{function!r} is not a function of {assignment.name}'s contract")
        calls.append((function, float(assignment.points(function))))
    return source[: match.start()], calls, source[match.end() :]


class RemoteSubmission:
    """The submission's functions, called inside the sandbox."""

    def __init__(self, sandbox: Sandbox, swap: list[str], answer):
        self.sandbox, self.swap, self.answer = sandbox, swap, answer
        self.swapped = list(swap)  # dependencies replaced by the reference

    def __getattr__(self, name: str):
        def call(*args):
            reply = self.sandbox.call(name, list(args), self.swap, self.answer)
            op = reply.get("op")
            if op == wire.RETURN:
                return reply.get("value")
            if op == wire.MISSING:
                raise NotAttempted(f"`{name}` is not defined")
            if op == wire.NOT_CALLABLE:
                raise CheckFailed(f"`{name}` is not a function")
            if op == wire.RAISE and reply.get("ename") == "NotImplementedError":
                raise NotAttempted(f"`{name}` raises NotImplementedError")
            if op == wire.RAISE:
                raise CheckFailed(
                    runner.raised(name, str(reply.get("ename")), str(reply.get("evalue", "")))
                )
            raise CheckFailed(f"`{name}` could not be called")

        return call


def _reference_answerer(assignment: Assignment):
    """What answers the sandbox's calls of a swapped-in reference function."""
    ref = assignment.reference()

    def answer(name: str, args: list):
        # arguments arrive freshly decoded, so nothing needs copying; this runs
        # once per epoch of a student's train loop, so it is kept lean.
        with np.errstate(all="ignore"):
            return getattr(ref, name)(*args)

    return answer


def _error(name: str, text: str) -> nbformat.NotebookNode:
    return nbformat.from_dict(
        {"output_type": "error", "ename": name, "evalue": text, "traceback": [f"{name}: {text}"]}
    )


# ---------------------------------------------------------------- notebook data

SAFE_MODULES = ("numpy", "math", "time")  # what a locked cell may import for the tests


@dataclass(frozen=True)
class GradedCell:
    """An autograded test cell as the instructor wrote it, and the notebook data
    its visible part may use."""

    source: str
    data: dict  # name -> value
    modules: dict  # name -> module name (``np`` -> ``numpy``), imported where it runs
    points: float = 0.0  # what the cell is worth, as the instructor set it


def graded_cells(nb: nbformat.NotebookNode) -> dict[str, GradedCell]:
    """The test cells of the instructor's notebook, by grade_id. Their data are
    the modules and single-name assignments of the locked cells above them
    (``X = np.array(...)``, ``SEED = 7``), evaluated here; anything else in a
    locked cell (plots, calls of student functions) is skipped."""
    env: dict = {}
    found: dict[str, GradedCell] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade") and not meta.get("solution"):
            data = {k: v for k, v in env.items() if not isinstance(v, types.ModuleType)}
            modules = {k: v.__name__ for k, v in env.items() if isinstance(v, types.ModuleType)}
            points = float(meta.get("points", 0))
            found[meta.get("grade_id")] = GradedCell(cell.source, data, modules, points)
        elif meta.get("locked") and not meta.get("solution"):
            _evaluate_definitions(cell.source, env)
    return found


def _evaluate_definitions(source: str, env: dict) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if alias.name in SAFE_MODULES:
                    env[alias.asname or top] = __import__(alias.name)
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name = node.targets[0].id
            try:
                code = compile(ast.Expression(node.value), "<notebook data>", "eval")
                env[name] = eval(code, {"__builtins__": builtins, **env})
            except Exception:  # uses something only the notebook has (a plot, a function)
                env.pop(name, None)


# ---------------------------------------------------------------- execution


def execute(
    nb: nbformat.NotebookNode,
    scratch: Path,
    limits: Limits,
    use_bwrap: bool | None = None,
    zygote: Zygote | None = None,
    *,
    tests: dict[str, GradedCell],
    assignment: Assignment,
    passed: dict[str, bool] | None = None,
    **sandbox_options,
) -> Execution:
    """Run every code cell of ``nb`` (already sanitized by nbgrader): the student's
    in a sandbox rooted at ``scratch``, the test cells here. ``tests`` are the
    instructor's test cells (``graded_cells`` of the source notebook, never of a
    submission): a cell with one of their grade_ids runs their source, never its
    own; every other cell, whatever its metadata says, runs in the sandbox.
    ``assignment`` gives the contract, the checks and the reference. ``passed``
    names functions known to pass their checks whose test cells ``nb`` leaves
    out (an audit grades only the cells a mutant can change)."""
    run = Execution(nb)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code_cells:
        cell.outputs, cell.execution_count = [], None
    state = _State(tests, run, assignment, _reference_answerer(assignment), dict(passed or {}))
    sandbox = _start(scratch, limits, use_bwrap, zygote, sandbox_options)
    run.sandboxed = sandbox.sandboxed
    if sandbox.note:
        run.notes.append(sandbox.note)
    budget = limits.notebook_mb * 1024 * 1024  # output kept for the whole notebook
    try:
        for index, cell in enumerate(code_cells):
            try:
                try:
                    _run_cell(sandbox, cell, index + 1, state)
                except MemoryError:  # decoding or checking what the submission sent
                    sandbox.kill()
                    raise Died(
                        "the grader ran out of memory working on what this notebook sent "
                        f"(it may use {limits.grader_memory_mb} MiB)"
                    ) from None
                budget = _keep_outputs(cell, budget, limits.notebook_mb)
            except Died as exc:
                died = f"{exc} (while running cell {_name(cell, index)})"
                cell.outputs.append(_error("KernelDied", died))
                _score(state, cell, 0.0, died)
                for later in code_cells[index + 1 :]:
                    later.outputs = [_error("KernelDied", f"not run: {died}")]
                    _score(state, later, 0.0, f"not run: {died}")
                run.notes.append(died)
                break
        else:
            _diagnose(sandbox, state)
    finally:
        sandbox.close()
    return run


def _diagnose(sandbox: Sandbox, state: _State) -> None:
    """Add what the hidden checks say to the test cells whose visible part failed.
    It runs after every cell has scored, so it can change no score; a sandbox
    that dies now ends the diagnoses, nothing else."""
    for cell, function, swap in state.diagnose:
        start = time.perf_counter()
        try:
            impl = RemoteSubmission(sandbox, swap, state.answer)
            results = runner.run_checks_on(state.assignment, function, impl)
            mistake = runner.misconception(state.assignment, function, impl, results)
        except Died:
            return
        finally:
            state.run.check_seconds += time.perf_counter() - start
        output = runner.diagnosis_output(function, results, mistake)
        cell.outputs.append(nbformat.from_dict(output))


def _keep_outputs(cell, budget: int, notebook_mb: int) -> int:
    """Keep the cell's outputs if the notebook's output budget allows; what is left."""
    size = sum(len(json.dumps(output)) for output in cell.outputs)
    if size <= budget:
        return budget - size
    note = f"[outputs dropped: this notebook's outputs exceed {notebook_mb} MiB]\n"
    cell.outputs = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": note})]
    return 0


def _start(scratch, limits, use_bwrap, zygote, options) -> Sandbox:
    """A started sandbox. It runs no student code until it is ready, so failing
    to start is the grader's fault: one retry (a fresh zygote), then stop."""
    for attempt in (1, 2):
        sandbox = Sandbox(scratch, limits, use_bwrap, zygote, **options)
        try:
            sandbox.start()
            return sandbox
        except Died as exc:
            sandbox.close()
            if zygote is not None:
                zygote.kill()
            if attempt == 2:
                raise GraderFault(
                    f"the sandbox could not start ({exc}): check that bubblewrap works here "
                    "(`bwrap --unshare-all --ro-bind / / true`) and that the machine has "
                    "free memory, then grade again"
                ) from None
    raise AssertionError("unreachable")


@dataclass
class _State:
    tests: dict[str, GradedCell]
    run: Execution  # where the grader's scores and reasons go
    assignment: Assignment
    answer: object  # answers the sandbox's calls of reference stand-ins
    passed: dict[str, bool] = field(default_factory=dict)  # function -> passed its checks
    # (cell, function, swap) of the test cells whose visible part failed: their
    # hidden checks run after every cell, to say what is wrong, never to score
    diagnose: list = field(default_factory=list)


def _name(cell, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{index + 1}"


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _score(state: _State, cell, points: float, reason: str = "") -> None:
    """Record the grader's score for a test cell (other cells have none)."""
    grade_id = _grade_id(cell)
    if grade_id not in state.tests:
        return
    state.run.scores[grade_id] = points
    if reason:
        state.run.reasons[grade_id] = reason[:MESSAGE_LIMIT]


def _run_cell(sandbox: Sandbox, cell, count: int, state: _State) -> None:
    cell.execution_count = count
    if _grade_id(cell) in state.tests:
        start = time.perf_counter()
        try:
            _grade_test_cell(sandbox, cell, count, state)
        finally:
            state.run.check_seconds += time.perf_counter() - start
    else:
        reply = sandbox.run(cell.source)
        for output in reply.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
            cell.outputs.append(nbformat.from_dict(output))


def _grade_test_cell(sandbox: Sandbox, cell, count: int, state: _State) -> None:
    """Run a test cell here: its visible part, then its hidden checks, then the
    rest. It scores the checks' credit (full points without hidden tests) if
    every part completed, and zero with the reason otherwise."""
    test = state.tests[_grade_id(cell)]
    cell.source = test.source  # the instructor's, whatever the submission holds
    try:
        split = split_test_cell(test.source, state.assignment)
        before, calls, after = split or (test.source, [], "")
    except (ValueError, SyntaxError) as exc:
        raise GraderFault(
            f"the hidden tests of {_grade_id(cell)} are malformed ({exc}): fix the "
            "source notebook and rerun `xorkit build`"
        ) from None
    under = [function for function, _ in calls]
    namespace = _visible_namespace(sandbox, under, state, test)
    limit = sandbox.limits.output_kb * 1024
    if not _run_visible(cell, before, namespace, limit):
        for function, _ in calls:  # diagnosed once every cell has run and scored
            swap = runner.to_swap(state.assignment, function, state.passed)
            state.diagnose.append((cell, function, swap))
        for function in under:
            state.passed[function] = False
        _score(state, cell, 0.0, _failure(cell))
        return
    earned = 0.0 if calls else test.points
    for function, points in calls:
        swap = runner.to_swap(state.assignment, function, state.passed)
        impl = RemoteSubmission(sandbox, swap, state.answer)
        results = runner.run_checks_on(state.assignment, function, impl)
        state.passed[function] = all(r.status == "passed" for r in results)
        mistake = runner.misconception(state.assignment, function, impl, results)
        outputs = runner.cell_outputs(function, results, points, count, mistake)
        cell.outputs.extend(nbformat.from_dict(o) for o in outputs)
        earned += runner.score(results, points)
    if after.strip() and not _run_visible(cell, after, namespace, limit):
        _score(state, cell, 0.0, _failure(cell))
        return
    _score(state, cell, min(earned, test.points))


def _failure(cell) -> str:
    errors = [o for o in cell.outputs if o.get("output_type") == "error"]
    return f"{errors[-1].ename}: {errors[-1].evalue}" if errors else "the cell did not complete"


class StudentError(Exception):
    """A student's function raised ``ename`` while a test cell called it."""

    def __init__(self, ename: str, evalue: str):
        super().__init__(evalue)
        self.ename = ename


def _student_function(sandbox: Sandbox, name: str, swap: list[str], answer):
    """The student's ``name`` as a test cell sees it: called in the sandbox, its
    exceptions raised here under their own name, as a kernel would show them."""

    def call(*args, **kwargs):
        if kwargs:
            raise GraderFault(f"a visible test calls {name} with keyword arguments")
        reply = sandbox.call(name, list(args), swap, answer)
        op = reply.get("op")
        if op == wire.RETURN:
            return reply.get("value")
        if op == wire.MISSING:
            raise StudentError("NameError", f"name '{name}' is not defined")
        if op == wire.NOT_CALLABLE:
            raise StudentError("TypeError", f"'{name}' is not a function")
        ename, evalue = str(reply.get("ename", "Error")), str(reply.get("evalue", ""))
        if op == wire.RAISE and ename == "NotImplementedError":
            raise NotImplementedError(evalue)
        raise StudentError(ename, evalue if op == wire.RAISE else f"`{name}` could not be called")

    call.__name__ = name
    return call


def _visible_namespace(sandbox: Sandbox, under: list[str], state: _State, test: GradedCell) -> dict:
    """The cell's functions under test are the student's (their failed
    dependencies swapped for the reference); every other contract function is
    the reference; the data are the instructor's."""
    assignment, passed = state.assignment, state.passed
    ref = assignment.reference()
    namespace = {"__builtins__": builtins}
    namespace.update({name: importlib.import_module(m) for name, m in test.modules.items()})
    namespace.update({name: runner._copy(value) for name, value in test.data.items()})
    for name in assignment.names:
        if name in under or not under:
            swap = runner.to_swap(assignment, name, passed)
            namespace[name] = _student_function(sandbox, name, swap, state.answer)
        else:
            namespace[name] = getattr(ref, name)
    return namespace


def _run_visible(cell, code: str, namespace: dict, limit: int) -> bool:
    """Execute trusted test code here; its prints and its error become the
    cell's outputs. True if it completed."""
    if not code.strip():
        return True
    sink = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(sink), np.errstate(all="ignore"):
            exec(compile(code, "<test cell>", "exec"), namespace)
    except (Died, GraderFault):
        raise
    except StudentError as exc:
        error = (exc.ename, str(exc))
    except NameError as exc:  # a name the instructor's notebook does not define
        raise GraderFault(
            f"the visible test of {_name(cell, 0)} uses a name no locked cell above it "
            f"defines ({exc}): fix the source notebook and rerun `xorkit build`"
        ) from None
    except Exception as exc:  # an assert, or student values the test cannot use
        error = (type(exc).__name__, str(exc))
    text = sink.getvalue()
    if text:
        if len(text) > limit:
            text = text[:limit] + f"\n[output truncated: {len(text) - limit} more characters]\n"
        stream = {"output_type": "stream", "name": "stdout", "text": text}
        cell.outputs.append(nbformat.from_dict(stream))
    if error is not None:
        cell.outputs.append(_error(error[0], error[1][:MESSAGE_LIMIT]))
    return error is None
