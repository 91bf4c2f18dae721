"""Execute one sanitized notebook in a sandbox, with the hidden checks outside it.

Cells run in the sandboxed executor. For a test cell, only its visible part is
sent there; the hidden part (``grade("fn", globals(), points=P)``) never is:
the checks run here, in the grader's process, and reach the student's functions
through calls over the socket. Student code therefore cannot see, patch or
fool the checks, the reference or the score: it can only return values.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from autograder import reference, runner
from autograder.runner import CheckFailed, NotAttempted
from autograder.sandbox import Died, Limits, Sandbox, Zygote

HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.M | re.S
)


@dataclass
class Execution:
    notebook: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False


def split_test_cell(source: str) -> tuple[str, list[tuple[str, float]], str] | None:
    """(code before, [(function, points)], code after) for a cell with hidden
    tests, or None. Hidden tests must be ``grade("<function>", globals(), points=P)``
    calls (and their import): anything else is an authoring error."""
    match = HIDDEN.search(source)
    if not match:
        return None
    calls = []
    for node in ast.parse(match.group(1)).body:
        if isinstance(node, ast.ImportFrom) and node.module == "autograder":
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and getattr(call.func, "id", None) == "grade"
            and call.args
            and isinstance(call.args[0], ast.Constant)
        ):
            raise ValueError(f"hidden tests must only call grade(...): {ast.unparse(node)!r}")
        points = {k.arg: k.value for k in call.keywords}.get("points")
        if not isinstance(points, ast.Constant):
            raise ValueError("grade(...) needs a literal points=")
        calls.append((call.args[0].value, float(points.value)))
    return source[: match.start()], calls, source[match.end() :]


class RemoteSubmission:
    """The submission's functions, called inside the sandbox."""

    def __init__(self, sandbox: Sandbox, swap: list[str]):
        self.sandbox, self.swap = sandbox, swap
        self.swapped = list(swap)  # dependencies replaced by the reference

    def __getattr__(self, name: str):
        def call(*args):
            reply = self.sandbox.call(name, list(args), self.swap, _answer_reference)
            op = reply.get("op")
            if op == "return":
                return reply.get("value")
            if op == "missing":
                raise NotAttempted(f"`{name}` is not defined")
            if op == "not_callable":
                raise CheckFailed(f"`{name}` is not a function")
            if op == "raise" and reply.get("ename") == "NotImplementedError":
                raise NotAttempted(f"`{name}` raises NotImplementedError")
            if op == "raise":
                raise CheckFailed(
                    runner.raised(name, str(reply.get("ename")), str(reply.get("evalue", "")))
                )
            raise CheckFailed(f"`{name}` could not be called")

        return call


def _answer_reference(name: str, args: list):
    # arguments arrive freshly decoded, so nothing needs copying; this runs once
    # per epoch of a student's train loop, so it is kept lean.
    with np.errstate(all="ignore"):
        return getattr(reference.load(), name)(*args)


def _error(name: str, text: str) -> nbformat.NotebookNode:
    return nbformat.from_dict(
        {"output_type": "error", "ename": name, "evalue": text, "traceback": [f"{name}: {text}"]}
    )


def execute(
    nb: nbformat.NotebookNode,
    scratch: Path,
    limits: Limits,
    use_bwrap: bool | None = None,
    zygote: Zygote | None = None,
    *,
    drop_uid: int | None = None,
) -> Execution:
    """Run every code cell of ``nb`` (already sanitized by nbgrader) in a
    sandbox rooted at ``scratch``; fill in outputs as a kernel would.
    ``drop_uid``: see ``Sandbox``."""
    run = Execution(nb)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code_cells:
        cell.outputs, cell.execution_count = [], None
    died = None
    try:
        with Sandbox(scratch, limits, use_bwrap, zygote, drop_uid=drop_uid) as sandbox:
            run.sandboxed = sandbox.sandboxed
            passed: dict[str, bool] = {}
            for index, cell in enumerate(code_cells):
                try:
                    _run_cell(sandbox, cell, passed)
                except Died as exc:
                    died = f"{exc} (while running cell {_name(cell, index)})"
                    cell.outputs.append(_error("KernelDied", died))
                    for later in code_cells[index + 1 :]:
                        later.outputs = [_error("KernelDied", f"not run: {died}")]
                    break
    except Died as exc:
        died = f"the executor could not start: {exc}"
        for cell in code_cells:
            cell.outputs = [_error("KernelDied", f"not run: {died}")]
    if died:
        run.notes.append(died)
    return run


def _name(cell, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{index + 1}"


def _run_cell(sandbox: Sandbox, cell, passed: dict[str, bool]) -> None:
    parts = split_test_cell(cell.source) if cell.metadata.get("nbgrader", {}).get("grade") else None
    before, calls, after = parts if parts else (cell.source, [], "")
    reply = sandbox.run(before)
    cell.outputs.extend(nbformat.from_dict(o) for o in reply.get("outputs", []))
    cell.execution_count = reply.get("count")
    if not calls or not reply.get("ok"):
        return
    for function, points in calls:
        swap = runner.to_swap(function, passed)
        results = runner.run_checks_on(function, RemoteSubmission(sandbox, swap))
        passed[function] = all(r.status == "passed" for r in results)
        outputs = runner.cell_outputs(function, results, points, cell.execution_count)
        cell.outputs.extend(nbformat.from_dict(o) for o in outputs)
    if after.strip():
        reply = sandbox.run(after)
        cell.outputs.extend(nbformat.from_dict(o) for o in reply.get("outputs", []))
