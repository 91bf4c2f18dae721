"""The catalogue of ``xor_relu`` submissions: the reference with one solution
cell replaced.

Data only, in the form of ``tests/catalogue.py`` (``Variant``): the contract
function whose cell is replaced, the code of that cell, correct (however
unusual) or buggy, a note. A buggy variant must lose points in its own
function's cell and nowhere else.

Variants whose ``origin`` names seed 003 ("A3 — Learn an XOR neural network
using gradient-based optimization") adapt that notebook's code to the contract:
its functions take the contract's arguments (its ``mse(ws, m, X, Y)`` becomes
``mse(y_hat, y)``), and its training loop, written for two named layers, runs
on the list of layers it is given. What it computes otherwise stays as written:
N(0, 1) weights from NumPy's global generator, ReLU′ as ``z > 0``, σ′ computed
from the pre-activation.

``tests/test_catalogue.py`` builds one notebook per variant and grades them all.
"""

from __future__ import annotations

from tests.catalogue import Variant

CORRECT = (
    # relu ---------------------------------------------------------------------
    Variant(
        "ok_relu_where",
        "relu",
        "correct",
        """\
def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)
""",
        "np.where picks z or 0 per element",
    ),
    Variant(
        "ok_relu_mask_product",
        "relu",
        "correct",
        """\
def relu(z):
    z = np.asarray(z, dtype=float)
    return z * (z > 0)
""",
        "z times its own 0/1 mask (−0.0 for negative z, equal to 0)",
    ),
    # relu_derivative ------------------------------------------------------------
    Variant(
        "ok_relu_derivative_heaviside",
        "relu_derivative",
        "correct",
        """\
def relu_derivative(z):
    return np.heaviside(z, 0.0)
""",
        "the Heaviside step with the value 0 at 0, the notebook's convention",
    ),
    # initialize_parameters ---------------------------------------------------------
    Variant(
        "ok_init_standard_normal_scaled",
        "initialize_parameters",
        "correct",
        """\
def initialize_parameters(layer_sizes, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)
        params.append((W, np.zeros((1, n_out))))
    return params
""",
        "standard normal draws scaled by √(2 / n_in): the same law",
    ),
    # forward_pass --------------------------------------------------------------------
    Variant(
        "ok_forward_seed",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, params):
    zs, activations = [], [X]
    A = X
    for W, b in params[:-1]:
        Z = A @ W + b
        A = relu(Z)
        zs.append(Z)
        activations.append(A)
    W_out, b_out = params[-1]
    Z_out = A @ W_out + b_out
    zs.append(Z_out)
    activations.append(sigmoid(Z_out))
    return zs, activations
""",
        "the seed's Z1 = X @ W1 + b1, A1 = relu(Z1), …, A2 = sigmoid(Z2), looped over the "
        "hidden layers, the output layer last",
        origin="seed 003: the forward pass of its training loop",
    ),
    Variant(
        "ok_forward_einsum",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, params):
    zs, activations = [], [X]
    for i, (W, b) in enumerate(params):
        z = np.einsum("nd,dh->nh", activations[-1], W) + b
        zs.append(z)
        last = i == len(params) - 1
        activations.append(1 / (1 + np.exp(-z)) if last else np.maximum(z, 0))
    return zs, activations
""",
        "einsum for the product, the textbook sigmoid and np.maximum inline",
    ),
    # mse -----------------------------------------------------------------------------
    Variant(
        "ok_mse_seed_loop",
        "mse",
        "correct",
        """\
def mse(y_hat, y):
    N = len(y)
    err = 0
    for i in range(N):
        err += (y[i] - y_hat[i]) ** 2
    return float(np.sum(err) / N)
""",
        "the seed's loop over the samples, (Y[i] − ŷ_i)² summed and divided by N (O = 1)",
        origin="seed 003: mse",
    ),
    # backward ------------------------------------------------------------------------
    Variant(
        "ok_backward_seed",
        "backward",
        "correct",
        """\
def backward(y, params, zs, activations):
    def sigmoid_derivative(z):
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)

    grads = []
    dA = 2 * (activations[-1] - y) / y.shape[0]
    dZ = dA * sigmoid_derivative(zs[-1])
    for layer in range(len(params) - 1, -1, -1):
        dW = activations[layer].T @ dZ
        db = np.sum(dZ, axis=0, keepdims=True)
        grads.insert(0, (dW, db))
        if layer > 0:
            dA = dZ @ params[layer][0].T
            dZ = dA * relu_derivative(zs[layer - 1])
    return grads
""",
        "the seed's dA2 = 2(A2 − Y)/N, dZ2 = dA2·σ′(Z2), dA1 = dZ2 W2ᵀ, dZ1 = dA1·ReLU′(Z1), "
        "looped over the layers (N = Y.shape[0] is N·O for O = 1)",
        origin="seed 003: the backpropagation of its training loop",
    ),
    Variant(
        "ok_backward_other_convention",
        "backward",
        "correct",
        """\
def backward(y, params, zs, activations):
    y_hat = activations[-1]
    delta = 2 * (y_hat - y) * y_hat * (1 - y_hat) / y.size
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        grads[i] = (activations[i].T @ delta, delta.sum(axis=0, keepdims=True))
        if i:
            delta = (delta @ params[i][0].T) * (zs[i - 1] >= 0)
    return grads
""",
        "ReLU′(0) = 1 inline (z >= 0): the checks probe backward away from the kink, where "
        "both conventions agree",
    ),
    Variant(
        "ok_backward_per_sample",
        "backward",
        "correct",
        """\
def backward(y, params, zs, activations):
    n = y.shape[0]
    grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for s in range(n):
        y_hat = activations[-1][s : s + 1]
        delta = 2 * (y_hat - y[s : s + 1]) * y_hat * (1 - y_hat) / y.size
        for i in range(len(params) - 1, -1, -1):
            dW, db = grads[i]
            grads[i] = (dW + activations[i][s : s + 1].T @ delta, db + delta)
            if i > 0:
                delta = (delta @ params[i][0].T) * relu_derivative(zs[i - 1][s : s + 1])
    return grads
""",
        "one sample at a time, the gradients summed over the samples",
    ),
    # train ---------------------------------------------------------------------------
    Variant(
        "ok_train_copies_then_in_place",
        "train",
        "correct",
        """\
def train(X, y, params, learning_rate, n_epochs):
    params = [(W.copy(), b.copy()) for W, b in params]
    losses = []
    for _ in range(n_epochs):
        zs, activations = forward_pass(X, params)
        losses.append(mse(activations[-1], y))
        for (W, b), (dW, db) in zip(params, backward(y, params, zs, activations)):
            W -= learning_rate * dW
            b -= learning_rate * db
    return params, np.array(losses)
""",
        "updates in place, but of its own copies: the caller's arrays stay as they were",
    ),
    # predict ---------------------------------------------------------------------------
    Variant(
        "ok_predict_round",
        "predict",
        "correct",
        """\
def predict(X, params):
    return np.round(forward_pass(X, params)[1][-1]).astype(int)
""",
        "rounding half to even sends ŷ = 0.5 to 0, as the threshold ŷ > 0.5 does",
    ),
)

BUGGY = (
    # relu ---------------------------------------------------------------------
    Variant(
        "bug_relu_abs",
        "relu",
        "buggy",
        """\
def relu(z):
    return np.abs(np.asarray(z, dtype=float))
""",
        "|z| instead of max(0, z)",
    ),
    Variant(
        "bug_relu_in_place",
        "relu",
        "buggy",
        """\
def relu(z):
    z[z < 0] = 0
    return z
""",
        "sets the negative entries of its argument to 0 (and fails on a plain number)",
    ),
    # relu_derivative ------------------------------------------------------------
    Variant(
        "bug_relu_derivative_seed_scalar",
        "relu_derivative",
        "buggy",
        """\
def relu_derivative(z):
    return (z > 0).astype(float)
""",
        "the seed's derivative as written: on a plain number z > 0 is a Python bool, which has "
        "no astype (the contract takes numbers too)",
        origin="seed 003: relu_derivative",
    ),
    Variant(
        "bug_relu_derivative_ge",
        "relu_derivative",
        "buggy",
        """\
def relu_derivative(z):
    return (np.asarray(z) >= 0).astype(float)
""",
        "ReLU′(0) = 1: not the notebook's convention",
    ),
    # initialize_parameters ---------------------------------------------------------
    Variant(
        "bug_init_seed_randn",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(layer_sizes, rng):
    np.random.seed(1)
    params = []
    for i in range(len(layer_sizes) - 1):
        W = np.random.randn(layer_sizes[i], layer_sizes[i + 1])
        params.append((W, np.zeros((1, layer_sizes[i + 1]))))
    return params
""",
        "the seed's N(0, 1) weights from NumPy's global generator, seeded with 1",
        origin="seed 003: its initialisation",
    ),
    Variant(
        "bug_init_fan_out",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(layer_sizes, rng):
    return [
        (rng.normal(0.0, np.sqrt(2.0 / b), size=(a, b)), np.zeros((1, b)))
        for a, b in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
""",
        "scaled by the layer's units √(2 / n_l) instead of its inputs",
    ),
    Variant(
        "bug_init_uniform",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(layer_sizes, rng):
    params = []
    for a, b in zip(layer_sizes[:-1], layer_sizes[1:]):
        limit = np.sqrt(6.0 / a)
        params.append((rng.uniform(-limit, limit, size=(a, b)), np.zeros((1, b))))
    return params
""",
        "He's standard deviation, but uniform: only the share of entries within one "
        "standard deviation (57.7 % instead of 68.3 %) tells it apart",
    ),
    # forward_pass --------------------------------------------------------------------
    Variant(
        "bug_forward_sigmoid_hidden",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, params):
    zs, activations = [], [X]
    for W, b in params:
        zs.append(activations[-1] @ W + b)
        activations.append(sigmoid(zs[-1]))
    return zs, activations
""",
        "sigmoid hidden layers",
    ),
    Variant(
        "bug_forward_no_input_in_cache",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, params):
    zs, activations, a = [], [], X
    for i, (W, b) in enumerate(params):
        zs.append(a @ W + b)
        a = sigmoid(zs[-1]) if i == len(params) - 1 else relu(zs[-1])
        activations.append(a)
    return zs, activations
""",
        "activations does not start with X: L arrays instead of L + 1",
    ),
    Variant(
        "bug_forward_two_layers_only",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, params):
    (W1, b1), (W2, b2) = params[0], params[-1]
    Z1 = X @ W1 + b1
    A1 = relu(Z1)
    Z2 = A1 @ W2 + b2
    return [Z1, Z2], [X, A1, sigmoid(Z2)]
""",
        "the seed's two named layers: a deeper network loses its middle layers",
        origin="seed 003: the forward pass as written",
    ),
    # mse -----------------------------------------------------------------------------
    Variant(
        "bug_mse_half",
        "mse",
        "buggy",
        """\
def mse(y_hat, y):
    return float(0.5 * np.mean((y_hat - y) ** 2))
""",
        "the first assignment's factor ½",
    ),
    # backward ------------------------------------------------------------------------
    Variant(
        "bug_backward_no_mask",
        "backward",
        "buggy",
        """\
def backward(y, params, zs, activations):
    y_hat = activations[-1]
    delta = 2 * (y_hat - y) / y.size * y_hat * (1 - y_hat)
    grads = []
    for i in range(len(params), 0, -1):
        grads.append((activations[i - 1].T @ delta, delta.sum(axis=0, keepdims=True)))
        if i > 1:
            delta = delta @ params[i - 1][0].T
    return grads[::-1]
""",
        "no ReLU′ mask on the way down",
    ),
    Variant(
        "bug_backward_no_sigmoid_slope",
        "backward",
        "buggy",
        """\
def backward(y, params, zs, activations):
    delta = 2 * (activations[-1] - y) / y.size
    grads = []
    for i in range(len(params), 0, -1):
        grads.append((activations[i - 1].T @ delta, delta.sum(axis=0, keepdims=True)))
        if i > 1:
            delta = (delta @ params[i - 1][0].T) * relu_derivative(zs[i - 2])
    return grads[::-1]
""",
        "δ_L without the output sigmoid's slope ŷ(1 − ŷ)",
    ),
    Variant(
        "bug_backward_bias_not_summed",
        "backward",
        "buggy",
        """\
def backward(y, params, zs, activations):
    y_hat = activations[-1]
    delta = 2 * (y_hat - y) / y.size * y_hat * (1 - y_hat)
    grads = []
    for i in range(len(params), 0, -1):
        grads.append((activations[i - 1].T @ delta, delta))
        if i > 1:
            delta = (delta @ params[i - 1][0].T) * relu_derivative(zs[i - 2])
    return grads[::-1]
""",
        "db is δ itself, one row per sample",
    ),
    Variant(
        "bug_backward_last_layer_first",
        "backward",
        "buggy",
        """\
def backward(y, params, zs, activations):
    y_hat = activations[-1]
    delta = 2 * (y_hat - y) / y.size * y_hat * (1 - y_hat)
    grads = []
    for i in range(len(params), 0, -1):
        grads.append((activations[i - 1].T @ delta, delta.sum(axis=0, keepdims=True)))
        if i > 1:
            delta = (delta @ params[i - 1][0].T) * relu_derivative(zs[i - 2])
    return grads
""",
        "the pairs in the order they were computed, last layer first",
    ),
    Variant(
        "bug_backward_mask_from_activations",
        "backward",
        "buggy",
        """\
def backward(y, params, zs, activations):
    y_hat = activations[-1]
    delta = 2 * (y_hat - y) / y.size * y_hat * (1 - y_hat)
    grads = []
    for i in range(len(params), 0, -1):
        grads.append((activations[i - 1].T @ delta, delta.sum(axis=0, keepdims=True)))
        if i > 1:
            delta = (delta @ params[i - 1][0].T) * relu_derivative(activations[i - 2])
    return grads[::-1]
""",
        "ReLU′ of the layer below's activations, one layer off: the first hidden layer is "
        "masked by the inputs X",
    ),
    # train ---------------------------------------------------------------------------
    Variant(
        "bug_train_in_place",
        "train",
        "buggy",
        """\
def train(X, y, params, learning_rate, n_epochs):
    losses = np.zeros(n_epochs)
    for epoch in range(n_epochs):
        zs, activations = forward_pass(X, params)
        losses[epoch] = mse(activations[-1], y)
        for (W, b), (dW, db) in zip(params, backward(y, params, zs, activations)):
            W -= learning_rate * dW
            b -= learning_rate * db
    return params, losses
""",
        "W -= λ·dW writes into the caller's arrays",
    ),
    Variant(
        "bug_train_loss_after_update",
        "train",
        "buggy",
        """\
def train(X, y, params, learning_rate, n_epochs):
    losses = []
    for _ in range(n_epochs):
        zs, activations = forward_pass(X, params)
        grads = backward(y, params, zs, activations)
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
        losses.append(mse(forward_pass(X, params)[1][-1], y))
    return params, np.array(losses)
""",
        "records the loss after each update: losses[0] is not the initial loss",
    ),
    Variant(
        "bug_train_notebook_rate",
        "train",
        "buggy",
        """\
def train(X, y, params, learning_rate, n_epochs):
    losses = np.empty(n_epochs)
    for epoch in range(n_epochs):
        zs, activations = forward_pass(X, params)
        losses[epoch] = mse(activations[-1], y)
        grads = backward(y, params, zs, activations)
        params = [(W - LEARNING_RATE * dW, b - LEARNING_RATE * db)
                  for (W, b), (dW, db) in zip(params, grads)]
    return params, losses
""",
        "steps with the notebook's LEARNING_RATE, not its argument: only the hidden "
        "checks, at other rates, see it",
    ),
    Variant(
        "bug_train_weights_only",
        "train",
        "buggy",
        """\
def train(X, y, params, learning_rate, n_epochs):
    losses = np.empty(n_epochs)
    for epoch in range(n_epochs):
        zs, activations = forward_pass(X, params)
        losses[epoch] = mse(activations[-1], y)
        grads = backward(y, params, zs, activations)
        params = [(W - learning_rate * dW, b) for (W, b), (dW, _) in zip(params, grads)]
    return params, losses
""",
        "never updates the biases",
    ),
    # predict ---------------------------------------------------------------------------
    Variant(
        "bug_predict_ge",
        "predict",
        "buggy",
        """\
def predict(X, params):
    return (forward_pass(X, params)[1][-1] >= 0.5).astype(int)
""",
        "ŷ = 0.5 exactly predicts 1",
    ),
)

VARIANTS = CORRECT + BUGGY
