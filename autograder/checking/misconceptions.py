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
functions: they are the instructor's code, never a student's. Most are the
reference function with a small change, written as an ``Edit`` of its source:
the catalogue applies each edit to the graded course's reference when it loads,
and an edit that no longer applies (its text not there exactly once) is a
``GraderFault`` naming the misconception, never a misconception silently lost.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from autograder.checking.runner import CheckFailed, NotAttempted, quiet
from autograder.faults import GraderFault

# How close a student's output must be to a misconception's to count as the
# same behaviour: the checks' own tolerance for "the same expression computed
# in another order".
RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True, init=False)
class Edit:
    """The reference's ``function`` with each ``old`` replaced by its ``new``:
    ``Edit(function, old, new, old2, new2, ...)``, replaced in that order, each
    ``old`` found exactly once (the docstring left out) when it is replaced."""

    function: str
    replacements: tuple[tuple[str, str], ...]

    def __init__(self, function: str, *old_new: str):
        if not old_new or len(old_new) % 2:
            raise ValueError(f"Edit({function!r}, ...) takes pairs of old and new text")
        object.__setattr__(self, "function", function)
        object.__setattr__(
            self, "replacements", tuple(zip(old_new[::2], old_new[1::2], strict=True))
        )


@dataclass(frozen=True)
class Misconception:
    name: str  # short, stable: counted in the class report
    explain: str  # what it is, how to see it, how to fix it (no reference code)
    # function -> its implementations: full sources, or edits of the reference's
    code: dict[str, tuple[str | Edit, ...]] = field(default_factory=dict)


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


def _reference_sources(reference: ModuleType) -> dict[str, str]:
    """The source of each function of the reference module, without its docstring."""
    text = Path(reference.__file__).read_text()
    sources = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            lines = ast.get_source_segment(text, node).splitlines(keepends=True)
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                start, end = first.lineno - node.lineno, first.end_lineno - node.lineno
                del lines[start : end + 1]
            sources[node.name] = "".join(lines) + "\n"
    return sources


def _applied(item: Misconception, function: str, edit: Edit, sources: dict, where) -> str:
    """The source ``edit`` makes of the reference's function; ``GraderFault`` when
    it no longer applies to this reference."""
    fault = f"misconception {item.name!r}: its edit of {function} does not apply to {where}"
    if edit.function != function:
        raise GraderFault(f"{fault}: it edits {edit.function}, listed under {function}")
    if function not in sources:
        raise GraderFault(f"{fault}: the reference defines no {function}")
    source = sources[function]
    for old, new in edit.replacements:
        found = source.count(old)
        if found != 1:
            raise GraderFault(f"{fault}: {old!r} is there {found} times, not once; update the edit")
        source = source.replace(old, new)
    try:
        compile(source, f"<misconception of {function}>", "exec")
    except SyntaxError as exc:
        raise GraderFault(f"{fault}: the edited function does not compile ({exc})") from exc
    return source


def resolved(items, reference: ModuleType) -> list[Misconception]:
    """The misconceptions with every ``Edit`` applied to ``reference``'s source."""
    sources, where = _reference_sources(reference), f"the reference {reference.__file__}"

    def sources_of(item: Misconception, function: str) -> tuple[str, ...]:
        return tuple(
            _applied(item, function, code, sources, where) if isinstance(code, Edit) else code
            for code in item.code[function]
        )

    return [
        dataclasses.replace(
            item, code={function: sources_of(item, function) for function in item.code}
        )
        for item in items
    ]


def catalogue(assignment) -> tuple[list[Misconception], dict]:
    """The assignment's misconceptions, their edits applied to the course's
    reference, and its probes (none if it lists none)."""
    if not getattr(assignment, "mistakes_module", None) or assignment._module is None:
        return [], {}
    module = importlib.import_module(f"{assignment._module}.{assignment.mistakes_module}")
    return resolved(module.MISCONCEPTIONS, assignment.reference()), module.probes()


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
