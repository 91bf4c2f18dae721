"""Hints a failed property adds to its message, shared by every check module.

A function that reads notebook data (``X``, ``w1_trained``, ``LEARNING_RATE``)
instead of its arguments passes the notebook's own tests and fails on the
hidden cases; saying which variables it reads is the most useful hint, added
to every failed property (``Assignment.check`` wraps each check in
``naming_notebook_data``).
"""

from __future__ import annotations

import dis
import functools
import numbers
import types

import numpy as np

from autograder.checking.runner import CheckFailed

_GLOBAL_LOADS = {"LOAD_GLOBAL", "LOAD_NAME"}


def _global_loads(code: types.CodeType) -> set[str]:
    """Names ``code`` (and the functions and comprehensions inside it) loads as globals."""
    names = {ins.argval for ins in dis.get_instructions(code) if ins.opname in _GLOBAL_LOADS}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_loads(const)
    return names


def _is_data(value) -> bool:
    return isinstance(value, np.ndarray | numbers.Number) and not isinstance(value, bool)


def notebook_data_read(impl, function: str) -> list[str]:
    """The notebook variables holding arrays or numbers that ``function`` reads as globals."""
    namespace = getattr(impl, "namespace", None)
    fn = namespace.get(function) if isinstance(namespace, dict) else None
    code = getattr(fn, "__code__", None)
    if code is None:  # not a plain Python function (np.vectorize, a class, ...)
        return []
    scope = getattr(fn, "__globals__", namespace)
    return sorted(n for n in _global_loads(code) if n in scope and _is_data(scope[n]))


def naming_notebook_data(fn, function: str):
    """``fn``, a check of ``function``, whose failure message also names the
    notebook variables the submitted ``function`` reads instead of its arguments."""

    @functools.wraps(fn)
    def run(impl):
        try:
            fn(impl)
        except CheckFailed as exc:
            names = notebook_data_read(impl, function)
            if not names:
                raise
            listed = ", ".join(f"`{n}`" for n in names)
            raise CheckFailed(
                f"{exc} — note: `{function}` reads the notebook variable(s) {listed}; "
                "use its arguments instead, the hidden tests pass other values"
            ) from exc

    return run


def call(impl, function: str, *args, where: str = "", hint: str = ""):
    """Call the submitted ``function``; if it raises, say on which case and add ``hint``."""
    try:
        return getattr(impl, function)(*args)
    except CheckFailed as exc:
        message = f"{where} {exc}" if where else str(exc)
        raise CheckFailed(f"{message}; {hint}" if hint else message) from exc
