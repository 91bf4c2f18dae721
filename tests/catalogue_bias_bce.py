"""The catalogue of ``xor_bias_bce`` submissions: the reference with one solution
cell replaced.

Data only, in the form of ``tests/catalogue.py`` (``Variant``): the contract
function whose cell is replaced, the code of that cell, correct (however
unusual) or buggy, a note. A buggy variant must lose points in its own
function's cell and nowhere else.

Variants whose ``origin`` names seed 002 ("Machine Learning XOR from Scratch")
adapt the article's code to the contract: its functions take the contract's
arguments in the contract's order (the article's ``binary_cross_entropy(y_true,
y_pred)`` becomes ``(y_hat, y)``), its global ``np.random`` draws come from
``rng``, and its training loop runs on the arguments instead of notebook
variables. What the article computes otherwise stays as written: its gradients
are those of the summed loss (no 1/N), its loss is per element (no mean), and
its loop updates the output layer before computing the hidden error with it.

``tests/test_catalogue.py`` builds one notebook per variant and grades them all.
"""

from __future__ import annotations

from tests.catalogue import Variant

CORRECT = (
    # sigmoid ---------------------------------------------------------------
    Variant(
        "ok_sigmoid_naive",
        "sigmoid",
        "correct",
        """\
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))
""",
        "the textbook formula: e^1000 overflows to inf (a warning), but 1 / (1 + inf) = 0 "
        "is the right value",
        origin="seed 002: sigmoid",
    ),
    Variant(
        "ok_sigmoid_tanh",
        "sigmoid",
        "correct",
        """\
def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))
""",
        "σ(x) = (1 + tanh(x/2)) / 2, never overflows",
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
    # sigmoid_derivative ----------------------------------------------------
    Variant(
        "ok_sigmoid_derivative_seed",
        "sigmoid_derivative",
        "correct",
        """\
def sigmoid_derivative(output):
    return output * (1 - output)
""",
        "the article's derivative of an activated output",
        origin="seed 002: sigmoid_derivative",
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
    # initialize_parameters -------------------------------------------------
    Variant(
        "ok_init_seed_randn",
        "initialize_parameters",
        "correct",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    hidden_weights = rng.standard_normal((input_size, hidden_size)) * std
    hidden_bias = rng.standard_normal((1, hidden_size)) * std
    output_weights = rng.standard_normal((hidden_size, output_size)) * std
    output_bias = rng.standard_normal((1, output_size)) * std
    return hidden_weights, hidden_bias, output_weights, output_bias
""",
        "the article's init_params with one std for both layers and np.random.randn "
        "replaced by the generator's standard_normal",
        origin="seed 002: init_params",
    ),
    Variant(
        "ok_init_biases_first",
        "initialize_parameters",
        "correct",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    b1 = rng.normal(0.0, std, size=(1, hidden_size))
    b2 = rng.normal(0.0, std, size=(1, output_size))
    w2 = rng.normal(0.0, std, size=(hidden_size, output_size))
    w1 = rng.normal(0.0, std, size=(input_size, hidden_size))
    return w1, b1, w2, b2
""",
        "draws in another order: other numbers, the same law; the contract fixes no order",
    ),
    Variant(
        "ok_init_one_draw_split",
        "initialize_parameters",
        "correct",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    d, h, o = input_size, hidden_size, output_size
    flat = std * rng.standard_normal(d * h + h + h * o + o)
    w1 = flat[: d * h].reshape(d, h)
    b1 = flat[d * h : d * h + h].reshape(1, h)
    w2 = flat[d * h + h : d * h + h + h * o].reshape(h, o)
    b2 = flat[d * h + h + h * o :].reshape(1, o)
    return w1, b1, w2, b2
""",
        "one draw for every entry, split and reshaped",
    ),
    # forward_pass ----------------------------------------------------------
    Variant(
        "ok_forward_seed",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, b1, w2, b2):
    hidden_input = np.dot(X, w1) + b1
    hidden_output = sigmoid(hidden_input)
    final_input = np.dot(hidden_output, w2) + b2
    predicted_output = sigmoid(final_input)
    return hidden_output, predicted_output
""",
        "the article's forward step, on the arguments",
        origin="seed 002: training loop, forward",
    ),
    Variant(
        "ok_forward_einsum_list",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = 0.5 * (1.0 + np.tanh(0.5 * (np.einsum("nd,dh->nh", X, w1) + b1)))
    y_hat = 0.5 * (1.0 + np.tanh(0.5 * (np.matmul(act_hidden, w2) + b2)))
    return [act_hidden, y_hat]
""",
        "einsum and matmul, the sigmoid inlined through tanh, a list instead of a tuple",
    ),
    # binary_cross_entropy --------------------------------------------------
    Variant(
        "ok_bce_seed_mean",
        "binary_cross_entropy",
        "correct",
        """\
def binary_cross_entropy(y_hat, y):
    epsilon = 1e-15
    y_pred = np.clip(y_hat, epsilon, 1 - epsilon)
    return np.mean(-(y * np.log(y_pred) + (1 - y) * np.log(1 - y_pred)))
""",
        "the article's loss with its ε = 1e-15, averaged as the article prints it "
        "(np.mean(loss)); a numpy float",
        origin="seed 002: binary_cross_entropy",
    ),
    Variant(
        "ok_bce_where",
        "binary_cross_entropy",
        "correct",
        """\
def binary_cross_entropy(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    per_sample = np.where(y == 1, -np.log(p), -np.log(1 - p))
    return float(per_sample.sum() / per_sample.size)
""",
        "one active term per sample picked with np.where (the labels are 0 or 1)",
    ),
    Variant(
        "ok_bce_eps_inside_log",
        "binary_cross_entropy",
        "correct",
        """\
def binary_cross_entropy(y_hat, y):
    eps = 1e-12
    loss = y * np.log(y_hat + eps) + (1 - y) * np.log(1 - y_hat + eps)
    return -loss.mean().item()
""",
        "ε added inside the logarithms instead of clipping: the same loss to 1e-12 / ŷ",
    ),
    # backward --------------------------------------------------------------
    Variant(
        "ok_backward_seed_mean",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    d_predicted_output = (y_hat - y) / len(y)
    dw2 = act_hidden.T.dot(d_predicted_output)
    db2 = np.sum(d_predicted_output, axis=0, keepdims=True)
    error_hidden = d_predicted_output.dot(w2.T)
    d_hidden = error_hidden * sigmoid_derivative(act_hidden)
    dw1 = X.T.dot(d_hidden)
    db1 = np.sum(d_hidden, axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "the article's backpropagation, its derivative divided by N for the mean loss",
        origin="seed 002: training loop, backprop",
    ),
    Variant(
        "ok_backward_einsum",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.shape[0]
    dw2 = np.einsum("nh,no->ho", act_hidden, delta_out)
    db2 = np.einsum("no->o", delta_out)[None, :]
    delta_hidden = np.einsum("no,ho->nh", delta_out, w2) * act_hidden * (1 - act_hidden)
    dw1 = np.einsum("nd,nh->dh", X, delta_hidden)
    db1 = np.einsum("nh->h", delta_hidden)[None, :]
    return dw1, db1, dw2, db2
""",
        "einsum throughout, σ′ inlined, bias sums restored to rows with None",
    ),
    Variant(
        "ok_backward_per_sample",
        "backward",
        "correct",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    n = X.shape[0]
    dw1, db1 = np.zeros((X.shape[1], w2.shape[0])), np.zeros((1, w2.shape[0]))
    dw2, db2 = np.zeros_like(w2), np.zeros((1, w2.shape[1]))
    for k in range(n):
        delta_out = (y_hat[k] - y[k]) / n  # (O,)
        dw2 += np.outer(act_hidden[k], delta_out)
        db2 += delta_out
        delta_hidden = (w2 @ delta_out) * sigmoid_derivative(act_hidden[k])  # (H,)
        dw1 += np.outer(X[k], delta_hidden)
        db1 += delta_hidden
    return dw1, db1, dw2, db2
""",
        "one sample at a time, every gradient accumulated (+=) over the batch",
    ),
    # train -----------------------------------------------------------------
    Variant(
        "ok_train_copy_then_in_place",
        "train",
        "correct",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    params = [w1.copy(), b1.copy(), w2.copy(), b2.copy()]
    losses = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, *params)
        losses.append(binary_cross_entropy(y_hat, y))
        grads = backward(X, y, y_hat, act_hidden, params[2])
        for param, grad in zip(params, grads):
            param -= learning_rate * grad
    return (*params, np.array(losses))
""",
        "copies the parameters once, then updates the copies in place",
    ),
    Variant(
        "ok_train_seed_fixed",
        "train",
        "correct",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.zeros(n_epochs)
    for epoch in range(n_epochs):
        # Forward
        hidden_output = sigmoid(np.dot(X, w1) + b1)
        predicted_output = sigmoid(np.dot(hidden_output, w2) + b2)
        losses[epoch] = binary_cross_entropy(predicted_output, y)
        d_predicted_output = (predicted_output - y) / len(y)
        # Backprop: every gradient at the current parameters, then the updates
        error_hidden = d_predicted_output.dot(w2.T)
        d_hidden = error_hidden * sigmoid_derivative(hidden_output)
        w2 = w2 - hidden_output.T.dot(d_predicted_output) * learning_rate
        b2 = b2 - np.sum(d_predicted_output, axis=0, keepdims=True) * learning_rate
        w1 = w1 - X.T.dot(d_hidden) * learning_rate
        b1 = b1 - np.sum(d_hidden, axis=0, keepdims=True) * learning_rate
    return w1, b1, w2, b2, losses
""",
        "the article's loop inlined, with 1/N and the hidden error computed before w2 changes",
        origin="seed 002: training loop",
    ),
    # predict ---------------------------------------------------------------
    Variant(
        "ok_predict_round",
        "predict",
        "correct",
        """\
def predict(X, w1, b1, w2, b2):
    return np.round(forward_pass(X, w1, b1, w2, b2)[1]).astype(int)
""",
        "rounding half to even: on [0, 1] it agrees with ŷ > 0.5 everywhere, 0.5 included",
    ),
    Variant(
        "ok_predict_where_float",
        "predict",
        "correct",
        """\
def predict(X, w1, b1, w2, b2):
    _, y_hat = forward_pass(X, w1, b1, w2, b2)
    return np.where(y_hat > 0.5, 1.0, 0.0)
""",
        "np.where with float 0.0 / 1.0",
    ),
    # train_many ------------------------------------------------------------
    Variant(
        "ok_train_many_einsum",
        "train_many",
        "correct",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(np.einsum("nd,kdh->knh", X, w1) + b1)
        y_hat = sigmoid(np.einsum("knh,kho->kno", act_hidden, w2) + b2)
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        losses[:, epoch] = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=(1, 2))
        delta_out = (y_hat - y) / y.size
        dw2 = np.einsum("knh,kno->kho", act_hidden, delta_out)
        db2 = delta_out.sum(axis=1, keepdims=True)
        delta_hidden = np.einsum("kno,kho->knh", delta_out, w2) * sigmoid_derivative(act_hidden)
        dw1 = np.einsum("nd,knh->kdh", X, delta_hidden)
        db1 = delta_hidden.sum(axis=1, keepdims=True)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2, losses
""",
        "einsum for every product, log(1 − p) instead of log1p",
    ),
    Variant(
        "ok_train_many_swapaxes",
        "train_many",
        "correct",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    k = w1.shape[0]
    losses = []
    for _ in range(n_epochs):
        act_hidden = sigmoid(np.matmul(X, w1) + b1)
        y_hat = sigmoid(np.matmul(act_hidden, w2) + b2)
        p = np.clip(y_hat, 1e-12, 1.0 - 1e-12)
        each = -(y * np.log(p) + (1.0 - y) * np.log1p(-p))
        losses.append(each.reshape(k, -1).mean(axis=1))
        delta_out = (y_hat - y) / y.size
        dw2 = np.swapaxes(act_hidden, 1, 2) @ delta_out
        db2 = np.sum(delta_out, axis=1, keepdims=True)
        delta_hidden = (delta_out @ np.swapaxes(w2, 1, 2)) * sigmoid_derivative(act_hidden)
        dw1 = np.einsum("knh,nd->kdh", delta_hidden, X)
        db1 = np.sum(delta_hidden, axis=1, keepdims=True)
        w1 = w1 - learning_rate * dw1
        b1 = b1 - learning_rate * db1
        w2 = w2 - learning_rate * dw2
        b2 = b2 - learning_rate * db2
    return w1, b1, w2, b2, np.stack(losses, axis=1)
""",
        "swapaxes for the batched transposes, losses gathered per epoch and stacked at the end",
    ),
    Variant(
        "ok_train_many_loop_over_train",
        "train_many",
        "correct",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    runs = [
        train(X, y, w1[k], b1[k], w2[k], b2[k], learning_rate, n_epochs)
        for k in range(w1.shape[0])
    ]
    return tuple(np.stack([np.asarray(run[i]) for run in runs]) for i in range(5))
""",
        "a Python loop over the networks, each trained by train: slow (the notebook's sweep "
        "takes about a minute), not wrong",
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
        "σ(−x): the visible assert on σ(−2) fails",
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
        "scalars only: raises TypeError on arrays; forward_pass and train_many are graded "
        "with the reference sigmoid",
    ),
    Variant(
        "bug_sigmoid_clipped",
        "sigmoid",
        "buggy",
        """\
def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -10, 10)))
""",
        "clips x to [−10, 10] against overflow: σ(±1000) is 4.5e-5 from its limit",
    ),
    # sigmoid_derivative ----------------------------------------------------
    Variant(
        "bug_sigmoid_derivative_sigma_again",
        "sigmoid_derivative",
        "buggy",
        """\
def sigmoid_derivative(a):
    return sigmoid(a) * (1 - sigmoid(a))
""",
        "applies σ to the activation again",
    ),
    # initialize_parameters -------------------------------------------------
    Variant(
        "bug_init_zero_biases",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    w1 = rng.normal(0.0, std, size=(input_size, hidden_size))
    w2 = rng.normal(0.0, std, size=(hidden_size, output_size))
    return w1, np.zeros((1, hidden_size)), w2, np.zeros((1, output_size))
""",
        "biases start at zero, which the contract does not ask for",
    ),
    Variant(
        "bug_init_uniform",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    w1 = std * rng.random((input_size, hidden_size))
    b1 = std * rng.random((1, hidden_size))
    w2 = std * rng.random((hidden_size, output_size))
    b2 = std * rng.random((1, output_size))
    return w1, b1, w2, b2
""",
        "uniform on [0, std) as in the first assignment, not normal",
    ),
    Variant(
        "bug_init_ignores_std",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    w1 = rng.standard_normal((input_size, hidden_size))
    b1 = rng.standard_normal((1, hidden_size))
    w2 = rng.standard_normal((hidden_size, output_size))
    b2 = rng.standard_normal((1, output_size))
    return w1, b1, w2, b2
""",
        "standard deviation 1 whatever std",
    ),
    Variant(
        "bug_init_std_as_variance",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    shapes = [(input_size, hidden_size), (1, hidden_size), (hidden_size, output_size),
              (1, output_size)]
    return tuple(rng.normal(0.0, std**2, size=shape) for shape in shapes)
""",
        "std² as the scale: right for std = 1 only",
    ),
    Variant(
        "bug_init_biases_unscaled",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    w1 = rng.normal(0.0, std, size=(input_size, hidden_size))
    b1 = rng.normal(0.0, 1.0, size=(1, hidden_size))
    w2 = rng.normal(0.0, std, size=(hidden_size, output_size))
    b2 = rng.normal(0.0, 1.0, size=(1, output_size))
    return w1, b1, w2, b2
""",
        "only the weights follow std: the visible tests look at w1's spread and at b1 being "
        "random, and pass",
    ),
    Variant(
        "bug_init_seed_global_randn",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    hidden_weights = np.random.randn(input_size, hidden_size) * std
    hidden_bias = np.random.randn(1, hidden_size) * std
    output_weights = np.random.randn(hidden_size, output_size) * std
    output_bias = np.random.randn(1, output_size) * std
    return hidden_weights, hidden_bias, output_weights, output_bias
""",
        "the article's init_params as written: NumPy's global generator, not rng",
        origin="seed 002: init_params",
    ),
    Variant(
        "bug_init_flat_biases",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    w1 = rng.normal(0.0, std, size=(input_size, hidden_size))
    b1 = rng.normal(0.0, std, size=hidden_size)
    w2 = rng.normal(0.0, std, size=(hidden_size, output_size))
    b2 = rng.normal(0.0, std, size=output_size)
    return w1, b1, w2, b2
""",
        "1-D biases, shapes (H,) and (O,) instead of rows",
    ),
    # forward_pass ----------------------------------------------------------
    Variant(
        "bug_forward_no_hidden_bias",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = sigmoid(X @ w1)
    return act_hidden, sigmoid(act_hidden @ w2 + b2)
""",
        "forgets b1",
    ),
    Variant(
        "bug_forward_linear_output",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = sigmoid(X @ w1 + b1)
    return act_hidden, act_hidden @ w2 + b2
""",
        "the first assignment's linear output kept: ŷ is no probability",
    ),
    Variant(
        "bug_forward_bias_after_sigmoid",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = sigmoid(X @ w1) + b1
    return act_hidden, sigmoid(act_hidden @ w2) + b2
""",
        "adds the biases after the sigmoids",
    ),
    # binary_cross_entropy --------------------------------------------------
    Variant(
        "bug_bce_no_clip",
        "binary_cross_entropy",
        "buggy",
        """\
def binary_cross_entropy(y_hat, y):
    return float(np.mean(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
""",
        "no clipping: nan or inf where ŷ is exactly 0 or 1",
    ),
    Variant(
        "bug_bce_seed_per_element",
        "binary_cross_entropy",
        "buggy",
        """\
def binary_cross_entropy(y_hat, y):
    epsilon = 1e-15
    y_pred = np.clip(y_hat, epsilon, 1 - epsilon)
    return -(y * np.log(y_pred) + (1 - y) * np.log(1 - y_pred))
""",
        "the article's loss as written: one loss per element, no mean",
        origin="seed 002: binary_cross_entropy",
    ),
    Variant(
        "bug_bce_sum",
        "binary_cross_entropy",
        "buggy",
        """\
def binary_cross_entropy(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
""",
        "sums over the batch instead of averaging",
    ),
    Variant(
        "bug_bce_sign",
        "binary_cross_entropy",
        "buggy",
        """\
def binary_cross_entropy(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
        "the log-likelihood, without the minus sign",
    ),
    Variant(
        "bug_bce_large_eps",
        "binary_cross_entropy",
        "buggy",
        """\
def binary_cross_entropy(y_hat, y):
    p = np.clip(y_hat, 1e-3, 1 - 1e-3)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
""",
        "clips at ε = 1e-3: wrong values for confident answers",
    ),
    # backward --------------------------------------------------------------
    Variant(
        "bug_backward_bias_not_summed",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.size
    dw2 = act_hidden.T @ delta_out
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    return dw1, delta_hidden, dw2, delta_out
""",
        "the bias gradients are δ1 and δ2 themselves, shapes (N, H) and (N, O), not summed "
        "over the batch",
    ),
    Variant(
        "bug_backward_bias_first_sample",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.size
    dw2 = act_hidden.T @ delta_out
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    return dw1, delta_hidden[:1], dw2, delta_out[:1]
""",
        "bias gradients of the first sample only: the right shapes, not summed",
    ),
    Variant(
        "bug_backward_mse_derivative",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) * sigmoid_derivative(y_hat) / y.size
    dw2 = act_hidden.T @ delta_out
    db2 = delta_out.sum(axis=0, keepdims=True)
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    db1 = delta_hidden.sum(axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "the squared error's output derivative kept with the sigmoid output: δ2 times ŷ(1 − ŷ)",
    ),
    Variant(
        "bug_backward_missing_mean",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = y_hat - y
    dw2 = act_hidden.T @ delta_out
    db2 = delta_out.sum(axis=0, keepdims=True)
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    db1 = delta_hidden.sum(axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "no 1/N: the gradients of the summed loss",
    ),
    Variant(
        "bug_backward_seed_no_mean",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    d_predicted_output = y_hat - y
    dw2 = act_hidden.T.dot(d_predicted_output)
    db2 = np.sum(d_predicted_output, axis=0, keepdims=True)
    error_hidden = d_predicted_output.dot(w2.T)
    d_hidden = error_hidden * sigmoid_derivative(act_hidden)
    dw1 = X.T.dot(d_hidden)
    db1 = np.sum(d_hidden, axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "the article's backpropagation as written: the gradients of its per-element loss "
        "summed, N times the mean's",
        origin="seed 002: training loop, backprop",
    ),
    Variant(
        "bug_backward_bias_mean",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.size
    dw2 = act_hidden.T @ delta_out
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    db1 = delta_hidden.mean(axis=0, keepdims=True)
    db2 = delta_out.mean(axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "averages the biases' δ over the batch although δ is already divided by N",
    ),
    Variant(
        "bug_backward_hardcoded_n",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / 4
    dw2 = act_hidden.T @ delta_out
    db2 = delta_out.sum(axis=0, keepdims=True)
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1 = X.T @ delta_hidden
    db1 = delta_hidden.sum(axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "divides by 4, XOR's batch size: the visible test passes, other N do not",
    ),
    Variant(
        "bug_backward_sigma_not_derivative",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.size
    dw2 = act_hidden.T @ delta_out
    db2 = delta_out.sum(axis=0, keepdims=True)
    delta_hidden = (delta_out @ w2.T) * sigmoid(act_hidden)
    dw1 = X.T @ delta_hidden
    db1 = delta_hidden.sum(axis=0, keepdims=True)
    return dw1, db1, dw2, db2
""",
        "σ(a) where σ′ = a·(1 − a) belongs",
    ),
    Variant(
        "bug_backward_order",
        "backward",
        "buggy",
        """\
def backward(X, y, y_hat, act_hidden, w2):
    delta_out = (y_hat - y) / y.size
    delta_hidden = (delta_out @ w2.T) * sigmoid_derivative(act_hidden)
    dw1, dw2 = X.T @ delta_hidden, act_hidden.T @ delta_out
    db1 = delta_hidden.sum(axis=0, keepdims=True)
    db2 = delta_out.sum(axis=0, keepdims=True)
    return dw1, dw2, db1, db2
""",
        "returns the gradients as (dw1, dw2, db1, db2)",
    ),
    # train -----------------------------------------------------------------
    Variant(
        "bug_train_in_place",
        "train",
        "buggy",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.zeros(n_epochs)
    for epoch in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, b1, w2, b2)
        losses[epoch] = binary_cross_entropy(y_hat, y)
        dw1, db1, dw2, db2 = backward(X, y, y_hat, act_hidden, w2)
        w1 -= learning_rate * dw1
        b1 -= learning_rate * db1
        w2 -= learning_rate * dw2
        b2 -= learning_rate * db2
    return w1, b1, w2, b2, losses
""",
        "updates the caller's arrays in place (w1 -= …): the right trajectory, but the "
        "initial parameters are lost",
    ),
    Variant(
        "bug_train_biases_frozen",
        "train",
        "buggy",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, b1, w2, b2)
        losses.append(binary_cross_entropy(y_hat, y))
        dw1, _, dw2, _ = backward(X, y, y_hat, act_hidden, w2)
        w1 = w1 - learning_rate * dw1
        w2 = w2 - learning_rate * dw2
    return w1, b1, w2, b2, np.array(losses)
""",
        "updates the weights only, never the biases",
    ),
    Variant(
        "bug_train_loss_after_update",
        "train",
        "buggy",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(X, y, y_hat, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
        losses.append(binary_cross_entropy(forward_pass(X, w1, b1, w2, b2)[1], y))
    return w1, b1, w2, b2, np.array(losses)
""",
        "records the loss after each update",
    ),
    Variant(
        "bug_train_notebook_rate",
        "train",
        "buggy",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = []
    for _ in range(n_epochs):
        act_hidden, y_hat = forward_pass(X, w1, b1, w2, b2)
        losses.append(binary_cross_entropy(y_hat, y))
        grads = backward(X, y, y_hat, act_hidden, w2)
        w1, b1, w2, b2 = (p - LEARNING_RATE * g for p, g in zip((w1, b1, w2, b2), grads))
    return w1, b1, w2, b2, np.array(losses)
""",
        "steps with the notebook's LEARNING_RATE, not the argument: the visible test uses "
        "the same rate and passes",
    ),
    Variant(
        "bug_train_seed_as_written",
        "train",
        "buggy",
        """\
def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = []
    for epoch in range(n_epochs):
        # Forward
        hidden_input = np.dot(X, w1) + b1
        hidden_output = sigmoid(hidden_input)
        final_input = np.dot(hidden_output, w2) + b2
        predicted_output = sigmoid(final_input)
        losses.append(binary_cross_entropy(predicted_output, y))
        d_predicted_output = predicted_output - y
        # Backprop
        w2 = w2 - hidden_output.T.dot(d_predicted_output) * learning_rate
        b2 = b2 - np.sum(d_predicted_output, axis=0, keepdims=True) * learning_rate
        error_hidden = d_predicted_output.dot(w2.T)
        d_hidden = error_hidden * sigmoid_derivative(hidden_output)
        w1 = w1 - X.T.dot(d_hidden) * learning_rate
        b1 = b1 - np.sum(d_hidden, axis=0, keepdims=True) * learning_rate
    return w1, b1, w2, b2, np.array(losses)
""",
        "the article's loop as written (new arrays instead of -=): steps N times too large, "
        "and the hidden error uses the already updated output weights",
        origin="seed 002: training loop",
    ),
    # predict ---------------------------------------------------------------
    Variant(
        "bug_predict_at_least_half",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    return (forward_pass(X, w1, b1, w2, b2)[1] >= 0.5).astype(int)
""",
        "≥ 0.5: ŷ = 0.5 exactly becomes 1",
    ),
    Variant(
        "bug_predict_probabilities",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    return forward_pass(X, w1, b1, w2, b2)[1]
""",
        "returns the probabilities themselves",
    ),
    Variant(
        "bug_predict_sigmoid_again",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    return (sigmoid(forward_pass(X, w1, b1, w2, b2)[1]) > 0.5).astype(int)
""",
        "σ(ŷ) > 0.5, a threshold at ŷ > 0 in disguise: every prediction is 1",
    ),
    Variant(
        "bug_predict_no_biases",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    act_hidden = sigmoid(X @ w1)
    return (sigmoid(act_hidden @ w2) > 0.5).astype(int)
""",
        "recomputes the network without the biases",
    ),
    # train_many ------------------------------------------------------------
    Variant(
        "bug_train_many_one_loss",
        "train_many",
        "buggy",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)
        y_hat = sigmoid(act_hidden @ w2 + b2)
        losses[:, epoch] = binary_cross_entropy(y_hat, y)
        delta_out = (y_hat - y) / y.size
        dw2 = act_hidden.transpose(0, 2, 1) @ delta_out
        db2 = delta_out.sum(axis=1, keepdims=True)
        delta_hidden = (delta_out @ w2.transpose(0, 2, 1)) * sigmoid_derivative(act_hidden)
        dw1 = X.T @ delta_hidden
        db1 = delta_hidden.sum(axis=1, keepdims=True)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2, losses
""",
        "binary_cross_entropy averages over the K networks too: every network gets the "
        "same loss (the notebook's own binary_cross_entropy: the reference's)",
    ),
    Variant(
        "bug_train_many_bias_axis0",
        "train_many",
        "buggy",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)
        y_hat = sigmoid(act_hidden @ w2 + b2)
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        losses[:, epoch] = np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)), axis=(1, 2))
        delta_out = (y_hat - y) / y.size
        dw2 = act_hidden.transpose(0, 2, 1) @ delta_out
        db2 = delta_out.sum(axis=0, keepdims=True)
        delta_hidden = (delta_out @ w2.transpose(0, 2, 1)) * sigmoid_derivative(act_hidden)
        dw1 = X.T @ delta_hidden
        db1 = delta_hidden.sum(axis=0, keepdims=True)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2, losses
""",
        "single-network code kept: the bias gradients sum over axis 0, now the networks",
    ),
    Variant(
        "bug_train_many_size_with_k",
        "train_many",
        "buggy",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)
        y_hat = sigmoid(act_hidden @ w2 + b2)
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        losses[:, epoch] = np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)), axis=(1, 2))
        delta_out = (y_hat - y) / y_hat.size
        dw2 = act_hidden.transpose(0, 2, 1) @ delta_out
        db2 = delta_out.sum(axis=1, keepdims=True)
        delta_hidden = (delta_out @ w2.transpose(0, 2, 1)) * sigmoid_derivative(act_hidden)
        dw1 = X.T @ delta_hidden
        db1 = delta_hidden.sum(axis=1, keepdims=True)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2, losses
""",
        "divides by y_hat.size, K·N·O: steps K times too small",
    ),
    Variant(
        "bug_train_many_in_place",
        "train_many",
        "buggy",
        """\
def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)
        y_hat = sigmoid(act_hidden @ w2 + b2)
        p = np.clip(y_hat, 1e-12, 1 - 1e-12)
        losses[:, epoch] = np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)), axis=(1, 2))
        delta_out = (y_hat - y) / y.size
        delta_hidden = (delta_out @ w2.transpose(0, 2, 1)) * sigmoid_derivative(act_hidden)
        w2 -= learning_rate * (act_hidden.transpose(0, 2, 1) @ delta_out)
        b2 -= learning_rate * delta_out.sum(axis=1, keepdims=True)
        w1 -= learning_rate * (X.T @ delta_hidden)
        b1 -= learning_rate * delta_hidden.sum(axis=1, keepdims=True)
    return w1, b1, w2, b2, losses
""",
        "updates the caller's stacked arrays in place: the notebook's sweep then starts "
        "from trained parameters if it is run twice",
    ),
)

VARIANTS = CORRECT + BUGGY
