"""``predict``: the arg max of the network's probabilities, one integer class per
sample, on several shapes."""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES, case


@ASSIGNMENT.check("predict", "the most probable class of each sample", weight=2)
def test_values(impl):
    ref = ASSIGNMENT.reference()
    for seed, (n, d, h, k) in enumerate(SHAPES):
        X, _, params = case(seed + 90, n, d, h, k)
        where = f"for N={n}, D={d}, H={h}, K={k}"
        got = np.asarray(call(impl, "predict", X, *params, where=where))
        want = ref.predict(X, *params)
        expect(
            got.size == want.size,
            f"{where} predict should return one class per sample, shape (N,) = ({n},), "
            f"got {got.shape}",
        )
        if not np.array_equal(got.ravel(), want):
            P = ref.forward_pass(X, *params)[1]
            hint = "take the arg max of P along axis 1, the classes"
            if n > 1 and np.array_equal(got.ravel()[:k], np.argmax(P, axis=0)[: got.size]):
                hint = "the arg max is taken over the samples (axis 0): take it over axis 1"
            elif np.array_equal(got.ravel(), np.argmin(P, axis=1)):
                hint = "that is the least probable class: use np.argmax"
            expect(
                False,
                f"{where} predict gives {got.ravel().tolist()} instead of {want.tolist()}; {hint}",
            )


@ASSIGNMENT.check("predict", "an (N,) array of integers", weight=1)
def test_shape(impl):
    X, _, params = case(95, 6, 3, 4, 5)
    got = np.asarray(call(impl, "predict", X, *params, where="for N=6, K=5"))
    expect(got.shape == (6,), f"for N=6 predict should return shape (N,) = (6,), got {got.shape}")
    expect(
        got.dtype.kind in "iu",
        f"predict should return integer classes (np.argmax gives them), got {got.dtype}",
    )
