"""The instructor's report on a graded class: an HTML page and PNG plots.

What the class struggled with, from the checks' structured results in the
autograded notebooks: a histogram of scores, the pass rate of every hidden
check and the mean share of points per function; then the submissions that
need a person (written answers to grade) and the ones that failed to run,
with their reasons.
"""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# Figure without pyplot renders with Agg, to files only: no display, no global state.
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.checking import assignment as assignments
from autograder.checking import misconceptions
from autograder.checking.assignment import Assignment
from autograder.course import graded, results
from autograder.course.results import StudentOutcome
from autograder.engine import grading
from autograder.progress import progress

# Errors a test cell is expected to show: an unfinished function, a failed assert.
EXPECTED_ERRORS = {"NotImplementedError", "AssertionError"}


@dataclass
class ClassReport:
    outcomes: list[StudentOutcome]
    check_pass_rate: dict[str, float]  # "function: check" → share of students passing
    function_score: dict[str, float]  # function → mean share of its cell's points
    manual_pending: dict[str, list[str]]  # student → written answers to grade
    failed_to_run: dict[str, list[str]] = field(default_factory=dict)  # student → reasons
    # (misconception, function) → students whose function showed it; and each
    # known misconception's explanation
    misconceptions: dict[tuple[str, str], int] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)


def all_checks(assignment: Assignment) -> list[tuple[str, str]]:
    """Every hidden check as (function, name), in contract order."""
    return [(c.function, c.name) for f in assignment.names for c in assignment.checks_of(f)]


def read_notebook(path: Path) -> tuple[set[tuple[str, str]], list[str], set[tuple[str, str]]]:
    """The checks a graded notebook passed, the unexpected errors of its cells, and
    the (misconception, function) pairs the grader recognised in them."""
    passed, errors, shown = set(), [], set()
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        where = meta.get("grade_id") or f"cell {index + 1}"
        # the grader writes the outputs of test cells only: results anywhere
        # else came from the student's process
        test_cell = meta.get("grade") and not meta.get("solution")
        for output in cell.get("outputs", []):
            for r in results.check_results(output) if test_cell else []:
                if r.get("status") == "passed":
                    passed.add((str(r.get("function")), str(r.get("name"))))
            found = output.get("metadata", {}).get("xorkit") if test_cell else None
            if isinstance(found, dict) and isinstance(found.get("misconception"), str):
                function = str(meta.get("grade_id", "")).removeprefix("test_")
                shown.add((found["misconception"], function))
            if output.output_type == "error" and output.ename not in EXPECTED_ERRORS:
                errors.append(f"{where}: {output.ename}: {output.evalue}"[:200])
    return passed, errors, shown


def analyse(root: Path, assignment: str) -> ClassReport:
    """Read the gradebook and every autograded notebook of ``assignment``."""
    outcomes = graded.outcomes(root, assignment)
    contract = assignments.load(root, assignment)
    checks = all_checks(contract)
    known, _ = misconceptions.catalogue(contract)
    explanations = {m.name: m.explain for m in known}
    shown_by: dict[tuple[str, str], int] = {}
    passes = dict.fromkeys(checks, 0)
    failed: dict[str, list[str]] = {}
    counted = 0
    for o in progress(outcomes, desc="report"):
        notes = o.problems  # the grader's reasons: not JSON, a dead kernel, a time-out
        path = root / "autograded" / o.student / assignment / f"{assignment}.ipynb"
        if not path.exists():
            failed[o.student] = notes or ["no autograded notebook: nbgrader could not run it"]
            continue
        try:
            passed, errors, shown = read_notebook(path)
        except Exception as exc:  # one student's data never stops the class's report
            failed[o.student] = [*notes, f"its autograded notebook cannot be read ({exc})"[:200]]
            continue
        counted += 1
        for key in passed & passes.keys():
            passes[key] += 1
        for key in shown:
            if key[0] in explanations:  # only names the assignment knows
                shown_by[key] = shown_by.get(key, 0) + 1
        if notes or errors:
            failed[o.student] = list(dict.fromkeys(notes + errors))
    graded_ids = {o.student for o in outcomes}
    for student in grading.submissions(root, assignment):
        if student not in graded_ids:
            failed[student] = [
                "submitted but not in the gradebook: `xorkit grade` did not grade it"
            ]
    function_score = {}
    for f in contract.functions:
        shares = [
            c.score / c.max_score
            for o in outcomes
            for c in o.cells
            if c.grade_id == f.grade_id and c.score is not None and c.max_score
        ]
        function_score[f.name] = statistics.fmean(shares) if shares else 0.0
    return ClassReport(
        outcomes=outcomes,
        check_pass_rate={f"{f}: {n}": passes[f, n] / max(counted, 1) for f, n in checks},
        function_score=function_score,
        manual_pending={o.student: o.manual_pending for o in outcomes if o.manual_pending},
        failed_to_run=dict(sorted(failed.items())),
        misconceptions=dict(sorted(shown_by.items(), key=lambda kv: (-kv[1], kv[0]))),
        explanations=explanations,
    )


def _barh(path: Path, labels: list[str], values: list[float], title: str) -> None:
    fig = Figure(figsize=(8, 0.3 * len(labels) + 1.2))
    ax = fig.subplots()
    ax.barh(labels[::-1], [100 * v for v in values[::-1]], color="tab:blue")
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot(report: ClassReport, out: Path) -> list[Path]:
    """The three PNG plots of the report, written to ``out``."""
    scores = [o.score for o in report.outcomes]
    top = max(o.max_score for o in report.outcomes)
    fig = Figure(figsize=(7, 3.5))
    ax = fig.subplots()
    ax.hist(scores, bins=max(1, min(26, int(top))), range=(0, top), color="tab:blue")
    ax.set_xlabel(f"score (of {top:g}; written answers count once graded)")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Scores")
    fig.tight_layout()
    paths = [out / "scores.png", out / "checks.png", out / "functions.png"]
    fig.savefig(paths[0], dpi=100)
    checks = report.check_pass_rate
    _barh(paths[1], list(checks), list(checks.values()), "Students passing each hidden check")
    funcs = report.function_score
    _barh(paths[2], list(funcs), list(funcs.values()), "Mean share of points per function")
    return paths


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


SIMILARITY_PAGE = "similarity.html"  # `xorkit similarity`'s page, beside index.html by default


def _similarity(page: str | None) -> str:
    """The section pointing to the similarity page, or saying how to make it."""
    if page:
        return (
            f'<h2>Similar code</h2><p><a href="{html.escape(page)}">Which submissions have '
            "similar code</a>: evidence for a person to look at, never a verdict.</p>"
        )
    return (
        "<h2>Similar code</h2><p><code>xorkit similarity</code> compares the students' code "
        "pair by pair and writes its page beside this one.</p>"
    )


def render(report: ClassReport, title: str, similarity_page: str | None = None) -> str:
    """The report's HTML page; the plots are the PNG files beside it, and
    ``similarity_page`` (a link relative to it) the similarity page, if any."""
    scores = [o.score for o in report.outcomes]
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{len(scores)} graded submissions; mean score {statistics.fmean(scores):.1f}, "
        f"median {statistics.median(scores):g} of {report.outcomes[0].max_score:g}.</p>",
        '<img src="scores.png" alt="histogram of scores">',
        "<h2>Which checks the class failed</h2>",
        '<img src="checks.png" alt="pass rate per hidden check">',
        _table(
            ["check", "students passing"],
            [[k, f"{100 * v:.0f}%"] for k, v in report.check_pass_rate.items()],
        ),
        "<h2>Which functions the class struggled with</h2>",
        '<img src="functions.png" alt="mean share of points per function">',
        _table(
            ["function", "mean share of points"],
            [[k, f"{100 * v:.0f}%"] for k, v in report.function_score.items()],
        ),
        "<h2>Misconceptions the class showed</h2>",
        "<p>Mistakes the grader recognised from how a failed function behaves: what to "
        "teach again.</p>",
        _table(
            ["misconception", "function", "students", "what it is"],
            [
                [name, function, str(count), report.explanations.get(name, "")]
                for (name, function), count in report.misconceptions.items()
            ],
        ),
        f"<h2>Needs manual grading ({len(report.manual_pending)})</h2>",
        "<p>Grade these written answers in the formgrader: <code>jupyter lab</code>, "
        "then Nbgrader → Formgrader.</p>",
        _table(
            ["student", "answers"], [[s, ", ".join(a)] for s, a in report.manual_pending.items()]
        ),
        f"<h2>Failed to run ({len(report.failed_to_run)})</h2>",
        "<p>Errors other than an unfinished function or a failed assert.</p>",
        _table(
            ["student", "reasons"], [[s, "; ".join(r)] for s, r in report.failed_to_run.items()]
        ),
        "<h2>Every student</h2>",
        _table(
            ["student", "score", "max", "lost checks"],
            [
                [o.student, f"{o.score:g}", f"{o.max_score:g}", "; ".join(o.lost) or "—"]
                for o in report.outcomes
            ],
        ),
        _similarity(similarity_page),
    ]
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
    )
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def report(root: Path, out: Path, assignment: str) -> ClassReport:
    """Write ``out/index.html`` and its plots; return what they show."""
    result = analyse(root, assignment)
    out.mkdir(parents=True, exist_ok=True)
    plot(result, out)
    page = SIMILARITY_PAGE if (out / SIMILARITY_PAGE).is_file() else None
    (out / "index.html").write_text(render(result, f"{assignment}: class report", page))
    return result
