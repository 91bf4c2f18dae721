"""The canonical shape of a solution cell: the disguises a copy wears change nothing."""

import pytest

from autograder.course.code_shape import Unit, units
from tests import similar_class
from tests.helpers import XOR

KEEP = frozenset(XOR.names)


def shape(code: str) -> list[str]:
    return [u.text for u in units(code, KEEP)]


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
