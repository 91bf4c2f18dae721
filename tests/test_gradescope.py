"""The Gradescope bundle, run locally against a fake /autograder tree."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course import gradescope
from autograder.engine import sandbox
from tests.helpers import (
    GRADED_CELLS,
    REPO,
    XOR,
    finished_release,
    new_course,
    release_with,
    solved_sources,
)
from tests.test_adversarial import BROKEN_BACKWARD, BROKEN_BACKWARD_EARNS, BROKEN_SIGMOID
from tests.test_example_class import EXPECTED  # the nbgrader grades of the example class

SOLUTION_NB = XOR.solutions() / f"{XOR.name}.ipynb"
STUDENTS = sorted(p.name for p in (REPO / "submitted").iterdir())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return gradescope.bundle(REPO, tmp_path_factory.mktemp("bundle"), XOR.name)


def lay_out(bundle, tmp_path, files: dict[str, bytes]):
    """/autograder as Gradescope lays it out: the zip in source/, run_autograder
    beside it, the upload in submission/."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)  # zipfile drops the mode; Gradescope keeps it
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    return root


def gradescope_env(root, python: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env[gradescope.ROOT_ENV] = str(root)
    if python:  # stands in for the venv setup.sh builds
        env["XORKIT_GRADESCOPE_PYTHON"] = python
    return env


@pytest.fixture
def grader(request, tmp_path):
    """(folder, Python) run_autograder grades in here: under bubblewrap, tmp_path
    and this Python; without it (student code then runs as uid nobody), a folder
    and a Python that uid nobody can reach."""
    if sandbox.bwrap_works():
        return tmp_path, sys.executable
    return request.getfixturevalue("open_dir"), request.getfixturevalue("nobody_python")


def run_autograder(bundle, grader, files: dict[str, bytes]) -> dict:
    """Run run_autograder in a fake /autograder tree and read its results.json."""
    folder, python = grader
    return run(lay_out(bundle, folder, files), python=python)


def run(root, python: str | None, extra_env: dict | None = None, isolation: str = "") -> dict:
    """Run run_autograder; check it said how student code ran, if ``isolation`` is given."""
    proc = subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env={**gradescope_env(root, python), **(extra_env or {})},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"grading with the checks in {root / 'source' / 'autograder'}" in proc.stdout
    assert not isolation or f"student code runs {isolation}" in proc.stdout
    return json.loads((root / "results" / "results.json").read_text())


def submission(path) -> dict[str, bytes]:
    return {f"{XOR.name}.ipynb": path.read_bytes()}


def test_bundle_holds_what_gradescope_needs(bundle):
    """The zip has setup.sh and an executable run_autograder at its root, the checks,
    the reference and the requirements, and its test and locked cells (the data the
    tests use) hide no solution code; scikit-learn is required, for the notebooks and
    checks that load its data sets."""
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        tests = nbformat.reads(
            archive.read(gradescope.test_cells_path(XOR.name)).decode(), as_version=4
        )
        requirements = archive.read("requirements.txt").decode()
    assert {
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        gradescope.reference_path(XOR.name),
    } <= names
    assert {
        "autograder/checking/runner.py",
        "assignments/xor_mlp/checks/check_backward.py",
    } <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert [c.metadata.nbgrader.grade_id for c in gradescope.graded(tests)] == list(GRADED_CELLS)
    text = "\n".join(c.source for c in tests.cells)
    assert "BEGIN HIDDEN TESTS" in text and "BEGIN SOLUTION" not in text
    assert "def backward" not in text and "X = np.array(" in text
    for package in ("nbgrader", "numpy", "ipykernel", "scikit-learn"):
        assert package in requirements


def test_bundle_is_reproducible(bundle, tmp_path):
    """Exporting twice gives byte-identical zips, so re-uploading is only needed on change."""
    again = gradescope.bundle(REPO, tmp_path, XOR.name)
    assert again.read_bytes() == bundle.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("student", STUDENTS)
def test_scores_equal_nbgrader_grades(bundle, grader, student):
    """Each example submission scores on Gradescope exactly what nbgrader gives it, cell by cell."""
    results = run_autograder(
        bundle, grader, submission(REPO / "submitted" / student / "xor_mlp" / "xor_mlp.ipynb")
    )
    scores = {t["name"].split("(")[1].rstrip(")"): t["score"] for t in results["tests"]}
    want = {cell: EXPECTED[student].get(cell, points) for cell, points in GRADED_CELLS.items()}
    assert scores == pytest.approx(want, abs=1e-3)
    assert results["score"] == pytest.approx(sum(want.values()), abs=1e-3)


@pytest.mark.slow
def test_results_follow_gradescope_schema(bundle, grader):
    """results.json has a score and one test per function with name, score, max_score,
    output and visibility; the output lists every property without showing check code."""
    # a backward that passes its visible test and fails one hidden property
    nb = finished_release()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "backward":
            cell.source = BROKEN_BACKWARD
    results = run_autograder(bundle, grader, {"xor_mlp.ipynb": nbformat.writes(nb).encode()})
    assert results["score"] == pytest.approx(16 + BROKEN_BACKWARD_EARNS, abs=1e-3)
    assert "3 written answers (6 points) are graded by hand" in results["output"]
    assert sum(t["max_score"] for t in results["tests"]) == sum(GRADED_CELLS.values())
    for test in results["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert test["visibility"] == "visible"
    backward = next(t for t in results["tests"] if t["name"].startswith("backward "))
    assert backward["score"] == pytest.approx(BROKEN_BACKWARD_EARNS, abs=1e-3)
    assert backward["status"] == "failed"
    assert "✓ dL_dw1 matches finite differences" in backward["output"]
    assert "✗ dL_dw2 matches finite differences: " in backward["output"]
    assert "def " not in backward["output"] and "numerical_gradient" not in backward["output"]


@pytest.mark.slow
def test_solution_handout_scores_full_marks(bundle, grader):
    """The solved handout, uploaded under another name, scores all 20 points."""
    results = run_autograder(bundle, grader, {"my notebook.ipynb": SOLUTION_NB.read_bytes()})
    assert results["score"] == sum(GRADED_CELLS.values())
    assert all(t["status"] == "passed" for t in results["tests"])


@pytest.mark.slow
def test_deleted_test_cell_scores_zero_for_that_function(bundle, grader):
    """A correct notebook whose predict test cell was deleted loses only predict's 2 points."""
    nb = nbformat.read(REPO / "submitted" / "ada_correct" / "xor_mlp" / "xor_mlp.ipynb", 4)
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_predict"
    ]
    results = run_autograder(bundle, grader, {"xor_mlp.ipynb": nbformat.writes(nb).encode()})
    assert results["score"] == sum(GRADED_CELLS.values()) - GRADED_CELLS["test_predict"]
    predict = next(t for t in results["tests"] if t["name"].startswith("predict "))
    assert "missing from the notebook" in predict["output"]


@pytest.mark.slow
def test_setup_sh_builds_a_venv_that_grades(bundle, grader):
    """setup.sh installs requirements.txt into a fresh venv (as on Gradescope's image
    build), and run_autograder grades with that venv alone: the correct notebook gets 20."""
    correct = submission(REPO / "submitted" / "ada_correct" / "xor_mlp" / "xor_mlp.ipynb")
    root = lay_out(bundle, grader[0], correct)
    env = gradescope_env(root, python=None)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if Path(p) != Path(sys.executable).parent
    )
    setup = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True
    )
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    assert (root / "venv" / "bin" / "python").exists()
    if not sandbox.bwrap_works() and not gradescope._runs_as(65534, str(root / "venv/bin/python")):
        shutil.rmtree(root / "venv")
        pytest.skip("without bubblewrap uid nobody must run the venv; its Python is root-only here")
    try:
        results = run(root, python=None)
    finally:
        shutil.rmtree(root / "venv")  # half a gigabyte
    assert results["score"] == sum(GRADED_CELLS.values())


def test_missing_submission_scores_zero_and_says_so(bundle, grader):
    """An upload without a notebook gets a results.json with 0 points and what to upload."""
    results = run_autograder(bundle, grader, {"answers.pdf": b"%PDF-1.4"})
    assert results["score"] == 0
    assert "No notebook was submitted: upload xor_mlp.ipynb" in results["output"]
    assert len(results["tests"]) == len(GRADED_CELLS)


def test_invalid_notebook_scores_zero_and_says_so(bundle, grader):
    """A notebook file that is not valid JSON gets 0 points and an explanation, not a crash."""
    results = run_autograder(bundle, grader, {"xor_mlp.ipynb": b'{"cells": [ oops'})
    assert results["score"] == 0
    assert "xor_mlp.ipynb could not be read as a Jupyter notebook" in results["output"]


def test_cli_writes_the_bundle(tmp_path):
    """`xorkit gradescope --out DIR` writes the zip, exits 0 and says how to upload it."""
    result = CliRunner().invoke(main, ["gradescope", "--course", str(REPO), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / gradescope.bundle_name(XOR.name)).exists()
    assert "Configure Autograder" in result.output


def test_cli_without_a_build_says_what_to_do(tmp_path):
    """Exporting from a course never built (no solutions/) exits 2 and names the fix."""
    course = new_course(tmp_path / "course")
    result = CliRunner().invoke(main, ["gradescope", "--course", str(course), "--out", "x"])
    assert result.exit_code == 2
    assert "run `xorkit build`" in result.output


# -- hostile submissions, in both ways of isolating student code ------------------

SOLVED = solved_sources()
FULL = sum(GRADED_CELLS.values())
CELL_TIMEOUT = 5  # seconds; the bundled nbgrader_config.py gets it for these runs


def hostile(root: Path) -> dict[str, tuple[object, float]]:
    """name -> (notebook, the score its code honestly earns) for a fake /autograder at root."""
    reference = root / "source" / gradescope.reference_path(XOR.name)
    results = root / "results" / "results.json"
    steal = f"exec(open({str(reference)!r}).read(), globals())\n"
    forge = (
        "import json, os\ntry:\n"
        f"    open({str(results)!r}, 'w').write(json.dumps({{'score': 100, 'tests': []}}))\n"
        f"    os.symlink('/dev/null', {str(results.parent / 'linked.json')!r})\n"
        "except OSError as exc:\n    print('blocked', type(exc).__name__)\n"
    )
    fake_module = (
        "import sys, types\nfake = types.ModuleType('autograder')\n"
        "fake.grade = lambda *a, **k: 100.0\nsys.modules['autograder'] = fake\n"
        "try:\n    import autograder.checking.runner as r\n    r.score = lambda *a, **k: 100.0\n"
        "except Exception as exc:\n    print('patch failed:', type(exc).__name__)\n"
    )
    forge_outputs = (  # skip every visible test and leave a result nbgrader reads as full marks
        "import types\nshell = get_ipython()\nrun_cell = shell.run_cell\n\n\n"
        "def skip_tests(code, *args, **kwargs):\n"
        "    if 'assert' not in code:\n        return run_cell(code, *args, **kwargs)\n"
        "    shell.displayhook.write_format_data({'text/plain': \"'full marks'\"})\n"
        "    return types.SimpleNamespace(success=True)\n\n\n"
        "shell.run_cell = skip_tests\n"
    )
    return {
        "honest": (release_with(SOLVED), FULL),
        "forge_outputs": (release_with({"sigmoid": BROKEN_SIGMOID + forge_outputs}), 0),
        "patch_autograder": (
            release_with({**SOLVED, "backward": BROKEN_BACKWARD + fake_module}),
            16 + BROKEN_BACKWARD_EARNS,
        ),
        "exec_reference": (release_with(dict.fromkeys(SOLVED, steal)), 0),
        "write_results": (release_with({**SOLVED, "sigmoid": BROKEN_SIGMOID + forge}), 18),
        "patch_isclose": (
            release_with(
                {
                    **SOLVED,
                    "sigmoid": BROKEN_SIGMOID
                    + "\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n",
                }
            ),
            18,
        ),
        "os_exit": (
            release_with({**SOLVED, "mse": SOLVED["mse"] + "\nimport os\nos._exit(1)\n"}),
            7,
        ),
        "infinite_loop": (
            release_with({**SOLVED, "sigmoid": SOLVED["sigmoid"] + "\nwhile True:\n    pass\n"}),
            FULL,
        ),
    }


@pytest.fixture
def open_dir():
    """A temporary folder every user may enter, as /autograder is on Gradescope
    (pytest's own tmp_path sits in a root-only folder, which would hide the
    fake tree from uid nobody whatever the grader does)."""
    folder = Path(tempfile.mkdtemp(prefix="xorkit-gradescope-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture(params=["bwrap", "uid"])
def isolation(request):
    """(extra environment, python, what run_autograder says) per way of isolating students."""
    if request.param == "bwrap":
        if not sandbox.bwrap_works():
            pytest.skip("bubblewrap is not available here")
        return {}, sys.executable, "in bubblewrap"
    python = request.getfixturevalue("nobody_python")  # skips without root
    return {"XORKIT_NO_BWRAP": "1"}, python, f"as uid {gradescope.NOBODY}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [
        "honest",
        "forge_outputs",
        "patch_autograder",
        "exec_reference",
        "write_results",
        "patch_isclose",
        "os_exit",
        "infinite_loop",
    ],
)
def test_hostile_submission_scores_no_more_than_its_honest_code(bundle, open_dir, isolation, case):
    """A hostile submission scores at most what its code honestly earns (the honest
    one full marks), and leaves nothing of its own in the results folder."""
    extra_env, python, says = isolation
    root = open_dir / "autograder"
    notebook, honest = hostile(root)[case]
    root = lay_out(bundle, open_dir, {"xor_mlp.ipynb": nbformat.writes(notebook).encode()})
    with open(root / "source" / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.GradingLimits.cell_timeout = {CELL_TIMEOUT}\n")
    (root / "results").mkdir()
    (root / "results").chmod(0o777)  # the worst Gradescope could hand over
    start = time.monotonic()
    results = run(root, python, extra_env, says)
    assert time.monotonic() - start < 60 + 10 * CELL_TIMEOUT
    assert results["score"] <= honest
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    if case == "honest":
        assert results["score"] == FULL
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]


@pytest.mark.parametrize(
    "euid, python_runs, why",
    [(1000, True, "not running as root"), (0, False, "cannot run")],
    ids=["not-root", "python-out-of-reach"],
)
def test_without_a_sandbox_nothing_runs(bundle, tmp_path, monkeypatch, euid, python_runs, why):
    """Without bubblewrap, and without root or a Python uid nobody can run, the student's
    code never runs: results.json says the autograder could not start a sandbox, exit 2."""
    marker = tmp_path / "student code ran"
    code = {**SOLVED, "sigmoid": f"open({str(marker)!r}, 'w').close()\n" + SOLVED["sigmoid"]}
    notebook = nbformat.writes(release_with(code)).encode()
    root = lay_out(bundle, tmp_path, {"xor_mlp.ipynb": notebook})
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)  # its answer is cached
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setattr(gradescope, "_runs_as", lambda uid, python=None: python_runs)
    assert gradescope.main(["--root", str(root), "--assignment", XOR.name]) == 2
    results = json.loads((root / "results" / "results.json").read_text())
    assert "could not start a sandbox" in results["output"] and why in results["output"]
    assert "not your grade" in results["output"]
    assert results["score"] == 0 and not marker.exists()
