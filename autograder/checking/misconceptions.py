"""Name the misconception behind a failed function, from its behaviour.

Most wrong submissions make one of a few dozen known mistakes. An assignment
lists them (its ``mistakes`` module): each ``Misconception`` has a name, a line
a student can act on (what it is, how to see it, how to fix it), and one or
more implementations of it per contract function, written by the instructor.
When a function fails its checks, ``diagnose`` calls the student's function
and each implementation of each misconception on the same probe inputs (the
assignment's ``probes``): the one that agrees with the student everywhere, where
the reference does not, is named. Two that both agree, or none, name nothing: a
wrong diagnosis is worse than none. The feedback never shows the code.

The implementations run in the grader, in a namespace holding the reference's
functions: they are the instructor's code, never a student's.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from autograder.checking.runner import CheckFailed, NotAttempted, quiet

# How close a student's output must be to a misconception's to count as the
# same behaviour: the checks' own tolerance for "the same expression computed
# in another order".
RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class Misconception:
    name: str  # short, stable: counted in the class report
    explain: str  # what it is, how to see it, how to fix it (no reference code)
    code: dict[str, tuple[str, ...]] = field(default_factory=dict)  # function -> sources


def _same(a, b) -> bool:
    """The same output: equal structure, and arrays equal within tolerance (nan
    where the other has nan)."""
    if isinstance(a, tuple | list) or isinstance(b, tuple | list):
        if not (isinstance(a, tuple | list) and isinstance(b, tuple | list)) or len(a) != len(b):
            return False
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    if x.shape != y.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True))


def _outputs(call, probes, failures=(CheckFailed, NotAttempted)) -> list | None:
    """The outputs of ``call`` on every probe, or None if it fails on one. A
    student's function fails with ``CheckFailed`` or ``NotAttempted`` (anything
    else, a dead sandbox, goes on up); an instructor's with any exception."""
    out = []
    for args in probes:
        try:
            with quiet():
                out.append(call(*_copy(args)))
        except failures:
            return None
    return out


def _copy(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _implementations(reference: ModuleType, function: str, sources: tuple[str, ...]):
    """Each source compiled in a namespace of the reference's functions."""
    for source in sources:
        namespace = {k: v for k, v in vars(reference).items() if not k.startswith("__")}
        namespace["np"] = np
        exec(compile(source, f"<misconception of {function}>", "exec"), namespace)
        yield namespace[function]


def catalogue(assignment) -> tuple[list[Misconception], dict]:
    """The assignment's misconceptions and probes (none if it lists none)."""
    if not getattr(assignment, "mistakes_module", None) or assignment._module is None:
        return [], {}
    module = importlib.import_module(f"{assignment._module}.{assignment.mistakes_module}")
    return list(module.MISCONCEPTIONS), module.probes()


def diagnose(assignment, function: str, impl) -> Misconception | None:
    """The one misconception whose behaviour ``function`` of ``impl`` shows on
    every probe, where the reference's differs; None when none or several do."""
    known, probes = catalogue(assignment)
    cases = probes.get(function)
    if not cases:
        return None
    student = _outputs(getattr(impl, function), cases)
    if student is None:
        return None
    reference = assignment.reference()
    want = _outputs(getattr(reference, function), cases, Exception)
    if want is not None and _same(student, want):
        return None  # right on the probes: what failed lies elsewhere
    matches = []
    for item in known:
        sources = item.code.get(function, ())
        for implementation in _implementations(reference, function, sources):
            shown = _outputs(implementation, cases, Exception)
            if shown is not None and _same(student, shown):
                matches.append(item)
                break
    return matches[0] if len(matches) == 1 else None
