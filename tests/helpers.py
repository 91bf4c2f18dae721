"""Shared helpers: temporary course directories and notebook edits."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder.checking import assignment
from autograder.course.build import SOLUTION_MARKER

REPO = Path(__file__).resolve().parent.parent
SOURCE_NB = REPO / "source" / "xor_mlp" / "xor_mlp.ipynb"
RELEASE_NB = REPO / "release" / "xor_mlp" / "xor_mlp.ipynb"

# the checkout's first assignment, the one the example class submitted
XOR_NAME = "xor_mlp"
XOR = assignment.load(REPO, XOR_NAME)
# the second: biases, a sigmoid output and the binary cross-entropy
BCE_NAME = "xor_bias_bce"
BCE = assignment.load(REPO, BCE_NAME)
# the third: ReLU hidden layers as a list of (W, b) pairs, a sigmoid output and the MSE
RELU_NAME = "xor_relu"
RELU = assignment.load(REPO, RELU_NAME)
# the fourth: the same MLP on scikit-learn's handwritten digits, softmax and mini-batch SGD
DIGITS_NAME = "digits_mlp"
DIGITS = assignment.load(REPO, DIGITS_NAME)


def graded_cells(contract: assignment.Assignment) -> dict[str, float]:
    """grade_id -> points of each autograded test cell, as the contract gives them."""
    return {f.grade_id: f.points for f in contract.functions}


GRADED_CELLS = graded_cells(XOR)


def new_course(path: Path) -> Path:
    """A course directory with the repository's config, source and assignment
    packages, no gradebook yet."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", path / "nbgrader_config.py")
    shutil.copytree(REPO / "source", path / "source")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / assignment.PACKAGES, path / assignment.PACKAGES, ignore=ignore)
    return path


@functools.cache
def _built_template() -> Path:
    """One course built per test session, in a temporary folder removed at exit."""
    from autograder.course import build

    folder = Path(tempfile.mkdtemp(prefix="xorkit-built-course-"))
    atexit.register(shutil.rmtree, folder, True)
    course = new_course(folder / "course")
    for name in assignment.names(course):
        build.build(assignment.load(course, name), log=lambda _: None)
    return course


def built_course(path: Path) -> Path:
    """A course built as `xorkit build --no-check` builds it (release, reference,
    gradebook and build record, ready to grade): a copy of one built per session."""
    shutil.copytree(_built_template(), path, dirs_exist_ok=True)
    return path


def source_nb(name: str = XOR_NAME) -> Path:
    return REPO / "source" / name / f"{name}.ipynb"


def release_nb(name: str = XOR_NAME) -> Path:
    return REPO / "release" / name / f"{name}.ipynb"


def submit(
    course: Path, student: str, notebook: nbformat.NotebookNode, assignment: str = XOR_NAME
) -> Path:
    out = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)
    return out


def solved_sources(assignment: str = XOR_NAME) -> dict[str, str]:
    """The reference code of each solution cell, markers removed."""
    nb = nbformat.read(source_nb(assignment), as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: SOLUTION_MARKER.sub("", c.source)
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def release_with(code: dict[str, str], assignment: str = XOR_NAME) -> nbformat.NotebookNode:
    """The release notebook with the given solution cells filled in."""
    nb = nbformat.read(release_nb(assignment), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in code:
            cell.source = code[grade_id]
    return nb


def written_answers(assignment: str = XOR_NAME) -> dict[str, str]:
    """The model answers of the written (markdown) questions, by grade_id."""
    nb = nbformat.read(source_nb(assignment), as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")
    }


def finished_release(
    functions: list[str] | None = None, assignment: str = XOR_NAME
) -> nbformat.NotebookNode:
    """The release as a student hands it in: the given functions (default all)
    written with the reference code and every written question answered."""
    code = solved_sources(assignment)
    if functions is not None:
        code = {name: code[name] for name in functions}
    nb = release_with(code, assignment)
    answers = written_answers(assignment)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "markdown" and grade_id in answers:
            cell.source = answers[grade_id]
    return nb
