"""The calls the reference notebook makes to each contract function.

The audit labels a mutant by what it computes, not by what the checks say: on
the inputs the notebook itself gives each function. So the source notebook
runs top to bottom (its hidden tests left out: the checks play no part here)
in a process of its own, with every contract function wrapped so that its
calls are recorded: the arguments (copied before the call), the cell that made
the call, the contract function it came from, and how long it took.

A training loop calls ``forward_pass`` thousands of times; of each stream of
calls (one function, one cell, one caller) the first few and then every
power-of-two-th are kept, so early and late training both appear, and calls
with identical arguments are kept once.
"""

from __future__ import annotations

import copy
import hashlib
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FIRST_KEPT = 4  # of each stream: the first calls, then the 8th, 16th, 32nd, …
MAX_CALLS = 48  # recorded calls kept per function at most


@dataclass
class Call:
    """One call of a contract function: what it was given, and where it came from."""

    function: str
    args: tuple
    kwargs: dict
    cell: str  # the grade_id of the notebook cell that made it
    via: str = ""  # the contract function that made it, if any
    seconds: float = 0.0  # the reference's time for it
    variant: str = ""  # "" as recorded; else how it was perturbed
    extra: dict = field(default_factory=dict)

    def describe(self, parameters: list[str] | None = None) -> str:
        """``backward(X (4, 2), y (4, 1), …)`` from cell test_backward, perturbed how."""
        names = list(parameters or [])
        shown = []
        for i, value in enumerate(self.args):
            label = names[i] if i < len(names) else f"arg{i + 1}"
            shown.append(f"{label}={_short(value)}")
        shown += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        where = f"cell {self.cell}" + (f" via {self.via}" if self.via else "")
        how = f", {self.variant}" if self.variant else ""
        return f"{self.function}({', '.join(shown)}) [{where}{how}]"


def _short(value) -> str:
    import numpy as np

    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.ndim else _short(value.item())
    if isinstance(value, np.random.Generator | np.random.RandomState):
        return "rng"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return f"{type(value).__name__}[{len(value)}]"
    text = repr(value)
    return text if len(text) <= 20 else text[:19] + "…"


def _key(call: Call) -> str:
    try:
        data = pickle.dumps((call.function, call.args, sorted(call.kwargs.items())))
    except Exception:  # something that does not pickle: never deduplicated
        return str(id(call))
    return hashlib.sha256(data).hexdigest()


class Recorder:
    """Wraps contract functions and keeps a sample of their calls."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self.calls: dict[str, list[Call]] = {name: [] for name in names}
        self.seen: set[str] = set()
        self.counts: dict[tuple, int] = {}
        self.stack: list[str] = []
        self.cell = ""

    def wrap(self, name: str, fn):
        recorder = self

        def recorded(*args, **kwargs):
            via = recorder.stack[-1] if recorder.stack else ""
            stream = (name, recorder.cell, via)
            n = recorder.counts.get(stream, 0) + 1
            recorder.counts[stream] = n
            keep = n <= FIRST_KEPT or n & (n - 1) == 0
            saved = copy.deepcopy((args, kwargs)) if keep else None
            recorder.stack.append(name)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - start
                recorder.stack.pop()
                if saved is not None:
                    recorder.keep(Call(name, saved[0], saved[1], recorder.cell, via, seconds))

        recorded.__wrapped__ = fn
        recorded.__name__ = name
        return recorded

    def keep(self, call: Call) -> None:
        key = _key(call)
        if key in self.seen or len(self.calls[call.function]) >= MAX_CALLS:
            return
        self.seen.add(key)
        self.calls[call.function].append(call)

    def wrap_namespace(self, namespace: dict) -> None:
        """Wrap the contract functions a cell (re)defined."""
        for name in self.names:
            fn = namespace.get(name)
            if callable(fn) and not hasattr(fn, "__wrapped__"):
                namespace[name] = self.wrap(name, fn)


class NotebookFailed(Exception):
    """A cell of the reference notebook raised: the audit cannot record its calls."""


def _run(notebook_path: str, names: tuple[str, ...]) -> dict[str, list[Call]]:
    """In a child process: run the notebook, hidden tests left out, and record.
    It runs in a temporary copy of its folder, removed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from autograder.checking.runner import quiet
    from autograder.engine.remote import HIDDEN

    # in a copy of the notebook's folder: it may read its data files, and write
    # nothing into the course
    nb = nbformat.read(notebook_path, as_version=4)
    folder, saved = Path(tempfile.mkdtemp(prefix="xorkit-record-")), os.getcwd()
    shutil.copytree(Path(notebook_path).parent, folder, dirs_exist_ok=True)
    os.chdir(folder)
    try:
        plt.show = lambda *args, **kwargs: plt.close("all")
        shell = InteractiveShell.instance(colors="NoColor", history_length=0)
        recorder = Recorder(names)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            recorder.cell = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
            with quiet():
                result = shell.run_cell(
                    HIDDEN.sub("", cell.source), store_history=False, silent=True
                )
            plt.close("all")
            if not result.success:
                error = result.error_in_exec or result.error_before_exec
                raise NotebookFailed(f"cell {recorder.cell} raised {type(error).__name__}: {error}")
            recorder.wrap_namespace(shell.user_ns)
    finally:
        os.chdir(saved)
        shutil.rmtree(folder, ignore_errors=True)
    return recorder.calls


def record(assignment) -> dict[str, list[Call]]:
    """The calls the source notebook of ``assignment`` makes to each contract
    function, recorded in a child process (the notebook plots, trains and sets
    NumPy's global state: none of it may touch the auditor)."""
    from autograder.faults import GraderFault

    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        try:
            return pool.apply(_run, (str(assignment.source_notebook()), assignment.names))
        except NotebookFailed as exc:
            raise GraderFault(
                f"the source notebook {assignment.source_notebook()} does not run: {exc}; "
                "the audit records the calls it makes to each function: fix the notebook"
            ) from None
