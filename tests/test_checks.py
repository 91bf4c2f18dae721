"""The hidden checks run directly: the reference passes, small broken variants fail."""

import numpy as np
import pytest

from autograder.checking import runner
from autograder.checking.runner import score
from tests.helpers import XOR


def namespace(**overrides):
    ns = {name: getattr(XOR.reference(), name) for name in XOR.names}
    ns["np"] = np
    ns.update(overrides)
    return ns


def run_checks(function, ns):
    return runner.run_checks(XOR, function, ns)


def failures(function, ns):
    return {r.name: r.message for r in run_checks(function, ns) if r.status != "passed"}


@pytest.mark.parametrize("function", XOR.names)
def test_reference_passes_every_check(function):
    """Every check of every function passes on the reference solution."""
    assert failures(function, namespace()) == {}


def test_sign_error_in_sigmoid():
    """σ(−x) fails the value check with a hint about the exponent's sign."""

    def sigmoid(x):
        return 1 / (1 + np.exp(x))

    msgs = failures("sigmoid", namespace(sigmoid=sigmoid))
    assert "sign of the exponent" in msgs["values on arrays of several shapes"]


def test_math_exp_sigmoid_fails_on_arrays():
    """A sigmoid built on math.exp raises on arrays and is reported, not crashed on."""
    import math

    def sigmoid(x):
        return 1 / (1 + math.exp(-x))

    msgs = failures("sigmoid", namespace(sigmoid=sigmoid))
    assert "raised TypeError" in msgs["values on arrays of several shapes"]


def test_sigma_instead_of_sigma_prime():
    """Multiplying by σ(a) instead of a·(1 − a) fails dL_dw1 with the derivative hint."""
    ref = XOR.reference()

    def backward(X, y, y_hat, act_hidden, w2):
        residual, error = ref.mse(y_hat, y)
        d = residual / X.shape[0]
        return X.T @ ((d @ w2.T) * ref.sigmoid(act_hidden)), act_hidden.T @ d, error

    ns = namespace(backward=backward)
    msgs = failures("backward", ns)
    assert set(msgs) == {"dL_dw1 matches finite differences"}
    assert "hidden-layer derivative" in msgs["dL_dw1 matches finite differences"]
    assert score(run_checks("backward", ns), points=4) == pytest.approx(2.0)


def test_missing_one_over_n():
    """Gradients without 1/N are reported as N times too large."""
    ref = XOR.reference()

    def backward(X, y, y_hat, act_hidden, w2):
        residual, error = ref.mse(y_hat, y)
        delta = (residual @ w2.T) * act_hidden * (1 - act_hidden)
        return X.T @ delta, act_hidden.T @ residual, error

    msgs = failures("backward", namespace(backward=backward))
    assert "divide by N" in msgs["dL_dw2 matches finite differences"]


def test_mse_sum_instead_of_mean():
    """An error summed over the batch is reported as growing with the batch size."""

    def mse(y_hat, y):
        residual = y_hat - y
        return residual, float(np.sum(0.5 * residual**2))

    msgs = failures("mse", namespace(mse=mse))
    assert "mean, not sum" in msgs["error = mean of ½·residual² over the batch"]


def test_sigmoid_output_layer():
    """A sigmoid on the output layer is caught: the contract's output is linear."""
    ref = XOR.reference()

    def forward_pass(X, w1, w2):
        act = ref.sigmoid(X @ w1)
        return act, ref.sigmoid(act @ w2)

    msgs = failures("forward_pass", namespace(forward_pass=forward_pass))
    assert "output layer is linear" in msgs["y_hat = act_hidden w2 (linear output), shape (N, O)"]


def test_initialize_weights_ignoring_rng():
    """Weights drawn from the global np.random state fail the rng check."""

    def initialize_weights(d, h, o, rng):
        return np.random.uniform(size=(d, h)), np.random.uniform(size=(h, o))

    msgs = failures("initialize_weights", namespace(initialize_weights=initialize_weights))
    assert set(msgs) == {"draws from the rng it is given"}


def test_train_adding_the_gradient():
    """Gradient ascent is caught by the trajectory and the convergence checks."""
    ref = XOR.reference()

    def train(X, y, w1, w2, learning_rate, n_epochs):
        errors = []
        for _ in range(n_epochs):
            act, y_hat = ref.forward_pass(X, w1, w2)
            dw1, dw2, err = ref.backward(X, y, y_hat, act, w2)
            errors.append(err)
            w1, w2 = w1 + learning_rate * dw1, w2 + learning_rate * dw2
        return w1, w2, errors

    msgs = failures("train", namespace(train=train))
    assert "follows gradient descent step by step" in msgs
    assert "XOR converges from fixed seeds" in msgs


def test_predict_without_threshold():
    """Returning raw outputs from predict fails with a hint to threshold at 0.5."""
    ref = XOR.reference()

    def predict(X, w1, w2):
        return ref.forward_pass(X, w1, w2)[1]

    msgs = failures("predict", namespace(predict=predict))
    assert "threshold" in msgs["0/1 predictions thresholded at 0.5, shape (N, O)"]


def test_not_implemented_is_not_attempted():
    """A stub that still raises NotImplementedError is reported as not attempted."""

    def dense(inputs, weights):
        raise NotImplementedError()

    results = run_checks("dense", namespace(dense=dense))
    assert {r.status for r in results} == {"not attempted"}
    assert score(results, points=1) == 0


def test_isolation_restores_the_namespace():
    """Grading one function swaps in the reference for the others, then restores them."""

    def dense(inputs, weights):
        return inputs @ weights

    ns = namespace(dense=dense)
    run_checks("forward_pass", ns)
    assert ns["dense"] is dense


def test_mutating_student_cannot_corrupt_later_checks():
    """A function that overwrites its arguments in place still gets judged on fresh inputs."""
    ref = XOR.reference()

    def mse(y_hat, y):
        residual, error = ref.mse(y_hat, y)
        y_hat[...] = 0.0
        y[...] = 0.0
        return residual, error

    assert failures("mse", namespace(mse=mse)) == {}


def notebook(code, **data):
    """A namespace like a notebook's: the reference, notebook data, then ``code``."""
    ns = namespace(**data)
    exec(code, ns)
    return ns


def test_reading_notebook_variables_is_named_in_the_message():
    """A predict that reads the notebook's trained weights is told which variables it reads."""
    code = "def predict(X, w1, w2):\n    return (X @ w1_trained @ w2_trained > 0.5).astype(int)\n"
    ns = notebook(code, w1_trained=np.ones((2, 3)), w2_trained=np.ones((3, 1)))
    msgs = failures("predict", ns)
    assert "uses the weights it is given" in msgs
    assert all("`w1_trained`, `w2_trained`" in m for m in msgs.values())


def test_functions_and_modules_are_not_reported_as_notebook_variables():
    """Calling other contract functions and np is not flagged; only data globals are."""
    from autograder.checking.hints import notebook_data_read
    from autograder.checking.runner import Submission

    code = (
        "def predict(X, w1, w2):\n    return (forward_pass(X, w1, w2)[1] > THRESHOLD).astype(int)\n"
    )
    ns = notebook(code, THRESHOLD=0.5, w1=np.ones((2, 3)))
    assert notebook_data_read(Submission(ns, XOR.names), "predict") == ["THRESHOLD"]
    assert failures("predict", ns) == {}


def test_hard_coded_batch_size_hint():
    """Gradients divided by 4 instead of N are reported as such on a batch of 7."""
    ref = XOR.reference()

    def backward(X, y, y_hat, act_hidden, w2):
        residual, error = ref.mse(y_hat, y)
        d = residual / 4
        return X.T @ ((d @ w2.T) * act_hidden * (1 - act_hidden)), act_hidden.T @ d, error

    msgs = failures("backward", namespace(backward=backward))
    assert "divided by 4 instead of the batch size" in msgs["dL_dw2 matches finite differences"]


def test_train_with_a_fixed_step_is_told_to_use_the_learning_rate():
    """A train that steps by the bare gradient is told the step size it used."""
    ref = XOR.reference()

    def train(X, y, w1, w2, learning_rate, n_epochs):
        errors = []
        for _ in range(n_epochs):
            act, y_hat = ref.forward_pass(X, w1, w2)
            dw1, dw2, err = ref.backward(X, y, y_hat, act, w2)
            errors.append(err)
            w1, w2 = w1 - dw1, w2 - dw2
        return w1, w2, errors

    msgs = failures("train", namespace(train=train))
    assert "λ = 1: use the learning_rate argument" in msgs["follows gradient descent step by step"]


def test_train_updating_one_layer_names_it():
    """A train that never updates w1 is told so."""
    ref = XOR.reference()

    def train(X, y, w1, w2, learning_rate, n_epochs):
        errors = []
        for _ in range(n_epochs):
            act, y_hat = ref.forward_pass(X, w1, w2)
            _, dw2, err = ref.backward(X, y, y_hat, act, w2)
            errors.append(err)
            w2 = w2 - learning_rate * dw2
        return w1, w2, errors

    msgs = failures("train", namespace(train=train))
    assert "w1 is never updated" in msgs["follows gradient descent step by step"]


def test_train_updating_in_place_passes():
    """A train that updates its argument arrays in place earns every point."""
    ref = XOR.reference()

    def train(X, y, w1, w2, learning_rate, n_epochs):
        errors = []
        for _ in range(n_epochs):
            act, y_hat = ref.forward_pass(X, w1, w2)
            dw1, dw2, err = ref.backward(X, y, y_hat, act, w2)
            errors.append(err)
            w1 -= learning_rate * dw1
            w2 -= learning_rate * dw2
        return w1, w2, errors

    assert failures("train", namespace(train=train)) == {}


def test_clipped_sigmoid_is_told_not_to_clip():
    """A sigmoid that clips x is correct near 0 and told not to clip far from it."""

    def sigmoid(x):
        return 1 / (1 + np.exp(-np.clip(x, -10, 10)))

    msgs = failures("sigmoid", namespace(sigmoid=sigmoid))
    assert set(msgs) == {"stays finite and correct for large |x|"}
    assert "do not clip x" in msgs["stays finite and correct for large |x|"]


def test_vectorised_math_exp_overflow_is_reported_with_a_hint():
    """np.vectorize over math.exp works on arrays but overflows at x = −1000: use np.exp."""
    import math

    sigmoid = np.vectorize(lambda v: 1 / (1 + math.exp(-v)))
    msgs = failures("sigmoid", namespace(sigmoid=sigmoid))
    assert set(msgs) == {"stays finite and correct for large |x|"}
    assert "OverflowError" in msgs["stays finite and correct for large |x|"]
    assert "use np.exp" in msgs["stays finite and correct for large |x|"]


def test_rounding_predict_passes():
    """np.round of the output is accepted: the checks keep outputs inside (−0.5, 1.5)."""
    ref = XOR.reference()

    def predict(X, w1, w2):
        return np.round(ref.forward_pass(X, w1, w2)[1])

    assert failures("predict", namespace(predict=predict)) == {}


def test_global_state_initialisation_scores_the_same_every_time():
    """Weights drawn from np.random instead of rng get the same partial credit on every run."""

    def initialize_weights(d, h, o, rng):
        return np.random.uniform(size=(d, h)), np.random.uniform(size=(h, o))

    ns = namespace(initialize_weights=initialize_weights)
    runs = [run_checks("initialize_weights", ns) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert score(runs[0], points=3) == pytest.approx(2)
