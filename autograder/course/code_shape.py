"""A solution cell's code in a canonical shape, for comparing students' code.

Two cells that differ only by the disguises a copy wears get the same text:

* names: every name the cell binds (arguments, variables, loop variables,
  helper functions) becomes ``v``; names it only reads (``np``, the contract's
  functions, notebook data), attributes (``np.exp``, ``.T``) and keyword
  arguments stay, since those are what a solution is made of;
* layout: comments, docstrings, blank lines, line breaks, spaces and
  parentheses go (the text is ``ast.unparse``'s, without spaces);
* order: the statements of a block are put in one canonical order that keeps
  every dependency (a statement that reads or writes what an earlier one writes
  stays after it), so swapping independent statements changes nothing;
* equivalent spellings: ``x -= y`` is ``x = x - y``; ``a, b = c, d`` is two
  assignments; ``1.0`` is ``1``; a generator is a list comprehension; a loop
  that only appends to (or adds to) an empty list (or a zero) is the
  comprehension (or the ``sum``) it computes; ``print`` calls, ``pass`` and
  bare strings go; every string is ``'S'``.

Each statement becomes one ``Unit``, which remembers the lines of the cell it
stands for, so that a match can be shown on the student's own code. Code that
does not parse (a syntax error, an IPython magic) is cut into lines instead,
each with copydetect's own filter (names as ``V``, strings as ``S``, no
comments or spaces).
"""

from __future__ import annotations

import ast
import heapq
import re
from dataclasses import dataclass

MAX_CELL_CHARS = 20_000  # a solution cell of this course is under 2,000; longer is cut
MAX_REORDERED = 200  # statements of a block put in canonical order (a cell has under 20)
PLACEHOLDER = "v"  # every name the cell binds
MAGIC = re.compile(r"^[ \t]*[%!].*$", re.MULTILINE)  # IPython magics and shell escapes
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Unit:
    text: str  # one statement (or a compound statement's header), canonical
    lines: tuple[int, ...]  # the lines of the cell it stands for, 1-based


def units(code: str, keep: frozenset[str] = frozenset()) -> list[Unit]:
    """``code`` as canonical statements; ``keep`` are names never renamed (the
    contract's functions, which every solution defines)."""
    code = code[:MAX_CELL_CHARS]
    try:
        tree = ast.parse(MAGIC.sub("", code))
        return _Shaper(keep).shape(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _lines(code)


def _lines(code: str) -> list[Unit]:
    from copydetect.utils import filter_code

    found = []
    for number, line in enumerate(code.splitlines(), start=1):
        text = filter_code(line, "cell.py", language="python")[0].strip()
        if text:
            found.append(Unit(text, (number,)))
    return found


# -- equivalent spellings ---------------------------------------------------------


def _is_print(stmt: ast.stmt) -> bool:
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    named = isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    return named and call.func.id == "print"


def _dropped(stmt: ast.stmt) -> bool:
    """Statements that compute nothing: ``pass``, bare strings and numbers
    (docstrings), ``print`` calls."""
    bare = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    return bare or isinstance(stmt, ast.Pass) or _is_print(stmt)


def _added(stmt: ast.stmt) -> tuple[str, ast.expr] | None:
    """``(name, value)`` when ``stmt`` is ``name += value`` or ``name = name + value``."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add):
        target, value = stmt.target, stmt.value
    elif (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.value, ast.BinOp)
        and isinstance(stmt.value.op, ast.Add)
        and isinstance(stmt.value.left, ast.Name)
    ):
        target, value = stmt.targets[0], stmt.value.right
        if not isinstance(target, ast.Name) or target.id != stmt.value.left.id:
            return None
    else:
        return None
    return (target.id, value) if isinstance(target, ast.Name) else None


def _accumulation(loop: ast.For) -> tuple[str, str, ast.expr, list[ast.comprehension]] | None:
    """``(name, kind, element, generators)`` when ``loop`` only appends to a list
    (``kind`` "append") or adds to a number ("sum"), through nested ``for`` and
    ``if`` statements without ``else``; None otherwise."""
    generators: list[ast.comprehension] = []
    node: ast.stmt = loop
    while isinstance(node, ast.For | ast.If) and not node.orelse and len(node.body) == 1:
        if isinstance(node, ast.For):
            generators.append(ast.comprehension(node.target, node.iter, [], 0))
        elif generators:
            generators[-1].ifs.append(node.test)
        else:
            return None
        node = node.body[0]
    call = node.value if isinstance(node, ast.Expr) else None
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "append"
        and isinstance(call.func.value, ast.Name)
        and len(call.args) == 1
        and not call.keywords
    ):
        return call.func.value.id, "append", call.args[0], generators
    added = _added(node)
    return (added[0], "sum", added[1], generators) if added else None


def _starts_empty(stmt: ast.stmt, name: str, kind: str) -> bool:
    """Whether ``stmt`` is ``name = []`` (or ``list()``) for an append, ``name = 0``
    for a sum."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == name
    ):
        return False
    value = stmt.value
    if kind == "sum":
        return isinstance(value, ast.Constant) and value.value == 0
    if isinstance(value, ast.List):
        return not value.elts
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "list"
        and not value.args
        and not value.keywords
    )


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


# Statements after which no statement may move, nor before which: they leave the block.
LEAVING = (ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)
BLOCK_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")


# Methods of arrays, lists and numbers that leave their object as it was: calling
# one is a read. Any other method may change its object (append, fill, sort, and
# every draw from a random generator), so it keeps its place among the
# statements using that object.
PURE_METHODS = frozenset(
    """all any argmax argmin astype copy count cumsum dot flatten get index item items keys
    max mean min nonzero prod ravel repeat reshape round squeeze std sum take tolist
    transpose values var""".split()  # noqa: SIM905 -- a word list reads better than 33 quoted strings
)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class _Shaper:
    """Rewrites a parsed cell (``_block``), notes what each statement reads and
    writes (``_effects``), renames, then lists its units in canonical order."""

    def __init__(self, keep: frozenset[str]):
        self.keep = keep

    def shape(self, tree: ast.Module) -> list[Unit]:
        tree.body = self._block(tree.body)
        bound = _bound(tree)
        _effects(tree.body, bound)
        _Renamer(bound - self.keep).visit(tree)
        return _ordered(tree.body)

    def _block(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """One block in its canonical spelling, nested blocks first."""
        out: list[ast.stmt] = []
        for stmt in body:
            if _dropped(stmt):
                continue
            for child in _blocks(stmt):
                child[:] = self._block(child)
            if isinstance(stmt, ast.For) and _comprehended(stmt, out):
                continue
            out.extend(_spelled(stmt))
        return out


def _comprehended(loop: ast.For, before: list[ast.stmt]) -> bool:
    """Replace an accumulating ``loop`` and the empty start it builds on (the last
    of ``before`` to mention its name) with the assignment of the comprehension
    it computes."""
    found = _accumulation(loop)
    if found is None:
        return False
    name, kind, element, generators = found
    if any(_mentions(g, name) for g in generators) or _mentions(element, name):
        return False
    starts = [i for i, stmt in enumerate(before) if _mentions(stmt, name)]
    if not starts or not _starts_empty(before[starts[-1]], name, kind):
        return False
    start = before.pop(starts[-1])
    value: ast.expr = ast.ListComp(element, generators)
    if kind == "sum":
        value = ast.Call(ast.Name("sum", ast.Load()), [value], [])
    merged = ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), loop)
    merged.end_lineno = loop.end_lineno
    merged.merged_lines = set(_lines_of(start))
    before.append(merged)
    return True


def _spelled(stmt: ast.stmt) -> list[ast.stmt]:
    """``stmt`` in the canonical spelling of its kind (one statement or several)."""
    if isinstance(stmt, ast.AugAssign):
        load = ast.parse(ast.unparse(stmt.target), mode="eval").body
        value = ast.BinOp(load, stmt.op, stmt.value)
        stmt = ast.copy_location(ast.Assign([stmt.target], value), stmt)
    if isinstance(stmt, ast.AnnAssign):
        if stmt.value is None:
            return []
        stmt = ast.copy_location(ast.Assign([stmt.target], stmt.value), stmt)
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Tuple)
        and isinstance(stmt.value, ast.Tuple)
        and len(stmt.targets[0].elts) == len(stmt.value.elts)
        and not any(isinstance(e, ast.Starred) for e in stmt.targets[0].elts + stmt.value.elts)
    ):
        return [stmt]
    targets, values = stmt.targets[0].elts, stmt.value.elts
    for i, target in enumerate(targets):  # a, b = b, a is a swap, not two assignments
        written = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        if any(_mentions(value, name) for value in values[i + 1 :] for name in written):
            return [stmt]
    return [
        ast.copy_location(ast.Assign([target], value), stmt)
        for target, value in zip(targets, values, strict=True)
    ]


# -- what each statement reads and writes, for the canonical order ---------------


def _bound(tree: ast.AST) -> set[str]:
    """The names the cell binds: arguments, assigned names, functions, exceptions."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (*DEFINITIONS, ast.ExceptHandler)) and node.name:
            bound.add(node.name)
    return bound


def _effects(body: list[ast.stmt], bound: set[str]) -> tuple[set[str], set[str], bool]:
    """Note on each statement of ``body`` (nested blocks too) the names it reads,
    the names it may write and whether it leaves the block (``effects``); return
    the same for the whole block."""
    block_reads, block_writes, block_leaves = set(), set(), False
    for stmt in body:
        reads, writes = set(), set()
        barrier = isinstance(stmt, LEAVING)
        for node in _header_nodes(stmt):
            if isinstance(node, ast.Name):
                (reads if isinstance(node.ctx, ast.Load) else writes).add(node.id)
            elif isinstance(node, ast.Subscript | ast.Attribute) and not isinstance(
                node.ctx, ast.Load
            ):
                writes |= _base(node)  # x[i] = … changes x, not i
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr not in PURE_METHODS
            ):
                writes |= _base(node.func) & bound  # errors.append(e), rng.random(3)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                writes |= {(a.asname or a.name).split(".")[0] for a in node.names}
            barrier = barrier or isinstance(node, ast.Yield | ast.YieldFrom | ast.Await)
        if isinstance(stmt, DEFINITIONS):
            writes.add(stmt.name)
        for child in _blocks(stmt):
            child_reads, child_writes, leaves = _effects(child, bound)
            reads |= child_reads
            writes |= child_writes
            # a return leaves the function it is in, not the block defining it
            barrier = barrier or (leaves and not isinstance(stmt, DEFINITIONS))
        stmt.effects = (reads, writes, barrier)
        block_reads |= reads
        block_writes |= writes
        block_leaves = block_leaves or barrier
    return block_reads, block_writes, block_leaves


def _header_nodes(stmt: ast.stmt):
    """Every node of ``stmt`` outside its nested blocks."""
    for name in stmt._fields:
        if name in BLOCK_FIELDS:
            continue
        value = getattr(stmt, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.AST):
                yield from ast.walk(item)


def _base(node: ast.expr) -> set[str]:
    """The name whose object ``x[i].y`` (or a method call on it) reaches into."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return {node.id} if isinstance(node, ast.Name) else set()


def _depends(first: ast.stmt, then: ast.stmt) -> bool:
    """Whether ``then`` must stay after ``first``."""
    reads_i, writes_i, barrier_i = first.effects
    reads_j, writes_j, barrier_j = then.effects
    return barrier_i or barrier_j or bool(writes_i & (reads_j | writes_j) or reads_i & writes_j)


def _ordered(body: list[ast.stmt]) -> list[Unit]:
    """The units of a block in canonical order: every dependency kept, and among
    the statements free to go next, the one whose text is smallest first."""
    units_of = [_units_of(stmt) for stmt in body]
    if len(body) > MAX_REORDERED:  # comparing every two statements would take too long
        return [unit for found in units_of for unit in found]
    keys = ["\n".join(u.text for u in found) for found in units_of]
    after: list[list[int]] = [[] for _ in body]  # j in after[i]: j must follow i
    waits = [0] * len(body)
    for j in range(len(body)):
        for i in range(j):
            if _depends(body[i], body[j]):
                after[i].append(j)
                waits[j] += 1
    ready = [(keys[i], i) for i in range(len(body)) if not waits[i]]
    heapq.heapify(ready)
    found: list[Unit] = []
    while ready:
        _, i = heapq.heappop(ready)
        found += units_of[i]
        for j in after[i]:
            waits[j] -= 1
            if not waits[j]:
                heapq.heappush(ready, (keys[j], j))
    return found


def _units_of(stmt: ast.stmt) -> list[Unit]:
    """A statement's units: itself, or its header and its blocks' units."""
    found = [Unit(_compact(_header(stmt)), tuple(sorted(_lines_of(stmt))))]
    for label, child in _labelled_blocks(stmt):
        if label:
            found.append(Unit(label, ()))
        found += _ordered(child)
    return found


class _Renamer(ast.NodeTransformer):
    """Every bound name becomes the placeholder; numbers and strings canonical."""

    def __init__(self, bound: set[str]):
        self.bound = bound

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.bound:
            node.id = PLACEHOLDER
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        if node.arg in self.bound:
            node.arg = PLACEHOLDER
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.returns = None
        if node.name in self.bound:
            node.name = PLACEHOLDER
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        value = node.value
        if isinstance(value, str | bytes):
            node.value = "S"
        elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            node.value = int(value)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        empty = not node.args and not node.keywords and isinstance(node.func, ast.Name)
        if empty and node.func.id in ("list", "dict"):  # list() is [], dict() is {}
            made = ast.List([], ast.Load()) if node.func.id == "list" else ast.Dict([], [])
            return ast.copy_location(made, node)
        return node

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.ListComp:
        self.generic_visit(node)
        return ast.copy_location(ast.ListComp(node.elt, node.generators), node)


# -- compound statements ------------------------------------------------------------


def _labelled_blocks(stmt: ast.stmt) -> list[tuple[str, list[ast.stmt]]]:
    """The nested blocks of a compound statement, each with the label shown
    before it (``else:``, ``except …:``), none for the body under the header."""
    blocks: list[tuple[str, list[ast.stmt]]] = []
    if isinstance(getattr(stmt, "body", None), list):
        blocks.append(("", stmt.body))
    for handler in getattr(stmt, "handlers", []):
        kind = ast.unparse(handler.type) if handler.type else ""
        blocks.append((_compact(f"except {kind}:"), handler.body))
    for case in getattr(stmt, "cases", []):
        guard = f" if {ast.unparse(case.guard)}" if case.guard else ""
        blocks.append((_compact(f"case {ast.unparse(case.pattern)}{guard}:"), case.body))
    if getattr(stmt, "orelse", None):
        blocks.append(("else:", stmt.orelse))
    if getattr(stmt, "finalbody", None):
        blocks.append(("finally:", stmt.finalbody))
    return blocks


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    return [child for _, child in _labelled_blocks(stmt)]


def _header(stmt: ast.stmt) -> str:
    """A simple statement's text, or a compound statement's first line."""
    if not _blocks(stmt):
        return ast.unparse(stmt)
    if isinstance(stmt, ast.Try | getattr(ast, "TryStar", ast.Try)):
        return "try:"
    if isinstance(stmt, ast.Match):
        return f"match {ast.unparse(stmt.subject)}:"
    bare = ast.copy_location(type(stmt)(**{n: getattr(stmt, n) for n in stmt._fields}), stmt)
    bare.body, bare.orelse = [ast.Pass()], []
    return ast.unparse(bare).splitlines()[-2]


def _compact(text: str) -> str:
    return SPACE.sub("", text)


def _own_lines(stmt: ast.stmt) -> range:
    """The lines of a simple statement, or of a compound statement's header."""
    if not _blocks(stmt):
        return range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
    ends = [getattr(node, "end_lineno", None) for node in _header_nodes(stmt)]
    first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
    return range(first, max([stmt.lineno, *(end for end in ends if end)]) + 1)


def _lines_of(stmt: ast.stmt) -> set[int]:
    return set(_own_lines(stmt)) | getattr(stmt, "merged_lines", set())
