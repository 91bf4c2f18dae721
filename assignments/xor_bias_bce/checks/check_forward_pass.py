import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case


def _sigma(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _outputs(impl, n, d, h, seed):
    X, _, (w1, b1, w2, b2) = case(seed, n, d, h)
    result = call(impl, "forward_pass", X, w1, b1, w2, b2, where=f"for N={n}, D={d}, H={h}")
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "forward_pass should return the pair (act_hidden, y_hat)",
    )
    act, y_hat = (np.asarray(v, dtype=float) for v in result)
    if act.shape == (n, 1) and y_hat.shape == (n, h) and h != 1:
        expect(False, "the pair is in the wrong order: return (act_hidden, y_hat)")
    return X, (w1, b1, w2, b2), act, y_hat


@ASSIGNMENT.check("forward_pass", "act_hidden = σ(X w1 + b1), shape (N, H)", weight=1)
def test_hidden(impl):
    for i, (n, d, h) in enumerate(SHAPES):
        X, (w1, b1, _, _), act, _ = _outputs(impl, n, d, h, seed=20 + i)
        where = f"for N={n}, D={d}, H={h}"
        expect(
            act.shape == (n, h),
            f"{where} act_hidden should have shape (N, H) = ({n}, {h}), got {act.shape}: "
            "X @ w1 is (N, H) and the row b1, (1, H), is added to each of its rows",
        )
        for wrong, why in [
            (_sigma(X @ w1), "act_hidden is σ(X w1) without the bias: add b1 before the sigmoid"),
            (_sigma(X @ w1) + b1, "b1 is added after the sigmoid: act_hidden = σ(X w1 + b1)"),
            (X @ w1 + b1, "act_hidden is X w1 + b1 without the sigmoid"),
        ]:
            if close(act, wrong):
                expect(False, f"{where} {why}")
        expect(close(act, _sigma(X @ w1 + b1)), f"{where} act_hidden is not σ(X w1 + b1)")


@ASSIGNMENT.check("forward_pass", "y_hat = σ(act_hidden w2 + b2), shape (N, O)", weight=1)
def test_output(impl):
    for i, (n, d, h) in enumerate(SHAPES):
        X, (w1, b1, w2, b2), own, y_hat = _outputs(impl, n, d, h, seed=30 + i)
        where = f"for N={n}, D={d}, H={h}"
        expect(
            y_hat.shape == (n, 1),
            f"{where} y_hat should have shape (N, O) = ({n}, 1), got {y_hat.shape}",
        )
        # The output layer is judged on the hidden layer the submission returned
        # when it has the right shape: a wrong hidden layer costs test_hidden only.
        act = own if own.shape == (n, h) else _sigma(X @ w1 + b1)
        for wrong, why in [
            (
                act @ w2 + b2,
                "y_hat is linear: the output goes through a sigmoid too, "
                "y_hat = σ(act_hidden w2 + b2), a probability",
            ),
            (
                _sigma(act @ w2),
                "y_hat is σ(act_hidden w2) without the bias: add b2 before the sigmoid",
            ),
            (_sigma(act @ w2) + b2, "b2 is added after the sigmoid: y_hat = σ(act_hidden w2 + b2)"),
        ]:
            if close(y_hat, wrong):
                expect(False, f"{where} {why}")
        expect(
            close(y_hat, _sigma(act @ w2 + b2)),
            f"{where} y_hat is not σ(act_hidden w2 + b2)",
        )
