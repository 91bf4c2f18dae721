"""``xor_mlp``: a 2-3-1 network without biases learns XOR (sigmoid hidden layer,
linear output, mean squared error). The student contract, written once: the
functions in notebook order, the points of their test cells, the contract
functions each calls, and the hyper-parameters the notebook states and the
convergence checks use (over seeds 0-199 the reference then always learns XOR,
with a final error of at most 0.012)."""

from autograder.checking.assignment import Assignment, Function

ASSIGNMENT = Assignment(
    __file__,
    title="Build your own MLP: XOR",
    functions=(
        Function("sigmoid", points=2),
        Function("sigmoid_derivative", points=1),
        Function("dense", points=1),
        Function("initialize_weights", points=1),
        Function("forward_pass", points=2, calls=("sigmoid", "dense")),
        Function("mse", points=2),
        Function("backward", points=4, calls=("mse", "sigmoid_derivative")),
        Function("backward_loops", points=2, calls=("mse", "sigmoid_derivative")),
        Function("train", points=3, calls=("forward_pass", "backward")),
        Function("predict", points=2, calls=("forward_pass",)),
    ),
    settings={"LEARNING_RATE": 0.5, "N_EPOCHS": 5000},
    checks=(
        "check_sigmoid",
        "check_sigmoid_derivative",
        "check_dense",
        "check_initialize_weights",
        "check_forward_pass",
        "check_mse",
        "check_backward",
        "check_train",
        "check_predict",
    ),
    mistakes="mistakes",
    # `xorkit audit`: the share of non-equivalent mutants the checks must kill
    audit_minimum=0.98,
)
