"""First-order mutants of an assignment's reference solution.

The reference is read where it is written, in the source notebook's solution
cells (a solution cell's grade_id is its function's name). Every operator of
``autograder.audit.operators`` is tried at every node of the contract
function's body; each edit gives one mutant: the solution cell with that one
change. Mutants that read the same as another, or as the reference, are
dropped, so each mutant is one distinct program.
"""

from __future__ import annotations

import ast
import copy
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.audit.operators import OPERATORS, Operator, Scope

# nbgrader's solution markers (autograder.course.build removes them the same way)
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Mutant:
    """The reference solution of ``function`` with one edit."""

    function: str
    number: int  # 1, 2, … within its function, in the order they were made
    operator: str
    what: str  # the edit, in a few words
    line: int  # of the edit, counted from the function's ``def``
    cell: str  # the whole solution cell, mutated (as ``ast.unparse`` writes it)
    diff: str  # the function's changed lines, before and after

    @property
    def name(self) -> str:
        return f"{self.function}#{self.number}"


def solution_cells(notebook: Path) -> dict[str, str]:
    """The source notebook's solution cells by grade_id, markers removed."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: SOLUTION_MARKER.sub("", cell.source)
        for cell in nb.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise ValueError(f"the solution cell {name!r} does not define {name}()")


def _body_nodes(function: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of a function an edit may touch, in a fixed order: everything
    inside its body except its docstring (never the signature or decorators)."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    nodes = []
    for statement in body:
        nodes.extend(ast.walk(statement))
    return nodes


def _parents(root: ast.AST) -> dict:
    return {child: node for node in ast.walk(root) for child in ast.iter_child_nodes(node)}


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return
    raise AssertionError("the node to replace is not a child of its parent")


def _diff(before: str, after: str) -> tuple[str, int]:
    """The changed lines (``-`` before, ``+`` after) and the first one's number."""
    lines, first = [], 0
    for group in difflib.SequenceMatcher(
        None, before.splitlines(), after.splitlines()
    ).get_opcodes():
        tag, i1, i2, j1, j2 = group
        if tag == "equal":
            continue
        first = first or i1 + 1
        lines += [f"- {line}" for line in before.splitlines()[i1:i2]]
        lines += [f"+ {line}" for line in after.splitlines()[j1:j2]]
    return "\n".join(lines), first


def of_function(
    cell: str, function: str, scope: Scope, operators: Iterable[Operator] = OPERATORS
) -> list[Mutant]:
    """Every first-order mutant of ``function`` in a solution cell's code."""
    tree = ast.parse(cell)
    original = ast.unparse(_function(tree, function))
    parameters = tuple(a.arg for a in _function(tree, function).args.args)
    nodes = _body_nodes(_function(tree, function))
    here = Scope(scope.numpy, scope.contract, scope.activations, parameters, _parents(tree))
    seen, mutants = {original}, []
    for operator in operators:
        for index, node in enumerate(nodes):
            # each edit is found again on a fresh copy of the tree and applied there
            for k in range(len(list(operator.find(node, here)))):
                copied = copy.deepcopy(tree)
                target = _function(copied, function)
                there_node = _body_nodes(target)[index]
                parents = _parents(copied)
                there = Scope(scope.numpy, scope.contract, scope.activations, parameters, parents)
                edit = list(operator.find(there_node, there))[k]
                _replace(parents[edit.node], edit.node, edit.replacement)
                ast.fix_missing_locations(copied)
                mutated = ast.unparse(target)
                if mutated in seen:
                    continue
                seen.add(mutated)
                diff, line = _diff(original, mutated)
                mutants.append(
                    Mutant(
                        function,
                        len(mutants) + 1,
                        operator.name,
                        edit.what,
                        line,
                        ast.unparse(copied),
                        diff,
                    )
                )
    return mutants


def scope_of(assignment, reference) -> Scope:
    """The operators' view of an assignment: NumPy's name in the reference and
    the contract functions that take one argument (its activations)."""
    import inspect
    import types

    numpy = next(
        (
            name
            for name, value in vars(reference).items()
            if isinstance(value, types.ModuleType) and value.__name__ == "numpy"
        ),
        "np",
    )
    unary = tuple(
        name
        for name in assignment.names
        if len(inspect.signature(getattr(reference, name)).parameters) == 1
    )
    return Scope(numpy=numpy, contract=tuple(assignment.names), activations=unary)


def of_assignment(assignment, reference) -> list[Mutant]:
    """Every mutant of every contract function of ``assignment``, in contract order."""
    cells = solution_cells(assignment.source_notebook())
    scope = scope_of(assignment, reference)
    mutants = []
    for name in assignment.names:
        if name not in cells:
            raise ValueError(
                f"the source notebook has no solution cell with grade_id {name!r}: the audit "
                "mutates each contract function's solution cell"
            )
        mutants += of_function(cells[name], name, scope)
    return mutants
