"""Run the hidden checks of one contract function against a submission.

A check is data (function, property name, weight) plus a callable that raises
``CheckFailed`` with a student-facing message; an assignment's checks register
on its ``Assignment`` (``autograder.checking.assignment``). ``grade`` runs every
check of a function, turns the weights that passed into the cell's partial
credit and reports one line per failed property; it is what the notebook's
hidden test cells call.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

from autograder.checking.assignment import Assignment, for_notebook
from autograder.faults import GraderFault


class CheckFailed(AssertionError):
    """A property does not hold; the message is shown to the student."""


class NotAttempted(Exception):
    """The function under test is missing or still raises NotImplementedError."""


class Abort(Exception):
    """Grading of this submission cannot go on (its sandboxed process died)."""


def to_swap(assignment: Assignment, function: str, passed: dict[str, bool]) -> list[str]:
    """The contract functions ``function`` calls to replace by the reference while
    it is checked: those that failed their checks, or that call one that did (a
    ``forward_pass`` that passed with the reference ``sigmoid`` swapped in still
    uses the student's). Only dependencies are swapped: a function never gets a
    reference it has no business calling."""
    calls = assignment.dependencies

    def usable(name: str) -> bool:
        return passed.get(name, False) and all(usable(d) for d in calls.get(name, ()))

    return [name for name in calls.get(function, ()) if not usable(name)]


@dataclass(frozen=True)
class Check:
    function: str
    name: str
    weight: float
    run: Callable[[Submission], None]


@dataclass(frozen=True)
class Result:
    function: str
    name: str
    weight: float
    status: str  # "passed", "failed" or "not attempted"
    message: str = ""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _copy(value):
    """Deep-copy arrays (also inside tuples and lists) so a mutating student
    function cannot corrupt the inputs of a later check. A read-only array stays
    read-only: a check passes one to see that a function does not write into
    its arguments (the sandbox's wire keeps the flag too)."""
    if isinstance(value, np.ndarray):
        copied = value.copy()
        copied.flags.writeable = value.flags.writeable
        return copied
    if isinstance(value, tuple | list):
        return type(value)(_copy(v) for v in value)
    return value


def raised(function: str, exception: str, text: str) -> str:
    """The student-facing line for a function that raised an exception."""
    detail = text.splitlines()[0][:160] if text.strip() else ""
    return f"`{function}` raised {exception}" + (f": {detail}" if detail else "")


class Submission:
    """The contract functions of a namespace, called safely.

    Arguments are copied, output and warnings are swallowed (a warning on stderr
    would zero an nbgrader cell), ``NotImplementedError`` becomes ``NotAttempted``
    and any other exception a ``CheckFailed`` naming the function.
    """

    def __init__(self, namespace: dict, functions: tuple[str, ...], swapped=()):
        self.namespace = namespace
        self.functions = tuple(functions)  # the contract's
        self.swapped = list(swapped)  # dependencies replaced by the reference

    def __getattr__(self, name: str):
        if name not in self.functions:
            raise AttributeError(name)
        fn = self.namespace.get(name)
        if fn is None:
            raise NotAttempted(f"`{name}` is not defined")
        if not callable(fn):
            raise CheckFailed(f"`{name}` is not a function")

        def call(*args, **kwargs):
            args, kwargs = _copy(args), {k: _copy(v) for k, v in kwargs.items()}
            with quiet():
                try:
                    return fn(*args, **kwargs)
                except NotImplementedError as exc:
                    raise NotAttempted(f"`{name}` raises NotImplementedError") from exc
                except (CheckFailed, NotAttempted):
                    raise
                except (Exception, SystemExit) as exc:
                    raise CheckFailed(raised(name, type(exc).__name__, str(exc))) from exc

        return call


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow output, warnings and floating-point warnings of student code."""
    sink = io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def isolated(assignment: Assignment, namespace: dict, swap: list[str]) -> Iterator[None]:
    """Bind the names in ``swap`` to the reference for the duration of a check."""
    ref = assignment.reference()
    missing = object()
    saved = {name: namespace.get(name, missing) for name in swap}
    try:
        for name in swap:
            namespace[name] = getattr(ref, name)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


# Which functions passed their checks, per notebook namespace and assignment,
# so that later cells know which dependencies to swap (a kernel grades one notebook).
_PASSED: dict[tuple[int, str], dict[str, bool]] = {}


def run_checks(assignment: Assignment, function: str, namespace: dict) -> list[Result]:
    """Run every registered check of ``function`` against a notebook's namespace."""
    return _check(assignment, function, namespace, diagnose=False)[0]


def _check(assignment: Assignment, function: str, namespace: dict, diagnose: bool):
    """(results, the misconception shown if ``diagnose`` and one is recognised),
    both with the failed dependencies swapped for the reference."""
    passed = _PASSED.setdefault((id(namespace), assignment.name), {})
    swap = to_swap(assignment, function, passed)
    with isolated(assignment, namespace, swap):
        impl = Submission(namespace, assignment.names, swap)
        results = run_checks_on(assignment, function, impl)
        mistake = misconception(assignment, function, impl, results) if diagnose else None
    passed[function] = all(r.status == "passed" for r in results)
    return results, mistake


def misconception(assignment: Assignment, function: str, impl, results: list[Result]):
    """The known mistake ``function`` shows, when it failed a check (else None)."""
    if all(r.status != "failed" for r in results):
        return None
    from autograder.checking.misconceptions import diagnose

    return diagnose(assignment, function, impl)


def run_checks_on(assignment: Assignment, function: str, impl) -> list[Result]:
    """Run every registered check of ``function`` against ``impl``, an object whose
    attributes are the submission's functions (in-process or in a sandbox)."""
    results = []
    for item in assignment.checks_of(function):
        try:
            item.run(impl)
        except (Abort, GraderFault):
            raise
        except NotAttempted as exc:
            results.append(Result(function, item.name, item.weight, "not attempted", str(exc)))
        except CheckFailed as exc:
            results.append(Result(function, item.name, item.weight, "failed", str(exc)))
        except (Exception, SystemExit) as exc:
            message = _crashed(assignment, item, exc)
            results.append(Result(function, item.name, item.weight, "failed", message))
        else:
            results.append(Result(function, item.name, item.weight, "passed"))
    return results


def _crashed(assignment: Assignment, item: Check, exc: BaseException) -> str:
    """A check that raised instead of passing or failing. If it cannot pass on
    the reference either, the check is broken: a grader fault, never a lost
    property. Otherwise the submission returned something the property cannot
    be evaluated on (a string for an array, a ragged list): the student's doing."""
    problem = reference_problem(assignment, item)
    if problem:
        raise GraderFault(
            f"the hidden check {item.function!r}: {item.name!r} of {assignment.name} is broken: "
            f"it fails on the reference solution too ({problem}); "
            f"fix {assignment.package_dir}/checks and rerun `xorkit build`"
        ) from exc
    what = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    return f"`{item.function}` returned a value this property cannot be evaluated on ({what})"


def reference_problem(assignment: Assignment, item: Check) -> str:
    """Why ``item`` does not pass on the reference solution; empty if it does."""
    impl = Submission(dict(vars(assignment.reference())), assignment.names)
    try:
        item.run(impl)
    except GraderFault:
        raise
    except (Exception, SystemExit) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return ""


def self_test(assignment: Assignment) -> None:
    """Every check must pass on the reference before anyone is graded with it."""
    for function in assignment.names:
        for item in assignment.checks_of(function):
            problem = reference_problem(assignment, item)
            if problem:
                raise GraderFault(
                    f"the hidden check {function!r}: {item.name!r} of {assignment.name} fails "
                    f"on the reference solution ({problem}); fix the reference (source "
                    f"notebook) or {assignment.package_dir}/checks and rerun `xorkit build`"
                )


def score(results: list[Result], points: float) -> float:
    total = sum(r.weight for r in results)
    earned = sum(r.weight for r in results if r.status == "passed")
    return round(points * earned / total, 4)


def report(function: str, results: list[Result], earned: float, points: float, mistake=None) -> str:
    """The student-facing text: a summary line, one line per failed property, and
    the misconception they show, if one is recognised."""
    passed = sum(r.status == "passed" for r in results)
    if all(r.status == "not attempted" for r in results):
        return f"{function}: not attempted yet ({results[0].message}) — 0/{points:g} points"
    lines = [f"{function}: {passed}/{len(results)} checks passed — {earned:g}/{points:g} points"]
    for r in results:
        if r.status != "passed":
            lines.append(f"  ✗ {r.name}: {r.message}")
    if mistake is not None:
        lines.append(f"  ⚑ likely mistake: {mistake.explain}")
    return "\n".join(lines)


def grade(assignment: str, function: str, namespace: dict) -> float:
    """Check ``function`` of ``assignment`` from a notebook's ``globals()``, print
    the report and return the partial credit (of the points the contract gives
    it), which nbgrader reads from the cell's result."""
    graded = for_notebook(assignment)
    points = graded.points(function)
    results, mistake = _check(graded, function, namespace, diagnose=True)
    earned = score(results, points)
    text = report(function, results, earned, points, mistake)
    _publish(text, results, mistake)
    return earned


def _metadata(results: list[Result], mistake=None, key: str = "results") -> dict:
    found = {key: [asdict(r) for r in results]}
    if mistake is not None:
        found["misconception"] = mistake.name
    return {"xorkit": found}


def _publish(text: str, results: list[Result], mistake=None) -> None:
    """Show the report; inside IPython also attach the results as output metadata
    so the grading pipeline can tell which properties each student lost."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with nbgrader
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({"text/plain": text}, raw=True, metadata=_metadata(results, mistake))
    else:
        print(text)


def diagnosis_output(function: str, results: list[Result], mistake=None) -> dict:
    """What the hidden checks say about a function whose test cell's visible part
    failed: shown to learn from, never scored (the cell scores zero), so its
    metadata is not the ``results`` a score or a report counts."""
    failed = [r for r in results if r.status != "passed"]
    if not failed:
        text = (
            f"{function}: the hidden checks pass, but the visible test above failed, so "
            "this cell scores 0: read its message"
        )
    else:
        lines = [
            f"{function}: what the hidden checks found (this cell scores 0 because its "
            "visible test failed):"
        ]
        lines += [f"  ✗ {r.name}: {r.message}" for r in failed]
        if mistake is not None:
            lines.append(f"  ⚑ likely mistake: {mistake.explain}")
        text = "\n".join(lines)
    return {
        "output_type": "display_data",
        "data": {"text/plain": text},
        "metadata": _metadata(results, mistake, key="diagnosis"),
    }


def cell_outputs(
    function: str, results: list[Result], points: float, count: int, mistake=None
) -> list[dict]:
    """The outputs ``grade`` leaves in a cell, built outside the kernel: the
    report as display data, then the points as the cell's result."""
    earned = score(results, points)
    text = report(function, results, earned, points, mistake)
    return [
        {
            "output_type": "display_data",
            "data": {"text/plain": text},
            "metadata": _metadata(results, mistake),
        },
        {
            "output_type": "execute_result",
            "data": {"text/plain": repr(earned)},
            "metadata": {},
            "execution_count": count,
        },
    ]
