"""The catalogues of correct and buggy submissions, graded directly and by nbgrader.

One catalogue per assignment: ``tests/catalogue.py`` (xor_mlp) and
``tests/catalogue_bias_bce.py`` (xor_bias_bce). The direct grading runs in
seconds: it executes the solved notebook once, then for each variant defines
its code in a copy of the notebook's globals, runs every test cell's visible
asserts and the variant's own hidden checks as nbgrader would (an exception
zeroes the cell, otherwise the cell earns ``grade``'s partial credit). The
nbgrader grading builds one notebook per variant, autogrades each catalogue in
one batch, every hidden check included, and checks the same verdicts cell by
cell. xor_mlp's tests keep their ids; xor_bias_bce's are prefixed with its name.
``tests/catalogue_relu.py`` is xor_relu's catalogue, its ids prefixed likewise.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from functools import cache

import nbformat
import pytest

from autograder.checking.assignment import Assignment
from autograder.checking.runner import Submission, isolated, quiet, run_checks_on, score, to_swap
from autograder.engine import grading, sandbox
from tests import catalogue_bias_bce, catalogue_digits, catalogue_relu
from tests.catalogue import VARIANTS, Variant
from tests.helpers import (
    BCE,
    DIGITS,
    RELU,
    XOR,
    built_course,
    graded_cells,
    release_nb,
    release_with,
    solved_sources,
    submit,
)


@dataclass(frozen=True)
class Catalogue:
    assignment: Assignment
    variants: tuple[Variant, ...]
    min_correct: int
    min_buggy: int
    prefix: str  # of the parametrized test ids: none for xor_mlp, whose ids stay as they were

    @property
    def name(self) -> str:
        return self.assignment.name

    @property
    def cells(self) -> dict[str, float]:
        return graded_cells(self.assignment)

    @property
    def function_of_cell(self) -> dict[str, str]:
        return {cell: cell.removeprefix("test_") for cell in self.cells}

    @property
    def correct(self) -> list[Variant]:
        return [v for v in self.variants if v.kind == "correct"]

    @property
    def buggy(self) -> list[Variant]:
        return [v for v in self.variants if v.kind == "buggy"]


MLP = Catalogue(XOR, VARIANTS, min_correct=15, min_buggy=40, prefix="")
BIAS_BCE = Catalogue(
    BCE, catalogue_bias_bce.VARIANTS, min_correct=15, min_buggy=30, prefix=f"{BCE.name}-"
)
CATALOGUES = {c.name: c for c in (MLP, BIAS_BCE)}
# digits_mlp: test ids prefixed with its name, as xor_bias_bce's
DIGITS_CATALOGUE = Catalogue(
    DIGITS, catalogue_digits.VARIANTS, min_correct=10, min_buggy=20, prefix=f"{DIGITS.name}-"
)
CATALOGUES[DIGITS_CATALOGUE.name] = DIGITS_CATALOGUE

RELU_CAT = Catalogue(
    RELU, catalogue_relu.VARIANTS, min_correct=10, min_buggy=20, prefix=f"{RELU.name}-"
)
CATALOGUES[RELU_CAT.name] = RELU_CAT


def _cases(kind: str | None = None) -> list:
    """(catalogue name, variant) pairs of every catalogue, as pytest params."""
    return [
        pytest.param(c.name, v, id=f"{c.prefix}{v.name}")
        for c in CATALOGUES.values()
        for v in c.variants
        if kind in (None, v.kind)
    ]


def _well_formed(c: Catalogue) -> None:
    assert len(c.buggy) >= c.min_buggy
    assert len(c.correct) >= c.min_correct
    assert len({v.name for v in c.variants}) == len(c.variants)
    for v in c.variants:
        assert v.kind in ("correct", "buggy"), v.name
        assert v.function in c.function_of_cell.values(), v.name
        assert f"def {v.function}(" in v.code or "@np.vectorize" in v.code, v.name
        assert v.note, v.name


def test_catalogue_is_large_and_well_formed():
    """The catalogue holds at least 40 buggy and 15 correct variants with unique names."""
    _well_formed(MLP)


def test_bias_bce_catalogue_is_large_and_well_formed():
    """xor_bias_bce's catalogue holds at least 30 buggy and 15 correct variants with
    unique names, the seed article's code among them, and the bugs the second
    assignment is about: a bias gradient not summed, a loss without clipping, the
    squared error's derivative kept with a sigmoid output, a missing 1/N."""
    _well_formed(BIAS_BCE)
    names = {v.name for v in BIAS_BCE.buggy}
    assert {
        "bug_backward_bias_not_summed",
        "bug_bce_no_clip",
        "bug_backward_mse_derivative",
        "bug_backward_missing_mean",
    } <= names
    assert any(v.origin.startswith("seed 002") for v in BIAS_BCE.correct)
    assert any(v.origin.startswith("seed 002") for v in BIAS_BCE.buggy)


def test_relu_catalogue_is_large_and_well_formed():
    """xor_relu's catalogue holds at least 20 buggy and 10 correct variants with
    unique names, the seed notebook's code among them, and the bugs the third
    assignment is about: no ReLU′ mask, ReLU′(0) = 1 in relu_derivative, N(0, 1)
    or wrongly scaled weights, a network of two hard-coded layers; and a correct
    backward with the other convention at the kink."""
    _well_formed(RELU_CAT)
    names = {v.name for v in RELU_CAT.buggy}
    assert {
        "bug_backward_no_mask",
        "bug_relu_derivative_ge",
        "bug_init_seed_randn",
        "bug_init_fan_out",
        "bug_forward_two_layers_only",
    } <= names
    assert "ok_backward_other_convention" in {v.name for v in RELU_CAT.correct}
    assert any(v.origin.startswith("seed 003") for v in RELU_CAT.correct)
    assert any(v.origin.startswith("seed 003") for v in RELU_CAT.buggy)


# ---------------------------------------------------------------- verdicts


def verdict(variant: Variant, scores: dict[str, tuple[float, float]]) -> tuple[bool, list[str]]:
    """(as expected, problems) for one variant's per-function (score, max score)."""
    lost = {fn for fn, (got, full) in scores.items() if got < full - 1e-6}
    if variant.kind == "correct":
        return not lost, [f"lost points on {fn}" for fn in sorted(lost)]
    problems = []
    if variant.function not in lost:
        problems.append(f"not caught: full marks on {variant.function}")
    problems += [f"charged outside its own cell: {fn}" for fn in sorted(lost - {variant.function})]
    return not problems, problems


def confusion_table(
    c: Catalogue, results: dict[str, tuple[bool, list[str]]], timing: str, how: str
) -> str:
    """Correct variants accepted / rejected, buggy ones caught / missed, per function too."""
    caught = {
        v.name: not any(p.startswith("not caught") for p in results[v.name][1]) for v in c.buggy
    }
    accepted = {v.name: results[v.name][0] for v in c.correct}
    width = max(20, *(len(f) for f in c.function_of_cell.values()))
    lines = [
        f"{c.name} catalogue graded {how}: {len(c.variants)} variants, {timing}",
        f"{'':{width}s} {'correct accepted':>17s} {'rejected':>9s} {'buggy caught':>13s} "
        f"{'missed':>7s}",
    ]
    for function in [*c.function_of_cell.values(), None]:
        ok = [accepted[v.name] for v in c.correct if function in (None, v.function)]
        hit = [caught[v.name] for v in c.buggy if function in (None, v.function)]
        lines.append(
            f"{function or 'all':{width}s} {sum(ok):17d} {len(ok) - sum(ok):9d} "
            f"{sum(hit):13d} {len(hit) - sum(hit):7d}"
        )
    outside = sum(any(p.startswith("charged outside") for p in results[v.name][1]) for v in c.buggy)
    lines.append(f"buggy variants charged outside their own cell: {outside}/{len(c.buggy)}")
    for v in c.variants:
        ok, problems = results[v.name]
        if not ok:
            lines.append(f"  {v.name}: {'; '.join(problems)}")
    return "\n".join(lines)


# ----------------------------------------------------------- direct grading


_solved_sources = cache(solved_sources)


@cache
def _visible_tests(name: str) -> dict[str, str]:
    """The visible part of each autograded test cell, as the release shows it."""
    cells = CATALOGUES[name].cells
    nb = nbformat.read(release_nb(name), as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in cells
    }


@contextlib.contextmanager
def _without_jax():
    """JAX unimportable for the duration: a notebook run in this process (xor_relu's
    optional JAX section) takes its skip path, so that no JAX threads are running
    when the nbgrader grading later forks its workers."""
    saved = sys.modules.get("jax")
    sys.modules["jax"] = None  # import jax raises ImportError
    try:
        yield
    finally:
        if saved is None:
            del sys.modules["jax"]
        else:
            sys.modules["jax"] = saved


@cache
def _notebook_globals(name: str) -> dict:
    """The globals of the solved notebook after running it top to bottom."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__main__"}
    contract = CATALOGUES[name].assignment
    nb = nbformat.read(contract.solutions() / f"{name}.ipynb", as_version=4)
    with quiet(), _without_jax():
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(cell.source, namespace)
    plt.close("all")
    return namespace


def grade_directly(variant: Variant, name: str = MLP.name) -> dict[str, tuple[float, float]]:
    """Per-function (score, max score) of ``variant`` of assignment ``name``, graded
    in-process as the grader grades: the solution cells, the variant's among them,
    are defined in a copy of the solved notebook's final globals (so code reading
    ``w1_trained`` or ``X`` finds them); then each test cell runs in notebook order,
    its visible asserts with every other contract function bound to the reference
    and the failed dependencies of its own swapped for it, then, in the variant's
    own cell, the hidden checks (other cells run the reference: full marks).
    """
    c = CATALOGUES[name]
    contract = c.assignment
    ns = dict(_notebook_globals(name))
    with quiet():
        # Define every solution cell again so that the functions look up their
        # callees (the variant's among them) in this copy, not in the cached run.
        for code in {**_solved_sources(name), variant.function: variant.code}.values():
            exec(code, ns)
    ref = contract.reference()
    scores, passed = {}, {}
    for cell, points in c.cells.items():
        function = c.function_of_cell[cell]
        swap = to_swap(contract, function, passed)
        visible = {**ns, **{n: getattr(ref, n) for n in contract.names if n != function}}
        try:
            with quiet(), isolated(contract, ns, swap):
                exec(_visible_tests(name)[cell], visible)
        except Exception:
            scores[function], passed[function] = (0.0, float(points)), False
            continue
        if function == variant.function:
            with isolated(contract, ns, swap):
                results = run_checks_on(contract, function, Submission(ns, contract.names, swap))
            passed[function] = all(r.status == "passed" for r in results)
            scores[function] = (score(results, points), float(points))
        else:
            scores[function], passed[function] = (float(points), float(points)), True
    return scores


@pytest.mark.parametrize(("name", "variant"), _cases())
def test_variant_graded_directly(name, variant):
    """Graded in-process, a correct variant keeps every point and a buggy one loses
    points in its own cell and nowhere its entry does not allow."""
    ok, problems = verdict(variant, grade_directly(variant, name))
    assert ok, f"{variant.name} ({variant.kind}, {variant.function}): {problems}"


# --------------------------------------------------------- nbgrader grading


def _graded(tmp_path_factory, c: Catalogue):
    """Every variant of ``c`` as a student of one course, graded by `xorkit grade`
    in one batch: (verdicts, scores, lost checks, confusion table)."""
    course = built_course(tmp_path_factory.mktemp(f"catalogue-course-{c.name}"))
    solved = _solved_sources(c.name)
    for variant in c.variants:
        notebook = release_with({**solved, variant.function: variant.code}, c.name)
        submit(course, variant.name, notebook, c.name)
    start = time.perf_counter()
    outcomes = grading.autograde(course, c.name, sandbox="auto")
    seconds = time.perf_counter() - start
    scores = {
        o.student: {
            c.function_of_cell[cell.grade_id]: (cell.score, cell.max_score)
            for cell in o.cells
            if cell.grade_id in c.cells
        }
        for o in outcomes
    }
    lost = {o.student: o.lost for o in outcomes}
    results = {v.name: verdict(v, scores[v.name]) for v in c.variants}
    timing = (
        f"{seconds:.0f} s wall ({seconds / len(c.variants):.1f} s per notebook) on "
        f"{os.cpu_count()} cores"
    )
    how = "bubblewrap sandbox" if sandbox.bwrap_works() else "no sandbox"
    table = confusion_table(c, results, timing, f"by xorkit grade (nbgrader, {how}) in one batch")
    (tmp_path_factory.getbasetemp() / f"catalogue-table-{c.name}.txt").write_text(table + "\n")
    return results, scores, lost, table


@pytest.fixture(scope="module")
def catalogue_graded(tmp_path_factory):
    """xor_mlp's catalogue, graded by `xorkit grade` in one batch."""
    return _graded(tmp_path_factory, MLP)


@pytest.fixture(scope="module")
def bias_bce_graded(tmp_path_factory):
    """xor_bias_bce's catalogue, graded by `xorkit grade` in one batch."""
    return _graded(tmp_path_factory, BIAS_BCE)


GRADED = {MLP.name: "catalogue_graded", BIAS_BCE.name: "bias_bce_graded"}


@pytest.fixture(scope="module")
def digits_graded(tmp_path_factory):
    """digits_mlp's catalogue, graded by `xorkit grade` in one batch."""
    return _graded(tmp_path_factory, DIGITS_CATALOGUE)


GRADED[DIGITS_CATALOGUE.name] = "digits_graded"


@pytest.fixture(scope="module")
def relu_graded(tmp_path_factory):
    """xor_relu's catalogue, graded by `xorkit grade` in one batch."""
    return _graded(tmp_path_factory, RELU_CAT)


GRADED[RELU_CAT.name] = "relu_graded"


@pytest.mark.slow
def test_confusion_table(catalogue_graded, capsys):
    """Through nbgrader every correct variant is accepted and every buggy one caught
    in its own cell, without costing points on cells its entry does not allow."""
    results, _, _, table = catalogue_graded
    with capsys.disabled():
        print("\n" + table)
    assert all(ok for ok, _ in results.values()), table


@pytest.mark.slow
def test_bias_bce_confusion_table(bias_bce_graded, capsys):
    """Through nbgrader every correct xor_bias_bce variant is accepted and every
    buggy one caught in its own cell, and in no other."""
    results, _, _, table = bias_bce_graded
    with capsys.disabled():
        print("\n" + table)
    assert all(ok for ok, _ in results.values()), table


@pytest.mark.slow
@pytest.mark.parametrize(("name", "variant"), _cases("correct"))
def test_correct_variant_full_marks(request, name, variant):
    """Each correct variant scores full marks on every autograded cell."""
    _, scores, lost, _ = request.getfixturevalue(GRADED[name])
    assert all(got == full for got, full in scores[variant.name].values()), lost[variant.name]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "variant"), _cases("buggy"))
def test_buggy_variant_caught_in_its_cell(request, name, variant):
    """Each buggy variant loses points on its own function's cell and only where allowed."""
    results, _, lost, _ = request.getfixturevalue(GRADED[name])
    ok, problems = results[variant.name]
    assert ok, (problems, lost[variant.name])


@pytest.mark.slow
def test_seed_backward_implementations(catalogue_graded):
    """The seeds' vectorised and "faster" backward pass keep full marks; their loop
    with σ instead of σ′ fails backward_loops' visible gradient test, and only it."""
    _, scores, lost, _ = catalogue_graded
    for name in ("seed_backward_faster", "seed_backward_pass", "seed_backward_loop_fixed"):
        assert all(got == full for got, full in scores[name].values()), lost[name]
    (only,) = lost["seed_backward_loop_sigma"]  # its visible test compares with finite differences
    assert only.startswith("test_backward_loops: AssertionError: dL_dw1 differs")


@pytest.mark.slow
def test_bias_bce_lost_checks_name_the_cause(bias_bce_graded):
    """Through nbgrader, the xor_bias_bce bugs that the visible tests do not notice
    lose exactly the properties that name them: a hard-coded batch size, biases
    not scaled by std, an update in place and the notebook's learning rate."""
    _, _, lost, _ = bias_bce_graded
    assert lost["bug_backward_hardcoded_n"] == [
        "backward: dw2 matches finite differences",
        "backward: db2 matches finite differences (summed over the batch)",
        "backward: dw1 matches finite differences",
        "backward: db1 matches finite differences (summed over the batch)",
    ]
    assert lost["bug_init_biases_unscaled"] == [
        "initialize_parameters: the std argument sets the spread of every array"
    ]
    assert lost["bug_train_in_place"] == ["train: does not modify the arrays it is given"]
    assert lost["bug_train_notebook_rate"] == [
        "train: follows gradient descent step by step, all four parameters"
    ]


# ---------------------------------------------------------------- digits_mlp


def test_digits_catalogue_is_large_and_well_formed():
    """digits_mlp's catalogue holds at least 20 buggy and 10 correct variants with
    unique names, among them the bugs the assignment is about: an unstable softmax,
    a softmax over the wrong axis, a missing 1/N in the gradient, batches drawn with
    replacement, shuffling with NumPy's global generator, a transposed confusion
    matrix; and a correct sgd_epoch whose order is another draw than the reference's."""
    _well_formed(DIGITS_CATALOGUE)
    names = {v.name for v in DIGITS_CATALOGUE.variants}
    assert {
        "bug_softmax_unstable",
        "bug_softmax_axis0",
        "bug_backward_no_mean",
        "bug_sgd_with_replacement",
        "bug_sgd_global_permutation",
        "bug_confusion_transposed",
        "ok_sgd_argsort_random",
    } <= names


@pytest.mark.slow
def test_digits_confusion_table(digits_graded, capsys):
    """Through nbgrader every correct digits_mlp variant is accepted and every buggy
    one caught in its own cell, and in no other."""
    results, _, _, table = digits_graded
    with capsys.disabled():
        print("\n" + table)
    assert all(ok for ok, _ in results.values()), table


@pytest.mark.slow
def test_relu_confusion_table(relu_graded, capsys):
    """Through nbgrader every correct xor_relu variant is accepted and every buggy
    one caught in its own cell, and in no other."""
    results, _, _, table = relu_graded
    with capsys.disabled():
        print("\n" + table)
    assert all(ok for ok, _ in results.values()), table


@pytest.mark.slow
def test_digits_lost_checks_name_the_cause(digits_graded):
    """Through nbgrader, the digits_mlp bugs that the visible tests do not notice
    lose exactly the properties that name them (the last batch dropped, which with
    batch_size > N makes no step at all; a training that ignores its rng; a softmax
    shifted by the batch's maximum), and one they do
    notice (batches drawn with replacement) loses its visible test alone."""
    _, _, lost, _ = digits_graded
    assert lost["bug_sgd_drop_last"] == [  # with batch_size > N it makes no step at all
        "sgd_epoch: with one batch, an epoch is one full-batch step",
        "sgd_epoch: uses every sample exactly once per epoch",
    ]
    assert lost["bug_train_fresh_rng"] == [
        "train: n_epochs epochs of sgd_epoch, shuffled by the rng it is given"
    ]
    assert "softmax: finite and exact on logits of ±1000" in lost["bug_softmax_global_max"]
    assert [line.split(":")[0] for line in lost["bug_sgd_with_replacement"]] == ["test_sgd_epoch"]


@pytest.mark.slow
def test_relu_lost_checks_name_the_cause(relu_graded):
    """Through nbgrader, the xor_relu bugs that the visible tests do not notice lose
    exactly the properties that name them: uniform draws of He's spread, and the
    notebook's learning rate in train."""
    _, _, lost, _ = relu_graded
    assert lost["bug_init_uniform"] == [
        "initialize_parameters: weights normal, mean 0, standard deviation √(2 / n_{l−1})"
    ]
    assert lost["bug_train_notebook_rate"] == [
        "train: follows gradient descent step by step, every layer"
    ]
