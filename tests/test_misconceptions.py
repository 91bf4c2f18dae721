"""The grader names the misconception behind a failed function: measured on the catalogue."""

from __future__ import annotations

import types
from functools import cache
from pathlib import Path

import pytest

from autograder.checking import misconceptions
from autograder.checking.misconceptions import Edit, Misconception
from autograder.checking.runner import Submission, quiet, run_checks_on
from autograder.faults import GraderFault
from tests.catalogue import MISCONCEPTION_OF, VARIANTS
from tests.helpers import XOR, solved_sources
from tests.test_catalogue import _notebook_globals  # the solved notebook's globals, run once

KNOWN = {m.name for m in misconceptions.catalogue(XOR)[0]} if XOR.load_checks() else set()


@cache
def _diagnoses() -> dict[str, str | None]:
    """What the grader names for every variant of the catalogue, as it grades: the
    variant's function is checked with the reference for everything else, and a
    function that fails a check is diagnosed."""
    reference_code = solved_sources()
    found = {}
    for variant in VARIANTS:
        namespace = dict(_notebook_globals("xor_mlp"))
        with quiet():
            for code in {**reference_code, variant.function: variant.code}.values():
                exec(code, namespace)
        impl = Submission(namespace, XOR.names)
        results = run_checks_on(XOR, variant.function, impl)
        failed = any(r.status == "failed" for r in results)
        mistake = misconceptions.diagnose(XOR, variant.function, impl) if failed else None
        found[variant.name] = mistake.name if mistake else None
    return found


def test_at_least_twelve_misconceptions_are_known():
    """The assignment lists at least 12 distinct misconceptions, each with an
    implementation, and every catalogue label names one of them."""
    known, probes = misconceptions.catalogue(XOR)
    assert len({m.name for m in known}) == len(known) >= 12
    assert all(m.code for m in known)
    assert set(MISCONCEPTION_OF.values()) <= {m.name for m in known}
    assert all(function in probes for m in known for function in m.code)


@pytest.mark.slow
def test_misconception_precision_and_recall(capsys):
    """Of the buggy variants whose mistake is known, at least 90% are named
    correctly (recall), and at least 95% of all names given are right
    (precision); a correct variant is never given one."""
    found = _diagnoses()
    labelled = {v.name: MISCONCEPTION_OF[v.name] for v in VARIANTS if v.name in MISCONCEPTION_OF}
    named = {name: m for name, m in found.items() if m is not None}
    right = [name for name, m in named.items() if labelled.get(name) == m]
    recall = sum(found[name] == m for name, m in labelled.items()) / len(labelled)
    precision = len(right) / max(len(named), 1)
    lines = [
        f"misconceptions: {len({m for m in labelled.values()})} known in the catalogue, "
        f"recall {recall:.0%} ({sum(found[n] == m for n, m in labelled.items())}/{len(labelled)}), "
        f"precision {precision:.0%} ({len(right)}/{len(named)})"
    ]
    lines += [
        f"  missed {name}: wanted {want}, named {found[name]}"
        for name, want in labelled.items()
        if found[name] != want
    ]
    lines += [
        f"  wrong {name}: named {m}, wanted {labelled.get(name)}"
        for name, m in named.items()
        if labelled.get(name) != m
    ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not [v.name for v in VARIANTS if v.kind == "correct" and found[v.name]]
    assert precision >= 0.95, lines
    assert recall >= 0.9, lines


# a reference of one function whose docstring repeats its code's text
SMALL_REFERENCE = '''\
def scale(x):
    """Returns 2 * x."""
    return 2 * x
'''


def _small_reference(tmp_path) -> types.ModuleType:
    """SMALL_REFERENCE as a module read from a file, as the course's reference is."""
    module = types.ModuleType("small_reference")
    module.__file__ = str(tmp_path / "reference.py")
    Path(module.__file__).write_text(SMALL_REFERENCE)
    exec(SMALL_REFERENCE, vars(module))
    return module


def _one(name: str, *edits: Edit) -> list[Misconception]:
    return [Misconception(name, "a mistake", {"scale": edits})]


def test_an_edit_is_the_reference_function_with_its_replacements(tmp_path):
    """An Edit becomes the reference function's source, its docstring left out,
    with each replacement made in order, and runs as that function."""
    reference = _small_reference(tmp_path)
    edit = Edit("scale", "2 * x", "3 * x", "3 * x", "(3 * x + 1)")
    [item] = misconceptions.resolved(_one("off-by-one", edit), reference)
    [source] = item.code["scale"]
    assert source == "def scale(x):\n    return (3 * x + 1)\n"
    [scale] = misconceptions._implementations(reference, "scale", item.code["scale"])
    assert scale(2) == 7


@pytest.mark.parametrize(
    "edit, why",
    [
        (Edit("scale", "4 * x", "5 * x"), "'4 * x' is there 0 times, not once"),
        (Edit("scale", "x", "y"), "'x' is there 2 times, not once"),
        (Edit("scale", "Returns", "Gives"), "'Returns' is there 0 times"),  # docstring only
        (Edit("shift", "2 * x", "x"), "it edits shift, listed under scale"),
        (Edit("scale", "2 * x", "2 * (x"), "does not compile"),
    ],
)
def test_an_edit_that_no_longer_applies_is_a_grader_fault(tmp_path, edit, why):
    """An edit whose text is not in the reference function exactly once (or that
    edits another function, or leaves code that does not compile) stops the
    catalogue loading with a GraderFault naming the misconception and why."""
    with pytest.raises(GraderFault, match="misconception 'stale-edit'") as fault:
        misconceptions.resolved(_one("stale-edit", edit), _small_reference(tmp_path))
    assert why in str(fault.value)


def test_the_catalogue_edits_the_reference_of_the_course_being_graded(tmp_path):
    """The catalogue applies its edits to the assignment's own reference: one
    where an edited line changed makes loading it a GraderFault naming the
    misconception, not a misconception silently lost."""
    original = XOR.reference_path()
    changed = tmp_path / "reference.py"
    changed.write_text(original.read_text().replace("y_hat > 0.5", "0.5 < y_hat"))
    XOR.use_reference(changed)
    try:
        with pytest.raises(GraderFault, match="misconception 'threshold-on-the-wrong-value'"):
            misconceptions.catalogue(XOR)
    finally:
        XOR.use_reference(None)
    assert misconceptions.catalogue(XOR)[0]
