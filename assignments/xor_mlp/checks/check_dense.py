import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import close
from autograder.checking.runner import expect

from .. import ASSIGNMENT
from ..cases import SHAPES


def _check_shapes(impl, shapes, seed):
    rng = np.random.default_rng(seed)
    for n, d, h in shapes:
        inputs, weights = rng.normal(size=(n, d)), rng.normal(size=(d, h))
        out = np.asarray(
            call(
                impl,
                "dense",
                inputs,
                weights,
                where=f"for ({n}, {d}) inputs and ({d}, {h}) weights",
                hint="the product is inputs @ weights, sized by its arguments",
            )
        )
        expect(
            out.shape == (n, h),
            f"({n}, {d}) inputs times ({d}, {h}) weights should give shape ({n}, {h}), "
            f"got {out.shape}",
        )
        expect(
            close(out, inputs @ weights),
            f"for N={n}, D={d}, H={h} the values are not inputs @ weights",
        )


@ASSIGNMENT.check("dense", "the XOR batch, (4, 2)·(2, 3)", weight=1)
def test_xor_shape(impl):
    _check_shapes(impl, [(4, 2, 3)], seed=13)


@ASSIGNMENT.check("dense", "other shapes: (N, D)·(D, H) for any N, D, H", weight=2)
def test_other_shapes(impl):
    _check_shapes(impl, (*SHAPES[1:], (5, 1, 1)), seed=14)
