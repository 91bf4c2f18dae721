"""The binary cross-entropy: its value where ŷ lies inside (0, 1), a single number,
and finite where ŷ is exactly 0 or 1.

The notebook clips ŷ into [ε, 1 − ε] with ε = 1e-12. What the contract fixes is
the loss, not ε: the checks accept any clipping with ε ≤ 1e-6. It changes
nothing at the ŷ of the value check (at least 1e-5 from 0 and 1), costs a
confident right answer less than 1e-6 and a confident wrong one at least
−ln 1e-6 ≈ 13.8. Adding ε inside the logarithms instead moves the loss by about
ε/ŷ, within the relative tolerance for the notebook's ε = 1e-12.
"""

import numpy as np

from autograder.checking.hints import call
from autograder.checking.numerics import RTOL
from autograder.checking.runner import expect

from .. import ASSIGNMENT

# Bounds at ŷ exactly 0 or 1 that any clipping with ε ≤ EPS_MAX meets.
EPS_MAX = 1e-6
RIGHT_AT_MOST = 1e-6  # −ln(1 − ε) ≈ ε
WRONG_AT_LEAST = -np.log(EPS_MAX)  # 13.8; 27.6 with ε = 1e-12


def _truth(y_hat, y):
    return float(np.mean(-(y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat))))


def _cases():
    """ŷ inside (0, 1), near the ends too, with 0/1 targets; N = 1, 4, 7, 16."""
    rng = np.random.default_rng(45)
    for n in (4, 7, 16, 1):
        y_hat = rng.uniform(0.02, 0.98, size=(n, 1))
        y = rng.integers(0, 2, size=(n, 1)).astype(float)
        if n >= 7:  # confident answers, right and wrong, away from any clipping
            y_hat[:4, 0] = [1e-5, 1 - 1e-5, 3e-4, 1 - 3e-4]
            y[:4, 0] = [0.0, 0.0, 1.0, 1.0]
        yield y_hat, y


def _loss(impl, y_hat, y, where):
    return call(impl, "binary_cross_entropy", y_hat, y, where=where)


def _number(value, where):
    try:
        return float(np.squeeze(np.asarray(value, dtype=float)))
    except (TypeError, ValueError):
        expect(
            False,
            f"{where} binary_cross_entropy should return one number, the mean over all "
            f"elements; got an array of shape {np.shape(value)}",
        )


def _diagnose(got, y_hat, y, n):
    """What a wrong value is, when a common slip explains it."""
    want = _truth(y_hat, y)
    p = np.clip(y, 1e-12, 1 - 1e-12)
    known = [
        (-want, "the sign is flipped: the loss is −[y ln ŷ + (1 − y) ln(1 − ŷ)], never negative"),
        (n * want, "it is the sum over the batch: take the mean"),
        (want / np.log(10), "it uses log10: the cross-entropy uses the natural logarithm, np.log"),
        (want / np.log(2), "it uses log2: the cross-entropy uses the natural logarithm, np.log"),
        (
            float(np.mean(-y * np.log(y_hat))),
            "the term (1 − y)·ln(1 − ŷ) of the samples with label 0 is missing",
        ),
        (
            float(np.mean(-(1 - y) * np.log1p(-y_hat))),
            "the term y·ln ŷ of the samples with label 1 is missing",
        ),
        (
            _truth(p, np.clip(y_hat, 0, 1)),
            "the arguments are swapped: binary_cross_entropy(y_hat, y) takes the "
            "prediction first, then the targets",
        ),
        (
            float(np.mean(0.5 * (y_hat - y) ** 2)),
            "this is the mean squared error, not the cross-entropy",
        ),
    ]
    for eps in (1e-2, 1e-3, 1e-4, 1e-5):
        p = np.clip(y_hat, eps, 1 - eps)
        known.append(
            (
                _truth(p, y),
                f"ŷ is clipped at ε = {eps:g}, which changes the loss of confident "
                "answers: clip with ε = 1e-12",
            )
        )
    for value, why in known:
        if np.isclose(got, value, rtol=RTOL):
            return why
    return ""


@ASSIGNMENT.check(
    "binary_cross_entropy",
    "the mean over all elements of −[y ln ŷ + (1 − y) ln(1 − ŷ)]",
    weight=2,
)
def test_values(impl):
    for y_hat, y in _cases():
        n = len(y)
        where = f"for N={n}"
        result = _loss(impl, y_hat, y, where)
        expect(
            np.size(result) == 1,
            f"{where} binary_cross_entropy returned an array of shape {np.shape(result)}: "
            "return the mean over all elements, one number",
        )
        got, want = _number(result, where), _truth(y_hat, y)
        why = "" if np.isclose(got, want, rtol=RTOL) else _diagnose(got, y_hat, y, n)
        expect(
            np.isclose(got, want, rtol=RTOL),
            f"{where} the loss is {got:.6g}, not the mean of −[y ln ŷ + (1 − y) ln(1 − ŷ)] "
            f"({want:.6g})" + (f": {why}" if why else ""),
        )


@ASSIGNMENT.check("binary_cross_entropy", "returns a single number", weight=1)
def test_scalar(impl):
    y_hat, y = next(_cases())
    result = _loss(impl, y_hat, y, "for N=4")
    expect(
        np.ndim(result) == 0,
        f"binary_cross_entropy should return a single number, got shape {np.shape(result)}: "
        "the mean over all elements (a float)",
    )


@ASSIGNMENT.check("binary_cross_entropy", "finite where ŷ is exactly 0 or 1", weight=1)
def test_saturated(impl):
    clip = "clip ŷ into [ε, 1 − ε] with ε = 1e-12 before taking logarithms"
    for label, y_hat, y in [
        ("confident right answers", [[0.0], [1.0], [1.0]], [[0.0], [1.0], [1.0]]),
        ("confident wrong answers", [[1.0], [0.0], [1.0]], [[0.0], [1.0], [0.0]]),
        ("a mixed batch", [[0.0], [1.0], [0.3], [0.8]], [[1.0], [1.0], [0.0], [1.0]]),
    ]:
        y_hat, y = np.array(y_hat), np.array(y)
        where = f"for {label} (ŷ = {', '.join(f'{v:g}' for v in y_hat[:, 0])})"
        got = _number(_loss(impl, y_hat, y, where), where)
        expect(
            not np.isnan(got),
            f"{where} the loss is nan: 0·ln 0 is nan in floating point; {clip}",
        )
        expect(np.isfinite(got), f"{where} the loss is infinite: ln 0 = −∞; {clip}")
        expect(
            got > -RIGHT_AT_MOST,
            f"{where} the loss is {got:.3g}, negative: it is −[y ln ŷ + (1 − y) ln(1 − ŷ)]",
        )
        if label.endswith("right answers"):
            expect(
                abs(got) < RIGHT_AT_MOST,
                f"{where} the loss is {got:.3g}; a confident right answer costs −ln(1 − ε) ≈ ε, "
                "almost nothing: is ε too large?",
            )
        elif label.endswith("wrong answers"):
            expect(
                got >= WRONG_AT_LEAST,
                f"{where} the loss is {got:.3g}; a confident wrong answer costs −ln ε ≈ 27.6 "
                f"with ε = 1e-12 (at least {WRONG_AT_LEAST:.1f}): is ε too large?",
            )
