"""The audit's verdict for an instructor: a terminal table and an HTML page.

The page, ``reports/<assignment>/audit.html`` beside the class report, lists
the score per function and per operator, then every survivor (its diff and the
calls that tell it apart from the reference), every collateral mutant (the
cells it lost points in, and why), the likely equivalent mutants, and every
mutant with what killed it. All text on it is escaped: mutant code, check
messages and exception texts are shown, never interpreted (and in the terminal,
control characters in messages are shown as escapes).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from autograder.audit import Audit, Outcome, Tally
from autograder.text import printable


def _row(label: str, t: Tally) -> str:
    return (
        f"{label:20s} {t.mutants:7d} {t.equivalent:10d} {t.killed:6d} {t.survived:8d} "
        f"{t.score:6.1%} {t.collateral:10d}"
    )


def _gate(result: Audit) -> str:
    problems = result.problems()
    minimum = "none declared" if result.minimum is None else f"{result.minimum:.0%}"
    verdict = "not met: " + "; ".join(problems) if problems else "met"
    return f"minimum score {minimum}, no collateral: {verdict}"


def _timing(result: Audit) -> str:
    total = sum(result.seconds.values())
    steps = ", ".join(f"{name} {s:.1f} s" for name, s in result.seconds.items())
    where = "bubblewrap sandbox" if result.sandboxed else "NOT sandboxed"
    return (
        f"{total:.0f} s ({steps}) on {result.jobs} worker(s), {where}; load average "
        f"{result.load:.1f} on {os.cpu_count()} cores at the start"
    )


def table(result: Audit) -> str:
    """The terminal summary: a row per function, the total, the gate, the survivors."""
    head = f"{'function':20s} {'mutants':>7s} {'equivalent':>10s} {'killed':>6s} "
    head += f"{'survived':>8s} {'score':>6s} {'collateral':>10s}"
    lines = [f"{result.assignment}: audit of the hidden checks", head]
    lines += [_row(f, result.tally(f)) for f in result.functions]
    lines.append(_row("all", result.tally()))
    lines.append(_gate(result))
    lines.append(f"audited in {_timing(result)}")
    sections = (
        ("survivors", result.of("survived")),
        ("collateral", result.collateral),
        (
            "likely equivalent, yet losing points (a check stricter than the contract?)",
            result.rejected,
        ),
    )
    for title, outcomes in sections:
        if not outcomes:
            continue
        lines.append(f"\n{title}:")
        for outcome in outcomes:
            lines += _explained(outcome, indent="  ")
    return "\n".join(lines)


def _explained(outcome: Outcome, indent: str) -> list[str]:
    m = outcome.mutant
    lines = [f"{indent}{m.name} ({m.operator}: {m.what})"]
    lines += [f"{indent}  {line}" for line in m.diff.splitlines()]
    if outcome.status == "survived":
        lines += [f"{indent}  told apart by {printable(e)}" for e in outcome.verdict.evidence]
    for grade_id in _short(outcome):
        lost = printable("; ".join(outcome.graded.lost.get(grade_id, [])))
        lines.append(f"{indent}  loses points in {grade_id}: {lost}")
    return lines


def _short(outcome: Outcome) -> list[str]:
    """The cells worth reporting: the others for a graded mutant, all for a
    likely equivalent one."""
    if outcome.verdict.equivalent:
        graded = outcome.graded
        return [g for g in graded.scores if graded.short(g)] if graded else []
    return outcome.collateral


# ---------------------------------------------------------------- HTML

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; margin: 0.25rem 0; }
.met { color: #1a7f37; } .failed { color: #c62828; }
.survived { background: #fff3e0; } .killed { background: #f1f8e9; }
.equivalent { background: #eceff1; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _tally_table(first: str, rows: list[tuple[str, Tally]]) -> str:
    head = "".join(
        f"<th>{_e(h)}</th>"
        for h in (
            first,
            "mutants",
            "likely equivalent",
            "killed",
            "survived",
            "score",
            "collateral",
        )
    )
    body = "".join(
        f"<tr><td>{_e(label)}</td><td>{t.mutants}</td><td>{t.equivalent}</td><td>{t.killed}</td>"
        f"<td>{t.survived}</td><td>{t.score:.1%}</td><td>{t.collateral}</td></tr>"
        for label, t in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _diff(outcome: Outcome) -> str:
    return f"<pre>{_e(outcome.mutant.diff)}</pre>"


def _detail(outcome: Outcome) -> str:
    m = outcome.mutant
    parts = [f"<h3>{_e(m.name)} — {_e(m.operator)}: {_e(m.what)}</h3>", _diff(outcome)]
    if outcome.status == "survived" and outcome.verdict.evidence:
        items = "".join(f"<li>{_e(e)}</li>" for e in outcome.verdict.evidence)
        parts.append(f"<p>Calls that tell it apart from the reference:</p><ul>{items}</ul>")
    for grade_id in _short(outcome):
        lost = "".join(f"<li>{_e(x)}</li>" for x in outcome.graded.lost.get(grade_id, []))
        parts.append(f"<p>Loses points in <code>{_e(grade_id)}</code>:</p><ul>{lost}</ul>")
    if outcome.verdict.equivalent and not _short(outcome) and outcome.graded is not None:
        parts.append("<p>Graded too: full marks in every cell.</p>")
    return "\n".join(parts)


def _why(outcome: Outcome) -> str:
    if outcome.status == "equivalent":
        return f"agrees with the reference on {outcome.verdict.compared} replayed calls"
    if outcome.status == "survived":
        return "full marks in its own cell"
    lost = outcome.graded.lost.get(outcome.grade_id, [])
    return lost[0] if lost else ""


def page(result: Audit) -> str:
    """The audit as one self-contained HTML page, every text escaped."""
    problems = result.problems()
    gate = (
        f'<p class="failed">Gate not met: {_e("; ".join(problems))}</p>'
        if problems
        else '<p class="met">Gate met.</p>'
    )
    minimum = "none declared" if result.minimum is None else f"{result.minimum:.0%}"
    sections = [
        f"<h1>Audit of the hidden checks: {_e(result.title)}</h1>",
        f"<p>Mutation score <strong>{result.score:.1%}</strong> "
        f"(minimum: {_e(minimum)}); {len(result.collateral)} collateral mutant(s). "
        f"Audited in {_e(_timing(result))}.</p>",
        gate,
        "<h2>By function</h2>",
        _tally_table(
            "function",
            [(f, result.tally(f)) for f in result.functions] + [("all", result.tally())],
        ),
        "<h2>By operator</h2>",
        _tally_table("operator", sorted(result.by_operator().items())),
    ]
    for title, outcomes, empty in (
        ("Survivors", result.of("survived"), "None: the checks kill every non-equivalent mutant."),
        ("Collateral", result.collateral, "None: every mutant loses points only in its own cell."),
    ):
        sections.append(f"<h2>{title}</h2>")
        sections += [_detail(o) for o in outcomes] or [f"<p>{_e(empty)}</p>"]
    sections.append("<h2>Likely equivalent</h2>")
    sections.append(
        "<p>These agree with the reference within the kit's tolerance on every call the "
        "notebook makes and on perturbed copies of them: no fair check tells them apart. "
        "They are graded all the same, and do not count in the score; one that loses points "
        "shows a check stricter than the contract, or an input the labelling never tried.</p>"
    )
    sections += [_detail(o) for o in result.of("equivalent")] or ["<p>None.</p>"]
    rows = "".join(
        f'<tr class="{o.status}"><td>{_e(o.mutant.name)}</td><td class="text">'
        f"{_e(o.mutant.operator)}</td><td class='text'><code>{_e(o.mutant.what)}</code></td>"
        f"<td class='text'>{_e(o.status)}</td><td class='text'>{_e(_why(o)[:300])}</td></tr>"
        for o in result.outcomes
    )
    sections.append(
        "<h2>Every mutant</h2><details><summary>Show all "
        f"{len(result.outcomes)}</summary><table><tr><th>mutant</th><th>operator</th>"
        f"<th>edit</th><th>status</th><th>why</th></tr>{rows}</table></details>"
    )
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Audit: {_e(result.assignment)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def write(result: Audit, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "audit.html"
    out.write_text(page(result), encoding="utf-8")
    return out
