"""``xor_relu``: a network of ReLU hidden layers, a list of (W, b) pairs of any
depth, with biases, a sigmoid output and the mean squared error, learns XOR by
gradient descent. The student contract, written once: the functions in notebook
order, the points of their test cells, the contract functions each calls, and
the hyper-parameters the notebook states and the convergence checks use.

Over seeds 0-199 (He initialisation, layers [2, 10, 1], λ = 1.5, 500 epochs)
the reference learns XOR from 194 seeds; seeds 50, 59, 62, 125, 126 and 190 end
with dead units and are never used by the checks.
"""

from autograder.checking.assignment import Assignment, Function

ASSIGNMENT = Assignment(
    __file__,
    title="XOR with ReLU layers",
    functions=(
        Function("relu", points=1),
        Function("relu_derivative", points=1),
        Function("initialize_parameters", points=2),
        Function("forward_pass", points=2, calls=("relu",)),
        Function("mse", points=1),
        Function("backward", points=5, calls=("relu_derivative",)),
        Function("train", points=3, calls=("forward_pass", "mse", "backward")),
        Function("predict", points=1, calls=("forward_pass",)),
    ),
    settings={"LAYERS": [2, 10, 1], "LEARNING_RATE": 1.5, "N_EPOCHS": 500, "SEED": 1},
    checks=(
        "check_relu",
        "check_relu_derivative",
        "check_initialize_parameters",
        "check_forward_pass",
        "check_mse",
        "check_backward",
        "check_train",
        "check_predict",
    ),
    # `xorkit audit`: the share of non-equivalent mutants the checks must kill
    # (measured: all 223, 100%; five likely equivalent, listed in the README)
    audit_minimum=0.98,
)
