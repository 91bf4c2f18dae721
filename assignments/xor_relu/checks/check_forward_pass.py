import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import ARCHITECTURES, case


def _sigma(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _outputs(impl, sizes, seed, n=6):
    X, _, params = case(seed, n, sizes)
    where = f"for N={n}, layers {sizes}"
    result = call(impl, "forward_pass", X, params, where=where)
    expect(
        isinstance(result, tuple | list) and len(result) == 2,
        "forward_pass should return the pair (zs, activations)",
    )
    zs, acts = ([np.asarray(a, dtype=float) for a in part] for part in result)
    return X, params, zs, acts, where


@ASSIGNMENT.check(
    "forward_pass", "a cache of L pre-activations and L + 1 activations, X first", weight=1
)
def test_cache(impl):
    for i, sizes in enumerate(ARCHITECTURES):
        X, params, zs, acts, where = _outputs(impl, sizes, seed=20 + i)
        n_layers = len(params)
        expect(
            len(zs) == n_layers,
            f"{where} zs should hold the {n_layers} pre-activations Z_1 … Z_L, got {len(zs)}",
        )
        expect(
            len(acts) == n_layers + 1,
            f"{where} activations should hold {n_layers + 1} arrays, [X, A_1, …, A_L], "
            f"got {len(acts)}",
        )
        expect(np.array_equal(acts[0], X), f"{where} activations[0] should be the input X itself")
        for layer, width in enumerate(sizes[1:], start=1):
            expect(
                zs[layer - 1].shape == (len(X), width) and acts[layer].shape == (len(X), width),
                f"{where} Z_{layer} and A_{layer} should have shape (N, n_{layer}) = "
                f"({len(X)}, {width}), got {zs[layer - 1].shape} and {acts[layer].shape}",
            )


@ASSIGNMENT.check("forward_pass", "hidden layers: Z = A W + b, A = ReLU(Z)", weight=2)
def test_hidden(impl):
    for i, sizes in enumerate(ARCHITECTURES):
        X, params, zs, acts, where = _outputs(impl, sizes, seed=30 + i)
        a = X
        for layer, (W, b) in enumerate(params[:-1], start=1):
            z = a @ W + b
            expect(zs[layer - 1].shape == z.shape, f"{where} Z_{layer} has the wrong shape")
            if close(zs[layer - 1], a @ W):
                expect(False, f"{where} Z_{layer} has no bias: Z = A W + b")
            expect(
                close(zs[layer - 1], z),
                f"{where} Z_{layer} is not A_{layer - 1} W_{layer} + b_{layer}",
            )
            for wrong, why in [
                (_sigma(z), "the hidden layers use σ: they are ReLUs, A = max(0, Z)"),
                (z, "the hidden layer has no activation: A = ReLU(Z)"),
            ]:
                if close(acts[layer], wrong):
                    expect(False, f"{where} A_{layer}: {why}")
            expect(
                close(acts[layer], np.maximum(z, 0.0)), f"{where} A_{layer} is not ReLU(Z_{layer})"
            )
            a = np.maximum(z, 0.0)


@ASSIGNMENT.check("forward_pass", "output: ŷ = σ(A_{L−1} W_L + b_L)", weight=1)
def test_output(impl):
    for i, sizes in enumerate(ARCHITECTURES):
        X, params, zs, acts, where = _outputs(impl, sizes, seed=40 + i)
        # judged on the submission's own last hidden layer when it has the right shape:
        # a wrong hidden layer costs test_hidden only
        a = X
        for W, b in params[:-1]:
            a = np.maximum(a @ W + b, 0.0)
        if len(acts) == len(params) + 1 and acts[-2].shape == a.shape:
            a = acts[-2]
        W, b = params[-1]
        z = a @ W + b
        y_hat = acts[-1]
        for wrong, why in [
            (np.maximum(z, 0.0), "the output is a ReLU: it is a sigmoid, ŷ = σ(Z_L)"),
            (z, "the output is linear: ŷ = σ(Z_L)"),
            (_sigma(a @ W), "the output has no bias: ŷ = σ(A_{L−1} W_L + b_L)"),
        ]:
            if close(y_hat, wrong):
                expect(False, f"{where} {why}")
        expect(close(zs[-1], z), f"{where} Z_L is not A_{{L−1}} W_L + b_L")
        expect(close(y_hat, _sigma(z)), f"{where} ŷ = activations[-1] is not σ(Z_L)")
