"""The catalogue of ``digits_mlp`` submissions: the reference with one solution
cell replaced.

Data only, in the form of ``tests/catalogue.py`` (``Variant``): the contract
function whose cell is replaced, the code of that cell, correct (however
unusual) or buggy, a note. A buggy variant must lose points in its own
function's cell and nowhere else. The correct ones include a ``sgd_epoch`` that
orders the samples by another draw from ``rng`` than the reference's, which the
checks must accept: the contract fixes that every sample is used once per epoch
in an order drawn from ``rng``, not which order.

``tests/test_catalogue.py`` builds one notebook per variant and grades them all.
"""

from __future__ import annotations

from tests.catalogue import Variant

VARIANTS = (
    Variant(
        "ok_softmax_logsumexp",
        "softmax",
        "correct",
        """\
def softmax(Z):
    m = Z.max(axis=1, keepdims=True)
    log_norm = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return np.exp(Z - log_norm)
""",
        "log-softmax through a stable log-sum-exp, then exp",
    ),
    Variant(
        "ok_softmax_row_loop",
        "softmax",
        "correct",
        """\
def softmax(Z):
    P = np.empty(np.shape(Z))
    for i, row in enumerate(np.asarray(Z, dtype=float)):
        e = np.exp(row - row.max())
        P[i] = e / e.sum()
    return P
""",
        "one row at a time, each shifted by its own maximum",
    ),
    Variant(
        "ok_one_hot_eye",
        "one_hot",
        "correct",
        """\
def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]
""",
        "rows of the identity matrix picked by the labels",
    ),
    Variant(
        "ok_one_hot_compare",
        "one_hot",
        "correct",
        """\
def one_hot(labels, n_classes):
    return (np.asarray(labels)[:, None] == np.arange(n_classes)).astype(float)
""",
        "a broadcast comparison of a column of labels with the classes",
    ),
    Variant(
        "ok_init_standard_normal_w2_first",
        "initialize_parameters",
        "correct",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng):
    w2 = rng.standard_normal((hidden_size, output_size)) / np.sqrt(hidden_size)
    w1 = rng.standard_normal((input_size, hidden_size)) / np.sqrt(input_size)
    return w1, np.zeros((1, hidden_size)), w2, np.zeros((1, output_size))
""",
        "w2 drawn before w1, standard normals divided by √fan-in: other draws, the same law",
    ),
    Variant(
        "ok_forward_tanh_einsum",
        "forward_pass",
        "correct",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = 0.5 * (1.0 + np.tanh(0.5 * (np.einsum("nd,dh->nh", X, w1) + b1)))
    return act_hidden, softmax(np.einsum("nh,hk->nk", act_hidden, w2) + b2)
""",
        "σ(z) = (1 + tanh(z/2))/2 and einsum products",
    ),
    Variant(
        "ok_cross_entropy_pick",
        "cross_entropy",
        "correct",
        """\
def cross_entropy(P, Y):
    true = np.argmax(Y, axis=1)
    picked = P[np.arange(P.shape[0]), true]
    return float(np.mean(-np.log(np.maximum(picked, 1e-12))))
""",
        "the probability of the true class picked by its index, clipped, mean of −log",
    ),
    Variant(
        "ok_cross_entropy_row_sums",
        "cross_entropy",
        "correct",
        """\
def cross_entropy(P, Y):
    per_sample = -np.sum(Y * np.log(np.clip(P, 1e-12, 1.0)), axis=1)  # (N,)
    return float(np.mean(per_sample))
""",
        "per-sample sums over the classes, then np.mean",
    ),
    Variant(
        "ok_backward_per_sample",
        "backward",
        "correct",
        """\
def backward(X, Y, P, act_hidden, w2):
    n = X.shape[0]
    dw1, db1 = np.zeros((X.shape[1], w2.shape[0])), np.zeros((1, w2.shape[0]))
    dw2, db2 = np.zeros_like(w2), np.zeros((1, w2.shape[1]))
    for i in range(n):
        d2 = (P[i] - Y[i]) / n  # (K,)
        a = act_hidden[i]
        d1 = (w2 @ d2) * a * (1 - a)  # (H,)
        dw2 += np.outer(a, d2)
        db2 += d2
        dw1 += np.outer(X[i], d1)
        db1 += d1
    return dw1, db1, dw2, db2
""",
        "a loop over the samples, gradients accumulated",
    ),
    Variant(
        "ok_backward_mean_first",
        "backward",
        "correct",
        """\
def backward(X, Y, P, act_hidden, w2):
    n = len(X)
    err = P - Y
    hidden = err @ w2.T * (act_hidden - act_hidden**2)
    return (X.T @ hidden / n, hidden.mean(axis=0, keepdims=True),
            act_hidden.T @ err / n, err.mean(axis=0, keepdims=True))
""",
        "1/N applied to the products instead of to Δ2",
    ),
    Variant(
        "ok_sgd_argsort_random",
        "sgd_epoch",
        "correct",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    order = np.argsort(rng.random(len(X)))
    for rows in np.split(order, np.arange(batch_size, len(X), batch_size)):
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        grads = backward(X[rows], Y[rows], P, act_hidden, w2)
        w1, b1, w2, b2 = (p - learning_rate * g for p, g in zip((w1, b1, w2, b2), grads))
    return w1, b1, w2, b2
""",
        "the order is the argsort of N uniform draws from rng: another permutation "
        "than the reference's",
    ),
    Variant(
        "ok_sgd_shuffle_copy",
        "sgd_epoch",
        "correct",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    index = np.arange(X.shape[0])
    rng.shuffle(index)
    Xs, Ys = X[index], Y[index]
    start = 0
    while start < len(Xs):
        xb, yb = Xs[start : start + batch_size], Ys[start : start + batch_size]
        act_hidden, P = forward_pass(xb, w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(xb, yb, P, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
        start += batch_size
    return w1, b1, w2, b2
""",
        "shuffled copies of X and Y (rng.shuffle on indices), then slices",
    ),
    Variant(
        "ok_train_rows_list",
        "train",
        "correct",
        """\
def train(
    X_train, Y_train, X_test, Y_test, w1, b1, w2, b2, learning_rate, batch_size, n_epochs, rng
):
    params = [w1.copy(), b1.copy(), w2.copy(), b2.copy()]
    rows = []
    for _ in range(n_epochs):
        params = list(sgd_epoch(X_train, Y_train, *params, learning_rate, batch_size, rng))
        row = []
        for X, Y in ((X_train, Y_train), (X_test, Y_test)):
            P = forward_pass(X, *params)[1]
            row += [cross_entropy(P, Y), accuracy(P.argmax(axis=1), Y.argmax(axis=1))]
        rows.append(row)
    return (*params, np.array(rows))
""",
        "curves built as a list of rows; copies of the parameters first",
    ),
    Variant(
        "ok_predict_logits",
        "predict",
        "correct",
        """\
def predict(X, w1, b1, w2, b2):
    act_hidden = 1.0 / (1.0 + np.exp(-(X @ w1 + b1)))
    return np.argmax(act_hidden @ w2 + b2, axis=1)
""",
        "the arg max of the logits: the softmax keeps their order",
    ),
    Variant(
        "ok_accuracy_count",
        "accuracy",
        "correct",
        """\
def accuracy(predicted, labels):
    return np.count_nonzero(np.asarray(predicted) == np.asarray(labels)) / len(labels)
""",
        "a count of the matches divided by N",
    ),
    Variant(
        "ok_confusion_loop",
        "confusion_matrix",
        "correct",
        """\
def confusion_matrix(labels, predicted, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(labels, predicted):
        C[t, p] += 1
    return C
""",
        "a loop over the samples",
    ),
    Variant(
        "ok_confusion_bincount",
        "confusion_matrix",
        "correct",
        """\
def confusion_matrix(labels, predicted, n_classes):
    flat = np.asarray(labels) * n_classes + np.asarray(predicted)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
""",
        "bincount of t·K + p, reshaped to (K, K)",
    ),
    Variant(
        "bug_softmax_axis0",
        "softmax",
        "buggy",
        """\
def softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
""",
        "normalised over the samples (axis 0) instead of the classes",
    ),
    Variant(
        "bug_softmax_unstable",
        "softmax",
        "buggy",
        """\
def softmax(Z):
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)
""",
        "no shift: exp(1000) overflows to inf, inf/inf is nan",
    ),
    Variant(
        "bug_softmax_global_max",
        "softmax",
        "buggy",
        """\
def softmax(Z):
    e = np.exp(Z - np.max(Z))
    return e / e.sum(axis=1, keepdims=True)
""",
        "shifted by the maximum of the whole batch: a row far below it underflows to 0/0",
    ),
    Variant(
        "bug_softmax_batch_sum",
        "softmax",
        "buggy",
        """\
def softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum()
""",
        "divided by the sum over the whole batch",
    ),
    Variant(
        "bug_one_hot_max_label",
        "one_hot",
        "buggy",
        """\
def one_hot(labels, n_classes):
    labels = np.asarray(labels)
    Y = np.zeros((len(labels), labels.max() + 1))
    Y[np.arange(len(labels)), labels] = 1.0
    return Y
""",
        "as many columns as the largest label + 1, not n_classes",
    ),
    Variant(
        "bug_one_hot_off_by_one",
        "one_hot",
        "buggy",
        """\
def one_hot(labels, n_classes):
    Y = np.zeros((len(labels), n_classes))
    Y[np.arange(len(labels)), np.asarray(labels) - 1] = 1.0
    return Y
""",
        "labels read as 1-based: the 1 lands one column left",
    ),
    Variant(
        "bug_init_unscaled",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng):
    w1 = rng.normal(0.0, 1.0, size=(input_size, hidden_size))
    w2 = rng.normal(0.0, 1.0, size=(hidden_size, output_size))
    return w1, np.zeros((1, hidden_size)), w2, np.zeros((1, output_size))
""",
        "weights of standard deviation 1: no 1/√fan-in",
    ),
    Variant(
        "bug_init_variance_as_scale",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng):
    w1 = rng.normal(0.0, 1.0 / input_size, size=(input_size, hidden_size))
    w2 = rng.normal(0.0, 1.0 / hidden_size, size=(hidden_size, output_size))
    return w1, np.zeros((1, hidden_size)), w2, np.zeros((1, output_size))
""",
        "scale 1/D, the variance, for the standard deviation",
    ),
    Variant(
        "bug_init_random_biases",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng):
    w1 = rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size))
    b1 = rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(1, hidden_size))
    w2 = rng.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(hidden_size, output_size))
    b2 = rng.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(1, output_size))
    return w1, b1, w2, b2
""",
        "biases drawn like the weights instead of zero",
    ),
    Variant(
        "bug_init_global_rng",
        "initialize_parameters",
        "buggy",
        """\
def initialize_parameters(input_size, hidden_size, output_size, rng):
    w1 = np.random.normal(0.0, 1.0 / np.sqrt(input_size), size=(input_size, hidden_size))
    w2 = np.random.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(hidden_size, output_size))
    return w1, np.zeros((1, hidden_size)), w2, np.zeros((1, output_size))
""",
        "NumPy's global generator instead of rng",
    ),
    Variant(
        "bug_forward_sigmoid_output",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = 1.0 / (1.0 + np.exp(-(X @ w1 + b1)))
    return act_hidden, 1.0 / (1.0 + np.exp(-(act_hidden @ w2 + b2)))
""",
        "a sigmoid output, as for XOR, instead of the softmax",
    ),
    Variant(
        "bug_forward_no_b2",
        "forward_pass",
        "buggy",
        """\
def forward_pass(X, w1, b1, w2, b2):
    act_hidden = 1.0 / (1.0 + np.exp(-(X @ w1 + b1)))
    return act_hidden, softmax(act_hidden @ w2)
""",
        "the output bias is left out",
    ),
    Variant(
        "bug_cross_entropy_sum",
        "cross_entropy",
        "buggy",
        """\
def cross_entropy(P, Y):
    return float(-np.sum(Y * np.log(np.clip(P, 1e-12, 1.0))))
""",
        "the sum over the batch: no 1/N",
    ),
    Variant(
        "bug_cross_entropy_mean_all",
        "cross_entropy",
        "buggy",
        """\
def cross_entropy(P, Y):
    return float(-np.mean(Y * np.log(np.clip(P, 1e-12, 1.0))))
""",
        "np.mean over all N·K entries: K times too small",
    ),
    Variant(
        "bug_cross_entropy_no_clip",
        "cross_entropy",
        "buggy",
        """\
def cross_entropy(P, Y):
    return float(-np.sum(Y * np.log(P)) / P.shape[0])
""",
        "no clipping: log 0 = −inf makes the loss inf",
    ),
    Variant(
        "bug_backward_no_mean",
        "backward",
        "buggy",
        """\
def backward(X, Y, P, act_hidden, w2):
    delta_out = P - Y
    delta_hidden = (delta_out @ w2.T) * act_hidden * (1.0 - act_hidden)
    return (X.T @ delta_hidden, delta_hidden.sum(axis=0, keepdims=True),
            act_hidden.T @ delta_out, delta_out.sum(axis=0, keepdims=True))
""",
        "Δ2 = P − Y: the gradient of the summed loss, N times too large",
    ),
    Variant(
        "bug_backward_softmax_twice",
        "backward",
        "buggy",
        """\
def backward(X, Y, P, act_hidden, w2):
    delta_out = (P - Y) * P * (1 - P) / X.shape[0]
    delta_hidden = (delta_out @ w2.T) * act_hidden * (1.0 - act_hidden)
    return (X.T @ delta_hidden, delta_hidden.sum(axis=0, keepdims=True),
            act_hidden.T @ delta_out, delta_out.sum(axis=0, keepdims=True))
""",
        "Δ2 multiplied by P(1 − P) as if the output were a sigmoid with the squared error",
    ),
    Variant(
        "bug_backward_bias_not_summed",
        "backward",
        "buggy",
        """\
def backward(X, Y, P, act_hidden, w2):
    delta_out = (P - Y) / X.shape[0]
    delta_hidden = (delta_out @ w2.T) * act_hidden * (1.0 - act_hidden)
    return X.T @ delta_hidden, delta_hidden, act_hidden.T @ delta_out, delta_out
""",
        "the bias gradients keep one row per sample",
    ),
    Variant(
        "bug_backward_no_sigma_prime",
        "backward",
        "buggy",
        """\
def backward(X, Y, P, act_hidden, w2):
    delta_out = (P - Y) / X.shape[0]
    delta_hidden = delta_out @ w2.T
    return (X.T @ delta_hidden, delta_hidden.sum(axis=0, keepdims=True),
            act_hidden.T @ delta_out, delta_out.sum(axis=0, keepdims=True))
""",
        "the hidden layer's σ′ = a(1 − a) is left out",
    ),
    Variant(
        "bug_sgd_no_shuffle",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    for start in range(0, X.shape[0], batch_size):
        xb, yb = X[start : start + batch_size], Y[start : start + batch_size]
        act_hidden, P = forward_pass(xb, w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(xb, yb, P, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2
""",
        "the batches in the data's own order: rng is never used",
    ),
    Variant(
        "bug_sgd_global_permutation",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    order = np.random.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        rows = order[start : start + batch_size]
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(X[rows], Y[rows], P, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2
""",
        "np.random.permutation: NumPy's global state, not rng",
    ),
    Variant(
        "bug_sgd_with_replacement",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    for _ in range(0, X.shape[0], batch_size):
        rows = rng.integers(0, X.shape[0], size=min(batch_size, X.shape[0]))
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(X[rows], Y[rows], P, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2
""",
        "batches drawn with replacement: some samples twice, some never",
    ),
    Variant(
        "bug_sgd_drop_last",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0] - batch_size + 1, batch_size):
        rows = order[start : start + batch_size]
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(X[rows], Y[rows], P, act_hidden, w2)
        w1, b1 = w1 - learning_rate * dw1, b1 - learning_rate * db1
        w2, b2 = w2 - learning_rate * dw2, b2 - learning_rate * db2
    return w1, b1, w2, b2
""",
        "the last, smaller batch is skipped",
    ),
    Variant(
        "bug_sgd_in_place",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        rows = order[start : start + batch_size]
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        dw1, db1, dw2, db2 = backward(X[rows], Y[rows], P, act_hidden, w2)
        w1 -= learning_rate * dw1
        b1 -= learning_rate * db1
        w2 -= learning_rate * dw2
        b2 -= learning_rate * db2
    return w1, b1, w2, b2
""",
        "w1 -= λ·dw1 writes into the caller's arrays",
    ),
    Variant(
        "bug_sgd_one_step",
        "sgd_epoch",
        "buggy",
        """\
def sgd_epoch(X, Y, w1, b1, w2, b2, learning_rate, batch_size, rng):
    order = rng.permutation(X.shape[0])
    total = [np.zeros_like(p) for p in (w1, b1, w2, b2)]
    batches = range(0, X.shape[0], batch_size)
    for start in batches:
        rows = order[start : start + batch_size]
        act_hidden, P = forward_pass(X[rows], w1, b1, w2, b2)
        grads = backward(X[rows], Y[rows], P, act_hidden, w2)
        total = [t + g / len(batches) for t, g in zip(total, grads)]
    return tuple(p - learning_rate * g for p, g in zip((w1, b1, w2, b2), total))
""",
        "the batch gradients are averaged into one step per epoch",
    ),
    Variant(
        "bug_train_fresh_rng",
        "train",
        "buggy",
        """\
def train(
    X_train, Y_train, X_test, Y_test, w1, b1, w2, b2, learning_rate, batch_size, n_epochs, rng
):
    curves = np.zeros((n_epochs, 4))
    for epoch in range(n_epochs):
        w1, b1, w2, b2 = sgd_epoch(X_train, Y_train, w1, b1, w2, b2, learning_rate, batch_size,
                                   np.random.default_rng(0))
        for column, (X, Y) in [(0, (X_train, Y_train)), (2, (X_test, Y_test))]:
            _, P = forward_pass(X, w1, b1, w2, b2)
            curves[epoch, column] = cross_entropy(P, Y)
            curves[epoch, column + 1] = accuracy(np.argmax(P, axis=1), np.argmax(Y, axis=1))
    return w1, b1, w2, b2, curves
""",
        "a new generator of seed 0 every epoch: the rng given is ignored",
    ),
    Variant(
        "bug_train_curves_before_epoch",
        "train",
        "buggy",
        """\
def train(
    X_train, Y_train, X_test, Y_test, w1, b1, w2, b2, learning_rate, batch_size, n_epochs, rng
):
    curves = np.zeros((n_epochs, 4))
    for epoch in range(n_epochs):
        for column, (X, Y) in [(0, (X_train, Y_train)), (2, (X_test, Y_test))]:
            _, P = forward_pass(X, w1, b1, w2, b2)
            curves[epoch, column] = cross_entropy(P, Y)
            curves[epoch, column + 1] = accuracy(np.argmax(P, axis=1), np.argmax(Y, axis=1))
        w1, b1, w2, b2 = sgd_epoch(X_train, Y_train, w1, b1, w2, b2, learning_rate, batch_size, rng)
    return w1, b1, w2, b2, curves
""",
        "each row measured before its epoch's updates",
    ),
    Variant(
        "bug_train_columns_swapped",
        "train",
        "buggy",
        """\
def train(
    X_train, Y_train, X_test, Y_test, w1, b1, w2, b2, learning_rate, batch_size, n_epochs, rng
):
    curves = np.zeros((n_epochs, 4))
    for epoch in range(n_epochs):
        w1, b1, w2, b2 = sgd_epoch(X_train, Y_train, w1, b1, w2, b2, learning_rate, batch_size, rng)
        for column, (X, Y) in [(0, (X_train, Y_train)), (2, (X_test, Y_test))]:
            _, P = forward_pass(X, w1, b1, w2, b2)
            curves[epoch, column + 1] = cross_entropy(P, Y)
            curves[epoch, column] = accuracy(np.argmax(P, axis=1), np.argmax(Y, axis=1))
    return w1, b1, w2, b2, curves
""",
        "accuracy in the loss's column and the loss in the accuracy's",
    ),
    Variant(
        "bug_train_notebook_rate",
        "train",
        "buggy",
        """\
def train(
    X_train, Y_train, X_test, Y_test, w1, b1, w2, b2, learning_rate, batch_size, n_epochs, rng
):
    curves = np.zeros((n_epochs, 4))
    for epoch in range(n_epochs):
        w1, b1, w2, b2 = sgd_epoch(X_train, Y_train, w1, b1, w2, b2, LEARNING_RATE, batch_size, rng)
        for column, (X, Y) in [(0, (X_train, Y_train)), (2, (X_test, Y_test))]:
            _, P = forward_pass(X, w1, b1, w2, b2)
            curves[epoch, column] = cross_entropy(P, Y)
            curves[epoch, column + 1] = accuracy(np.argmax(P, axis=1), np.argmax(Y, axis=1))
    return w1, b1, w2, b2, curves
""",
        "the notebook's LEARNING_RATE instead of the argument",
    ),
    Variant(
        "bug_predict_axis0",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    return np.argmax(forward_pass(X, w1, b1, w2, b2)[1], axis=0)
""",
        "arg max over the samples (axis 0) instead of the classes",
    ),
    Variant(
        "bug_predict_argmin",
        "predict",
        "buggy",
        """\
def predict(X, w1, b1, w2, b2):
    return np.argmin(forward_pass(X, w1, b1, w2, b2)[1], axis=1)
""",
        "the least probable class",
    ),
    Variant(
        "bug_accuracy_count",
        "accuracy",
        "buggy",
        """\
def accuracy(predicted, labels):
    return float(np.sum(np.asarray(predicted) == np.asarray(labels)))
""",
        "the number of right predictions, not their share",
    ),
    Variant(
        "bug_accuracy_error_rate",
        "accuracy",
        "buggy",
        """\
def accuracy(predicted, labels):
    return float(np.mean(np.asarray(predicted) != np.asarray(labels)))
""",
        "the share of wrong predictions",
    ),
    Variant(
        "bug_confusion_transposed",
        "confusion_matrix",
        "buggy",
        """\
def confusion_matrix(labels, predicted, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (np.asarray(predicted), np.asarray(labels)), 1)
    return C
""",
        "rows are the predictions, columns the true classes",
    ),
    Variant(
        "bug_confusion_fancy_increment",
        "confusion_matrix",
        "buggy",
        """\
def confusion_matrix(labels, predicted, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    C[labels, predicted] += 1
    return C
""",
        "C[labels, predicted] += 1 counts a repeated pair once",
    ),
    Variant(
        "bug_confusion_size_from_labels",
        "confusion_matrix",
        "buggy",
        """\
def confusion_matrix(labels, predicted, n_classes):
    k = max(np.max(labels), np.max(predicted)) + 1
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (np.asarray(labels), np.asarray(predicted)), 1)
    return C
""",
        "sized by the largest class seen, not n_classes",
    ),
)

CORRECT = tuple(v for v in VARIANTS if v.kind == "correct")
BUGGY = tuple(v for v in VARIANTS if v.kind == "buggy")
