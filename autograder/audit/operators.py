"""Mutation operators for numerical NumPy code, written on Python's ``ast``.

Each operator finds the places of a function where it applies and, for each,
the small edits a student might have made there. An edit replaces one node of
the syntax tree: an expression by another, or a statement by ``pass``. The
operators and their examples (``OPERATORS``, and the README's table):

=============  ===================================  ===================================
operator       before                               after
=============  ===================================  ===================================
arithmetic     ``residual / n_samples``             ``residual * n_samples`` (+, -, too)
comparison     ``y_hat > 0.5``                      ``y_hat >= 0.5``, ``y_hat < 0.5``
constant       ``0.5 * residual ** 2``              ``1.0 * residual ** 2``
sign           ``np.exp(-x)``                       ``np.exp(x)``
axis           ``np.mean(e)``                       ``np.mean(e, axis=0)``
transpose      ``X.T @ delta``                      ``X @ delta``
swap_args      ``act_hidden.T @ dL_dy``             ``dL_dy @ act_hidden.T``
statement      ``w1 = w1 - learning_rate * dw1``    ``pass``
return_order   ``return dL_dw1, dL_dw2, error``     ``return dL_dw2, dL_dw1, error``
loop_bound     ``for j in range(n_hidden):``        ``for j in range(n_hidden - 1):``
loop_index     ``act_hidden[k, j]``                 ``act_hidden[j, j]``
function_swap  ``sigmoid(dense(X, w1))``            ``np.tanh(dense(X, w1))``
=============  ===================================  ===================================

Nothing here runs the code: ``autograder.audit.mutants`` applies the edits to
the reference solution, one at a time (first-order mutants).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """What the operators need to know about the code they mutate."""

    numpy: str = "np"  # the name NumPy is imported as
    contract: tuple[str, ...] = ()  # the contract's functions
    activations: tuple[str, ...] = ()  # those of one argument (sigmoid, its derivative, …)
    parameters: tuple[str, ...] = ()  # the mutated function's parameters
    parents: dict = field(default_factory=dict, compare=False)  # node -> its parent


@dataclass(frozen=True)
class Edit:
    """Replace ``node`` by ``replacement``; ``what`` says so in a few words."""

    node: ast.AST
    replacement: ast.AST
    what: str


@dataclass(frozen=True)
class Operator:
    name: str
    summary: str  # what a mutant of this kind is, in the words of a student's mistake
    before: str  # an example: code before ...
    after: str  # ... and one of its mutants
    find: Callable[[ast.AST, Scope], Iterator[Edit]]


def _code(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with(node: ast.AST, **changes) -> ast.AST:
    """A copy of ``node`` with some fields changed."""
    new = copy.deepcopy(node)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _is_numpy(node: ast.AST, scope: Scope, *names: str) -> bool:
    """Whether ``node`` is ``np.<one of names>``."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == scope.numpy
        and node.attr in names
    )


def _numpy(scope: Scope, name: str) -> ast.Attribute:
    return ast.Attribute(ast.Name(scope.numpy, ast.Load()), name, ast.Load())


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


# ---------------------------------------------------------------- arithmetic

SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
# the four operations stand for one another (a sum for a difference, a product
# for a quotient, …); a power or a matrix product becomes an element-wise product
BASIC = (ast.Add, ast.Sub, ast.Mult, ast.Div)
ARITHMETIC = {op: tuple(o for o in BASIC if o is not op) for op in BASIC}
ARITHMETIC |= {ast.FloorDiv: (ast.Div,), ast.Mod: (ast.FloorDiv,)}
ARITHMETIC |= {ast.Pow: (ast.Mult,), ast.MatMult: (ast.Mult,)}


def arithmetic(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """``a * b`` → ``a / b``, ``a + b``, ``a - b``; ``a @ b`` → ``a * b``; also in
    augmented assignments (``+=`` → ``-=``)."""
    if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in ARITHMETIC:
        sign = "=" if isinstance(node, ast.AugAssign) else ""
        for new in ARITHMETIC[type(node.op)]:
            yield Edit(
                node,
                _with(node, op=new()),
                f"`{SYMBOLS[type(node.op)]}{sign}` → `{SYMBOLS[new]}{sign}`",
            )


# ---------------------------------------------------------------- comparison

BOUNDARY = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
REVERSED = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}


def comparison(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """``a > b`` → ``a >= b`` (the boundary) and ``a < b`` (the direction)."""
    if not isinstance(node, ast.Compare):
        return
    for i, op in enumerate(node.ops):
        for table in (BOUNDARY, REVERSED):
            if type(op) in table:
                new = table[type(op)]
                ops = [*node.ops[:i], new(), *node.ops[i + 1 :]]
                yield Edit(node, _with(node, ops=ops), f"`{SYMBOLS[type(op)]}` → `{SYMBOLS[new]}`")


# ---------------------------------------------------------------- constants

FLAGS = ("axis", "keepdims")  # keyword arguments the axis operator changes


def constant(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A number changed: an integer by ±1 (an index, a shape, an exponent), a
    float to 0 (or 1 if it was 0), twice or half itself (a missing or extra ½);
    a flag flipped. Strings are left alone."""
    if not isinstance(node, ast.Constant) or isinstance(node.value, str | bytes):
        return
    parent = scope.parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg in FLAGS:
        return
    value = node.value
    if isinstance(value, bool):
        values = [not value]
    elif isinstance(value, int):
        values = [value + 1, value - 1]
    elif isinstance(value, float):
        values = [0.0 if value else 1.0, 2 * value] + ([value / 2] if value else [])
    else:
        return
    for new in values:
        yield Edit(node, ast.Constant(new), f"`{value!r}` → `{new!r}`")


# ---------------------------------------------------------------- signs

# constructors whose sign is no mistake anyone makes: -np.zeros(…) is np.zeros(…)
CONSTRUCTORS = ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "array")
BUILT = ("list", "dict", "tuple", "range", "len")  # containers and counts have no sign


def _computed(value: ast.AST, scope: Scope) -> bool:
    """Whether ``value`` is computed (an operation or a call, not a constructor)."""
    if isinstance(value, ast.BinOp):
        return True
    if isinstance(value, ast.Call):
        builtin = isinstance(value.func, ast.Name) and value.func.id in BUILT
        return not (builtin or _is_numpy(value.func, scope, *CONSTRUCTORS))
    return False


def sign(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A sign dropped (``-x`` → ``x``), a difference reversed (``y_hat - y`` →
    ``y - y_hat``), or a computed value assigned or returned with its sign flipped."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield Edit(
            node, copy.deepcopy(node.operand), f"`-{_code(node.operand)}` → its sign dropped"
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        swapped = _with(node, left=node.right, right=node.left)
        yield Edit(node, swapped, f"`{_code(node)}` → `{_code(swapped)}`")
    single = isinstance(node, ast.Assign) and len(node.targets) == 1
    named = single and isinstance(node.targets[0], ast.Name | ast.Subscript)
    if (named or isinstance(node, ast.Return)) and _computed(node.value, scope):
        negated = ast.UnaryOp(ast.USub(), copy.deepcopy(node.value))
        what = (
            "the returned value's sign flipped"
            if isinstance(node, ast.Return)
            else f"the sign of `{_code(node.targets[0])}` flipped"
        )
        yield Edit(node, _with(node, value=negated), what)


# ---------------------------------------------------------------- axes

# NumPy's reductions, as functions (np.sum(a, axis=0)) and as methods (a.sum(axis=0))
REDUCTIONS = ("sum", "mean", "max", "min", "prod", "std", "var", "median", "average")
REDUCTIONS += ("argmax", "argmin", "any", "all", "amax", "amin", "nansum", "nanmean")


def _reduction(node: ast.AST, scope: Scope) -> bool:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    return node.func.attr in REDUCTIONS and (
        _is_numpy(node.func, scope, *REDUCTIONS) or node.args == [] or bool(node.keywords)
    )


def axis(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A reduction over another axis: ``axis`` added (0 or 1), changed (0 ↔ 1)
    or removed, and ``keepdims`` added or flipped."""
    if not _reduction(node, scope):
        return
    given = _keyword(node, "axis")
    others = [k for k in node.keywords if k.arg != "axis"]
    if given is None:
        for value in (0, 1):
            keywords = [*node.keywords, ast.keyword("axis", ast.Constant(value))]
            yield Edit(node, _with(node, keywords=keywords), f"`axis={value}` added")
    else:
        if isinstance(given.value, ast.Constant) and isinstance(given.value.value, int):
            value = 1 if given.value.value in (0, -2) else 0
            keywords = [*others, ast.keyword("axis", ast.Constant(value))]
            yield Edit(
                node,
                _with(node, keywords=keywords),
                f"`axis={given.value.value}` → `axis={value}`",
            )
        yield Edit(node, _with(node, keywords=others), f"`axis={_code(given.value)}` removed")
    keep = _keyword(node, "keepdims")
    rest = [k for k in node.keywords if k.arg != "keepdims"]
    if keep is None:
        keywords = [*node.keywords, ast.keyword("keepdims", ast.Constant(True))]
        yield Edit(node, _with(node, keywords=keywords), "`keepdims=True` added")
    elif isinstance(keep.value, ast.Constant) and isinstance(keep.value.value, bool):
        flipped = not keep.value.value
        keywords = [*rest, ast.keyword("keepdims", ast.Constant(flipped))]
        yield Edit(node, _with(node, keywords=keywords), f"`keepdims={flipped}`")


# ---------------------------------------------------------------- transposes

PRODUCTS = ("dot", "matmul", "outer", "inner")


def _transposed(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "T"


def _t(node: ast.AST) -> ast.Attribute:
    return ast.Attribute(copy.deepcopy(node), "T", ast.Load())


def transpose(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A transpose removed (``X.T`` → ``X``) or added: to an operand of a matrix
    product (``inputs @ weights`` → ``inputs @ weights.T``) or to a returned product."""
    if _transposed(node):
        yield Edit(node, copy.deepcopy(node.value), f"`.T` removed from `{_code(node.value)}`")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "transpose"
        and (_is_numpy(node.func, scope, "transpose") or not node.args)
    ):
        target = node.args[0] if _is_numpy(node.func, scope, "transpose") else node.func.value
        yield Edit(node, copy.deepcopy(target), f"`{_code(node)}` → `{_code(target)}`")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not _transposed(operand):
                yield Edit(
                    node, _with(node, **{side: _t(operand)}), f"`.T` added to `{_code(operand)}`"
                )
    value = node.value if isinstance(node, ast.Return) else None
    if (isinstance(value, ast.BinOp) and isinstance(value.op, ast.MatMult)) or (
        isinstance(value, ast.Call) and _is_numpy(value.func, scope, *PRODUCTS)
    ):
        yield Edit(node, _with(node, value=_t(node.value)), "the returned product transposed")


# ---------------------------------------------------------------- arguments


def swap_args(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """The operands of a matrix product swapped (``a @ b`` → ``b @ a``,
    ``np.dot(a, b)`` → ``np.dot(b, a)``), or two neighbouring arguments of a
    call of a contract function (``mse(y_hat, y)`` → ``mse(y, y_hat)``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        swapped = _with(node, left=node.right, right=node.left)
        yield Edit(node, swapped, f"`{_code(node)}` → `{_code(swapped)}`")
    if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args):
        return
    product = _is_numpy(node.func, scope, *PRODUCTS) and len(node.args) == 2
    contract = isinstance(node.func, ast.Name) and node.func.id in scope.contract
    if product or contract:
        for i in range(len(node.args) - 1):
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            swapped = _with(node, args=args)
            yield Edit(node, swapped, f"`{_code(node)}` → `{_code(swapped)}`")


# ---------------------------------------------------------------- statements


def statement(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A statement left out (replaced by ``pass``): an assignment, an update,
    a call, a loop, a return."""
    if not isinstance(node, ast.stmt) or isinstance(
        node, ast.Pass | ast.FunctionDef | ast.Global | ast.Nonlocal
    ):
        return
    parent = scope.parents.get(node)
    if parent is None:
        return
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return  # a docstring or a stray literal: nothing to leave out
    yield Edit(node, ast.Pass(), f"`{_code(node)}` left out")


# ---------------------------------------------------------------- returns


def return_order(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """Two of the returned values swapped: ``return a, b`` → ``return b, a``."""
    if not (isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)):
        return
    elements = node.value.elts
    for i in range(len(elements)):
        for j in range(i + 1, len(elements)):
            swapped = list(elements)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            value = _with(node.value, elts=swapped)
            yield Edit(node, _with(node, value=value), f"returns `{_code(value)}`")


# ---------------------------------------------------------------- loops


def _shift(node: ast.AST, by: int) -> ast.AST:
    op = ast.Add() if by > 0 else ast.Sub()
    return ast.BinOp(copy.deepcopy(node), op, ast.Constant(abs(by)))


def loop_bound(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """A loop one step short or long: ``range(n)`` → ``range(n - 1)``,
    ``range(n + 1)`` or ``range(1, n)``."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and 1 <= len(node.args) <= 3
        and not node.keywords
    ):
        return
    args = node.args
    if len(args) == 1:
        changed = [[_shift(args[0], -1)], [_shift(args[0], +1)], [ast.Constant(1), args[0]]]
    else:
        start, stop, *step = args
        changed = [
            [start, _shift(stop, -1), *step],
            [start, _shift(stop, +1), *step],
            [_shift(start, +1), stop, *step],
        ]
    for new in changed:
        mutated = _with(node, args=[copy.deepcopy(a) for a in new])
        yield Edit(node, mutated, f"`{_code(node)}` → `{_code(mutated)}`")


def _loops(node: ast.AST, scope: Scope) -> list[str]:
    """The variables of the ``for`` loops enclosing ``node``, outermost first."""
    found = []
    parent = scope.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.For) and isinstance(parent.target, ast.Name):
            found.insert(0, parent.target.id)
        parent = scope.parents.get(parent)
    return found


def loop_index(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """One loop's variable in place of another's in a subscript:
    ``act_hidden[k, j]`` → ``act_hidden[j, j]``."""
    if not isinstance(node, ast.Subscript):
        return
    loops = _loops(node, scope)
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for i, part in enumerate(parts):
        if not (isinstance(part, ast.Name) and part.id in loops):
            continue
        for other in loops:
            if other == part.id:
                continue
            changed = list(parts)
            changed[i] = ast.Name(other, ast.Load())
            index = (
                _with(node.slice, elts=changed) if isinstance(node.slice, ast.Tuple) else changed[0]
            )
            mutated = _with(node, slice=index)
            yield Edit(node, mutated, f"`{_code(node)}` → `{_code(mutated)}`")


# ---------------------------------------------------------------- functions

# one reduction for another, both as np.f(a) and as a.f()
OTHER_REDUCTION = {"mean": "sum", "sum": "mean", "max": "min", "min": "max"}
# a random law for another, with the same arguments (size=...)
OTHER_LAW = {"uniform": "normal", "normal": "uniform", "random": "standard_normal"}
OTHER_LAW["standard_normal"] = "random"


def _activation(node: ast.AST, scope: Scope) -> str | None:
    """The name of the activation ``node`` applies, if it applies one."""
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        if (
            isinstance(node, ast.Call)
            and _is_numpy(node.func, scope, "maximum")
            and len(node.args) == 2
            and any(isinstance(a, ast.Constant) and a.value == 0 for a in node.args)
        ):
            return "relu"
        return None
    if isinstance(node.func, ast.Name) and node.func.id in scope.activations:
        return node.func.id
    if _is_numpy(node.func, scope, "tanh"):
        return f"{scope.numpy}.tanh"
    return None


def _activations(node: ast.Call, scope: Scope) -> list[tuple[str, ast.AST]]:
    """What ``node``'s activation could have been instead: the contract's
    other functions of one argument, tanh, ReLU, or none at all."""
    z = next(a for a in node.args if not (isinstance(a, ast.Constant) and a.value == 0))
    options = [
        (name, ast.Call(ast.Name(name, ast.Load()), [copy.deepcopy(z)], []))
        for name in scope.activations
    ]
    options.append((f"{scope.numpy}.tanh", ast.Call(_numpy(scope, "tanh"), [copy.deepcopy(z)], [])))
    relu = ast.Call(_numpy(scope, "maximum"), [copy.deepcopy(z), ast.Constant(0.0)], [])
    options.append(("relu", relu))
    options.append(("no activation", copy.deepcopy(z)))
    return options


def function_swap(node: ast.AST, scope: Scope) -> Iterator[Edit]:
    """One activation swapped for another or dropped (``sigmoid(h)`` →
    ``np.tanh(h)``, ``np.maximum(h, 0.0)``, ``sigmoid_derivative(h)``, ``h``);
    one reduction for another (``np.mean`` ↔ ``np.sum``, ``max`` ↔ ``min``); a
    random law for another (``rng.uniform`` ↔ ``rng.normal``), or drawn from
    NumPy's global state instead of the generator passed in (``np.random.uniform``)."""
    if not isinstance(node, ast.Call):
        return
    current = _activation(node, scope)
    if current is not None:
        for name, replacement in _activations(node, scope):
            if name != current:
                yield Edit(node, replacement, f"`{current}` → {_label(name)}")
    func = node.func
    if not isinstance(func, ast.Attribute):
        return
    if func.attr in OTHER_REDUCTION and _reduction(node, scope):
        other = OTHER_REDUCTION[func.attr]
        yield Edit(node, _with(node, func=_with(func, attr=other)), f"`{func.attr}` → `{other}`")
    drawn = isinstance(func.value, ast.Name) and func.value.id in scope.parameters
    if drawn and func.attr in OTHER_LAW:
        rng, law = func.value.id, OTHER_LAW[func.attr]
        yield Edit(
            node,
            _with(node, func=_with(func, attr=law)),
            f"`{rng}.{func.attr}` → `{rng}.{law}`",
        )
        global_state = ast.Attribute(_numpy(scope, "random"), func.attr, ast.Load())
        yield Edit(
            node,
            _with(node, func=global_state),
            f"`{rng}.{func.attr}` → `{scope.numpy}.random.{func.attr}` (NumPy's global state)",
        )


def _label(name: str) -> str:
    return name if name in ("relu", "no activation") else f"`{name}`"


OPERATORS: tuple[Operator, ...] = (
    Operator(
        "arithmetic",
        "an arithmetic operator swapped: + - * / for one another, ** and @ for *",
        "residual / n_samples",
        "residual * n_samples",
        arithmetic,
    ),
    Operator(
        "comparison",
        "a comparison's boundary or direction changed",
        "y_hat > 0.5",
        "y_hat >= 0.5",
        comparison,
    ),
    Operator(
        "constant",
        "a number changed (an integer by one; a float to 0, twice or half) or a flag flipped",
        "0.5 * residual ** 2",
        "1.0 * residual ** 2",
        constant,
    ),
    Operator(
        "sign",
        "a sign dropped, a difference reversed, or a computed value's sign flipped",
        "np.exp(-x)",
        "np.exp(x)",
        sign,
    ),
    Operator(
        "axis",
        "a reduction over another axis: axis added, changed or removed; keepdims added or flipped",
        "np.mean(0.5 * residual ** 2)",
        "np.mean(0.5 * residual ** 2, axis=0)",
        axis,
    ),
    Operator(
        "transpose",
        "a transpose removed, or added to a product's operand or result",
        "X.T @ delta",
        "X @ delta",
        transpose,
    ),
    Operator(
        "swap_args",
        "a product's operands or a contract call's arguments swapped",
        "act_hidden.T @ dL_dy",
        "dL_dy @ act_hidden.T",
        swap_args,
    ),
    Operator(
        "statement",
        "a statement left out",
        "w1 = w1 - learning_rate * dL_dw1",
        "pass",
        statement,
    ),
    Operator(
        "return_order",
        "two returned values swapped",
        "return dL_dw1, dL_dw2, error",
        "return dL_dw2, dL_dw1, error",
        return_order,
    ),
    Operator(
        "loop_bound",
        "a loop one step short or long",
        "for j in range(n_hidden):",
        "for j in range(n_hidden - 1):",
        loop_bound,
    ),
    Operator(
        "loop_index",
        "one loop's variable in place of another's in a subscript",
        "act_hidden[k, j]",
        "act_hidden[j, j]",
        loop_index,
    ),
    Operator(
        "function_swap",
        "an activation, a reduction or a random law swapped for another",
        "act_hidden = sigmoid(dense(X, w1))",
        "act_hidden = np.tanh(dense(X, w1))",
        function_swap,
    ),
)


def by_name(name: str) -> Operator:
    return next(op for op in OPERATORS if op.name == name)
