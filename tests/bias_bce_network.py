"""A stand-in for the sweep's part of ``xor_bias_bce``'s reference, for the tests
and the sweep benchmark until the course has that reference.

A 2-H-1 network with biases, a sigmoid hidden layer and a sigmoid output,
trained by full-batch gradient descent on the mean binary cross-entropy. The
three functions keep the assignment's contract (names, arguments, shapes);
``train_many`` does for K networks at once, step for step, the arithmetic
``train`` does for one, so that network k follows ``train``'s trajectory.
"""

import numpy as np

# ŷ is clipped this far from 0 and 1 before the logarithm: the loss stays finite
# where σ saturates, and the clip never touches the gradient (ŷ − y uses ŷ itself).
EPS = 1e-12


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def initialize_parameters(input_size, hidden_size, output_size, rng, std=1.0):
    """(w1, b1, w2, b2): shapes (D, H), (1, H), (H, O), (1, O), normal(0, std) from rng."""
    w1 = rng.normal(0.0, std, size=(input_size, hidden_size))
    b1 = rng.normal(0.0, std, size=(1, hidden_size))
    w2 = rng.normal(0.0, std, size=(hidden_size, output_size))
    b2 = rng.normal(0.0, std, size=(1, output_size))
    return w1, b1, w2, b2


def _bce(y_hat, y, axes):
    y_hat = np.clip(y_hat, EPS, 1 - EPS)
    return -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat), axis=axes)


def train(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    """(w1, b1, w2, b2, losses): gradient descent on the mean BCE; losses (n_epochs,),
    losses[i] the loss before update i; new arrays, the arguments are left alone."""
    w1, b1, w2, b2 = (np.array(p, dtype=float) for p in (w1, b1, w2, b2))
    losses = np.empty(n_epochs)
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)  # (N, H)
        y_hat = sigmoid(act_hidden @ w2 + b2)  # (N, O)
        losses[epoch] = _bce(y_hat, y, None)
        dz2 = (y_hat - y) / y.size  # (N, O): dL/dz through the sigmoid output
        dz1 = (dz2 @ w2.T) * act_hidden * (1 - act_hidden)  # (N, H)
        w2 -= learning_rate * (act_hidden.T @ dz2)
        b2 -= learning_rate * dz2.sum(axis=0, keepdims=True)
        w1 -= learning_rate * (X.T @ dz1)
        b1 -= learning_rate * dz1.sum(axis=0, keepdims=True)
    return w1, b1, w2, b2, losses


def train_many(X, y, w1, b1, w2, b2, learning_rate, n_epochs):
    """``train`` for K networks at once: w1 (K, D, H), b1 (K, 1, H), w2 (K, H, O),
    b2 (K, 1, O); returns them trained and losses (K, n_epochs)."""
    w1, b1, w2, b2 = (np.array(p, dtype=float) for p in (w1, b1, w2, b2))
    losses = np.empty((w1.shape[0], n_epochs))
    for epoch in range(n_epochs):
        act_hidden = sigmoid(X @ w1 + b1)  # (K, N, H)
        y_hat = sigmoid(act_hidden @ w2 + b2)  # (K, N, O)
        losses[:, epoch] = _bce(y_hat, y, (1, 2))
        dz2 = (y_hat - y) / y.size  # (K, N, O)
        dz1 = (dz2 @ w2.transpose(0, 2, 1)) * act_hidden * (1 - act_hidden)  # (K, N, H)
        w2 -= learning_rate * (act_hidden.transpose(0, 2, 1) @ dz2)
        b2 -= learning_rate * dz2.sum(axis=1, keepdims=True)
        w1 -= learning_rate * (X.T @ dz1)
        b1 -= learning_rate * dz1.sum(axis=1, keepdims=True)
    return w1, b1, w2, b2, losses
