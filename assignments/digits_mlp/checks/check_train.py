"""``train`` as ``n_epochs`` calls of ``sgd_epoch`` given its ``rng`` (the order
of the samples is ``sgd_epoch``'s business, checked there: one epoch is compared
with the submission's own ``sgd_epoch``, several with full-batch steps, which
no order changes), its learning curves against the reference's loss and accuracy of the
parameters after each epoch, its arguments left alone, and the test accuracy it
reaches on the digits with the notebook's settings."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import case, digits, read_only

NAMES = ("w1", "b1", "w2", "b2")
S = ASSIGNMENT.settings

# Test accuracy after training on the notebook's split with its settings (H = 32,
# λ = 1, batches of 32, 10 epochs), each seed both the initial parameters and the
# shuffling. Over seeds 0-199 the reference reaches 94.2 % to 97.8 % (median
# 96.4 %, 5th percentile 95.0 %; README, "digits_mlp"). A correct submission
# follows another trajectory than the reference as soon as it draws its order
# differently, so the bound is judged on the mean of two seeds and must hold for
# any two runs: the lowest mean of two of the reference's runs (consecutive
# seeds) is 94.6 %, seeds 0 and 1 give 96.7 % and 95.5 %. ACCURACY_BOUND is below
# all of them, and far above what a network that learns nothing (10 %) or too
# slowly (a missing 1/N, a tenth of λ) reaches.
ACCURACY_SEEDS = (0, 1)
ACCURACY_BOUND = 0.94


def _train(impl, Xtr, Ytr, Xte, Yte, params, rate, batch, epochs, seed):
    where = f"for N={len(Xtr)}, batch_size={batch}, n_epochs={epochs}"
    result = call(
        impl,
        "train",
        Xtr,
        Ytr,
        Xte,
        Yte,
        *params,
        rate,
        batch,
        epochs,
        np.random.default_rng(seed),
        where=where,
    )
    expect(
        isinstance(result, tuple | list) and len(result) == 5,
        "train should return (w1, b1, w2, b2, curves)",
    )
    *trained, curves = result
    return where, [np.asarray(p, dtype=float) for p in trained], np.asarray(curves, dtype=float)


def _small():
    X, Y, params = case(80, 14, 4, 5, 3)
    Xt, Yt, _ = case(81, 6, 4, 5, 3)
    return X, Y, Xt, Yt, params


def _full_batch_epochs(X, Y, params, rate, epochs):
    """The parameters after each of ``epochs`` full-batch steps: what sgd_epoch gives
    with batch_size ≥ N, whatever order it draws."""
    ref = ASSIGNMENT.reference()
    after = []
    for _ in range(epochs):
        act, P = ref.forward_pass(X, *params)
        grads = ref.backward(X, Y, P, act, params[2])
        params = [p - rate * g for p, g in zip(params, grads, strict=True)]
        after.append(params)
    return after


@ASSIGNMENT.check(
    "train", "n_epochs epochs of sgd_epoch, shuffled by the rng it is given", weight=1
)
def test_follows_sgd_epoch(impl):
    X, Y, Xt, Yt, params = _small()
    # one epoch: exactly the submission's sgd_epoch with a generator of the same seed
    where, trained, _ = _train(impl, X, Y, Xt, Yt, params, 0.5, 4, 1, 9)
    # the sgd_epoch train calls: the reference while the submission's is swapped out
    # (it failed its checks, or calls a function that did), else the submission's
    if "sgd_epoch" in impl.swapped:
        want = ASSIGNMENT.reference().sgd_epoch(X, Y, *params, 0.5, 4, np.random.default_rng(9))
    else:
        want = call(impl, "sgd_epoch", X, Y, *params, 0.5, 4, np.random.default_rng(9))
    for name, got, w in zip(NAMES, trained, want, strict=True):
        expect(
            got.shape == np.shape(w) and close(got, w),
            f"{where} the trained {name} differs from one call of sgd_epoch with the same "
            "arguments and a generator of the same seed: pass rng to sgd_epoch",
        )
    # several epochs of one batch each: full-batch steps, whatever the order
    where, trained, _ = _train(impl, X, Y, Xt, Yt, params, 0.5, len(X), 3, 10)
    for name, got, w in zip(
        NAMES, trained, _full_batch_epochs(X, Y, params, 0.5, 3)[-1], strict=True
    ):
        expect(
            got.shape == w.shape and close(got, w),
            f"{where} the trained {name} differs from 3 epochs of sgd_epoch (with batch_size = N, "
            "3 full-batch steps): run n_epochs epochs, each from the parameters the last returned",
        )
    # the shuffling: the same seed, the same run; another seed, another one
    _, a, _ = _train(impl, X, Y, Xt, Yt, params, 0.5, 3, 2, 11)
    _, b, _ = _train(impl, X, Y, Xt, Yt, params, 0.5, 3, 2, 11)
    _, c, _ = _train(impl, X, Y, Xt, Yt, params, 0.5, 3, 2, 12)
    expect(
        all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)),
        "two generators with the same seed gave different trainings: shuffle only with rng",
    )
    expect(
        not all(np.allclose(x, z) for x, z in zip(a, c, strict=True)),
        "generators with different seeds gave the same training: pass rng to sgd_epoch",
    )


@ASSIGNMENT.check(
    "train",
    "curves: loss and accuracy on the training and test sets after each epoch",
    weight=1,
)
def test_curves(impl):
    ref = ASSIGNMENT.reference()
    X, Y, Xt, Yt, params = _small()
    where, _, curves = _train(impl, X, Y, Xt, Yt, params, 2.0, len(X), 4, 12)
    expect(
        curves.shape == (4, 4),
        f"{where} curves should have shape (n_epochs, 4) = (4, 4), got {curves.shape}",
    )
    for epoch, p in enumerate(_full_batch_epochs(X, Y, params, 2.0, 4)):
        for column, (Xs, Ys, which) in [(0, (X, Y, "training")), (2, (Xt, Yt, "test"))]:
            P = ref.forward_pass(Xs, *p)[1]
            loss = ref.cross_entropy(P, Ys)
            acc = ref.accuracy(np.argmax(P, axis=1), np.argmax(Ys, axis=1))
            expect(
                np.isclose(curves[epoch, column], loss, rtol=1e-7),
                f"{where} curves[{epoch}, {column}] should be the {which} loss after epoch "
                f"{epoch}, {loss:.6g}, got {curves[epoch, column]:.6g}",
            )
            expect(
                np.isclose(curves[epoch, column + 1], acc),
                f"{where} curves[{epoch}, {column + 1}] should be the {which} accuracy after "
                f"epoch {epoch}, {acc:.4g}, got {curves[epoch, column + 1]:.4g}",
            )


@ASSIGNMENT.check("train", "leaves the arrays it is given unchanged", weight=1)
def test_read_only(impl):
    X, Y, Xt, Yt, params = _small()
    frozen = read_only(X, Y, Xt, Yt, *params)
    call(
        impl,
        "train",
        *frozen,
        0.5,
        4,
        2,
        np.random.default_rng(13),
        where="for read-only arguments",
        hint="return new arrays and leave the caller's alone",
    )


@ASSIGNMENT.check(
    "train",
    f"reaches {ACCURACY_BOUND:.0%} test accuracy on the digits (mean of seeds 0 and 1)",
    weight=1,
)
def test_accuracy(impl):
    ref = ASSIGNMENT.reference()
    Xtr, Ytr, Xte, Yte = digits()
    reached = []
    for seed in ACCURACY_SEEDS:
        params = ref.initialize_parameters(
            Xtr.shape[1], S["HIDDEN"], S["N_CLASSES"], np.random.default_rng(seed)
        )
        _, trained, _ = _train(
            impl,
            Xtr,
            Ytr,
            Xte,
            Yte,
            params,
            S["LEARNING_RATE"],
            S["BATCH_SIZE"],
            S["N_EPOCHS"],
            seed,
        )
        expect(
            len(trained) == 4 and trained[2].shape == params[2].shape,
            "the trained parameters should keep their shapes",
        )
        P = ref.forward_pass(Xte, *trained)[1]
        reached.append(ref.accuracy(np.argmax(P, axis=1), np.argmax(Yte, axis=1)))
    mean = float(np.mean(reached))
    expect(
        mean >= ACCURACY_BOUND,
        f"trained on the digits with the notebook's settings from seeds 0 and 1, the network "
        f"classifies {', '.join(f'{a:.1%}' for a in reached)} of the test images correctly; "
        f"a correct train reaches at least {ACCURACY_BOUND:.0%} on average",
    )
