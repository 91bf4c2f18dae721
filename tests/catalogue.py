"""A catalogue of submissions: the reference with one solution cell replaced.

Data only. Each variant names the contract function whose solution cell it
replaces, the code of that cell, whether it is correct (however unusual) or
buggy, and a note. A buggy variant must lose points in its own function's
cell and nowhere else: one bug, one deduction. The grader runs every test cell
with the other contract functions bound to the reference and the cell's own
function's failed dependencies swapped for it, visible asserts and hidden
checks alike.

Variants whose ``origin`` names a seed document adapt that document's code to
the contract's signatures (argument list, return order, ``sigmoid_derivative``
for the seeds' ``sigmoid_``).

``tests/test_catalogue.py`` builds one notebook per variant and grades them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str  # also the student id in the graded batch
    function: str  # the contract function whose solution cell is replaced
    kind: str  # "correct" or "buggy"
    code: str  # the whole solution cell
    note: str
    origin: str = ""  # the seed document the code comes from, if any


CORRECT = (
    Variant(
        "ok_sigmoid_where",
        "sigmoid",
        "correct",
        """\
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
""",
        "numerically stable branch per sign; the unused branch overflows harmlessly",
    ),
    Variant(
        "ok_sigmoid_tanh",
        "sigmoid",
        "correct",
        """\
def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))
""",
        "σ(x) = (1 + tanh(x/2)) / 2, exact to rounding and never overflows",
    ),
    Variant(
        "ok_sigmoid_logaddexp",
        "sigmoid",
        "correct",
        """\
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))
""",
        "σ(x) = exp(−log(1 + e^(−x))), stable through logaddexp",
    ),
    Variant(
        "ok_sigmoid_ndindex_loop",
        "sigmoid",
        "correct",
        """\
import math


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        v = x[idx]
        out[idx] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return out
""",
        "element by element with math.exp, guarded against overflow; any shape, 0-d too",
    ),
    Variant(
        "ok_sigmoid_derivative_a_minus_a2",
        "sigmoid_derivative",
        "correct",
        """\
def sigmoid_derivative(a):
    return a - a**2
""",
        "a − a² equals a·(1 − a) up to rounding",
    ),
    Variant(
        "ok_sigmoid_derivative_multiply",
        "sigmoid_derivative",
        "correct",
        """\
def sigmoid_derivative(a):
    return np.multiply(a, np.subtract(1, a))
""",
        "ufuncs instead of operators",
    ),
    Variant(
        "ok_dense_np_dot",
        "dense",
        "correct",
        """\
def dense(inputs, weights):
    return np.dot(inputs, weights)
""",
        "np.dot instead of @",
    ),
    Variant(
        "ok_dense_einsum",
        "dense",
        "correct",
        """\
def dense(inputs, weights):
    return np.einsum("nd,dh->nh", inputs, weights)
""",
        "einsum spelling of the matrix product",
    ),
    Variant(
        "ok_dense_loops",
        "dense",
        "correct",
        """\
def dense(inputs, weights):
    n, d = inputs.shape
    h = weights.shape[1]
    out = np.zeros((n, h))
    for i in range(n):
        for j in range(h):
            for k in range(d):
                out[i, j] += inputs[i, k] * weights[k, j]
    return out
""",
        "triple loop, sizes read from the arguments",
    ),
    Variant(
        "ok_init_rng_random",
        "initialize_weights",
        "correct",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = rng.random((input_size, hidden_size))
    w2 = rng.random((hidden_size, output_size))
    return w1, w2
""",
        "rng.random instead of rng.uniform: the same law, other draws",
    ),
    Variant(
        "ok_init_float32_w2_first",
        "initialize_weights",
        "correct",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w2 = rng.random((hidden_size, output_size), dtype=np.float32)
    w1 = rng.random((input_size, hidden_size), dtype=np.float32)
    return w1, w2
""",
        "float32 weights, w2 drawn first: the contract fixes neither dtype nor order",
    ),
    Variant(
        "ok_init_one_draw_split",
        "initialize_weights",
        "correct",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    flat = rng.uniform(0.0, 1.0, size=input_size * hidden_size + hidden_size * output_size)
    w1 = flat[: input_size * hidden_size].reshape(input_size, hidden_size)
    w2 = flat[input_size * hidden_size :].reshape(hidden_size, output_size)
    return w1, w2
""",
        "one draw, split and reshaped",
    ),
    Variant(
        "ok_forward_inline_list",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, w2):
    act_hidden = 1.0 / (1.0 + np.exp(-np.dot(X, w1)))
    return [act_hidden, np.dot(act_hidden, w2)]
""",
        "inlines the sigmoid and returns a list instead of a tuple",
    ),
    Variant(
        "ok_forward_einsum_matmul",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, w2):
    act_hidden = sigmoid(np.einsum("nd,dh->nh", X, w1))
    y_hat = np.matmul(act_hidden, w2)
    return act_hidden, y_hat
""",
        "einsum for one layer, np.matmul for the other, without dense",
    ),
    Variant(
        "ok_forward_per_sample",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, w2):
    acts, outs = [], []
    for x in X:
        a = sigmoid(x @ w1)
        acts.append(a)
        outs.append(a @ w2)
    return np.array(acts), np.array(outs)
""",
        "one sample at a time, stacked at the end",
    ),
    Variant(
        "ok_mse_matrix_form",
        "mse",
        "correct",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, (residual.T @ residual).item() / (2 * residual.shape[0])
""",
        "rᵀr / 2N, the matrix form of the same sum for O = 1",
    ),
    Variant(
        "ok_mse_sum_over_n",
        "mse",
        "correct",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.sum(residual**2) / (2 * len(y))
""",
        "sum / 2N equals mean(½·r²) for O = 1; returns a numpy float",
    ),
    Variant(
        "ok_mse_half_mean_item",
        "mse",
        "correct",
        """\
def mse(y_hat, y):
    residual = np.subtract(y_hat, y)
    error = 0.5 * np.square(residual).mean()
    return residual, error.item()
""",
        "½ outside the mean, .item() for a Python float",
    ),
    Variant(
        "ok_backward_einsum",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    n = len(X)
    residual = y_hat - y
    error = np.mean(0.5 * residual**2)
    dL_dw2 = np.einsum("nh,no->ho", act_hidden, residual) / n
    delta = np.einsum("no,ho->nh", residual, w2) * act_hidden * (1 - act_hidden)
    dL_dw1 = np.einsum("nd,nh->dh", X, delta) / n
    return dL_dw1, dL_dw2, error
""",
        "einsum throughout, error computed without calling mse",
    ),
    Variant(
        "ok_backward_broadcast",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n = X.shape[0]
    dL_dw2 = np.dot(act_hidden.T, residual) / n
    dL_dw1 = np.dot(X.T, residual * w2.T * sigmoid_derivative(act_hidden)) / n
    return dL_dw1, dL_dw2, error
""",
        "residual · w2ᵀ by broadcasting, which is the outer product when O = 1",
    ),
    Variant(
        "ok_loops_per_sample_outer",
        "backward_loops",
        "correct",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n = X.shape[0]
    dL_dw1 = np.zeros((X.shape[1], act_hidden.shape[1]))
    dL_dw2 = np.zeros((act_hidden.shape[1], 1))
    for k in range(n):
        dL_dw2 += np.outer(act_hidden[k], residual[k]) / n
        delta = residual[k, 0] * w2[:, 0] * act_hidden[k] * (1 - act_hidden[k])
        dL_dw1 += np.outer(X[k], delta) / n
    return dL_dw1, dL_dw2, error
""",
        "loops over samples and accumulates outer products",
    ),
    Variant(
        "ok_loops_divide_at_end",
        "backward_loops",
        "correct",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        for k in range(n):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j]
            for i in range(d):
                dL_dw1[i, j] += residual[k, 0] * w2[j, 0] * sigmoid_derivative(
                    act_hidden[k, j]
                ) * X[k, i]
    return dL_dw1 / n, dL_dw2 / n, error
""",
        "other loop order, sums first and divides by N once at the end",
    ),
    Variant(
        "ok_train_in_place",
        "train",
        "correct",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = np.zeros(n_epochs)
    for epoch in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, errors[epoch] = backward(X, y, y_hat, act_hidden, w2)
        w1 -= learning_rate * dw1
        w2 -= learning_rate * dw2
    return w1, w2, errors
""",
        "updates the arrays it was given in place and returns the errors as an array",
    ),
    Variant(
        "ok_train_loops_mse",
        "train",
        "correct",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        errors.append(mse(y_hat, y)[1])
        dw1, dw2, _ = backward_loops(X, y, y_hat, act_hidden, w2)
        w1, w2 = w1 - learning_rate * dw1, w2 - learning_rate * dw2
    return w1, w2, errors
""",
        "gradients from backward_loops, the error from mse (slower, same trajectory)",
    ),
    Variant(
        "ok_predict_round",
        "predict",
        "correct",
        """\
def predict(X, w1, w2):
    return np.round(forward_pass(X, w1, w2)[1]).astype(int)
""",
        "rounding, as the contract table says; it agrees with the 0.5 threshold "
        "while outputs stay inside (−0.5, 1.5)",
    ),
    Variant(
        "ok_predict_heaviside",
        "predict",
        "correct",
        """\
def predict(X, w1, w2):
    return np.heaviside(forward_pass(X, w1, w2)[1] - 0.5, 0).astype(np.int8)
""",
        "a step function at 0.5, as int8",
    ),
    Variant(
        "ok_predict_where_float",
        "predict",
        "correct",
        """\
def predict(X, w1, w2):
    _, y_hat = forward_pass(X, w1, w2)
    return np.where(y_hat >= 0.5, 1.0, 0.0)
""",
        "np.where with float 0.0 / 1.0 and ≥ instead of >",
    ),
)

BUGGY = (
    # sigmoid ---------------------------------------------------------------
    Variant(
        "bug_sigmoid_sign",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return 1 / (1 + np.exp(x))
""",
        "σ(−x): the visible assert σ(2) fails; forward_pass's visible test uses w1 = 0, "
        "where σ(0) is still 0.5, so nothing downstream fails",
    ),
    Variant(
        "bug_sigmoid_math_exp",
        "sigmoid",
        "buggy",
        """\
import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))
""",
        "scalars only: raises TypeError on arrays; the later visible tests run "
        "forward_pass with the reference sigmoid and keep their points",
    ),
    Variant(
        "bug_sigmoid_vectorize_overflow",
        "sigmoid",
        "buggy",
        """\
import math


@np.vectorize
def sigmoid(x):
    return 1 / (1 + math.exp(-x))
""",
        "works on arrays but math.exp raises OverflowError for x = −1000",
    ),
    Variant(
        "bug_sigmoid_nan_at_large_x",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))
""",
        "e^x / (1 + e^x) is inf / inf = nan for x = 1000",
    ),
    Variant(
        "bug_sigmoid_clipped",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -10, 10)))
""",
        "clipping x to [−10, 10] avoids the overflow but makes σ(1000) = 0.99995",
    ),
    Variant(
        "bug_sigmoid_numerator",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return np.exp(-x) / (1 + np.exp(-x))
""",
        "e^(−x) in the numerator gives 1 − σ(x) = σ(−x), and nan at x = −1000",
    ),
    Variant(
        "bug_sigmoid_denominator_minus",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return 1 / (1 - np.exp(-x))
""",
        "1 − e^(−x) in the denominator: σ(0) divides by zero; forward_pass's visible "
        "test (w1 = 0) runs with the reference sigmoid and passes",
    ),
    # sigmoid_derivative ----------------------------------------------------
    Variant(
        "bug_sigmoid_derivative_sigma_twice",
        "sigmoid_derivative",
        "buggy",
        """\
def sigmoid_derivative(a):
    s = sigmoid(a)
    return s * (1 - s)
""",
        "applies σ to an already activated input (seeds 000 and 003 write it this way "
        "for a pre-activation argument)",
        origin="seed 003: sigmoid_derivative(z)",
    ),
    Variant(
        "bug_sigmoid_derivative_sigma",
        "sigmoid_derivative",
        "buggy",
        """\
def sigmoid_derivative(a):
    return sigmoid(a)
""",
        "returns σ instead of σ′",
    ),
    Variant(
        "bug_sigmoid_derivative_plus",
        "sigmoid_derivative",
        "buggy",
        """\
def sigmoid_derivative(a):
    return a * (1 + a)
""",
        "a·(1 + a): sign slip",
    ),
    Variant(
        "bug_sigmoid_derivative_one_minus_a",
        "sigmoid_derivative",
        "buggy",
        """\
def sigmoid_derivative(a):
    return 1 - a
""",
        "forgets the factor a",
    ),
    # dense -----------------------------------------------------------------
    Variant(
        "bug_dense_swapped_operands",
        "dense",
        "buggy",
        """\
def dense(inputs, weights):
    return weights @ inputs
""",
        "weights @ inputs raises on (2, 3)·(4, 2); forward_pass's cell runs with the "
        "reference dense and keeps its points",
    ),
    Variant(
        "bug_dense_transposed",
        "dense",
        "buggy",
        """\
def dense(inputs, weights):
    return (inputs @ weights).T
""",
        "returns (H, N); the second layer then cannot multiply (charged to dense "
        "alone: later cells run the reference dense)",
    ),
    Variant(
        "bug_dense_hardcoded_n4",
        "dense",
        "buggy",
        """\
def dense(inputs, weights):
    out = np.zeros((4, weights.shape[1]))
    for n in range(4):
        out[n] = inputs[n] @ weights
    return out
""",
        "hard-coded N = 4: right on the XOR batch, wrong on any other",
    ),
    Variant(
        "bug_dense_hardcoded_h3",
        "dense",
        "buggy",
        """\
def dense(inputs, weights):
    return inputs @ weights[:, :3]
""",
        "hard-coded H = 3 (keeps three columns); both XOR layers have at most 3",
    ),
    Variant(
        "bug_dense_hardcoded_d2",
        "dense",
        "buggy",
        """\
def dense(inputs, weights):
    return inputs[:, 0:1] * weights[0] + inputs[:, 1:2] * weights[1]
""",
        "the sum over D = 2 written out: the output layer (D = 3) loses a term "
        "(charged to dense alone)",
    ),
    # initialize_weights ----------------------------------------------------
    Variant(
        "bug_init_global_np_random",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = np.random.uniform(size=(input_size, hidden_size))
    w2 = np.random.uniform(size=(hidden_size, output_size))
    return w1, w2
""",
        "ignores rng and draws from the global NumPy state",
        origin="seed 001: initialize_weights",
    ),
    Variant(
        "bug_init_fixed_seed",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    rng = np.random.default_rng(SEED)
    w1 = rng.uniform(size=(input_size, hidden_size))
    w2 = rng.uniform(size=(hidden_size, output_size))
    return w1, w2
""",
        "replaces the rng by one seeded with the notebook's global SEED",
    ),
    Variant(
        "bug_init_w2_global_state",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = rng.uniform(size=(input_size, hidden_size))
    w2 = np.random.rand(hidden_size, output_size)
    return w1, w2
""",
        "w1 from rng, w2 from the global state",
    ),
    Variant(
        "bug_init_normal",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    return (
        rng.normal(size=(input_size, hidden_size)),
        rng.normal(size=(hidden_size, output_size)),
    )
""",
        "standard normal instead of uniform on [0, 1); the visible range assert may "
        "fail, depending on the draws",
    ),
    Variant(
        "bug_init_small_uniform",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = 0.1 * rng.uniform(size=(input_size, hidden_size))
    w2 = 0.1 * rng.uniform(size=(hidden_size, output_size))
    return w1, w2
""",
        "uniform on [0, 0.1): inside the visible range assert, the wrong law",
    ),
    Variant(
        "bug_init_symmetric_uniform",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = rng.uniform(-1, 1, size=(input_size, hidden_size))
    w2 = rng.uniform(-1, 1, size=(hidden_size, output_size))
    return w1, w2
""",
        "uniform on [−1, 1)",
    ),
    Variant(
        "bug_init_transposed",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = rng.uniform(size=(hidden_size, input_size))
    w2 = rng.uniform(size=(output_size, hidden_size))
    return w1, w2
""",
        "shapes (H, D) and (O, H); train's visible test initialises with the reference instead",
    ),
    Variant(
        "bug_init_swapped_returns",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    w1 = rng.uniform(size=(input_size, hidden_size))
    w2 = rng.uniform(size=(hidden_size, output_size))
    return w2, w1
""",
        "returns (w2, w1); train's visible test initialises with the reference instead",
    ),
    Variant(
        "bug_init_hardcoded_shapes",
        "initialize_weights",
        "buggy",
        """\
def initialize_weights(input_size, hidden_size, output_size, rng):
    return rng.uniform(size=(2, 3)), rng.uniform(size=(3, 1))
""",
        "hard-coded D = 2, H = 3, O = 1",
    ),
    # forward_pass ----------------------------------------------------------
    Variant(
        "bug_forward_sigmoid_output",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, w2):
    act_hidden = sigmoid(dense(X, w1))
    return act_hidden, sigmoid(dense(act_hidden, w2))
""",
        "sigmoid output layer (seeds 002 and 003 use one); the contract's output is linear",
        origin="seed 003: forward pass",
    ),
    Variant(
        "bug_forward_no_activation",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, w2):
    act_hidden = dense(X, w1)
    return act_hidden, dense(act_hidden, w2)
""",
        "no sigmoid on the hidden layer: a linear network; predict's visible test "
        "(w1 = 0, so hidden units σ(0) = 0.5) runs the reference forward_pass",
    ),
    Variant(
        "bug_forward_relu_hidden",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, w2):
    act_hidden = np.maximum(0, X @ w1)
    return act_hidden, act_hidden @ w2
""",
        "ReLU hidden layer as in seed 003: ReLU(0) = 0, not σ(0) = 0.5; predict's "
        "visible test (w1 = 0) runs the reference forward_pass",
        origin="seed 003: relu",
    ),
    Variant(
        "bug_forward_sigma_twice",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, w2):
    act_hidden = sigmoid(sigmoid(X @ w1))
    return act_hidden, act_hidden @ w2
""",
        "σ applied twice on the hidden layer",
    ),
    Variant(
        "bug_forward_swapped_returns",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, w2):
    act_hidden = sigmoid(X @ w1)
    return act_hidden @ w2, act_hidden
""",
        "returns (y_hat, act_hidden); the visible tests of backward, backward_loops, "
        "train and predict unpack the reference's instead",
    ),
    Variant(
        "bug_forward_global_X",
        "forward_pass",
        "buggy",
        """\
def forward_pass(inputs, w1, w2):
    act_hidden = sigmoid(X @ w1)
    return act_hidden, act_hidden @ w2
""",
        "renamed its first argument and reads the notebook's global X instead",
    ),
    # mse -------------------------------------------------------------------
    Variant(
        "bug_mse_no_half",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.mean(residual**2)
""",
        "missing ½ (seed 003's loss)",
        origin="seed 003: loss",
    ),
    Variant(
        "bug_mse_extra_half",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, 0.5 * np.mean(0.5 * residual**2)
""",
        "½ twice",
    ),
    Variant(
        "bug_mse_sum",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.sum(0.5 * residual**2)
""",
        "sum instead of mean",
    ),
    Variant(
        "bug_mse_residual_sign",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y - y_hat
    return residual, np.mean(0.5 * residual**2)
""",
        "y − y_hat: backward with it would climb the loss; train's visible test "
        "runs the reference mse and backward",
    ),
    Variant(
        "bug_mse_global_n",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.sum(0.5 * residual**2) / len(X)
""",
        "divides by the size of the notebook's global X (N = 4), not of its arguments",
    ),
    Variant(
        "bug_mse_abs",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.mean(0.5 * np.abs(residual))
""",
        "absolute instead of squared residual; equal on the visible 0/1 residuals",
    ),
    Variant(
        "bug_mse_array_error",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return residual, np.mean(0.5 * residual**2, axis=0)
""",
        "the error is an array of shape (O,), not a number",
    ),
    Variant(
        "bug_mse_swapped_returns",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    residual = y_hat - y
    return np.mean(0.5 * residual**2), residual
""",
        "returns (error, residual); backward's checks swap in the reference mse, so "
        "only mse's cell pays",
    ),
    # backward --------------------------------------------------------------
    Variant(
        "bug_backward_sigma_not_derivative",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid(act_hidden)
    return X.T @ delta, act_hidden.T @ dL_dy, error
""",
        "σ instead of σ′ in the hidden layer",
    ),
    Variant(
        "bug_backward_no_mean",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    delta = (residual @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ residual, error
""",
        "no 1/N in either gradient",
    ),
    Variant(
        "bug_backward_mean_only_w2",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    delta = (residual @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ residual / len(X), error
""",
        "1/N in dL_dw2 only",
    ),
    Variant(
        "bug_backward_mean_twice",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n = X.shape[0]
    dL_dy = residual / n
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta / n, act_hidden.T @ dL_dy, error
""",
        "1/N twice in dL_dw1",
    ),
    Variant(
        "bug_backward_sign",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    _, error = mse(y_hat, y)
    dL_dy = (y - y_hat) / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ dL_dy, error
""",
        "y − y_hat: both gradients have the wrong sign; train's visible test trains "
        "with the reference backward",
    ),
    Variant(
        "bug_backward_seed_order",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return act_hidden.T @ dL_dy, X.T @ delta, error
""",
        "returns (dL_dw2, dL_dw1, error), the seeds' order; train's visible test "
        "trains with the reference backward",
    ),
    Variant(
        "bug_backward_dw2_row",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, dL_dy.T @ act_hidden, error
""",
        "dL_dw2 as a (1, H) row, the seed's shape before its .T",
    ),
    Variant(
        "bug_backward_hardcoded_n4",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / 4
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ dL_dy, error
""",
        "hard-coded N = 4",
    ),
    Variant(
        "bug_backward_sigma_of_act",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid_derivative(sigmoid(act_hidden))
    return X.T @ delta, act_hidden.T @ dL_dy, error
""",
        "σ′ evaluated at σ(a): σ applied twice",
    ),
    Variant(
        "bug_backward_no_w2",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    delta = dL_dy * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ dL_dy, error
""",
        "forgets w2 in the hidden layer's chain rule",
    ),
    Variant(
        "bug_backward_global_w1",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dy = residual / X.shape[0]
    slope = sigmoid_derivative(sigmoid(X @ w1))
    return X.T @ ((dL_dy @ w2.T) * slope), act_hidden.T @ dL_dy, error
""",
        "recomputes the activation from the notebook's global w1 instead of using act_hidden",
    ),
    Variant(
        "bug_backward_error_no_half",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    residual = y_hat - y
    dL_dy = residual / X.shape[0]
    delta = (dL_dy @ w2.T) * sigmoid_derivative(act_hidden)
    return X.T @ delta, act_hidden.T @ dL_dy, np.mean(residual**2)
""",
        "right gradients, but computes its own error without the ½; train's visible "
        "test trains with the reference backward",
    ),
    # backward_loops --------------------------------------------------------
    Variant(
        "bug_loops_hardcoded_sizes",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    dL_dw1, dL_dw2 = np.zeros((2, 3)), np.zeros((3, 1))
    for j in range(3):
        for k in range(4):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j] / 4
            for i in range(2):
                slope = act_hidden[k, j] * (1 - act_hidden[k, j])
                dL_dw1[i, j] += residual[k, 0] * w2[j, 0] * slope * X[k, i] / 4
    return dL_dw1, dL_dw2, error
""",
        "hard-coded N = 4, D = 2, H = 3",
    ),
    Variant(
        "bug_loops_global_w1_shape",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n = X.shape[0]
    dL_dw2 = act_hidden.T @ residual / n
    da_dh = sigmoid_derivative(act_hidden)
    dL_dw1 = np.zeros_like(w1)
    for i in range(w1.shape[0]):
        for j in range(w1.shape[1]):
            dL_dw1[i, j] = np.mean(residual[:, 0] * w2[j, 0] * da_dh[:, j] * X[:, i])
    return dL_dw1, dL_dw2, error
""",
        "seed 001's loop with σ′ fixed, still sized by the notebook's global w1",
        origin="seed 001: backward",
    ),
    Variant(
        "bug_loops_assign_not_add",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        for k in range(n):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j] / n
            for i in range(d):
                slope = act_hidden[k, j] * (1 - act_hidden[k, j])
                dL_dw1[i, j] = residual[k, 0] * w2[j, 0] * slope * X[k, i] / n
    return dL_dw1, dL_dw2, error
""",
        "= instead of += for dL_dw1: only the last sample counts",
    ),
    Variant(
        "bug_loops_no_mean",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        for k in range(n):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j]
            for i in range(d):
                slope = act_hidden[k, j] * (1 - act_hidden[k, j])
                dL_dw1[i, j] += residual[k, 0] * w2[j, 0] * slope * X[k, i]
    return dL_dw1, dL_dw2, error
""",
        "no 1/N",
    ),
    Variant(
        "bug_loops_w2_wrong_index",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        for k in range(n):
            dL_dw2[j, 0] += residual[k, 0] * act_hidden[k, j] / n
            for i in range(d):
                slope = act_hidden[k, j] * (1 - act_hidden[k, j])
                dL_dw1[i, j] += residual[k, 0] * w2[i, 0] * slope * X[k, i] / n
    return dL_dw1, dL_dw2, error
""",
        "w2[i] (input index) instead of w2[j] (hidden index)",
    ),
    Variant(
        "bug_loops_flat_dw2",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros(h)
    for j in range(h):
        for k in range(n):
            dL_dw2[j] += residual[k, 0] * act_hidden[k, j] / n
            for i in range(d):
                slope = act_hidden[k, j] * (1 - act_hidden[k, j])
                dL_dw1[i, j] += residual[k, 0] * w2[j, 0] * slope * X[k, i] / n
    return dL_dw1, dL_dw2, error
""",
        "dL_dw2 of shape (H,) instead of (H, O)",
    ),
    # train -----------------------------------------------------------------
    Variant(
        "bug_train_no_learning_rate",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1, w2 = w1 - dw1, w2 - dw2
    return w1, w2, errors
""",
        "steps by the bare gradient (λ = 1)",
    ),
    Variant(
        "bug_train_global_learning_rate",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1, w2 = w1 - LEARNING_RATE * dw1, w2 - LEARNING_RATE * dw2
    return w1, w2, errors
""",
        "uses the notebook's global LEARNING_RATE, not its argument",
    ),
    Variant(
        "bug_train_only_w2",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w2 = w2 - learning_rate * dw2
    return w1, w2, errors
""",
        "updates the output layer only",
    ),
    Variant(
        "bug_train_only_w1",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1 = w1 - learning_rate * dw1
    return w1, w2, errors
""",
        "updates the hidden layer only",
    ),
    Variant(
        "bug_train_ascent",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1, w2 = w1 + learning_rate * dw1, w2 + learning_rate * dw2
    return w1, w2, errors
""",
        "adds the gradient",
    ),
    Variant(
        "bug_train_error_after_update",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, _ = backward(X, y, y_hat, act_hidden, w2)
        w1, w2 = w1 - learning_rate * dw1, w2 - learning_rate * dw2
        errors.append(mse(forward_pass(X, w1, w2)[1], y)[1])
    return w1, w2, errors
""",
        "records the error after each update, so errors[0] is not the initial error",
    ),
    Variant(
        "bug_train_errors_every_200",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for epoch in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        w2 = w2 - learning_rate * dw2
        w1 = w1 - learning_rate * dw1
        if epoch % 200 == 0:
            errors.append(error)
    return w1, w2, errors
""",
        "seed 001's loop: records the error every 200 epochs only",
        origin="seed 001: training loop",
    ),
    Variant(
        "bug_train_stale_w2",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        _, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w2 = w2 - learning_rate * dw2
        dw1, _, _ = backward(X, y, y_hat, act_hidden, w2)
        w1 = w1 - learning_rate * dw1
    return w1, w2, errors
""",
        "computes dL_dw1 with the already updated w2: not gradient descent, though it "
        "still learns XOR",
    ),
    Variant(
        "bug_train_returns_inputs",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    W1, W2 = w1.copy(), w2.copy()
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, W1, W2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, W2)
        errors.append(error)
        W1, W2 = W1 - learning_rate * dw1, W2 - learning_rate * dw2
    return w1, w2, errors
""",
        "trains copies, then returns the untouched inputs: right errors, wrong weights",
    ),
    Variant(
        "bug_train_swapped_weights",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1, w2 = w1 - learning_rate * dw1, w2 - learning_rate * dw2
    return w2, w1, errors
""",
        "returns (w2, w1, errors); the notebook's training cells then fail, but they "
        "are not graded",
    ),
    Variant(
        "bug_train_global_epochs",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    for _ in range(N_EPOCHS):
        act_hidden, y_hat = forward_pass(X, w1, w2)
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1, w2 = w1 - learning_rate * dw1, w2 - learning_rate * dw2
    return w1, w2, errors
""",
        "runs the notebook's global N_EPOCHS, not n_epochs",
    ),
    # predict ---------------------------------------------------------------
    Variant(
        "bug_predict_no_threshold",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return forward_pass(X, w1, w2)[1]
""",
        "returns the raw output",
    ),
    Variant(
        "bug_predict_threshold_zero",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return (forward_pass(X, w1, w2)[1] > 0).astype(int)
""",
        "thresholds at 0 instead of 0.5",
    ),
    Variant(
        "bug_predict_sigmoid_round",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return np.round(sigmoid(forward_pass(X, w1, w2)[1])).astype(int)
""",
        "rounds σ(y_hat): a threshold at 0 in disguise",
    ),
    Variant(
        "bug_predict_truncate",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return forward_pass(X, w1, w2)[1].astype(int)
""",
        "astype(int) truncates towards zero instead of thresholding",
    ),
    Variant(
        "bug_predict_inverted",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return (forward_pass(X, w1, w2)[1] < 0.5).astype(int)
""",
        "the comparison the wrong way round",
    ),
    Variant(
        "bug_predict_flat",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return (forward_pass(X, w1, w2)[1] > 0.5).astype(int).ravel()
""",
        "returns shape (N,) instead of (N, O)",
    ),
    Variant(
        "bug_predict_global_weights",
        "predict",
        "buggy",
        """\
def predict(X, w1, w2):
    return (forward_pass(X, w1_trained, w2_trained)[1] > 0.5).astype(int)
""",
        "uses the notebook's trained weights instead of its arguments",
    ),
    Variant(
        "bug_loops_broadcast",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    residual, error = mse(y_hat, y)
    n, d = X.shape
    h = act_hidden.shape[1]
    dL_dw1, dL_dw2 = np.zeros((d, h)), np.zeros((h, 1))
    for j in range(h):
        dL_dw2[j, 0] = np.sum(residual * act_hidden[:, j]) / n
        slope = act_hidden[:, j] * (1 - act_hidden[:, j])
        for i in range(d):
            dL_dw1[i, j] = np.sum(residual * w2[j, 0] * slope * X[:, i]) / n
    return dL_dw1, dL_dw2, error
""",
        "a loop over units whose products take an (N, 1) column times an (N,) row: NumPy "
        "broadcasts them to (N, N), and each sum adds N² terms",
    ),
    Variant(
        "bug_train_stale_forward",
        "train",
        "buggy",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    errors = []
    act_hidden, y_hat = forward_pass(X, w1, w2)
    for _ in range(n_epochs):
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        errors.append(error)
        w1 = w1 - learning_rate * dw1
        w2 = w2 - learning_rate * dw2
    return w1, w2, errors
""",
        "the forward pass once, before the loop: every epoch's gradient is taken at the "
        "initial weights and every error is the same",
    ),
)

# The seeds' backward implementations, adapted to the contract's signature
# (y and w2 become arguments, sigmoid_ is sigmoid_derivative, the pair is
# returned as (dL_dw1, dL_dw2, error)).
SEEDS = (
    Variant(
        "seed_backward_faster",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    # Step 1: Calculate error
    residual, error = mse(y_hat, y)

    # Step 2: calculate gradient wrt w2
    N = X.shape[0]
    dL_dy = 1.0 / N * residual  # shape (4, 1)
    dy_dw2 = act_hidden  # shape (4, 3)
    dL_dw2 = np.matmul(dL_dy.T, dy_dw2)  # shape (1, 3)
    dL_dw2 = dL_dw2.T

    # Step 3: calculate gradient wrt w1
    da_dh = np.matmul(residual, w2.T) * sigmoid_derivative(act_hidden)  # shape (4, 3)
    dL_dw1 = 1.0 / N * np.matmul(X.T, da_dh)  # shape (2, 3)

    return dL_dw1, dL_dw2, error
""",
        "seed 001's backward_faster",
        origin="seed 001: backward_faster",
    ),
    Variant(
        "seed_backward_pass",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    # Step 1: Calculate error
    residual, error = mse(y_hat, y)

    # Step 2: calculate gradient wrt w2
    N = X.shape[0]
    dL_dy = 1.0 / N * residual  # shape (4, 1)
    dy_dw2 = act_hidden  # shape (4, 3)
    dL_dw2 = np.matmul(dL_dy.T, dy_dw2)  # shape (1, 3)
    dL_dw2 = dL_dw2.T

    # Step 3: calculate gradient wrt w1
    dL_dw1 = 1.0 / N * np.matmul(X.T, np.matmul(residual, w2.T) * sigmoid_derivative(act_hidden))

    return dL_dw1, dL_dw2, error
""",
        "seed 001's one-line backward_pass",
        origin="seed 001: backward_pass",
    ),
    Variant(
        "seed_backward_loop_fixed",
        "backward_loops",
        "correct",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    # Step 1: Calculate error
    residual, error = mse(y_hat, y)

    # Step 2: calculate gradient wrt w2
    N = X.shape[0]
    dL_dy = 1.0 / N * residual  # shape (4, 1)
    dy_dw2 = act_hidden  # shape (4, 3)
    dL_dw2 = np.matmul(dL_dy.T, dy_dw2)  # shape (1, 3)
    dL_dw2 = dL_dw2.T

    # Step 3: calculate gradient wrt w1
    da_dh = sigmoid_derivative(act_hidden)
    dL_dw1 = np.zeros((X.shape[1], act_hidden.shape[1]))
    for i in range(dL_dw1.shape[0]):
        for j in range(dL_dw1.shape[1]):
            s = residual[:, 0] * w2[j, 0] * da_dh[:, j] * X[:, i]
            dL_dw1[i, j] = np.mean(s)
    return dL_dw1, dL_dw2, error
""",
        "seed 001's loop backward with σ′ instead of σ and sized by its arguments",
        origin="seed 001: backward",
    ),
    Variant(
        "seed_backward_loop_sigma",
        "backward_loops",
        "buggy",
        """\
def backward_loops(X, y, y_hat, act_hidden, w2):
    # Step 1: Calculate error
    residual, error = mse(y_hat, y)

    # Step 2: calculate gradient wrt w2
    N = X.shape[0]
    dL_dy = 1.0 / N * residual  # shape (4, 1)
    dy_dw2 = act_hidden  # shape (4, 3)
    dL_dw2 = np.matmul(dL_dy.T, dy_dw2)  # shape (1, 3)
    dL_dw2 = dL_dw2.T

    # Step 3: calculate gradient wrt w1
    da_dh = sigmoid(act_hidden)
    dL_dw1 = np.zeros((X.shape[1], act_hidden.shape[1]))
    for i in range(dL_dw1.shape[0]):
        for j in range(dL_dw1.shape[1]):
            s = residual[:, 0] * w2[j, 0] * da_dh[:, j] * X[:, i]
            dL_dw1[i, j] = np.mean(s)
    return dL_dw1, dL_dw2, error
""",
        "seed 001's loop backward as written: multiplies by σ instead of σ′",
        origin="seed 001: backward",
    ),
    Variant(
        "seed_sigmoid_derivative_002",
        "sigmoid_derivative",
        "correct",
        """\
def sigmoid_derivative(output):
    return output * (1 - output)
""",
        "seed 002's derivative of an activated output",
        origin="seed 002: sigmoid_derivative",
    ),
    Variant(
        "seed_train_loop_001",
        "train",
        "correct",
        """\
def train(X, y, w1, w2, learning_rate, n_epochs):
    training_errors = []
    for epoch in range(n_epochs):
        # Step 1: forward pass
        act_hidden, y_hat = forward_pass(X, w1, w2)
        # Step 2: backward pass
        dw1, dw2, error = backward(X, y, y_hat, act_hidden, w2)
        # Step 3: apply gradients scaled by learning rate
        w2 = w2 - learning_rate * dw2
        w1 = w1 - learning_rate * dw1
        # Step 4: some book-keeping
        training_errors.append(error)
    return w1, w2, training_errors
""",
        "seed 001's training loop, recording every epoch",
        origin="seed 001: training loop",
    ),
)

VARIANTS = CORRECT + BUGGY + SEEDS

# The misconception each buggy variant shows (``assignments/xor_mlp/mistakes.py``),
# where it is one the grader knows; ``tests/test_misconceptions.py`` measures how
# often the grader names it (recall) and how often a name it gives is right
# (precision). Variants not listed make mistakes outside the known set.
MISCONCEPTION_OF = {
    "bug_backward_sigma_not_derivative": "sigma-instead-of-derivative",
    "bug_sigmoid_derivative_sigma": "sigma-instead-of-derivative",
    "seed_backward_loop_sigma": "sigma-instead-of-derivative",
    "bug_sigmoid_derivative_sigma_twice": "sigmoid-applied-twice",
    "bug_forward_sigma_twice": "sigmoid-applied-twice",
    "bug_backward_sigma_of_act": "sigmoid-applied-twice",
    "bug_backward_no_mean": "missing-mean",
    "bug_loops_no_mean": "missing-mean",
    "bug_mse_sum": "missing-mean",
    "bug_mse_no_half": "half-of-the-squared-error",
    "bug_mse_extra_half": "half-of-the-squared-error",
    "bug_mse_residual_sign": "residual-sign",
    "bug_backward_sign": "residual-sign",
    "bug_forward_swapped_returns": "return-order",
    "bug_mse_swapped_returns": "return-order",
    "bug_backward_seed_order": "return-order",
    "bug_train_swapped_weights": "return-order",
    "bug_loops_broadcast": "broadcast-to-n-by-n",
    "bug_train_stale_forward": "stale-forward-pass",
    "bug_train_only_w2": "one-layer-updated",
    "bug_train_only_w1": "one-layer-updated",
    "bug_train_ascent": "gradient-ascent",
    "bug_train_error_after_update": "error-recorded-after-update",
    "bug_train_no_learning_rate": "learning-rate-ignored",
    "bug_predict_threshold_zero": "threshold-on-the-wrong-value",
    "bug_predict_sigmoid_round": "threshold-on-the-wrong-value",
    "bug_sigmoid_sign": "sigmoid-sign",
    "bug_sigmoid_nan_at_large_x": "overflow-to-nan",
    "bug_forward_sigmoid_output": "activation-misplaced",
    "bug_forward_no_activation": "activation-misplaced",
    "bug_dense_transposed": "transposed-result",
    "bug_backward_dw2_row": "transposed-result",
}
