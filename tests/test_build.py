"""The build: generated files stay in sync with source/ and the release leaks nothing."""

import filecmp
import re

import nbformat
import pytest

from autograder.checking import assignment
from autograder.course import build
from tests.helpers import (
    BCE,
    BCE_NAME,
    DIGITS,
    RELU,
    RELU_NAME,
    REPO,
    XOR,
    XOR_NAME,
    built_course,
    new_course,
    release_nb,
)

GENERATED = [
    f"{folder}/{name}/{file}"
    for name in (XOR_NAME, BCE_NAME)
    for folder, file in [
        ("release", f"{name}.ipynb"),
        ("solutions", f"{name}.ipynb"),
        ("solutions", "reference.py"),
        ("solutions", "build.json"),
    ]
]
# digits_mlp's generated files, drift-checked like the others
GENERATED += [
    f"{folder}/{DIGITS.name}/{file}"
    for folder, file in [
        ("release", f"{DIGITS.name}.ipynb"),
        ("solutions", f"{DIGITS.name}.ipynb"),
        ("solutions", "reference.py"),
        ("solutions", "build.json"),
    ]
]
# xor_relu's generated files, drift-checked like the others
GENERATED += [
    f"{folder}/{RELU_NAME}/{file}"
    for folder, file in [
        ("release", f"{RELU_NAME}.ipynb"),
        ("solutions", f"{RELU_NAME}.ipynb"),
        ("solutions", "reference.py"),
        ("solutions", "build.json"),
    ]
]


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory):
    """What `xorkit build` writes now from the checkout's source (built once per session)."""
    return built_course(tmp_path_factory.mktemp("course"))


@pytest.mark.slow
@pytest.mark.parametrize("relpath", GENERATED)
def test_generated_file_in_sync(fresh_build, relpath):
    """Each committed generated file is byte-identical to what `xorkit build` writes now."""
    assert filecmp.cmp(fresh_build / relpath, REPO / relpath, shallow=False), (
        f"{relpath} is out of date: run `xorkit build` and commit the result"
    )


def _release_text(name: str = XOR_NAME):
    nb = nbformat.read(release_nb(name), as_version=4)
    return nb, "\n".join(cell.source for cell in nb.cells)


def _no_solution_or_hidden_code(name: str) -> None:
    _, text = _release_text(name)
    for leak in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "autograder", "grade("]:
        assert leak not in text, f"{name}'s release contains {leak!r}"


def test_release_has_no_solution_or_hidden_code():
    """The student release holds no solution markers, hidden tests or imports of the checks."""
    _no_solution_or_hidden_code(XOR_NAME)


def test_bias_bce_release_has_no_solution_or_hidden_code():
    """xor_bias_bce's release holds no solution markers, hidden tests or imports of the checks."""
    _no_solution_or_hidden_code(BCE_NAME)


def _stubs_every_function(contract) -> None:
    nb, _ = _release_text(contract.name)
    stubs = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nb.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }
    assert set(stubs) == set(contract.names)
    for name, source in stubs.items():
        assert f"def {name}(" in source
        assert "raise NotImplementedError()" in source
        # only the docstring and the stub: no statement of the reference survives
        body = re.sub(r'"""(.|\n)*?"""', "", source)
        assert "return" not in body, f"{name}'s stub still returns something"


def test_release_stubs_every_contract_function():
    """Every contract function in the release is a stub raising NotImplementedError."""
    _stubs_every_function(XOR)


def test_bias_bce_release_stubs_every_contract_function():
    """Every contract function in xor_bias_bce's release is a stub raising NotImplementedError."""
    _stubs_every_function(BCE)


def _written_questions_blank(name: str) -> None:
    nb, _ = _release_text(name)
    answers = [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
    ]
    assert len(answers) == 3
    assert all(text.strip() == "YOUR ANSWER HERE" for text in answers)


def test_release_keeps_written_questions_blank():
    """The written questions reach students without the model answers."""
    _written_questions_blank(XOR_NAME)


def test_bias_bce_release_keeps_written_questions_blank():
    """xor_bias_bce's three written questions reach students without the model answers."""
    _written_questions_blank(BCE_NAME)


def test_solution_notebook_has_no_hidden_tests():
    """The solution handout shows solved code but never the hidden checks."""
    nb = nbformat.read(REPO / "solutions/xor_mlp/xor_mlp.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    assert "def backward(" in text and "X.T @ delta" in text
    for leak in ["HIDDEN TESTS", "autograder", "BEGIN SOLUTION"]:
        assert leak not in text


def test_bias_bce_solution_notebook_has_no_hidden_tests():
    """xor_bias_bce's solution handout shows solved code but never the hidden checks."""
    nb = nbformat.read(BCE.solutions() / f"{BCE_NAME}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    assert "def backward(" in text and "delta_hidden.sum(axis=0, keepdims=True)" in text
    for leak in ["HIDDEN TESTS", "autograder", "BEGIN SOLUTION"]:
        assert leak not in text


def test_reference_module_rejects_notebook_missing_a_function(tmp_path):
    """Building from a source notebook that lost a contract function fails with its name."""
    course = new_course(tmp_path)
    xor = assignment.load(course, XOR_NAME)
    path = xor.source_notebook()
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "mse"]
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="does not define mse"):
        build.reference_module(xor)


def test_digits_release_has_no_solution_or_hidden_code():
    """digits_mlp's release holds no solution markers, hidden tests or imports of the checks."""
    _no_solution_or_hidden_code(DIGITS.name)


def test_digits_release_stubs_every_contract_function():
    """Every contract function in digits_mlp's release is a stub raising NotImplementedError."""
    _stubs_every_function(DIGITS)


def test_digits_release_keeps_written_questions_blank():
    """digits_mlp's two written questions reach students without the model answers."""
    nb, _ = _release_text(DIGITS.name)
    answers = [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
    ]
    assert len(answers) == 2
    assert all(text.strip() == "YOUR ANSWER HERE" for text in answers)


def test_digits_solution_notebook_has_no_hidden_tests():
    """digits_mlp's solution handout shows solved code, the softmax's shift and the
    gradient (P − Y)/N among it, but never the hidden checks."""
    nb = nbformat.read(DIGITS.solutions() / f"{DIGITS.name}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    assert "np.max(Z, axis=1, keepdims=True)" in text and "(P - Y) / X.shape[0]" in text
    for leak in ["HIDDEN TESTS", "autograder", "BEGIN SOLUTION"]:
        assert leak not in text


def test_relu_release_has_no_solution_or_hidden_code():
    """xor_relu's release holds no solution markers, hidden tests or imports of the checks."""
    _no_solution_or_hidden_code(RELU_NAME)


def test_relu_release_stubs_every_contract_function():
    """Every contract function in xor_relu's release is a stub raising NotImplementedError."""
    _stubs_every_function(RELU)


def test_relu_release_keeps_written_questions_blank():
    """xor_relu's two written questions reach students without the model answers."""
    nb, _ = _release_text(RELU_NAME)
    answers = [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
    ]
    assert len(answers) == 2
    assert all(text.strip() == "YOUR ANSWER HERE" for text in answers)


def test_relu_solution_notebook_has_no_hidden_tests():
    """xor_relu's solution handout shows solved code but never the hidden checks."""
    nb = nbformat.read(RELU.solutions() / f"{RELU_NAME}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells)
    assert "def backward(" in text and "relu_derivative(zs[layer - 2])" in text
    for leak in ["HIDDEN TESTS", "autograder", "BEGIN SOLUTION"]:
        assert leak not in text
