"""The catalogue of correct and buggy submissions, graded directly and by nbgrader.

The direct grading runs in seconds: it executes the solved notebook once, then
for each variant defines its code in a copy of the notebook's globals, runs
every test cell's visible asserts and the variant's own hidden checks as
nbgrader would (an exception zeroes the cell, otherwise the cell earns
``grade``'s partial credit). The nbgrader grading builds one notebook per
variant, autogrades them all in one batch, every hidden check included, and
checks the same verdicts cell by cell.
"""

from __future__ import annotations

import os
import time
from functools import cache

import nbformat
import pytest

from autograder.checking.runner import Submission, isolated, quiet, run_checks_on, score, to_swap
from autograder.engine import grading, sandbox
from tests.catalogue import VARIANTS, Variant
from tests.helpers import (
    GRADED_CELLS,
    RELEASE_NB,
    REPO,
    XOR,
    built_course,
    release_with,
    solved_sources,
    submit,
)

SOLVED_NB = REPO / "solutions" / "xor_mlp" / "xor_mlp.ipynb"
ALL_CORRECT = [v for v in VARIANTS if v.kind == "correct"]
ALL_BUGGY = [v for v in VARIANTS if v.kind == "buggy"]
FUNCTION_OF_CELL = {cell: cell.removeprefix("test_") for cell in GRADED_CELLS}


def test_catalogue_is_large_and_well_formed():
    """The catalogue holds at least 40 buggy and 15 correct variants with unique names."""
    assert len([v for v in VARIANTS if v.kind == "buggy"]) >= 40
    assert len([v for v in VARIANTS if v.kind == "correct"]) >= 15
    assert len({v.name for v in VARIANTS}) == len(VARIANTS)
    for v in VARIANTS:
        assert v.kind in ("correct", "buggy"), v.name
        assert v.function in FUNCTION_OF_CELL.values(), v.name
        assert f"def {v.function}(" in v.code or "@np.vectorize" in v.code, v.name
        assert v.note, v.name


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


def confusion_table(results: dict[str, tuple[bool, list[str]]], timing: str, how: str) -> str:
    """Correct variants accepted / rejected, buggy ones caught / missed, per function too."""
    caught = {
        v.name: not any(p.startswith("not caught") for p in results[v.name][1]) for v in ALL_BUGGY
    }
    accepted = {v.name: results[v.name][0] for v in ALL_CORRECT}
    lines = [
        f"catalogue graded {how}: {len(VARIANTS)} variants, {timing}",
        f"{'':20s} {'correct accepted':>17s} {'rejected':>9s} {'buggy caught':>13s} {'missed':>7s}",
    ]
    for function in [*FUNCTION_OF_CELL.values(), None]:
        ok = [accepted[v.name] for v in ALL_CORRECT if function in (None, v.function)]
        hit = [caught[v.name] for v in ALL_BUGGY if function in (None, v.function)]
        lines.append(
            f"{function or 'all':20s} {sum(ok):17d} {len(ok) - sum(ok):9d} "
            f"{sum(hit):13d} {len(hit) - sum(hit):7d}"
        )
    outside = sum(
        any(p.startswith("charged outside") for p in results[v.name][1]) for v in ALL_BUGGY
    )
    lines.append(f"buggy variants charged outside their own cell: {outside}/{len(ALL_BUGGY)}")
    for v in VARIANTS:
        ok, problems = results[v.name]
        if not ok:
            lines.append(f"  {v.name}: {'; '.join(problems)}")
    return "\n".join(lines)


# ----------------------------------------------------------- direct grading


_solved_sources = cache(solved_sources)


@cache
def _visible_tests() -> dict[str, str]:
    """The visible part of each autograded test cell, as the release shows it."""
    nb = nbformat.read(RELEASE_NB, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") in GRADED_CELLS
    }


@cache
def _notebook_globals() -> dict:
    """The globals of the solved notebook after running it top to bottom."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__main__"}
    nb = nbformat.read(SOLVED_NB, as_version=4)
    with quiet():
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(cell.source, namespace)
    plt.close("all")
    return namespace


def grade_directly(variant: Variant) -> dict[str, tuple[float, float]]:
    """Per-function (score, max score) of ``variant``, graded in-process as the
    grader grades: the solution cells, the variant's among them, are defined in
    a copy of the solved notebook's final globals (so code reading ``w1_trained``
    or ``X`` finds them); then each test cell runs in notebook order, its visible
    asserts with every other contract function bound to the reference and the
    failed dependencies of its own swapped for it, then, in the variant's own
    cell, the hidden checks (other cells run the reference: full marks).
    """
    ns = dict(_notebook_globals())
    with quiet():
        # Define every solution cell again so that the functions look up their
        # callees (the variant's among them) in this copy, not in the cached run.
        for code in {**_solved_sources(), variant.function: variant.code}.values():
            exec(code, ns)
    ref = XOR.reference()
    scores, passed = {}, {}
    for cell, points in GRADED_CELLS.items():
        function = FUNCTION_OF_CELL[cell]
        swap = to_swap(XOR, function, passed)
        visible = {**ns, **{n: getattr(ref, n) for n in XOR.names if n != function}}
        try:
            with quiet(), isolated(XOR, ns, swap):
                exec(_visible_tests()[cell], visible)
        except Exception:
            scores[function], passed[function] = (0.0, float(points)), False
            continue
        if function == variant.function:
            with isolated(XOR, ns, swap):
                results = run_checks_on(XOR, function, Submission(ns, XOR.names, swap))
            passed[function] = all(r.status == "passed" for r in results)
            scores[function] = (score(results, points), float(points))
        else:
            scores[function], passed[function] = (float(points), float(points)), True
    return scores


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_graded_directly(variant):
    """Graded in-process, a correct variant keeps every point and a buggy one loses
    points in its own cell and nowhere its entry does not allow."""
    ok, problems = verdict(variant, grade_directly(variant))
    assert ok, f"{variant.name} ({variant.kind}, {variant.function}): {problems}"


# --------------------------------------------------------- nbgrader grading


@pytest.fixture(scope="module")
def catalogue_graded(tmp_path_factory):
    """Every variant as a student of one course, graded by `xorkit grade` in one batch."""
    course = built_course(tmp_path_factory.mktemp("catalogue-course"))
    solved = _solved_sources()
    for variant in VARIANTS:
        submit(course, variant.name, release_with({**solved, variant.function: variant.code}))
    start = time.perf_counter()
    outcomes = grading.autograde(course, "xor_mlp", sandbox="auto")
    seconds = time.perf_counter() - start
    scores = {
        o.student: {
            FUNCTION_OF_CELL[c.grade_id]: (c.score, c.max_score)
            for c in o.cells
            if c.grade_id in GRADED_CELLS
        }
        for o in outcomes
    }
    lost = {o.student: o.lost for o in outcomes}
    results = {v.name: verdict(v, scores[v.name]) for v in VARIANTS}
    timing = (
        f"{seconds:.0f} s wall ({seconds / len(VARIANTS):.1f} s per notebook) on "
        f"{os.cpu_count()} cores"
    )
    how = "bubblewrap sandbox" if sandbox.bwrap_works() else "no sandbox"
    table = confusion_table(results, timing, f"by xorkit grade (nbgrader, {how}) in one batch")
    (tmp_path_factory.getbasetemp() / "catalogue-table.txt").write_text(table + "\n")
    return results, scores, lost, table


@pytest.mark.slow
def test_confusion_table(catalogue_graded, capsys):
    """Through nbgrader every correct variant is accepted and every buggy one caught
    in its own cell, without costing points on cells its entry does not allow."""
    results, _, _, table = catalogue_graded
    with capsys.disabled():
        print("\n" + table)
    assert all(ok for ok, _ in results.values()), table


@pytest.mark.slow
@pytest.mark.parametrize("variant", ALL_CORRECT, ids=lambda v: v.name)
def test_correct_variant_full_marks(catalogue_graded, variant):
    """Each correct variant scores full marks on every autograded cell."""
    _, scores, lost, _ = catalogue_graded
    assert all(got == full for got, full in scores[variant.name].values()), lost[variant.name]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ALL_BUGGY, ids=lambda v: v.name)
def test_buggy_variant_caught_in_its_cell(catalogue_graded, variant):
    """Each buggy variant loses points on its own function's cell and only where allowed."""
    results, _, lost, _ = catalogue_graded
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
