"""xor_relu's optional JAX parts: the hidden checks' third gradient reference and
the notebook's JAX section, with JAX and without it."""

import contextlib
import importlib
import io
import os
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from autograder.checking.numerics import FD_REL_TOL, relative_error
from tests.helpers import RELU

HAS_JAX = importlib.util.find_spec("jax") is not None


def _check_backward():
    RELU.load_checks()
    return importlib.import_module(f"{RELU._module}.checks.check_backward")


def _problems(module):
    """(flat parameters, X, y) of every finite-difference case of backward's checks."""
    return [
        ([a for pair in args[1] for a in pair], args[3][0], args[0])
        for _, _, args, _ in module._cases()
    ]


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed (pip install -e '.[autodiff]')")
def test_jax_agrees_with_finite_differences_and_the_reference():
    """On every finite-difference case of backward's checks, not only the two the
    grader cross-checks, jax.grad (computed by autodiff.py in its own process)
    agrees with the centred differences and with the reference's backward."""
    module = _check_backward()
    exact = module._autodiff(_problems(module))
    assert exact is not None
    ref = RELU.reference()
    for (n, sizes, args, numeric), grads in zip(module._cases(), exact, strict=True):
        backward = [g for pair in ref.backward(*args) for g in pair]
        assert max(map(relative_error, numeric, grads)) < FD_REL_TOL, (n, sizes)
        assert max(map(relative_error, backward, grads)) < 1e-12, (n, sizes)


def test_autodiff_is_skipped_when_switched_off(monkeypatch):
    """With XORKIT_AUTODIFF=0 the cross-check is skipped: no helper process runs."""
    module = _check_backward()
    monkeypatch.setenv("XORKIT_AUTODIFF", "0")

    def refuse(*args, **kwargs):
        raise AssertionError("a helper process ran")

    monkeypatch.setattr(subprocess, "run", refuse)
    assert module._autodiff(_problems(module)) is None


def test_autodiff_script_says_when_jax_is_missing():
    """autodiff.py, run where JAX cannot be imported, answers "unavailable" instead
    of failing, so that the checks skip the cross-check."""
    script = RELU.package_dir / "autodiff.py"
    block = "import sys; sys.modules['jax'] = None"
    code = f"{block}; exec(open({str(script)!r}).read())"
    run = subprocess.run(
        [sys.executable, "-c", code], input="[]", capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert '"unavailable"' in run.stdout


def _jax_cell():
    nb = nbformat.read(RELU.solutions() / f"{RELU.name}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "jax"]
    return nb, cell.source


def test_notebook_jax_section_skips_without_jax(monkeypatch):
    """Without JAX the notebook's JAX section prints that it is skipped and raises nothing."""
    _, source = _jax_cell()
    monkeypatch.setitem(sys.modules, "jax", None)
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(source, {"np": np})
    finally:  # the section keeps its process to two cores: give this one its own back
        if cores is not None:
            os.sched_setaffinity(0, cores)
    assert "JAX is not available" in out.getvalue()
