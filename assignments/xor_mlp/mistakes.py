"""The mistakes students make in ``xor_mlp``, as behaviour the grader recognises.

Each misconception is a line a student can act on and one or more
implementations of it, per contract function, run in the grader on the probes
below (``autograder.checking.misconceptions``). The implementations are
written from the catalogue of real mistakes (``tests/catalogue.py``): most as
an ``Edit`` of the reference function, in its own words; the ones that are no
small edit of it in full.
"""

import numpy as np

from autograder.checking.misconceptions import Edit, Misconception

from .cases import case

MISCONCEPTIONS = (
    Misconception(
        "sigma-instead-of-derivative",
        "the hidden layer is multiplied by σ(a) where the chain rule needs σ′ = a·(1 − a), "
        "the sigmoid's derivative written through its output a: dL_dw1 is off while dL_dw2 "
        "is right (see the gradient check); use sigmoid_derivative(act_hidden)",
        {
            "sigmoid_derivative": (Edit("sigmoid_derivative", "a * (1.0 - a)", "sigmoid(a)"),),
            "backward": (
                Edit("backward", "sigmoid_derivative(act_hidden)", "sigmoid(act_hidden)"),
            ),
            "backward_loops": (
                Edit(
                    "backward_loops",
                    "act_hidden[k, j] * (1.0 - act_hidden[k, j])",
                    "sigmoid(act_hidden[k, j])",
                ),
            ),
        },
    ),
    Misconception(
        "sigmoid-applied-twice",
        "σ is applied to a value that is already an activation: act_hidden is a = σ(h), so "
        "the slope is a·(1 − a) as it is, not computed from σ(a); apply σ once, to the "
        "pre-activation",
        {
            "sigmoid_derivative": (
                Edit("sigmoid_derivative", "a * (1.0 - a)", "sigmoid(a) * (1.0 - sigmoid(a))"),
            ),
            "forward_pass": (
                Edit("forward_pass", "sigmoid(dense(X, w1))", "sigmoid(sigmoid(dense(X, w1)))"),
            ),
            "backward": (
                Edit(
                    "backward",
                    "sigmoid_derivative(act_hidden)",
                    "sigmoid_derivative(sigmoid(act_hidden))",
                ),
            ),
        },
    ),
    Misconception(
        "missing-mean",
        "the 1/N of the mean is missing: the result is N times too large, and on the XOR "
        "batch exactly 4 times; divide by the batch size N = X.shape[0] (once)",
        {
            "mse": (Edit("mse", "np.mean(", "np.sum("),),
            "backward": (Edit("backward", "residual / n_samples", "residual"),),
            "backward_loops": (
                Edit(
                    "backward_loops",
                    "act_hidden[k, j] / n_samples",
                    "act_hidden[k, j]",
                    "X[k, i] / n_samples",
                    "X[k, i]",
                ),
            ),
        },
    ),
    Misconception(
        "half-of-the-squared-error",
        "the factor ½ of the loss is missing or doubled: the error is ½·residual² averaged, "
        "and the ½ is what cancels the 2 of the derivative",
        {
            "mse": (
                Edit("mse", "0.5 * residual**2", "residual**2"),
                Edit("mse", "0.5 * residual**2", "0.25 * residual**2"),
            ),
        },
    ),
    Misconception(
        "residual-sign",
        "the residual is taken the wrong way round (y − y_hat): the gradients then point "
        "uphill and training makes the error grow; the residual is y_hat − y",
        {
            "mse": (Edit("mse", "y_hat - y", "y - y_hat"),),
            "backward": (Edit("backward", "residual / n_samples", "-residual / n_samples"),),
        },
    ),
    Misconception(
        "return-order",
        "the values are returned in the wrong order: return exactly the tuple the "
        "function's docstring names, in that order",
        {
            "forward_pass": (
                Edit("forward_pass", "return act_hidden, y_hat", "return y_hat, act_hidden"),
            ),
            "mse": (Edit("mse", "return residual, error", "return error, residual"),),
            "backward": (Edit("backward", "return dL_dw1, dL_dw2", "return dL_dw2, dL_dw1"),),
            "train": (Edit("train", "return w1, w2", "return w2, w1"),),
        },
    ),
    Misconception(
        "broadcast-to-n-by-n",
        "an (N, 1) column is multiplied by an (N,) row: NumPy broadcasts that to an (N, N) "
        "table and the sum adds N² products instead of N; print the shapes, and index a "
        "column as residual[k, 0] or residual[:, 0]",
        {
            # a loop over the weights whose sums over the samples are vectorised
            "backward_loops": (
                """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dw1, dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        dw2[j, 0] = np.sum(residual * act_hidden[:, j]) / n
        slope = act_hidden[:, j] * (1 - act_hidden[:, j])
        for i in range(d):
            dw1[i, j] = np.sum(residual * w2[j, 0] * slope * X[:, i]) / n
    return dw1, dw2, error
""",
            ),
        },
    ),
    Misconception(
        "stale-forward-pass",
        "the forward pass is computed once, before the loop, so every epoch takes its "
        "gradient at the initial weights and records the same error; compute the forward "
        "pass inside the loop, at the current weights",
        {
            "train": (
                Edit(
                    "train",
                    "        act_hidden, y_hat = forward_pass(X, w1, w2)\n",
                    "",
                    "errors = []",
                    "errors = []\n    act_hidden, y_hat = forward_pass(X, w1, w2)",
                ),
            ),
        },
    ),
    Misconception(
        "one-layer-updated",
        "only one of the two weight matrices is updated: gradient descent moves both, "
        "w1 ← w1 − λ·dL_dw1 and w2 ← w2 − λ·dL_dw2, every epoch",
        {
            "train": (
                Edit("train", "w1 = w1 - learning_rate * dL_dw1", ""),
                Edit("train", "w2 = w2 - learning_rate * dL_dw2", ""),
            ),
        },
    ),
    Misconception(
        "gradient-ascent",
        "the step adds the gradient: that climbs the loss; step against it, W ← W − λ·dL/dW",
        {
            "train": (
                Edit(
                    "train",
                    "w1 - learning_rate",
                    "w1 + learning_rate",
                    "w2 - learning_rate",
                    "w2 + learning_rate",
                ),
            ),
        },
    ),
    Misconception(
        "error-recorded-after-update",
        "each epoch's error is recorded after the update, so errors[0] is not the error of "
        "the initial weights; record the error the backward pass returns, then update",
        {
            "train": (
                Edit(
                    "train",
                    "errors.append(error)",
                    "",
                    "w2 = w2 - learning_rate * dL_dw2",
                    "w2 = w2 - learning_rate * dL_dw2\n"
                    "        errors.append(mse(forward_pass(X, w1, w2)[1], y)[1])",
                ),
            ),
        },
    ),
    Misconception(
        "learning-rate-ignored",
        "the step ignores the learning_rate argument (it steps by the bare gradient, as if "
        "λ = 1): multiply each gradient by learning_rate",
        {
            "train": (
                Edit(
                    "train", "learning_rate * dL_dw1", "dL_dw1", "learning_rate * dL_dw2", "dL_dw2"
                ),
            ),
        },
    ),
    Misconception(
        "threshold-on-the-wrong-value",
        "the threshold is not ŷ > 0.5 on the network's own output: the output is linear, "
        "so compare y_hat itself with 0.5 (not with 0, and not after another sigmoid)",
        {
            "predict": (
                Edit("predict", "y_hat > 0.5", "y_hat > 0"),
                Edit("predict", "(y_hat > 0.5)", "np.round(sigmoid(y_hat))"),
            ),
        },
    ),
    Misconception(
        "sigmoid-sign",
        "the exponent's sign is flipped: σ(x) = 1/(1 + e^(−x)), so σ(2) ≈ 0.88, not 0.12",
        {
            "sigmoid": (Edit("sigmoid", "np.exp(-x)", "np.exp(x)"),),
        },
    ),
    Misconception(
        "overflow-to-nan",
        "exp(x) / (1 + exp(x)) computes inf / inf = nan once exp(x) overflows (x above "
        "about 709); the form 1 / (1 + exp(−x)) gives the right limits on both sides",
        {
            "sigmoid": (
                Edit("sigmoid", "1.0 / (1.0 + np.exp(-x))", "np.exp(x) / (1 + np.exp(x))"),
            ),
        },
    ),
    Misconception(
        "activation-misplaced",
        "the activations are in the wrong places: the hidden layer is σ(X·w1) and the output "
        "layer is linear, y_hat = act_hidden·w2, with no sigmoid",
        {
            "forward_pass": (
                Edit("forward_pass", "dense(act_hidden, w2)", "sigmoid(dense(act_hidden, w2))"),
                Edit("forward_pass", "sigmoid(dense(X, w1))", "dense(X, w1)"),
            ),
        },
    ),
    Misconception(
        "transposed-result",
        "the result is transposed: with samples as rows, inputs (N, D) times weights (D, H) "
        "is (N, H), and a gradient has the shape of its weights; write the shapes of every "
        "product down",
        {
            "dense": (Edit("dense", "inputs @ weights", "(inputs @ weights).T"),),
            "backward": (Edit("backward", "act_hidden.T @ dL_dy", "dL_dy.T @ act_hidden"),),
        },
    ),
)


def probes() -> dict[str, list[tuple]]:
    """The inputs a misconception is recognised on, per function: small, varied
    shapes (the catalogue's mistakes differ from the reference on each), and
    for train a few steps at a learning rate other than 1."""
    X, y, w1, w2 = case(80, 5, 3, 4)
    X2, y2, w1b, w2b = case(81, 7, 2, 3)
    act, y_hat = 1 / (1 + np.exp(-(X @ w1))), (1 / (1 + np.exp(-(X @ w1)))) @ w2
    act2 = 1 / (1 + np.exp(-(X2 @ w1b)))
    y_hat2 = act2 @ w2b
    Xp, _, w1p, w2p = case(85, 8, 3, 4)
    Xq, _, w1q, w2q = case(87, 8, 3, 4)
    grid = np.array([[-1000.0, -3.0, 0.0], [0.5, 2.0, 1000.0]])
    return {
        "sigmoid": [(grid,), (np.linspace(-6, 6, 7),)],
        "sigmoid_derivative": [(act,), (act2,)],
        "dense": [(X, w1), (X2, w1b)],
        "forward_pass": [(X, w1, w2), (X2, w1b, w2b)],
        "mse": [(y_hat, y), (y_hat2, y2)],
        "backward": [(X, y, y_hat, act, w2), (X2, y2, y_hat2, act2, w2b)],
        "backward_loops": [(X, y, y_hat, act, w2), (X2, y2, y_hat2, act2, w2b)],
        "train": [(X, y, w1, w2, 0.3, 4), (X2, y2, w1b, w2b, 0.05, 3)],
        # outputs below 0, in (0, 0.5), in (0.5, 1) and above 1, all within
        # (−0.5, 1.5), where rounding and the 0.5 threshold agree
        "predict": [(Xp, w1p, w2p * 0.5), (Xq, w1q, w2q)],
    }
