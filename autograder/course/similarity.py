"""Which students wrote alike code: pairs ranked by the code they share, for a person to read.

Only what students wrote is compared: the code of each solution cell of their
submitted notebook (nbgrader's ``solution`` cells), cell by cell, in the
canonical shape of ``code_shape`` (names, layout, statement order and a few
equivalent spellings do not count). copydetect fingerprints every cell: the
hashes of its k-grams, minus the boilerplate, which is every fingerprint of
the released scaffold (signatures, docstrings, stubs) and of the reference
solution (what a correct answer is expected to look like). A fingerprint that
much of the class shares is common knowledge, not a trace of copying, so it
weighs less (``weight``).

A pair's score is the weight of the fingerprints both students have, over the
mean weight of each one's own (a weighted Dice coefficient), and each share is
the part of one student's own code also in the other's. Similar code has
innocent causes (the same tutorial, a study group, a short answer that admits
few forms): the page says it is evidence for a person to look at, never a
verdict.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from copydetect import CodeFingerprint

from autograder.checking import assignment as assignments
from autograder.course.build import SOLUTION_MARKER
from autograder.course.code_shape import MAX_CELL_CHARS, Unit, units
from autograder.course.similarity_defaults import THRESHOLD, TOP
from autograder.engine import grading
from autograder.engine.sandbox import Limits
from autograder.progress import progress
from autograder.text import printable, spreadsheet_cell

# k-grams of K characters of canonical text (``v=np.dot(v,v)`` is 13): about a
# statement. Measured on tests/test_similarity.py's class, from K = 10 to 40 the
# copies that keep whole statements stand further from the independent
# solutions (a gap of 0.64 to 0.79), and a copy edited inside nine statements
# closer (0.34 to 0.26): 14 keeps both.
K = 14
# Every k-gram is a fingerprint (winnowing window 1): solution cells are small,
# and copydetect hashes with Python's hash(), which is salted per process, so a
# wider window picks other fingerprints, and other scores, on every run (with a
# window of 4, one pair of the test class scored 0.25, 0.28 and 0.29 in three runs).
WINDOW = 1
# A pair's mean own weight counts as at least this much: two students whose only
# own code is one short line alike (``return np.dot(v,v)``) are no evidence.
MIN_MASS = 40.0
LINE_LIMIT = 300  # characters of a student's line shown on the page


@dataclass(eq=False)
class Cell:
    """One solution cell of one student: its code, units and fingerprints."""

    code: str
    units: list[Unit]
    fingerprint: CodeFingerprint | None  # None when nothing is left of it
    hashes: frozenset[int] = frozenset()  # the fingerprint's hashes, as Python ints

    def __post_init__(self):
        if self.fingerprint is not None:
            self.hashes = frozenset(int(h) for h in self.fingerprint.hashes)


@dataclass
class Pair:
    a: str
    b: str
    score: float  # shared weight over the mean of each one's own weight
    share_a: float  # of a's own code, the part also in b's
    share_b: float
    functions: list[str]  # the solution cells where they share code, by shared weight
    # grade_id → (a's lines, b's lines) that hold shared fingerprints
    lines: dict[str, tuple[set[int], set[int]]] = field(default_factory=dict)


@dataclass
class ClassSimilarity:
    assignment: str
    cells: list[str]  # the solution cells compared, in notebook order
    students: dict[str, dict[str, Cell]]  # student → grade_id → cell
    pairs: list[Pair]  # every pair with a score above 0, most similar first
    skipped: dict[str, str]  # student → why their notebook was not read
    threshold: float = THRESHOLD

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= self.threshold]


# -- reading what students wrote ----------------------------------------------------


def solution_cells(notebook: dict) -> dict[str, str]:
    """The code of each solution cell of a notebook's JSON, by grade_id (the
    first cell of each grade_id); whatever is malformed is left out."""
    found: dict[str, str] = {}
    cells = notebook.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata")
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        if not isinstance(meta, dict) or meta.get("solution") is not True:
            continue
        grade_id, source = meta.get("grade_id"), cell.get("source")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(grade_id, str) and isinstance(source, str):
            found.setdefault(grade_id, source)
    return found


def _read(path: Path) -> dict[str, str]:
    return solution_cells(json.loads(path.read_text(encoding="utf-8")))


def submitted(root: Path, assignment: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Each student's solution cells, and the students whose notebook cannot be
    read (with why), vetted as the grader vets them before parsing."""
    notebook_mb = Limits.from_course(root).notebook_mb
    cells, skipped = {}, {}
    for student in grading.submissions(root, assignment):
        problem = grading._precheck(root, assignment, student, notebook_mb)
        if problem:
            skipped[student] = problem
            continue
        path = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        cells[student] = _read(path)
    return cells, skipped


# -- fingerprints ----------------------------------------------------------------------


def _text(found: list[Unit]) -> str:
    return "\n".join(u.text for u in found)


def fingerprint(name: str, found: list[Unit], boilerplate: np.ndarray) -> CodeFingerprint | None:
    """copydetect's fingerprint of canonical units (None if too short for one k-gram)."""
    text = _text(found)
    if len(text) < K:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # copydetect warns about nothing we act on
        return CodeFingerprint(
            name, K, WINDOW, boilerplate=boilerplate, filter=False, fp=io.StringIO(text)
        )


@dataclass
class Given:
    """What every student was given or is expected to write, never counted."""

    cells: list[str]  # the release's solution cells, in notebook order
    hashes: np.ndarray  # the fingerprints of the scaffold and of the reference
    texts: set[str]  # their statements, in canonical shape: never shown as a match


def given(root: Path, assignment: str, keep: frozenset[str]) -> Given:
    """The released scaffold (signatures, docstrings, stubs) and the reference
    solution, from the release and source notebooks."""
    release = root / "release" / assignment / f"{assignment}.ipynb"
    source = root / "source" / assignment / f"{assignment}.ipynb"
    if not release.is_file():
        raise FileNotFoundError(
            f"no release notebook {release}: run `xorkit build` first (the released "
            "scaffold is what students were given, and is not compared)"
        )
    scaffold = _read(release)
    reference = [SOLUTION_MARKER.sub("", code) for code in _read(source).values()]
    hashes: set[int] = set()
    texts: set[str] = set()
    for code in [*scaffold.values(), *reference]:
        found = units(code, keep)
        texts |= {u.text for u in found}
        printed = fingerprint("given", found, np.array([], dtype=np.int64))
        if printed is not None:
            hashes |= printed.hashes
    return Given(list(scaffold), np.unique(np.array(sorted(hashes), dtype=np.int64)), texts)


def weight(students_with: int, students: int) -> float:
    """How much a fingerprint that ``students_with`` of the ``students`` share
    counts: 1 when only a pair has it, falling linearly to 0 when everyone has
    it (the share of the rest of the class that also wrote it)."""
    if students <= 2:
        return 1.0
    return max(0.0, 1.0 - max(students_with - 2, 0) / (students - 2))


# -- comparing -------------------------------------------------------------------------


def compare(
    root: Path, assignment: str, threshold: float = THRESHOLD, with_lines: int = TOP
) -> ClassSimilarity:
    """Compare the solution cells of every pair of students of ``assignment``;
    the ``with_lines`` most similar pairs get their shared lines."""
    keep = frozenset(assignments.load(root, assignment).names)
    scaffold = given(root, assignment, keep)
    order = scaffold.cells
    sources, skipped = submitted(root, assignment)
    students: dict[str, dict[str, Cell]] = {}
    made: dict[tuple[str, str], Cell] = {}  # many students hand in the same code: once each
    for student, cells in progress(sources.items(), desc="fingerprints", total=len(sources)):
        students[student] = {}
        for grade_id in order:
            code = cells.get(grade_id, "")[:MAX_CELL_CHARS]  # what the units stand for
            if (grade_id, code) not in made:
                found = units(code, keep)
                made[grade_id, code] = Cell(
                    code, found, fingerprint(student, found, scaffold.hashes)
                )
            students[student][grade_id] = made[grade_id, code]
    sharing = _Sharing(students, order)
    mass = {s: math.fsum(sharing.mass(g, c[g]) for g in order) for s, c in students.items()}
    pairs = []
    for a, b in combinations(sorted(s for s in students if mass[s] > 0), 2):
        by_cell = {g: sharing.shared(g, students[a][g], students[b][g]) for g in order}
        common = math.fsum(by_cell.values())
        if common <= 0:
            continue
        pairs.append(
            Pair(
                a,
                b,
                score=common / max((mass[a] + mass[b]) / 2, MIN_MASS),
                share_a=common / max(mass[a], MIN_MASS),
                share_b=common / max(mass[b], MIN_MASS),
                functions=sorted((g for g in order if by_cell[g] > 0), key=lambda g: -by_cell[g]),
            )
        )
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    for pair in pairs[:with_lines]:
        pair.lines = _shared_lines(students[pair.a], students[pair.b], sharing, scaffold)
    return ClassSimilarity(assignment, order, students, pairs, skipped, threshold)


class _Sharing:
    """The weight of each fingerprint of each solution cell in this class, and
    the weight two cells share (worked out once for cells several students hand in)."""

    def __init__(self, students: dict[str, dict[str, Cell]], order: list[str]):
        holders: dict[str, dict[int, int]] = {g: {} for g in order}
        used: dict[int, int] = {}
        for cells in students.values():
            for grade_id, cell in cells.items():
                used[id(cell)] = used.get(id(cell), 0) + 1
                for h in cell.hashes:
                    holders[grade_id][h] = holders[grade_id].get(h, 0) + 1
        self.weights = {
            g: {h: weight(n, len(students)) for h, n in counts.items()}
            for g, counts in holders.items()
        }
        self.used = used
        self.memo: dict[tuple[int, int], float] = {}

    # math.fsum: a sum that does not depend on the order of a set, which changes
    # from run to run with the hashes; a copy then scores exactly 1, every time
    def mass(self, grade_id: str, cell: Cell) -> float:
        return math.fsum(self.weights[grade_id][h] for h in cell.hashes)

    def shared(self, grade_id: str, x: Cell, y: Cell) -> float:
        key = (id(x), id(y))
        if key in self.memo:
            return self.memo[key]
        common = x.hashes & y.hashes
        value = math.fsum(self.weights[grade_id][h] for h in common)
        if self.used[id(x)] > 1 or self.used[id(y)] > 1:  # the same pair of cells again
            self.memo[key] = value
        return value


def _lines_of(cell: Cell, shared: set[int], texts: set[str]) -> set[int]:
    """The lines of ``cell`` under the k-grams of the ``shared`` fingerprints, but
    those of statements the scaffold or the reference also has."""
    starts, offset = [], 0
    for unit in cell.units:
        starts.append(offset)
        offset += len(unit.text) + 1  # the units are joined by newlines
    lines: set[int] = set()
    for h in shared:
        for position in cell.fingerprint.hash_idx.get(h, []):
            first = int(np.searchsorted(starts, position, side="right")) - 1
            last = int(np.searchsorted(starts, position + K - 1, side="right")) - 1
            for unit in cell.units[max(first, 0) : last + 1]:
                if unit.text not in texts:
                    lines.update(unit.lines)
    return lines


# a shared fingerprint is shown as a match when at least half the class does not have it
SHOWN_WEIGHT = 0.5


def _shared_lines(
    a: dict[str, Cell], b: dict[str, Cell], sharing: _Sharing, scaffold: Given
) -> dict[str, tuple[set[int], set[int]]]:
    """For each solution cell, the lines of ``a`` and of ``b`` that hold the
    fingerprints they share and at least half the class does not have."""
    found = {}
    for grade_id in scaffold.cells:
        weights = sharing.weights[grade_id]
        shared = {h for h in a[grade_id].hashes & b[grade_id].hashes if weights[h] >= SHOWN_WEIGHT}
        if shared:
            found[grade_id] = (
                _lines_of(a[grade_id], shared, scaffold.texts),
                _lines_of(b[grade_id], shared, scaffold.texts),
            )
    return found


# -- the page and the CSV ----------------------------------------------------------------

CAUTION = (
    "<strong>This page is evidence for a person to look at, never a verdict.</strong> "
    "A high score says that two submissions share code beyond what the assignment gave "
    "them and what its reference solution writes. It does not say that anyone copied, "
    "nor who: students who worked together as allowed, followed the same tutorial or "
    "wrote a short answer that admits few forms share code too. Read the code side by "
    "side, and talk with the students, before deciding anything."
)

METHOD = (
    "Compared: the code of each solution cell of every submitted notebook, cell by cell. "
    "Not counted: the released scaffold (signatures, docstrings, stubs) and whatever the "
    "reference solution writes. Names, comments, blank lines, the order of independent "
    "statements and a loop written as a comprehension make no difference. Code that "
    "much of the class shares counts less. <em>Score</em>: the code both share, over the "
    "mean of what each wrote of their own (1 = the same code). <em>Share</em>: the part "
    "of one student's own code also in the other's."
)

STYLE = (
    "body{font-family:sans-serif;max-width:80em;margin:2em auto;padding:0 1em}"
    ".caution{border:2px solid #b35900;background:#fff4e5;padding:.8em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}"
    ".flagged td{background:#fff4e5}"
    "table.side{table-layout:fixed;width:100%}"
    "pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:.85em}"
    "mark{background:#ffd27f;display:inline-block;width:100%}"
    ".n{color:#888;user-select:none}"
)


def _e(text: object) -> str:
    """Student text for the page: control and format characters shown as escapes
    (a bidirectional override cannot reorder what the instructor reads), HTML inert."""
    return html.escape(printable(str(text).replace("\t", "    "), LINE_LIMIT), quote=True)


def _code(code: str, marked: set[int]) -> str:
    rows = []
    for number, line in enumerate(code.splitlines() or [""], start=1):
        row = f'<span class="n">{number:3d}</span> {_e(line)}'
        rows.append(f"<mark>{row}</mark>" if number in marked else row)
    return "<pre>" + "\n".join(rows) + "</pre>"


def _pair_section(result: ClassSimilarity, rank: int, pair: Pair) -> str:
    a, b = result.students[pair.a], result.students[pair.b]
    parts = [
        f'<section id="pair-{rank}"><h2>{rank}. {_e(pair.a)} and {_e(pair.b)}: '
        f"score {pair.score:.2f}</h2>",
        f"<p>{_pct(pair.share_a)} of {_e(pair.a)}'s own code is also in {_e(pair.b)}'s; "
        f"{_pct(pair.share_b)} of {_e(pair.b)}'s is also in {_e(pair.a)}'s. "
        "Highlighted: the lines holding code both wrote that at least half the class "
        "did not.</p>",
    ]
    for grade_id in result.cells:
        if grade_id not in pair.lines:
            continue
        lines_a, lines_b = pair.lines[grade_id]
        parts.append(
            f'<h3>{_e(grade_id)}</h3><table class="side"><tr><th>{_e(pair.a)}</th>'
            f"<th>{_e(pair.b)}</th></tr><tr><td>{_code(a[grade_id].code, lines_a)}</td>"
            f"<td>{_code(b[grade_id].code, lines_b)}</td></tr></table>"
        )
    if not pair.lines:
        parts.append("<p>No line stands out: what they share is also common in the class.</p>")
    return "\n".join(parts) + "</section>"


def counted(n: int, thing: str) -> str:
    """``n`` things, in words: 1 pair, 2 pairs."""
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def render(result: ClassSimilarity, top: int = TOP, report_link: str | None = None) -> str:
    """The page: the most similar pairs, then each of the ``top`` side by side."""
    title = f"{result.assignment}: similar code"
    shown = result.pairs[:top]
    flagged = len(result.flagged)
    rows = []
    for rank, p in enumerate(shown, start=1):
        mark = ' class="flagged"' if p.score >= result.threshold else ""
        rows.append(
            f'<tr{mark}><td><a href="#pair-{rank}">{rank}</a></td><td>{_e(p.a)}</td>'
            f"<td>{_e(p.b)}</td><td>{p.score:.2f}</td><td>{_pct(p.share_a)} / "
            f"{_pct(p.share_b)}</td><td>{_e(', '.join(p.functions))}</td></tr>"
        )
    compared = len(result.students)
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="caution">{CAUTION}</p>',
        f"<p>{counted(compared, 'submission')} compared, "
        f"{counted(compared * (compared - 1) // 2, 'pair')}. "
        f"{counted(flagged, 'pair')} {'scores' if flagged == 1 else 'score'} "
        f"{result.threshold:g} or more (the threshold, "
        "<code>--threshold</code>); every pair that shares code is in the CSV beside "
        "this page.</p>",
        f"<p>{METHOD}</p>",
    ]
    if report_link:
        sections.append(f'<p><a href="{html.escape(report_link)}">The class report</a></p>')
    if shown:
        sections += [
            f"<h2>The most similar {counted(len(shown), 'pair')}</h2>",
            "<table><tr><th>#</th><th>student</th><th>student</th><th>score</th>"
            "<th>share of each one's own code</th><th>where</th></tr>" + "".join(rows) + "</table>",
        ]
        sections += [_pair_section(result, rank, p) for rank, p in enumerate(shown, start=1)]
    else:
        sections.append("<p>No two submissions share code of their own.</p>")
    if result.skipped:
        sections.append(f"<h2>Not compared ({len(result.skipped)})</h2><ul>")
        sections += [f"<li>{_e(s)}: {_e(why)}</li>" for s, why in result.skipped.items()]
        sections.append("</ul>")
    # no script, no remote content: the page only shows text
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )


CSV_COLUMNS = ["student_a", "student_b", "score", "share_a", "share_b", "functions"]


def write_csv(result: ClassSimilarity, path: Path) -> None:
    """Every pair that shares code, most similar first."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for p in result.pairs:
            writer.writerow(
                [
                    spreadsheet_cell(p.a),
                    spreadsheet_cell(p.b),
                    f"{p.score:.3f}",
                    f"{p.share_a:.3f}",
                    f"{p.share_b:.3f}",
                    spreadsheet_cell(" ".join(p.functions)),
                ]
            )


def similarity(
    root: Path, out: Path, assignment: str, threshold: float = THRESHOLD, top: int = TOP
) -> ClassSimilarity:
    """Write the page ``out`` and the CSV beside it (``out`` with ``.csv``)."""
    result = compare(root, assignment, threshold, with_lines=top)
    out.parent.mkdir(parents=True, exist_ok=True)
    index = out.parent / "index.html"
    out.write_text(render(result, top, "index.html" if index.exists() else None))
    write_csv(result, out.with_suffix(".csv"))
    return result
