"""`xorkit audit`: mutation operators, equivalence labelling, the gate, the report.

The operators and the labelling are tested on small functions in-process; the
gate on a two-function assignment ("tiny") built in a temporary course, whose
checks are strong or deliberately weak; and every assignment of the checkout is
audited in full (slow) and must meet its gate.
"""

from __future__ import annotations

import ast
import importlib.util
import textwrap
import types

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

from autograder import audit as audit_api
from autograder.audit import report
from autograder.audit.equivalence import Labeller, Verdict
from autograder.audit.grading import Graded
from autograder.audit.mutants import Mutant, of_function
from autograder.audit.operators import OPERATORS, Scope
from autograder.audit.recording import Call
from autograder.checking import assignment as assignments
from autograder.checking.assignment import Assignment, Function
from autograder.cli import main
from autograder.engine.sandbox import bwrap_works
from tests.helpers import REPO

# ---------------------------------------------------------------- operators

# what the documented examples may name: loops k and j enclose them
TEMPLATE = """\
def f(X, y, y_hat, x, residual, n_samples, act_hidden, dL_dy, delta, w1, dL_dw1,
      dL_dw2, error, learning_rate, n_hidden):
    for k in range(4):
        for j in range(3):
{body}
"""


def _embedded(code: str) -> tuple[str, str]:
    """A documented example as a function, and the statement to look for."""
    statement = ast.parse(code + ("\n    pass" if code.endswith(":") else "")).body[0]
    if isinstance(statement, ast.Expr):
        statement = ast.parse(f"value = {code}").body[0]
    text = ast.unparse(statement)
    return TEMPLATE.format(body=textwrap.indent(text, " " * 12)), text.splitlines()[0]


@pytest.mark.parametrize("operator", OPERATORS, ids=lambda op: op.name)
def test_each_operator_makes_its_documented_mutant(operator):
    """Each operator, applied to the code of its documented example, makes the
    mutant its documentation shows (and every mutant it makes is its own kind)."""
    source, _ = _embedded(operator.before)
    _, wanted = _embedded(operator.after)
    scope = Scope(numpy="np", contract=("dense", "sigmoid"), activations=("sigmoid",))
    made = of_function(source, "f", scope, [operator])
    assert made and all(m.operator == operator.name for m in made)
    assert any(f"+ {' ' * 12}{wanted}" in m.diff for m in made), [m.diff for m in made]


CELL = '''
import numpy as np


def helper(v):
    return v + 1


def mean_square(x, rng):
    """Mean of the squares: a docstring no operator touches."""
    total = 0.0
    for i in range(len(x)):
        total += x[i] ** 2
    return total / len(x), rng
'''


def test_mutants_change_only_the_function_body_once_each():
    """Mutants edit the contract function's body only (never its docstring or
    another function of the cell), each differs from the reference and from
    every other, and each cell still compiles."""
    made = of_function(CELL, "mean_square", Scope(contract=("mean_square",)))
    assert len(made) > 15
    assert len({m.cell for m in made}) == len(made)
    original = ast.unparse(ast.parse(CELL))
    for m in made:
        compile(m.cell, m.name, "exec")
        assert m.cell != original
        assert "Mean of the squares: a docstring no operator touches." in m.cell
        assert "def helper(v):\n    return v + 1" in m.cell
        assert m.diff.startswith("- ") and "\n+ " in m.diff
    assert [m.number for m in made] == list(range(1, len(made) + 1))


def test_loop_and_statement_operators_on_a_loop():
    """On a loop, the loop-bound operator makes the three off-by-one loops and
    the statement operator leaves out the update in the loop."""
    made = of_function(CELL, "mean_square", Scope(contract=("mean_square",)))
    diffs = {m.operator: [] for m in made}
    for m in made:
        diffs[m.operator].append(m.diff)
    bounds = "\n".join(diffs["loop_bound"])
    for wanted in ("range(len(x) - 1)", "range(len(x) + 1)", "range(1, len(x))"):
        assert wanted in bounds
    assert any("+         pass" in d for d in diffs["statement"])


# ---------------------------------------------------------------- labelling


def _reference(source: str, folder=None) -> types.ModuleType:
    """A reference module of ``source``, from a file in ``folder`` if given (so
    that its functions' source can be read back), else in memory."""
    code = "import numpy as np\n" + textwrap.dedent(source)
    if folder is None:
        module = types.ModuleType("reference_under_test")
        exec(code, vars(module))
        return module
    path = folder / "reference_under_test.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location("reference_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mutant(function: str, source: str, number: int = 1) -> Mutant:
    code = "import numpy as np\n" + textwrap.dedent(source)
    return Mutant(function, number, "test", "", 1, code, "")


def _calls(function: str, *argument_lists) -> dict[str, list[Call]]:
    return {function: [Call(function, tuple(args), {}, "test_cell") for args in argument_lists]}


PREDICT = """
def predict(y_hat):
    return (y_hat > 0.5).astype(int)
"""


def test_a_threshold_mutant_is_equivalent_only_at_the_boundary():
    """On outputs near 0 and 1, `>=` for `>` agrees everywhere (likely
    equivalent) while another threshold is told apart on a perturbed copy of the
    notebook's call (redrawn outputs cross it), naming the call."""
    outputs = np.array([[0.98], [0.01], [0.97], [0.02]])  # a trained network's
    labeller = Labeller(_reference(PREDICT), _calls("predict", [outputs]))
    boundary = labeller.label(_mutant("predict", PREDICT.replace(">", ">=")))
    assert boundary.equivalent and boundary.compared >= 4
    other = labeller.label(_mutant("predict", PREDICT.replace("0.5", "0.25")))
    assert not other.equivalent
    assert "predict(y_hat=array(4, 1)) [cell test_cell, redrawn]" in other.evidence[0]
    assert "differs by up to 1" in other.evidence[0]


def test_a_mutant_that_raises_or_hangs_is_told_apart():
    """A mutant that raises, or that runs far longer than the reference, is not
    equivalent, and the evidence says which."""
    source = "def f(a):\n    return a * (1.0 - a)\n"
    labeller = Labeller(_reference(source), _calls("f", [np.linspace(0.1, 0.9, 5)]))
    raised = labeller.label(_mutant("f", "def f(a):\n    return a[7]\n"))
    assert not raised.equivalent and "raised IndexError" in raised.evidence[0]
    hung = labeller.label(_mutant("f", "def f(a):\n    while True:\n        pass\n"))
    assert not hung.equivalent and "did not finish" in hung.evidence[0]
    same = labeller.label(_mutant("f", "def f(a):\n    return a - a ** 2\n"))
    assert same.equivalent


def test_evidence_names_the_returned_value_that_differs(tmp_path):
    """When a function returns several values, the evidence names the one that
    differs, by the name the reference returns it under."""
    source = "def pair(a):\n    first = a + 1\n    second = a * 2\n    return first, second\n"
    calls = _calls("pair", [np.ones((2, 2))], [np.zeros(3)])
    labeller = Labeller(_reference(source, tmp_path), calls)
    verdict = labeller.label(_mutant("pair", source.replace("a * 2", "a * 3")), limit=3)
    assert not verdict.equivalent
    assert "second differs by up to" in verdict.evidence[0]
    # one line per recorded call, not one per perturbed copy of it
    assert len(verdict.evidence) == 2, verdict.evidence


INIT = """
def init(n, rng):
    w1 = rng.uniform(size=(n, 2))
    w2 = rng.uniform(size=(2, 1))
    return w1, w2
"""


@pytest.mark.parametrize(
    "change, equivalent, why",
    [
        (("rng.uniform(size=(n, 2))", "rng.random(size=(n, 2))"), True, ""),
        (("rng.uniform(size=(n, 2))", "rng.normal(size=(n, 2))"), False, "another distribution"),
        (("rng.uniform(size=(n, 2))", "np.random.uniform(size=(n, 2))"), False, "global state"),
        (("rng.uniform(size=(n, 2))", "rng.uniform(size=(2, n))"), False, "shape"),
        (("rng.uniform(size=(n, 2))", "np.full((n, 2), 0.5)"), False, "another distribution"),
        (("rng.uniform", "np.random.default_rng(1).uniform"), False, "another seed"),
        (
            (
                "w1 = rng.uniform(size=(n, 2))\n    w2 = rng.uniform(size=(2, 1))",
                "w2 = rng.uniform(size=(2, 1))\n    w1 = rng.uniform(size=(n, 2))",
            ),
            True,
            "",
        ),
    ],
    ids=["same-law", "other-law", "global-state", "transposed", "constant", "own-rng", "order"],
)
def test_random_functions_are_judged_by_shape_determinism_and_distribution(change, equivalent, why):
    """A function given a generator is judged by its shapes, by giving the same
    values for the same seed whatever NumPy's global state, other values for
    another seed, and by the distribution of its values, never by exact draws:
    drawing in another order or with an equivalent call is likely equivalent."""
    calls = {"init": [Call("init", (3, np.random.default_rng(0)), {}, "test_init")]}
    labeller = Labeller(_reference(INIT), calls)
    verdict = labeller.label(_mutant("init", INIT.replace(*change)))
    assert verdict.equivalent is equivalent, verdict.evidence
    if why:
        assert why in verdict.evidence[0]


# ---------------------------------------------------------------- the gate


def test_audit_minimum_is_a_share():
    """An assignment's audit_minimum is a share between 0 and 1, optional."""
    functions = (Function("f", points=1),)
    assert Assignment(str(REPO / "x" / "__init__.py"), functions).audit_minimum is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        Assignment(str(REPO / "x" / "__init__.py"), functions, audit_minimum=98)


def _tiny_notebook() -> nbformat.NotebookNode:
    def cell(source, grade_id, *, solution=False, grade=False, points=0):
        meta = {
            "grade": grade,
            "grade_id": grade_id,
            "locked": not solution,
            "schema_version": 3,
            "solution": solution,
            "task": False,
        }
        if grade:
            meta["points"] = points
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})

    def hidden(function):
        return (
            "\n\n### BEGIN HIDDEN TESTS\nfrom autograder import grade\n\n"
            f'grade("tiny", "{function}", globals())\n### END HIDDEN TESTS\n'
        )

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("import numpy as np", "imports"),
        cell(
            'def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n'
            "    return 2.0 * x\n    ### END SOLUTION\n",
            "double",
            solution=True,
        ),
        cell(
            "assert np.shape(double(np.zeros(3))) == (3,)" + hidden("double"),
            "test_double",
            grade=True,
            points=1,
        ),
        cell(
            'def total(x):\n    """The sum of twice x."""\n    ### BEGIN SOLUTION\n'
            "    return float(np.sum(double(x)))\n    ### END SOLUTION\n",
            "total",
            solution=True,
        ),
        cell(
            "assert np.ndim(total(np.ones(2))) == 0" + hidden("total"),
            "test_total",
            grade=True,
            points=1,
        ),
        cell("print(total(np.arange(6.0).reshape(2, 3)), double(np.linspace(-2, 2, 5)))", "demo"),
    ]
    return nb


TINY_PACKAGE = """\
from autograder.checking.assignment import Assignment, Function

ASSIGNMENT = Assignment(
    __file__,
    functions=(Function("double", points=1), Function("total", points=1, calls=("double",))),
    checks=("check_tiny",),
    audit_minimum=1.0,
)
"""

TINY_CHECKS = """\
import numpy as np

from autograder.checking.runner import expect

from .. import ASSIGNMENT


@ASSIGNMENT.check("double", "keeps the shape")
def test_double_shape(impl):
    expect(np.shape(impl.double(np.ones((2, 3)))) == (2, 3), "keep the shape")


@ASSIGNMENT.check("total", "the sum of twice every entry")
def test_total(impl):
    for x in (np.arange(5.0), np.array([[1.0, -2.0], [0.5, 4.0]])):
        got = impl.total(x)
        expect(np.ndim(got) == 0 and np.isclose(got, 2 * np.sum(x)), "not 2·sum(x)")
"""

DOUBLE_VALUES = """

@ASSIGNMENT.check("double", "twice every entry")
def test_double_values(impl):
    x = np.linspace(-3, 3, 7)
    expect(np.allclose(impl.double(x), 2 * x), "not twice x")
"""


def tiny_course(folder, *, strong: bool, built: bool = True):
    """A course with one assignment, tiny: double(x) and total(x) =
    sum(double(x)); without ``strong`` nothing checks double's values."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    (folder / "source" / "tiny").mkdir(parents=True)
    nbformat.write(_tiny_notebook(), folder / "source" / "tiny" / "tiny.ipynb")
    package = folder / "assignments" / "tiny"
    (package / "checks").mkdir(parents=True)
    (package / "__init__.py").write_text(TINY_PACKAGE)
    (package / "checks" / "__init__.py").write_text("")
    (package / "checks" / "check_tiny.py").write_text(TINY_CHECKS + (DOUBLE_VALUES * strong))
    if built:
        from autograder.course import build

        contract = assignments.load(folder, "tiny")
        build.reference_module(contract)
        build.build_record(contract)
    return folder


def _audit(course, *extra):
    options = [] if bwrap_works() else ["--no-sandbox"]
    args = ["audit", "--course", str(course), "--out", str(course.parent / "out"), *options]
    return CliRunner().invoke(main, [*args, *extra])


def test_an_assignment_not_built_cannot_be_audited(tmp_path):
    """Auditing an assignment whose reference was never built exits 2 ("the
    audit could not run") and says to build; nothing is written."""
    course = tiny_course(tmp_path / "course", strong=True, built=False)
    result = _audit(course)
    assert result.exit_code == 2, result.output
    assert "run `xorkit build`" in result.output
    assert not (tmp_path / "out").exists()


def test_no_sandbox_means_no_audit(tmp_path, monkeypatch):
    """Where bubblewrap does not work the audit stops with exit 2 and the command
    that installs it, unless --no-sandbox says the mutants may run without it."""
    from autograder.engine import grading

    monkeypatch.setattr(grading, "bwrap_works", lambda: False)
    course = tiny_course(tmp_path / "course", strong=True)
    args = ["audit", "--course", str(course), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "apt-get install bubblewrap" in result.output


@pytest.mark.slow
def test_strong_checks_meet_the_gate(tmp_path):
    """With checks of double's values, every non-equivalent mutant is killed in
    its own cell and none costs total's: exit 0, and audit.html is written."""
    course = tiny_course(tmp_path / "course", strong=True)
    result = _audit(course)
    assert result.exit_code == 0, result.output
    assert "all " in result.output and "100.0%" in result.output
    assert "minimum score 100%, no collateral: met" in result.output
    assert (tmp_path / "out" / "audit.html").is_file()


@pytest.mark.slow
def test_weak_checks_fail_the_gate_with_survivors_and_collateral(tmp_path):
    """Without a check of double's values, its mutants survive their own cell and
    lose points in total's instead: exit 1, each survivor shown as a diff with
    the calls that tell it apart, each collateral mutant with the cell it lost."""
    course = tiny_course(tmp_path / "course", strong=False)
    result = _audit(course)
    assert result.exit_code == 1, result.output
    assert "below the gate: tiny" in result.output
    assert "survivors:" in result.output and "double#" in result.output
    assert "+     return 2.0 + x" in result.output
    assert "told apart by double(x=array(5,)) [cell demo]" in result.output
    assert "collateral:" in result.output and "loses points in test_total" in result.output


@pytest.mark.slow
def test_stand_in_controls_give_every_mutant_the_scores_of_a_full_grading(tmp_path):
    """Grading a killed mutant's own cell and sharing one stand-in control of its
    callers' cells gives each mutant exactly the scores that grading every cell
    it can reach gives it."""
    from concurrent.futures import ProcessPoolExecutor

    from autograder.audit import grading, mutants
    from autograder.engine.sandbox import Limits

    course = tiny_course(tmp_path / "course", strong=True)
    contract = assignments.load(course, "tiny")
    made = mutants.of_assignment(contract, contract.reference())
    plan = grading.plan(contract, contract.reference())
    limits, use_bwrap = Limits.from_course(course), bwrap_works()
    shared = grading.grade_all(contract, plan, made, limits, use_bwrap, jobs=2)
    batch = grading._Batch(course, "tiny", plan.tests, limits, use_bwrap)
    with grading.engine.run_folder():
        pool = ProcessPoolExecutor(
            2, mp_context=grading._fork(), initializer=grading._start_worker, initargs=(batch,)
        )
        try:
            tasks = grading._tasks(contract, plan, made, full=True)
            full = {t.mutant.name: g for t, g in grading._run(pool, contract, plan, tasks)}
        finally:
            pool.shutdown()
    assert any(len(g.scores) > 1 for g in shared.values())  # callers' cells were graded
    assert {n: g.scores for n, g in shared.items()} == {n: g.scores for n, g in full.items()}


# ---------------------------------------------------------------- the report


def test_the_page_escapes_every_text(tmp_path):
    """Mutant code, check messages and evidence are shown on the page as text:
    markup in them is escaped, never interpreted."""
    script = "<script>alert('x')</script>"
    mutant = Mutant("f", 1, "constant", f"`1` → `{script}`", 2, "", f"- a\n+ b {script}")
    graded = Graded({"test_f": 1.0, "test_g": 0.0}, {"test_f": 1.0, "test_g": 1.0})
    graded.lost = {"test_g": [f"AssertionError: {script}"]}
    outcome = audit_api.Outcome(
        mutant, Verdict(False, [f"f(<b>) differs {script}"]), graded, "test_f"
    )
    result = audit_api.Audit("t<i>", f"Title {script}", ("f",), [outcome], 0.98, True, 2)
    page = report.page(result)
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "f(&lt;b&gt;) differs" in page
    path = report.write(result, tmp_path / "report")
    assert path.read_text(encoding="utf-8") == page


# ---------------------------------------------------------------- the checkout's assignments


@pytest.mark.slow
@pytest.mark.parametrize("name", assignments.names(REPO))
def test_every_assignment_meets_its_audit_gate(name, capsys):
    """Every assignment of the checkout declares an audit_minimum, and its hidden
    checks reach it with no mutant charged outside its own cell."""
    result = audit_api.audit(REPO, name, sandbox="auto")
    with capsys.disabled():
        print("\n" + report.table(result))
    assert result.minimum is not None, f"assignments/{name}/__init__.py: declare audit_minimum"
    assert not result.problems(), report.table(result)
