"""`xorkit similarity`: planted near-copies rank above independent solutions, and the
page it writes shows student code as text, never as markup."""

import csv
import io
import shutil
import warnings
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from copydetect import CodeFingerprint

from autograder.cli import main
from autograder.course import report, similarity
from autograder.course.code_shape import Unit, units
from autograder.course.results import StudentOutcome
from autograder.course.similarity_defaults import THRESHOLD
from tests import similar_class
from tests.helpers import REPO, XOR, new_course, release_with, solved_sources, submit

KEEP = frozenset(XOR.names)
# What the test class must show, with room: the planted copies score at least
# PLANTED_FLOOR, every independent pair at most INDEPENDENT_CEILING (measured:
# 0.94 and 0.28, printed by the separation test).
PLANTED_FLOOR = 0.75
INDEPENDENT_CEILING = 0.35


def shape(code: str) -> list[str]:
    return [u.text for u in units(code, KEEP)]


def planted(pair: similarity.Pair) -> bool:
    copies = {*similar_class.PLANTED, "kim_edited_inside"}
    return pair.a in copies and pair.b in copies


def separation(result: similarity.ClassSimilarity) -> tuple[similarity.Pair, similarity.Pair]:
    """The lowest-scoring pair of planted copies and the highest-scoring other pair."""
    lowest = min((p for p in result.pairs if planted(p)), key=lambda p: p.score)
    highest = max((p for p in result.pairs if not planted(p)), key=lambda p: p.score)
    return lowest, highest


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return similar_class.make(tmp_path_factory.mktemp("similar-class") / "course")


@pytest.fixture(scope="module")
def compared(course):
    return similarity.compare(course, "xor_mlp")


# -- the canonical shape ----------------------------------------------------------------


@pytest.mark.parametrize("student", ["kim_renamed", "kim_reordered", "kim_commented"])
def test_a_disguise_leaves_the_shape_of_every_cell_unchanged(student):
    """Renamed variables, reordered independent statements, or changed comments and
    blank lines give each of kim's cells the same canonical shape."""
    original = similar_class.filled(similar_class.ORIGINAL)
    copy = similar_class.filled(similar_class.COPIES[student])
    for grade_id, code in original.items():
        assert shape(copy[grade_id]) == shape(code), grade_id


def test_a_loop_and_its_comprehension_have_one_shape():
    """A loop that appends to an empty list is the list comprehension it builds, a
    loop that adds to zero is the sum of a generator, nested loops and ifs too."""
    loop = "out = []\nfor row in y:\n  for v in row:\n    if v > 0:\n      out.append(v * 2)\n"
    assert shape(loop) == shape("out = [v * 2 for row in y for v in row if v > 0]\n")
    total = "t = 0\nfor d in diffs:\n    t += d * d\n"
    assert shape(total) == shape("t = sum(d * d for d in diffs)\n")
    used = "out = []\nn = len(out)\nfor v in y:\n    out.append(v)\n"  # read before the loop
    assert "forviny:" in shape(used)


def test_dependent_statements_keep_their_order():
    """Statements that depend on each other are not reordered: two draws from one
    generator, a value and its use, a swap (which is not two assignments)."""
    draws = "def f(rng):\n    a = rng.random(2)\n    b = rng.random(3)\n    return a, b\n"
    swapped = draws.replace("random(2)", "random(9)").replace("random(3)", "random(2)")
    assert shape(draws) != shape(swapped.replace("random(9)", "random(3)"))
    assert shape("x = y * 2\ny = 3\n") != shape("y = 3\nx = y * 2\n")
    assert shape("a, b = b, a\n") == ["v,v=(v,v)"]
    assert shape("a, b = c.copy(), d.copy()\n") == shape("b = d.copy()\na = c.copy()\n")


def test_each_unit_remembers_the_lines_it_stands_for():
    """A unit keeps the student's line numbers: a merged loop spans its empty start
    and the whole loop, a compound statement's header its own lines only."""
    found = units("# c\nout = []\n\nfor v in y:\n    out.append(v)\nreturn out\n", KEEP)
    assert found[0] == Unit("v=[vforviny]", (2, 4, 5))
    header = units("for i in range(\n    n):\n    x = i\n", KEEP)[0]
    assert header == Unit("forvinrange(n):", (1, 2))


def test_code_that_does_not_parse_is_compared_line_by_line():
    """A syntax error, an IPython magic or nesting too deep for the parser still
    gives units, one per line, with names, strings and comments filtered."""
    assert shape("%timeit f(x)\nx = 1  # one\n") == ["v=1"]
    assert shape("def f(:\n    return 'a' + b  # why\n") == ["defF(:", 'return"S"+V']
    deep = "x = " + "(" * 500 + "1" + ")" * 500 + "\n"
    assert len(units(deep, KEEP)) == 1


# -- the class -----------------------------------------------------------------------------


@pytest.mark.slow
def test_planted_copies_rank_above_every_independent_solution(compared):
    """Every pair of kim and the planted copies (renamed, reordered, recommented, a
    loop as a comprehension, all of them at once) ranks above every other pair of
    the class (the example class, students written from the catalogue's correct
    variants), at or above the threshold, while the others stay below it."""
    count = len(similar_class.PLANTED)
    ranked = compared.pairs[: count * (count - 1) // 2]
    assert all(planted(p) for p in ranked)
    lowest, highest = separation(compared)
    print(
        f"\nseparation: lowest planted copy {lowest.score:.3f} ({lowest.a}, {lowest.b}), "
        f"highest independent pair {highest.score:.3f} ({highest.a}, {highest.b})"
    )
    assert lowest.score >= PLANTED_FLOOR > THRESHOLD > INDEPENDENT_CEILING >= highest.score
    assert [(p.a, p.b) for p in compared.flagged] == [(p.a, p.b) for p in ranked]


@pytest.mark.slow
def test_copydetect_on_the_raw_cells_separates_less(course, compared, monkeypatch):
    """copydetect's own filter on the raw cells (names as V, comments out, but no
    reordering and no comprehensions) leaves the planted copies closer to the
    independent solutions than the canonical shape does: why code_shape exists."""

    def raw(code, keep=frozenset()):
        return [Unit(code, ())]

    def filtered(name, found, boilerplate):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = io.StringIO(found[0].text if found else "")
            printed = CodeFingerprint(f"{name}.py", similarity.K, 1, boilerplate, fp=text)
        return printed if len(printed.filtered_code) >= similarity.K else None

    monkeypatch.setattr(similarity, "units", raw)
    monkeypatch.setattr(similarity, "fingerprint", filtered)
    lowest_raw, highest_raw = separation(similarity.compare(course, "xor_mlp"))
    lowest, highest = separation(compared)
    print(
        f"\ncopydetect's filter alone: lowest planted copy {lowest_raw.score:.3f}, "
        f"highest independent pair {highest_raw.score:.3f}"
    )
    assert lowest.score - highest.score > lowest_raw.score - highest_raw.score + 0.2


@pytest.mark.slow
def test_a_copy_edited_inside_its_statements_still_scores_above_the_threshold(course, tmp_path):
    """A copy edited inside nine statements (operands swapped, constants and calls
    changed), which no normalisation undoes, scores lower than the planted copies
    but still at or above the threshold, above every independent pair."""
    shutil.copytree(course, tmp_path / "course")
    copy = similar_class.filled(similar_class.edited_inside())
    submit(tmp_path / "course", "kim_edited_inside", release_with(copy))
    result = similarity.compare(tmp_path / "course", "xor_mlp")
    edited = next(p for p in result.pairs if {p.a, p.b} == {"kim_edited_inside", "kim_original"})
    _, highest = separation(result)
    print(f"\nedited inside nine statements: {edited.score:.3f} against kim_original")
    assert edited.score >= THRESHOLD > highest.score


def test_what_students_are_given_or_expected_to_write_is_not_counted(tmp_path):
    """Students who hand in the reference (renamed and recommented), the blank
    release, or the example class's one-token bugs share no code of their own
    worth a flag."""
    course = new_course(tmp_path / "course")
    shutil.copytree(REPO / "release", course / "release")
    code = solved_sources()
    renamed = {g: c.replace("residual", "r").replace("# (N, O)", "# rows") for g, c in code.items()}
    submit(course, "ref_one", release_with(code))
    submit(course, "ref_two", release_with(renamed))
    submit(course, "blank_one", release_with({}))
    submit(course, "blank_two", release_with({}))
    for student in ("cy_sigma_not_derivative", "di_missing_mean", "ed_sigmoid_sign"):
        shutil.copytree(REPO / "submitted" / student, course / "submitted" / student)
    result = similarity.compare(course, "xor_mlp")
    assert len(result.students) == 7
    assert result.flagged == []
    assert not [p for p in result.pairs if {p.a, p.b} & {"ref_one", "ref_two", "blank_one"}]


def test_code_the_whole_class_shares_weighs_nothing():
    """A fingerprint only a pair shares weighs 1, one the whole class shares 0."""
    assert similarity.weight(2, 30) == 1.0
    assert similarity.weight(1, 30) == 1.0
    assert similarity.weight(16, 30) == pytest.approx(0.5)
    assert similarity.weight(30, 30) == 0.0
    assert similarity.weight(2, 2) == 1.0


# -- the page and the CSV ---------------------------------------------------------------------

# Every tag the page is made of: anything else on it came from a student.
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "strong", "em",
    "code", "a", "table", "tr", "th", "td", "pre", "span", "mark", "section", "ul", "li",
}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


@pytest.mark.slow
def test_the_page_shows_the_top_pairs_side_by_side_and_is_no_verdict(course, tmp_path):
    """The page says it is evidence for a person, never a verdict; it shows the --top
    pairs side by side with the shared lines marked, and the CSV every pair."""
    out = tmp_path / "similarity.html"
    result = similarity.similarity(course, out, "xor_mlp", top=3)
    page = out.read_text()
    assert "evidence for a person to look at, never a verdict" in page
    assert [f'id="pair-{n}"' in page for n in (1, 2, 3, 4)] == [True, True, True, False]
    assert "<mark>" in page and "np.matmul(inputs, weights)" in page
    assert "def sigmoid(x):</mark>" not in page  # the scaffold is never a match
    rows = list(csv.DictReader(out.with_suffix(".csv").open()))
    assert list(rows[0]) == similarity.CSV_COLUMNS
    assert len(rows) == len(result.pairs) > 3
    assert float(rows[0]["score"]) >= float(rows[-1]["score"]) > 0


def test_student_markup_and_scripts_are_inert_on_the_page(tmp_path):
    """Student code holding HTML, a script, an event handler and a bidirectional
    override, by students whose ids hold markup or a formula, shows as text on the
    page (no tag or attribute a browser would act on) and as text in the CSV."""
    course = new_course(tmp_path / "course")
    shutil.copytree(REPO / "release", course / "release")
    code = solved_sources()
    code["dense"] = (
        "def dense(inputs, weights):\n"
        "    # </pre><script>alert(document.cookie)</script>\n"
        "    banner = '<img src=x onerror=alert(1)>' + '\u202e'\n"
        "    scaled = np.dot(inputs, weights) * len(banner) / len(banner)\n"
        "    return scaled\n"
    )
    for student in ("<img src=x onerror=alert(2)>", "=1+2"):
        submit(course, student, release_with(code))
    out = tmp_path / "similarity.html"
    result = similarity.similarity(course, out, "xor_mlp")
    assert result.flagged, "the two hostile students share their code"
    page = out.read_text()
    parsed = Tags()
    parsed.feed(page)
    assert parsed.tags <= PAGE_TAGS
    assert not [name for name in parsed.attributes if name.startswith("on")]
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "\u202e" not in page and "\\u202e" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    rows = list(csv.reader(out.with_suffix(".csv").open()))
    assert {"'=1+2", "<img src=x onerror=alert(2)>"} == set(rows[1][:2])


# -- the verb ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_verb_writes_page_and_csv_and_exits_1_on_flagged_pairs(course, tmp_path):
    """`xorkit similarity` writes the page and the CSV where --out says, lists the
    pairs at or above --threshold, says it is no verdict, and exits 1."""
    out = tmp_path / "{assignment}" / "sim.html"
    args = ["similarity", "--course", str(course), "--out", str(out), "--top", "5"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert (tmp_path / "xor_mlp" / "sim.html").is_file()
    assert (tmp_path / "xor_mlp" / "sim.csv").is_file()
    assert "15 pairs score 0.5 or more" in result.output
    assert "1.00  kim_commented and kim_comprehension" in result.output
    assert "… and 10 more in the CSV" in result.output
    assert "never a verdict" in result.output
    strict = CliRunner().invoke(main, [*args, "--threshold", "1"])
    assert strict.exit_code == 1
    assert "10 pairs score 1 or more" in strict.output  # kim and the four one-edit copies


def test_the_verb_says_what_to_do_when_it_cannot_compare(tmp_path):
    """A course without a release exits 2 and says to build it; a threshold above 1
    is a usage error (2); a class with nobody in submitted/ exits 1."""
    course = new_course(tmp_path / "course")
    submit(course, "ada", release_with({}))
    result = CliRunner().invoke(main, ["similarity", "--course", str(course)])
    assert result.exit_code == 2
    assert "run `xorkit build` first" in result.output and "Traceback" not in result.output
    wrong = CliRunner().invoke(main, ["similarity", "--course", str(course), "--threshold", "2"])
    assert wrong.exit_code == 2 and "--threshold" in wrong.output
    empty = new_course(tmp_path / "empty")
    shutil.copytree(REPO / "release", empty / "release")
    result = CliRunner().invoke(main, ["similarity", "--course", str(empty)])
    assert result.exit_code == 1
    assert "no submissions" in result.output


# -- the class report -------------------------------------------------------------------------


def test_the_class_report_links_the_similarity_page():
    """The class report links similarity.html when it is beside it, and otherwise
    says which verb writes it."""
    outcome = StudentOutcome("ada", 20.0, 26.0, [])
    graded = report.ClassReport([outcome], {}, {}, {})
    linked = report.render(graded, "xor_mlp", similarity_page="similarity.html")
    assert '<a href="similarity.html">' in linked and "never a verdict" in linked
    assert "xorkit similarity</code> compares" in report.render(graded, "xor_mlp")
