"""``xor_bias_bce``: a 2-3-1 network with biases and a sigmoid output learns XOR
by gradient descent on the binary cross-entropy; ``train_many`` trains K such
networks at once for the study of the initial weight scale. The student
contract, written once: the functions in notebook order, the points of their
test cells, the contract functions each calls, and the hyper-parameters the
notebook states and the convergence checks use.

Over seeds 0-199 (standard deviation 1, H = 3, λ = 2, 5000 epochs) the
reference learns XOR from 197 seeds; seeds 2, 115 and 185 stay in a local
minimum at a loss of about 0.347 and are never used by the checks.
"""

from autograder.checking.assignment import Assignment, Function

ASSIGNMENT = Assignment(
    __file__,
    title="XOR with biases and binary cross-entropy",
    functions=(
        Function("sigmoid", points=1),
        Function("sigmoid_derivative", points=1),
        Function("initialize_parameters", points=2),
        Function("forward_pass", points=2, calls=("sigmoid",)),
        Function("binary_cross_entropy", points=2),
        Function("backward", points=5, calls=("sigmoid_derivative",)),
        Function("train", points=3, calls=("forward_pass", "binary_cross_entropy", "backward")),
        Function("predict", points=1, calls=("forward_pass",)),
        Function("train_many", points=3, calls=("sigmoid", "sigmoid_derivative")),
    ),
    settings={"LEARNING_RATE": 2.0, "N_EPOCHS": 5000, "HIDDEN": 3, "SEED": 7},
    checks=(
        "check_sigmoid",
        "check_sigmoid_derivative",
        "check_initialize_parameters",
        "check_forward_pass",
        "check_binary_cross_entropy",
        "check_backward",
        "check_train",
        "check_predict",
        "check_train_many",
    ),
    # `xorkit audit`: the share of non-equivalent mutants the checks must kill
    # (measured: 429 of 437, 98.2%; the survivors are listed in the README)
    audit_minimum=0.98,
)
