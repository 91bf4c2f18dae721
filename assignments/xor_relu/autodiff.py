"""``jax.grad`` of xor_relu's loss, for ``checks/check_backward.py``.

Run as a script in a process of its own (``python -I autodiff.py``), so that the
grader never imports JAX: JAX starts threads, and a grader that forks its
workers afterwards could deadlock. Reads from stdin a JSON list of cases, each
``[flat parameters [W1, b1, W2, b2, ...], X, y]`` as nested lists; writes to
stdout ``{"gradients": [[dW1, db1, ...], ...]}`` in float64, or
``{"unavailable": reason}`` when JAX cannot be imported. It imports nothing of
the kit.
"""

import json
import sys


def loss(flat, X, y):
    """The mean squared error of a ReLU network with a sigmoid output, in jax.numpy."""
    import jax
    import jax.numpy as jnp

    a = X
    pairs = list(zip(flat[::2], flat[1::2], strict=True))
    for W, b in pairs[:-1]:
        a = jax.nn.relu(a @ W + b)  # its derivative at 0 is 0, as the contract's
    W, b = pairs[-1]
    return jnp.mean((jax.nn.sigmoid(a @ W + b) - y) ** 2)


def main() -> None:
    try:
        import jax
    except ImportError as exc:
        json.dump({"unavailable": f"{type(exc).__name__}: {exc}"}, sys.stdout)
        return
    import numpy as np

    jax.config.update("jax_enable_x64", True)  # float64, as the checks compute
    jax.config.update("jax_platforms", "cpu")  # no search for accelerators
    # a few tiny operations: they compile faster unoptimised than they would run optimised
    jax.config.update("jax_disable_most_optimizations", True)
    cases = [
        ([np.array(a, dtype=float) for a in flat], np.array(X, dtype=float), np.array(y))
        for flat, X, y in json.load(sys.stdin)
    ]
    # one compiled function for all the cases: one compilation instead of one per shape
    grads = jax.jit(lambda cases: [jax.grad(loss)(*case) for case in cases])(cases)
    json.dump({"gradients": [[np.asarray(g).tolist() for g in case] for case in grads]}, sys.stdout)


if __name__ == "__main__":
    main()
