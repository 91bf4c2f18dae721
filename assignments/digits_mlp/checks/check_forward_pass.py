"""``forward_pass`` against the reference on several shapes, with what the
contract fixes about its outputs: shapes, probabilities, and no overflow."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case


def _run(impl, X, params):
    n, d = X.shape
    h, k = params[2].shape
    where = f"for N={n}, D={d}, H={h}, K={k}"
    result = call(impl, "forward_pass", X, *params, where=where)
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "forward_pass should return the pair (act_hidden, P)",
    )
    return where, np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)


@ASSIGNMENT.check(
    "forward_pass", "act_hidden and P match the reference on several shapes", weight=2
)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for seed, (n, d, h, k) in enumerate(SHAPES):
        X, _, params = case(seed + 30, n, d, h, k)
        where, act, P = _run(impl, X, params)
        want_act, want_P = ref.forward_pass(X, *params)
        expect(act.shape == (n, h), f"{where} act_hidden should have shape (N, H), got {act.shape}")
        expect(P.shape == (n, k), f"{where} P should have shape (N, K), got {P.shape}")
        if not close(act, want_act):
            hint = "act_hidden = σ(X w1 + b1), with σ(z) = 1 / (1 + exp(-z))"
            if close(act, X @ params[0] + params[1]):
                hint = "the sigmoid is missing: act_hidden = σ(X w1 + b1)"
            elif close(act, 1 / (1 + np.exp(-(X @ params[0])))):
                hint = "b1 is missing: act_hidden = σ(X w1 + b1)"
            expect(False, f"{where} act_hidden differs from the reference; {hint}")
        if not close(P, want_P):
            hint = "P = softmax(act_hidden w2 + b2)"
            if close(P, ref.softmax(act @ params[2])):
                hint = "b2 is missing: P = softmax(act_hidden w2 + b2)"
            elif close(P, 1 / (1 + np.exp(-(act @ params[2] + params[3])))):
                hint = "the output is a sigmoid: use softmax, whose rows sum to 1"
            expect(False, f"{where} P differs from the reference; {hint}")


@ASSIGNMENT.check(
    "forward_pass", "finite probabilities for saturated units and large logits", weight=1
)
def test_saturated(impl):
    ref = ASSIGNMENT.reference()
    X, _, params = case(40, 6, 5, 4, 3)
    params = tuple(50.0 * p for p in params)  # pre-activations and logits in the hundreds
    where, act, P = _run(impl, X, params)
    expect(
        bool(np.all(np.isfinite(act)) and np.all(np.isfinite(P))),
        f"{where}, with weights 50 times larger (logits in the hundreds), forward_pass returns "
        "inf or nan: use your (stable) softmax for the output",
    )
    expect(
        close(P, ref.forward_pass(X, *params)[1]),
        f"{where}, with weights 50 times larger, P differs from the reference",
    )
