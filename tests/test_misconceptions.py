"""The grader names the misconception behind a failed function: measured on the catalogue."""

from __future__ import annotations

from functools import cache

import pytest

from autograder.checking import misconceptions
from autograder.checking.runner import Submission, quiet, run_checks_on
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
