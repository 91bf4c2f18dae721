"""``backward`` against centred finite differences of the loss, for every layer's
W and b, on networks of depths 1 to 4; and a dead unit, whose gradients are 0.

ReLU has a kink at 0, where the loss is not differentiable. Every case is drawn
by ``kink_free_case``: it redraws until every hidden pre-activation is at least
KINK_MARGIN = 1e-3 from 0, a hundred times the step FD_STEP = 1e-5, so no probe
crosses a kink and both conventions for ReLU′(0) give the same gradient.

Where JAX is installed (the kit's ``autodiff`` extra), ``jax.grad`` of the loss,
written again in ``jax.numpy`` (``autodiff.py``, run in a process of its own), is
a third reference: the finite differences the checks compare with must agree
with it on XOR's case and the deepest, or the checks stop as broken (a grader
fault, never a student's). Without JAX that cross-check is
skipped; it changes no score either way, since a submission is always compared
with the finite differences.
"""

import importlib.util
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import (
    FD_REL_TOL,
    close,
    expect_gradient,
    numerical_gradients,
    relative_error,
)
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import kink_free_case, xor_data

# (seed, N, layer sizes) of the finite-difference cases: depths 1 to 4
GRADIENT_CASES = (
    (101, 4, [2, 10, 1]),
    (102, 7, [3, 5, 1]),
    (103, 6, [4, 6, 3, 1]),
    (104, 9, [3, 7, 2, 5, 1]),
    (105, 5, [5, 1]),
    (106, 1, [3, 4, 1]),
)

# The cases jax.grad cross-checks: XOR's network and the deepest. The helper
# process costs 0.9 s of CPU before its first case (Python, NumPy and JAX) and
# compiling takes about 0.3 s per case: with these two the hidden checks of one
# submission take 1.5-1.8 s of CPU in a fresh process, within the 2 s they may
# take (benchmarks/check_time.py); with all six, well over.
AUTODIFF_CASES = (0, 3)

AUTODIFF_SCRIPT = Path(__file__).resolve().parent.parent / "autodiff.py"
AUTODIFF_TIMEOUT = 120  # seconds; it takes about 1.5 s on the 2-core development machine

HINTS = {
    "output": "check δ_L = 2(ŷ − y)/N · ŷ(1 − ŷ) at the output and dW_L = A_{L−1}ᵀ δ_L",
    "hidden": "check δ_{l−1} = (δ_l W_lᵀ) · ReLU′(Z_{l−1}), with ReLU′ of the pre-activations "
    "zs, and dW_l = A_{l−1}ᵀ δ_l",
}


def _params_copy(params):
    return [(W.copy(), b.copy()) for W, b in params]


def _autodiff(problems):
    """``jax.grad`` of the mean squared error at each (flat parameters, X, y) of
    ``problems``, in float64, computed by ``autodiff.py`` in a process of its own;
    None where JAX is not installed or switched off (``XORKIT_AUTODIFF=0``).
    About 1.5 s of CPU once per grading process: starting Python, importing JAX
    and compiling one function for all the cases."""
    if os.environ.get("XORKIT_AUTODIFF") == "0" or importlib.util.find_spec("jax") is None:
        return None
    cases = [[[a.tolist() for a in flat], X.tolist(), y.tolist()] for flat, X, y in problems]
    run = subprocess.run(
        [sys.executable, "-I", str(AUTODIFF_SCRIPT)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=AUTODIFF_TIMEOUT,
    )
    if run.returncode != 0:
        raise RuntimeError(f"jax.grad, the checks' third reference, failed: {run.stderr[-800:]}")
    answer = json.loads(run.stdout)
    if "unavailable" in answer:
        return None
    return [[np.array(g, dtype=float) for g in case] for case in answer["gradients"]]


@cache
def _cases():
    ref = ASSIGNMENT.reference()
    cases = []
    for seed, n, sizes in GRADIENT_CASES:
        X, y, params = kink_free_case(seed, n, sizes)
        probe = _params_copy(params)
        flat = [array for pair in probe for array in pair]

        def loss(X=X, y=y, probe=probe):
            return ref.mse(ref.forward_pass(X, probe)[1][-1], y)

        numeric = numerical_gradients(loss, flat)
        zs, acts = ref.forward_pass(X, params)
        cases.append((n, sizes, (y, params, zs, acts), numeric))
    crossed = [cases[i] for i in AUTODIFF_CASES]
    problems = [
        ([a for pair in args[1] for a in pair], args[3][0], args[0]) for _, _, args, _ in crossed
    ]
    autodiff = _autodiff(problems)
    for (n, sizes, _, numeric), exact in zip(crossed, autodiff or [], strict=False):
        worst = max(relative_error(a, b) for a, b in zip(numeric, exact, strict=True))
        if worst >= FD_REL_TOL:
            raise RuntimeError(
                f"the finite differences of case N={n}, layers {sizes} differ from jax.grad "
                f"by a relative error of {worst:.1e}: the checks' cases are broken"
            )
    return tuple(cases)


def _returned(impl, args, where, n_layers):
    result = call(
        impl,
        "backward",
        *args,
        where=where,
        hint="size every array from the arguments and loop over len(params) layers",
    )
    expect(
        isinstance(result, tuple | list)
        and len(result) == n_layers
        and all(isinstance(p, tuple | list) and len(p) == 2 for p in result),
        f"{where} backward should return a list of {n_layers} (dW, db) pairs, one per layer",
    )
    return [(np.asarray(dW, dtype=float), np.asarray(db, dtype=float)) for dW, db in result]


def _gradient_check(which):
    def run(impl):
        for n, sizes, args, numeric in _cases():
            where = f"for N={n}, layers {sizes}"
            n_layers = len(sizes) - 1
            got = _returned(impl, args, where, n_layers)
            if (
                len(got) == n_layers
                and all(close(got[i][0], numeric[2 * (n_layers - 1 - i)]) for i in range(n_layers))
                and n_layers > 1
                and not close(got[0][0], numeric[0])
            ):
                expect(
                    False, f"{where} the layers are in reverse order: return the first layer first"
                )
            for layer in range(n_layers):
                want = numeric[2 * layer + which]
                name = f"d{'Wb'[which]}{layer + 1}"
                shape_name = f"(n_{layer}, n_{layer + 1})" if which == 0 else f"(1, n_{layer + 1})"
                expect_gradient(
                    got[layer][which],
                    want,
                    name=name,
                    parameter=f"{'Wb'[which]}{layer + 1}",
                    shape_name=shape_name,
                    where=where,
                    n=n,
                    hint=HINTS["output" if layer == n_layers - 1 else "hidden"],
                    shape_hints={
                        (n, sizes[layer + 1]): "one row per sample: the bias gradient sums δ "
                        "over the batch, delta.sum(axis=0, keepdims=True)",
                        (sizes[layer + 1],): "keep it 2-D like the bias: sum over axis 0 with "
                        "keepdims=True",
                    }
                    if which == 1
                    else None,
                )

    return run


test_dW = ASSIGNMENT.check("backward", "dW of every layer matches finite differences", weight=3)(
    _gradient_check(0)
)
test_db = ASSIGNMENT.check(
    "backward", "db of every layer matches finite differences (summed over the batch)", weight=2
)(_gradient_check(1))


@ASSIGNMENT.check("backward", "a dead unit gets zero gradient", weight=1)
def test_dead_unit(impl):
    """A [2, 6, 4, 1] network on XOR in which hidden unit 2 of layer 1 has a bias
    of −50 (Z < −45 on every input) and unit 1 of layer 2 a bias of −50 too:
    their incoming weights, biases and outgoing weights must get exactly 0."""
    ref = ASSIGNMENT.reference()
    X, y = xor_data()
    params = [(W.copy(), b.copy()) for W, b in kink_free_case(107, 4, [2, 6, 4, 1])[2]]
    params[0][1][0, 2] = -50.0
    params[1][1][0, 1] = -50.0
    zs, acts = ref.forward_pass(X, params)
    assert np.all(zs[0][:, 2] < -40) and np.all(zs[1][:, 1] < -40)
    got = _returned(impl, (y, params, zs, acts), "for a [2, 6, 4, 1] network on XOR", 3)
    for what, value in [
        ("dW1[:, 2], the incoming weights of dead unit 2 of layer 1", got[0][0][:, 2]),
        ("db1[0, 2], its bias", got[0][1][0, 2]),
        ("dW2[2, :], its outgoing weights", got[1][0][2, :]),
        ("dW2[:, 1], the incoming weights of dead unit 1 of layer 2", got[1][0][:, 1]),
        ("db2[0, 1], its bias", got[1][1][0, 1]),
    ]:
        expect(
            np.all(np.asarray(value) == 0),
            f"{what} should be exactly 0, got {np.ravel(value)[:4].tolist()}: a unit with "
            "Z < 0 on every sample passes no gradient back (ReLU′(Z) = 0 masks it)",
        )
