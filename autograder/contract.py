"""The student contract: the functions a submission defines, in notebook order."""

ASSIGNMENT = "xor_mlp"

FUNCTIONS = (
    "sigmoid",
    "sigmoid_derivative",
    "dense",
    "initialize_weights",
    "forward_pass",
    "mse",
    "backward",
    "backward_loops",
    "train",
    "predict",
)

# Hyper-parameters the notebook states and the convergence checks use.
LEARNING_RATE = 0.5
N_EPOCHS = 5000
