import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case


def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


def _outputs(impl, n, d, h, seed):
    X, _, w1, w2 = case(seed, n, d, h)
    result = call(impl, "forward_pass", X, w1, w2, where=f"for N={n}, D={d}, H={h}")
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "forward_pass should return the pair (act_hidden, y_hat)",
    )
    act, y_hat = (np.asarray(v) for v in result)
    want_act = _sigma(X @ w1)
    if act.shape == (n, 1) and y_hat.shape == (n, h) and h != 1:
        expect(False, "the pair is in the wrong order: return (act_hidden, y_hat)")
    return X, w1, w2, act, y_hat, want_act


@ASSIGNMENT.check("forward_pass", "act_hidden = σ(X w1), shape (N, H)", weight=1)
def test_hidden(impl):
    for i, (n, d, h) in enumerate(SHAPES):
        X, w1, _w2, act, _y_hat, want = _outputs(impl, n, d, h, seed=20 + i)
        expect(
            act.shape == (n, h),
            f"for N={n}, D={d}, H={h} act_hidden should have shape ({n}, {h}), got {act.shape}",
        )
        if close(act, X @ w1):
            expect(False, "act_hidden is X w1 without the sigmoid")
        expect(close(act, want), f"for N={n}, D={d}, H={h} act_hidden is not σ(X w1)")


@ASSIGNMENT.check("forward_pass", "y_hat = act_hidden w2 (linear output), shape (N, O)", weight=1)
def test_output(impl):
    for i, (n, d, h) in enumerate(SHAPES):
        _X, _w1, w2, _act, y_hat, want = _outputs(impl, n, d, h, seed=30 + i)
        expect(
            y_hat.shape == (n, 1),
            f"for N={n}, D={d}, H={h} y_hat should have shape ({n}, 1), got {y_hat.shape}",
        )
        if close(y_hat, _sigma(want @ w2)):
            expect(
                False,
                "y_hat goes through a sigmoid: the output layer is linear, y_hat = act_hidden w2",
            )
        expect(close(y_hat, want @ w2), f"for N={n}, D={d}, H={h} y_hat is not act_hidden w2")
