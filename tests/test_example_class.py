"""The bundled example class, the reference and the blank release graded by nbgrader.

The class submitted both assignments: ``submitted/<student>/xor_mlp/`` and
``submitted/<student>/xor_bias_bce/``. The students are named after what they
did in xor_mlp; xor_bias_bce's expectations below say what each did there.
The class submitted ``submitted/<student>/xor_relu/`` and
``submitted/<student>/digits_mlp/`` too; their expectations are at the end.
"""

import shutil

import nbformat
import pytest

from autograder.engine import grading
from tests.helpers import (
    BCE,
    DIGITS,
    GRADED_CELLS,
    RELU,
    REPO,
    built_course,
    graded_cells,
    release_nb,
    source_nb,
    submit,
)

FULL = dict(GRADED_CELLS)

# Expected points per autograded cell; cells not listed score full marks.
# backward's and backward_loops' visible tests check the gradients against
# finite differences: a wrong gradient fails them, so the cell scores zero.
EXPECTED = {
    "ada_correct": {},
    "bo_blank": {cell: 0 for cell in GRADED_CELLS},
    # σ(a) instead of a·(1 − a): dL_dw1 is wrong, in both backward functions.
    "cy_sigma_not_derivative": {"test_backward": 0, "test_backward_loops": 0},
    # no 1/N in the gradients: both gradients wrong, the error still right.
    "di_missing_mean": {"test_backward": 0, "test_backward_loops": 0},
    # σ(−x): the visible test fails, so the whole sigmoid cell scores zero; the
    # other cells are graded with the reference sigmoid and keep their points.
    "ed_sigmoid_sign": {"test_sigmoid": 0},
    # edited its predict test to pass: nbgrader restores the test, which fails.
    "fay_edited_test": {"test_predict": 0},
    "gus_half_done": {
        c: 0
        for c in ["test_mse", "test_backward", "test_backward_loops", "test_train", "test_predict"]
    },
    "reference": {},
    "release_blank": {cell: 0 for cell in GRADED_CELLS},
}


BCE_CELLS = graded_cells(BCE)

# xor_bias_bce: points per autograded cell; cells not listed score full marks.
# train's weights are losses 1, trajectory 2, arguments untouched 1, convergence 2 (of 6).
BCE_EXPECTED = {
    "ada_correct": {},
    "bo_blank": {cell: 0 for cell in BCE_CELLS},
    # σ(a) instead of σ′ = a·(1 − a), in backward and again in train_many: both
    # visible tests notice; train is graded with the reference backward.
    "cy_sigma_not_derivative": {"test_backward": 0, "test_train_many": 0},
    # no 1/N in backward: the visible test's db2 is N times too large.
    "di_missing_mean": {"test_backward": 0},
    # σ(−x): the visible test fails; forward_pass and train_many use the reference sigmoid.
    "ed_sigmoid_sign": {"test_sigmoid": 0},
    # train updates its arguments in place and the student deleted the visible
    # assert that says so; nbgrader restores it, but the grader calls train on
    # copies, so only the hidden property (read-only arguments) sees it.
    "fay_edited_test": {"test_train": 3 * 5 / 6},
    "gus_half_done": {
        c: 0 for c in ["test_backward", "test_train", "test_predict", "test_train_many"]
    },
    "reference": {},
    "release_blank": {cell: 0 for cell in BCE_CELLS},
}


def _grade_class(tmp_path_factory, name: str):
    """The example class's ``name``, with the source notebook and the blank release
    as two more students, graded by `xorkit grade`."""
    course = built_course(tmp_path_factory.mktemp(f"example-course-{name}"))
    shutil.copytree(REPO / "submitted", course / "submitted")
    submit(course, "reference", nbformat.read(source_nb(name), as_version=4), name)
    submit(course, "release_blank", nbformat.read(release_nb(name), as_version=4), name)
    outcomes = grading.autograde(course, name, sandbox="auto")
    return course, {o.student: o for o in outcomes}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return _grade_class(tmp_path_factory, "xor_mlp")


@pytest.fixture(scope="module")
def graded_bias_bce(tmp_path_factory):
    return _grade_class(tmp_path_factory, BCE.name)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_scores_cell_by_cell(graded, student):
    """Each submission scores exactly the expected points on every autograded cell."""
    _, outcomes = graded
    cells = {c.grade_id: c for c in outcomes[student].cells if c.grade_id in GRADED_CELLS}
    assert set(cells) == set(GRADED_CELLS)
    for grade_id, points in GRADED_CELLS.items():
        want = EXPECTED[student].get(grade_id, points)
        assert cells[grade_id].max_score == points
        assert cells[grade_id].score == pytest.approx(want, abs=1e-3), (student, grade_id)


@pytest.mark.slow
def test_reference_full_marks_and_written_answers_pending(graded):
    """The source notebook itself scores all 20 autograded points; its 3 answers await a person."""
    _, outcomes = graded
    reference = outcomes["reference"]
    assert reference.score == pytest.approx(20)
    assert reference.max_score == 26
    assert reference.manual_pending == ["q-linear", "q-loops", "q-symmetry"]


@pytest.mark.slow
def test_blank_answers_score_zero_without_a_person(graded):
    """Unanswered written questions are graded zero automatically, not left pending."""
    _, outcomes = graded
    assert outcomes["release_blank"].manual_pending == []
    assert outcomes["release_blank"].score == 0


@pytest.mark.slow
def test_lost_checks_name_the_failure(graded):
    """The lost-checks list names why a cell lost its points: the visible test's
    message when it failed, "not attempted" for a stub."""
    _, outcomes = graded
    lost = outcomes["cy_sigma_not_derivative"].lost
    assert [entry.split(":")[0] for entry in lost] == ["test_backward", "test_backward_loops"]
    assert all("dL_dw1 differs from the numerical gradient" in entry for entry in lost)
    assert "test_sigmoid: not attempted" in outcomes["bo_blank"].lost


@pytest.mark.slow
def test_feedback_never_shows_hidden_source(graded):
    """The autograded notebook shows the hidden checks' messages, not their code; a
    cell whose visible test failed shows them too, to say what is wrong (its
    score stays zero)."""
    course, _ = graded
    nb = nbformat.read(course / "autograded/cy_sigma_not_derivative/xor_mlp/xor_mlp.ipynb", 4)
    outputs = [
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    ]
    text = "\n".join(outputs)
    assert "relative error" in text and "hidden-layer derivative" in text
    assert "this cell scores 0 because its visible test failed" in text
    assert "numerical_gradient" not in text and "def " not in text


@pytest.fixture(scope="module")
def graded_by_stock_nbgrader(tmp_path_factory):
    course = built_course(tmp_path_factory.mktemp("stock-course"))
    shutil.copytree(REPO / "submitted", course / "submitted")
    outcomes = grading.autograde(course, "xor_mlp", engine="nbgrader", sandbox="auto")
    return {o.student: o for o in outcomes}


# Stock nbgrader runs a visible test with the student's own functions: a wrong
# sigmoid makes its forward_pass wrong too, so backward's finite-difference test
# fails as well. The kit runs it with the reference forward_pass: one bug, one
# deduction.
CHARGED_TWICE_BY_STOCK = {"ed_sigmoid_sign": {"test_backward", "test_backward_loops"}}


@pytest.mark.slow
def test_kit_scores_equal_stock_nbgrader(graded, graded_by_stock_nbgrader):
    """`xorkit grade` gives each example submission the cell scores `nbgrader autograde`
    gives, except where stock nbgrader charges one bug in a second cell."""
    _, kit = graded
    for student, stock in graded_by_stock_nbgrader.items():
        twice = CHARGED_TWICE_BY_STOCK.get(student, set())
        want = {c.grade_id: c.score for c in stock.cells}
        got = {c.grade_id: c.score for c in kit[student].cells}
        for cell in twice:
            assert want[cell] == 0 and got[cell] == GRADED_CELLS[cell], (student, cell)
        assert {k: v for k, v in got.items() if k not in twice} == {
            k: v for k, v in want.items() if k not in twice
        }, student
        if not twice:
            assert kit[student].lost == stock.lost, student


@pytest.mark.slow
def test_regrading_is_idempotent(graded):
    """Grading the same class again (everyone, --force) gives the same outcomes
    and no duplicate rows."""
    course, first = graded
    again = {o.student: o for o in grading.autograde(course, "xor_mlp", sandbox="auto", force=True)}
    assert not any(o.reused for o in again.values())
    assert again.keys() == first.keys()
    for student, outcome in again.items():
        assert [(c.grade_id, c.score) for c in outcome.cells] == [
            (c.grade_id, c.score) for c in first[student].cells
        ]


# ------------------------------------------------------------------ xor_bias_bce


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(BCE_EXPECTED), ids=lambda s: f"xor_bias_bce-{s}")
def test_bias_bce_scores_cell_by_cell(graded_bias_bce, student):
    """Each xor_bias_bce submission scores exactly the expected points on every
    autograded cell."""
    _, outcomes = graded_bias_bce
    cells = {c.grade_id: c for c in outcomes[student].cells if c.grade_id in BCE_CELLS}
    assert set(cells) == set(BCE_CELLS)
    for grade_id, points in BCE_CELLS.items():
        want = BCE_EXPECTED[student].get(grade_id, points)
        assert cells[grade_id].max_score == points
        assert cells[grade_id].score == pytest.approx(want, abs=1e-3), (student, grade_id)


@pytest.mark.slow
def test_bias_bce_reference_full_marks_and_written_answers_pending(graded_bias_bce):
    """xor_bias_bce's source notebook scores all 20 autograded points; its 3 written
    answers await a person, and the blank release scores zero without one."""
    _, outcomes = graded_bias_bce
    reference = outcomes["reference"]
    assert reference.score == pytest.approx(20)
    assert reference.max_score == 26
    assert reference.manual_pending == ["q-two-lines", "q-bce-vs-mse", "q-init-scale"]
    assert outcomes["release_blank"].manual_pending == []
    assert outcomes["release_blank"].score == 0


@pytest.mark.slow
def test_bias_bce_lost_checks_name_the_property(graded_bias_bce):
    """The lost-checks list names the property that failed, or the visible test's
    failure, in the student's own cell only."""
    _, outcomes = graded_bias_bce
    assert outcomes["fay_edited_test"].lost == ["train: does not modify the arrays it is given"]
    assert [line.split(":")[0] for line in outcomes["cy_sigma_not_derivative"].lost] == [
        "test_backward",
        "test_train_many",
    ]
    assert "test_train_many: not attempted" in outcomes["gus_half_done"].lost


@pytest.mark.slow
def test_bias_bce_feedback_never_shows_hidden_source(graded_bias_bce):
    """The autograded notebook shows the hidden checks' messages, not their code."""
    course, _ = graded_bias_bce
    path = course / "autograded/fay_edited_test/xor_bias_bce/xor_bias_bce.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    assert "read-only" in text and "w1 = w1 − λ·dw1" in text
    assert "numerical_gradients" not in text and "def " not in text


# ------------------------------------------------------------------ digits_mlp

DIGITS_CELLS = graded_cells(DIGITS)

# digits_mlp: points per autograded cell; cells not listed score full marks.
# sgd_epoch's weights are full batch 1, every sample once 2, rng 1, arguments untouched 1.
DIGITS_EXPECTED = {
    "ada_correct": {},
    "bo_blank": {cell: 0 for cell in DIGITS_CELLS},
    # σ(a) instead of σ′ = a·(1 − a) in backward: its visible finite-difference test
    # fails; sgd_epoch and train are graded with the reference backward.
    "cy_sigma_not_derivative": {"test_backward": 0},
    # no 1/N in Δ2: every gradient N times too large, the visible test notices.
    "di_missing_mean": {"test_backward": 0},
    # σ(−z) in the hidden layer: forward_pass's visible test fails; the cells that
    # call forward_pass are graded with the reference one.
    "ed_sigmoid_sign": {"test_forward_pass": 0},
    # sgd_epoch updates its arguments in place and the student deleted the visible
    # assert that says so; nbgrader restores it, but the grader calls sgd_epoch on
    # copies, so only the hidden property (read-only arguments) sees it.
    "fay_edited_test": {"test_sgd_epoch": 3 * 4 / 5},
    "gus_half_done": {
        c: 0
        for c in [
            "test_sgd_epoch",
            "test_accuracy",
            "test_train",
            "test_predict",
            "test_confusion_matrix",
        ]
    },
    "reference": {},
    "release_blank": {cell: 0 for cell in DIGITS_CELLS},
}


@pytest.fixture(scope="module")
def graded_digits(tmp_path_factory):
    return _grade_class(tmp_path_factory, DIGITS.name)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(DIGITS_EXPECTED), ids=lambda s: f"digits_mlp-{s}")
def test_digits_scores_cell_by_cell(graded_digits, student):
    """Each digits_mlp submission scores exactly the expected points on every
    autograded cell."""
    _, outcomes = graded_digits
    cells = {c.grade_id: c for c in outcomes[student].cells if c.grade_id in DIGITS_CELLS}
    assert set(cells) == set(DIGITS_CELLS)
    for grade_id, points in DIGITS_CELLS.items():
        want = DIGITS_EXPECTED[student].get(grade_id, points)
        assert cells[grade_id].max_score == points
        assert cells[grade_id].score == pytest.approx(want, abs=1e-3), (student, grade_id)


@pytest.mark.slow
def test_digits_reference_full_marks_and_written_answers_pending(graded_digits):
    """digits_mlp's source notebook scores all 24 autograded points; its 2 written
    answers await a person, and the blank release scores zero without one."""
    _, outcomes = graded_digits
    reference = outcomes["reference"]
    assert reference.score == pytest.approx(24)
    assert reference.max_score == 28
    assert reference.manual_pending == ["q-confusions", "q-overfitting"]
    assert outcomes["release_blank"].manual_pending == []
    assert outcomes["release_blank"].score == 0


@pytest.mark.slow
def test_digits_lost_checks_name_the_property(graded_digits):
    """The lost-checks list names the property that failed, or the visible test's
    failure, in the student's own cell only."""
    _, outcomes = graded_digits
    assert outcomes["fay_edited_test"].lost == [
        "sgd_epoch: leaves the arrays it is given unchanged"
    ]
    assert [line.split(":")[0] for line in outcomes["cy_sigma_not_derivative"].lost] == [
        "test_backward"
    ]
    assert [line.split(":")[0] for line in outcomes["ed_sigmoid_sign"].lost] == [
        "test_forward_pass"
    ]
    assert "test_train: not attempted" in outcomes["gus_half_done"].lost


# ------------------------------------------------------------------ xor_relu

RELU_CELLS = graded_cells(RELU)

# xor_relu: points per autograded cell; cells not listed score full marks.
# train's weights are losses 1, trajectory 2, arguments untouched 1, convergence 2 (of 6).
RELU_EXPECTED = {
    "ada_correct": {},
    "bo_blank": {cell: 0 for cell in RELU_CELLS},
    # ReLU(z) instead of ReLU′(z) in backward: the visible finite-difference test
    # notices; train is graded with the reference backward.
    "cy_sigma_not_derivative": {"test_backward": 0},
    # no 1/N in δ_L: every gradient N times too large, the visible test notices.
    "di_missing_mean": {"test_backward": 0},
    # ReLU of −z: the visible test fails; forward_pass is graded with the reference relu.
    "ed_sigmoid_sign": {"test_relu": 0},
    # train updates the caller's arrays in place (W -= λ·dW) and the student
    # deleted the visible assert that says so; the grader calls train on copies,
    # so only the hidden property (read-only arguments) sees it.
    "fay_edited_test": {"test_train": 3 * 5 / 6},
    "gus_half_done": {c: 0 for c in ["test_mse", "test_backward", "test_train", "test_predict"]},
    "reference": {},
    "release_blank": {cell: 0 for cell in RELU_CELLS},
}


@pytest.fixture(scope="module")
def graded_relu(tmp_path_factory):
    return _grade_class(tmp_path_factory, RELU.name)


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(RELU_EXPECTED), ids=lambda s: f"xor_relu-{s}")
def test_relu_scores_cell_by_cell(graded_relu, student):
    """Each xor_relu submission scores exactly the expected points on every
    autograded cell."""
    _, outcomes = graded_relu
    cells = {c.grade_id: c for c in outcomes[student].cells if c.grade_id in RELU_CELLS}
    assert set(cells) == set(RELU_CELLS)
    for grade_id, points in RELU_CELLS.items():
        want = RELU_EXPECTED[student].get(grade_id, points)
        assert cells[grade_id].max_score == points
        assert cells[grade_id].score == pytest.approx(want, abs=1e-3), (student, grade_id)


@pytest.mark.slow
def test_relu_reference_full_marks_and_written_answers_pending(graded_relu):
    """xor_relu's source notebook scores all 16 autograded points; its 2 written
    answers await a person, and the blank release scores zero without one."""
    _, outcomes = graded_relu
    reference = outcomes["reference"]
    assert reference.score == pytest.approx(16)
    assert reference.max_score == 20
    assert reference.manual_pending == ["q-dead-units", "q-depth"]
    assert outcomes["release_blank"].manual_pending == []
    assert outcomes["release_blank"].score == 0


@pytest.mark.slow
def test_relu_lost_checks_name_the_property(graded_relu):
    """The lost-checks list names the property that failed, or the visible test's
    failure, in the student's own cell only."""
    _, outcomes = graded_relu
    assert outcomes["fay_edited_test"].lost == ["train: does not modify the arrays it is given"]
    assert [line.split(":")[0] for line in outcomes["cy_sigma_not_derivative"].lost] == [
        "test_backward"
    ]
    assert [line.split(":")[0] for line in outcomes["ed_sigmoid_sign"].lost] == ["test_relu"]
    assert "test_predict: not attempted" in outcomes["gus_half_done"].lost


@pytest.mark.slow
def test_relu_feedback_never_shows_hidden_source(graded_relu):
    """The autograded notebook shows the hidden checks' messages, not their code."""
    course, _ = graded_relu
    path = course / "autograded/fay_edited_test/xor_relu/xor_relu.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    assert "read-only" in text and "W = W − λ·dW" in text
    assert "numerical_gradients" not in text and "def " not in text
