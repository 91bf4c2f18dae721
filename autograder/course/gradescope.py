"""Gradescope: export the assignment as an autograder bundle, and grade inside it.

Gradescope builds an image from a zip holding ``setup.sh`` and ``run_autograder``,
unpacked to ``/autograder/source``; for each submission it puts the student's
files in ``/autograder/submission`` and runs ``run_autograder``, which writes
``/autograder/results/results.json``.

``bundle`` writes that zip: the ``autograder`` package (the hidden checks), the
reference solution, the source notebook's test and locked cells, the course's
nbgrader settings and the requirements. ``grade`` is what ``run_autograder``
runs: the steps of ``nbgrader autograde`` on one notebook — clear outputs,
restore the test and locked cells by grade_id (like nbgrader's OverwriteCells),
execute, score each test cell — written in Gradescope's schema. Execution and
scores are ``xorkit grade``'s (``autograder.engine.remote``): the student's cells run in
a separate, unprivileged executor process (bubblewrap, or uid ``nobody`` when
Gradescope runs us as root without it); the test cells and hidden checks run
here, calling the student's functions over a socket, and decide every score.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearOutput

from autograder.checking import assignment as assignments
from autograder.checking import reference, runner
from autograder.course.gradescope_visibility import VISIBILITIES
from autograder.engine import remote, sandbox
from autograder.faults import GraderFault

ROOT_ENV = "XORKIT_GRADESCOPE_ROOT"  # a fake /autograder tree, for tests


def bundle_name(name: str) -> str:
    return f"{name}-gradescope.zip"


def test_cells_path(name: str) -> str:
    return f"test_cells/{name}.ipynb"


def reference_path(name: str) -> str:
    return f"solutions/{name}/reference.py"


# What grading needs from the kit's dependencies, at the versions pyproject.toml
# allows; ipykernel brings IPython and matplotlib-inline, which the executor
# running the notebook uses (the kit gets them through jupyter).
# scikit-learn: a course's notebooks and checks may load its bundled data sets.
GRADING_DEPENDENCIES = ("numpy", "matplotlib", "nbformat", "nbgrader", "scikit-learn")
EXTRA_REQUIREMENTS = ("ipykernel>=6.5",)
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # a fixed date makes the bundle reproducible
NOBODY = 65534  # uid and gid of student code when there is no bubblewrap

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="${XORKIT_GRADESCOPE_ROOT:-/autograder}"
if ! python3 -c "import ensurepip, venv" 2> /dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        python3 python3-venv python3-pip
fi
# bubblewrap isolates student code best; where the container forbids it, the
# grader runs student code as uid nobody instead, so a failed install is no error
if ! command -v bwrap > /dev/null; then
    (apt-get update && DEBIAN_FRONTEND=noninteractive \\
        apt-get install -y --no-install-recommends bubblewrap) || true
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --upgrade pip
"$ROOT/venv/bin/pip" install -r requirements.txt
chmod -R a+rX "$ROOT/venv"  # uid nobody runs student code with this Python
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades
# /autograder/submission/*.ipynb and writes /autograder/results/results.json.
set -euo pipefail
ROOT="${{XORKIT_GRADESCOPE_ROOT:-/autograder}}"
PYTHON="${{XORKIT_GRADESCOPE_PYTHON:-$ROOT/venv/bin/python}}"
# The bundled checks, not any other copy of the kit, grade the notebook (and its kernel).
export PYTHONPATH="$ROOT/source${{PYTHONPATH:+:$PYTHONPATH}}"
export XORKIT_REFERENCE="$ROOT/source/{reference}"
export MPLBACKEND=Agg
cd "$ROOT/source"
exec "$PYTHON" -m autograder.course.gradescope --root "$ROOT" --visibility {visibility} \\
    --assignment {name}
"""


MISSING_CELL = (
    "This test cell is missing from the notebook: 0 points. Cells are matched by their"
    " nbgrader metadata, so work in the notebook you were given rather than copying"
    " cells into a new one."
)


NOT_GRADED = (
    "The autograder could not grade your notebook: {why}. This is a fault of the"
    " autograder, not your grade: please tell your instructor."
)


class Rejected(Exception):
    """The submission cannot be graded at all; the message tells the student why."""


@dataclass
class Test:
    """One Gradescope test: one autograded test cell of the notebook."""

    name: str
    number: int
    score: float
    max_score: float
    output: str
    visibility: str
    status: str = "failed"


# -- the bundle ----------------------------------------------------------------


def requirements() -> str:
    """The grading dependencies, with the version ranges the kit itself declares."""
    declared = importlib.metadata.requires("xor-mlp-kit") or []
    wanted = [
        spec
        for spec in declared
        if ";" not in spec  # no extras (dev tools)
        and re.match(r"[A-Za-z0-9_.-]+", spec).group() in GRADING_DEPENDENCIES
    ]
    return "\n".join([*wanted, *EXTRA_REQUIREMENTS]) + "\n"


def test_cells(source_notebook: Path) -> nbformat.NotebookNode:
    """The source notebook's autograded test cells (hidden tests included) and
    its locked code cells (the data the tests use), and nothing else: no prose,
    no solution code."""
    nb = nbformat.read(source_notebook, as_version=4)
    graded = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    written = [cell for cell in graded if cell.metadata.nbgrader.get("solution")]
    nb.cells = [cell for cell in nb.cells if _instructors(cell)]
    # the written answers are graded by a person; the students are told so
    nb.metadata["xorkit"] = {
        "written_answers": len(written),
        "written_points": sum(map(points, written)),
    }
    nb, _ = ClearOutput().preprocess(nb, {})
    return nb


def _instructors(cell) -> bool:
    """A code cell the student may not change: a test cell or a locked one."""
    meta = cell.metadata.get("nbgrader", {})
    wanted = meta.get("grade") or meta.get("locked")
    return cell.cell_type == "code" and wanted and not meta.get("solution")


def graded(tests: nbformat.NotebookNode) -> list:
    """The autograded test cells of the bundled notebook, in notebook order."""
    return [cell for cell in tests.cells if cell.metadata.nbgrader.get("grade")]


def bundle_files(course: Path, name: str, visibility: str = "visible") -> dict[str, bytes]:
    """Every file of assignment ``name``'s bundle, by its path inside the zip."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    graded = assignments.load(course, name)
    source, ref = graded.source_notebook(), course / reference_path(name)
    for path in (source, ref, course / "nbgrader_config.py"):
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: run `xorkit build` in the course directory"
            )
    reference.verify(graded)  # the reference and checks the build vouched for
    package = Path(__file__).resolve().parent.parent  # the whole kit
    files = {
        "setup.sh": SETUP_SH.encode(),
        "run_autograder": RUN_AUTOGRADER.format(
            reference=reference_path(name), visibility=visibility, name=name
        ).encode(),
        "requirements.txt": requirements().encode(),
        "nbgrader_config.py": (course / "nbgrader_config.py").read_bytes(),
        reference_path(name): ref.read_bytes(),
        test_cells_path(name): nbformat.writes(test_cells(source)).encode(),
    }
    for path in sorted(package.rglob("*.py")):
        files[f"autograder/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    for path in sorted(graded.package_dir.rglob("*.py")):
        if "__pycache__" not in path.parts:
            inside = path.relative_to(course).as_posix()
            files[inside] = path.read_bytes()
    return files


def bundle(course: Path, out: Path, name: str, visibility: str = "visible") -> Path:
    """Write assignment ``name``'s Gradescope autograder zip into folder ``out``."""
    files = bundle_files(course, name, visibility)
    out.mkdir(parents=True, exist_ok=True)
    target = out / bundle_name(name)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = (0o755 if executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return target


# -- grading one submission (run_autograder) ------------------------------------


def find_submission(folder: Path, name: str) -> Path:
    notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not notebooks:
        raise Rejected(
            f"No notebook was submitted: upload {name}.ipynb (in Jupyter, File → Download)."
        )
    if len(notebooks) == 1:
        return notebooks[0]
    named = folder / f"{name}.ipynb"
    if named in notebooks:
        return named
    names = ", ".join(p.name for p in notebooks)
    raise Rejected(f"Several notebooks were submitted ({names}): upload only {name}.ipynb.")


def read_submission(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # NotJSONError, a JSON file that is no notebook, bad bytes
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise Rejected(
            f"{path.name} could not be read as a Jupyter notebook ({reason}). Upload the "
            ".ipynb file Jupyter saves (File → Download), not a copy pasted into an editor."
        ) from exc


def restore_test_cells(
    nb: nbformat.NotebookNode, tests: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """Put back every test and locked cell as the instructor wrote it (hidden
    tests included), matched by grade_id; a repeated grade_id counts once."""
    by_id = {cell.metadata.nbgrader.grade_id: cell for cell in tests.cells}
    seen = set()
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in seen:
            del cell.metadata["nbgrader"]
        elif grade_id in by_id:
            seen.add(grade_id)
            original = by_id[grade_id]
            cell.cell_type = "code"
            cell.pop("attachments", None)
            cell.source = original.source
            cell.metadata["nbgrader"] = original.metadata.nbgrader
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    nb.metadata["kernelspec"] = tests.metadata.get("kernelspec", {"name": "python3"})
    return nb


def isolation() -> int | None:
    """How student code will be kept apart: ``None`` for bubblewrap, else the
    uid to drop to (when running as root without it)."""
    if sandbox.bwrap_works():
        return None
    if os.geteuid() != 0:
        raise GraderFault("it could not start a sandbox: no bubblewrap, and not running as root")
    if not _runs_as(NOBODY):
        raise GraderFault(
            f"it could not start a sandbox: uid {NOBODY} cannot run {sys.executable}"
            " with NumPy and IPython"
        )
    return NOBODY


def _runs_as(uid: int, python: str = sys.executable) -> bool:
    """Whether ``uid`` can start ``python`` and import what the executor needs
    (a venv in a root-only folder would otherwise zero every student)."""
    try:
        probe = subprocess.run(
            [python, "-I", "-c", "import numpy, IPython, matplotlib_inline"],
            user=uid,
            group=uid,
            extra_groups=[],
            cwd="/",
            capture_output=True,
        )
    except OSError:  # the interpreter itself is out of reach
        return False
    return probe.returncode == 0


def lock_down(root: Path) -> None:
    """Before student code runs: the checks, the reference and the results
    become readable and writable by their owner (root) alone."""
    for folder in (root / "source", root / "results"):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)


@contextlib.contextmanager
def scratch_copy(submission: Path):
    """A temporary copy of the submission folder, links kept as links: the only
    place student code may write."""
    work = Path(tempfile.mkdtemp(prefix="xorkit-gradescope-"))
    work.chmod(0o711)  # a dropped uid may reach its scratch folder, not list this one
    scratch = work / "submission"
    shutil.copytree(submission, scratch, symlinks=True)
    try:
        yield scratch
    finally:
        shutil.rmtree(work, ignore_errors=True)


def execute(
    nb: nbformat.NotebookNode, tests: nbformat.NotebookNode, root: Path, folder: Path, graded
):
    """Run the notebook as ``xorkit grade`` does: the student's cells in the
    sandbox, the instructor's test cells here; the grader's ``remote.Execution``."""
    uid = isolation()
    print("student code runs", "in bubblewrap" if uid is None else f"as uid {uid}")
    lock_down(root)
    limits = sandbox.Limits.from_course(root / "source")
    cells = remote.graded_cells(tests)  # the instructor's, never the student's
    with scratch_copy(folder) as scratch:
        return remote.execute(
            nb, scratch, limits, use_bwrap=uid is None, tests=cells, assignment=graded, drop_uid=uid
        )


def _error_summary(output) -> str:
    if output.ename == "NotImplementedError":
        return "Not attempted yet: a function this cell calls still raises NotImplementedError."
    if output.ename == "AssertionError":
        return f"A visible test failed: {output.evalue or 'assertion failed'}"
    return f"The cell raised {output.ename}: {output.evalue}"[:400]


def _checks(summary: str, results: list[dict]) -> str:
    """The report's first line, then every property the checks looked at."""
    marks = {"passed": "✓", "failed": "✗", "not attempted": "·"}
    lines = [summary]
    for r in results:
        line = f"  {marks.get(r['status'], '?')} {r['name']}"
        if r["status"] != "passed" and r.get("message"):
            line += f": {r['message']}"
        lines.append(line)
    return "\n".join(lines)


def cell_output(cell) -> str:
    """What the student sees of a graded cell: printed text, the checks' report
    with a line per property, and for an error only its name and message (a
    traceback could show the checks' code)."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text.rstrip())
        elif output.output_type == "display_data":
            text = str(output.get("data", {}).get("text/plain", "")).rstrip()
            results = output.get("metadata", {}).get("xorkit", {}).get("results")
            parts.append(_checks(text.splitlines()[0], results) if results and text else text)
        elif output.output_type == "error":
            parts.append(_error_summary(output))
    return "\n".join(p for p in parts if p)


def test_name(cell) -> str:
    """``backward (test_backward)``: the function, then the cell's grade_id."""
    grade_id = cell.metadata.nbgrader.grade_id
    return f"{grade_id.removeprefix('test_')} ({grade_id})"


def points(cell) -> float:
    return float(cell.metadata.nbgrader.points)


def score_cells(
    nb: nbformat.NotebookNode,
    tests: nbformat.NotebookNode,
    run: remote.Execution,
    visibility: str,
) -> list[Test]:
    """One test per autograded cell of the instructor's notebook, in notebook
    order, worth the points the grader decided (never read from the outputs)."""
    present = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in nb.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    }
    found = []
    for number, original in enumerate(graded(tests), start=1):
        grade_id = original.metadata.nbgrader.grade_id
        cell = present.get(grade_id)
        if cell is None:
            score, output = 0.0, MISSING_CELL
        elif cell.get("execution_count") is None:
            score, output = 0.0, "This cell did not run (the notebook stopped before it)."
        else:
            score = run.scores.get(grade_id, 0.0)
            output = cell_output(cell) or run.reasons.get(grade_id, "")
        score, max_score = round(score, 4), points(original)
        status = "passed" if score >= max_score else "failed"
        found.append(
            Test(test_name(original), number, score, max_score, output, visibility, status)
        )
    return found


def not_graded(tests: nbformat.NotebookNode, visibility: str) -> list[Test]:
    return [
        Test(test_name(cell), number, 0.0, points(cell), "Not graded: see above.", visibility)
        for number, cell in enumerate(graded(tests), start=1)
    ]


def results_json(
    tests: list[Test], note: str, visibility: str, seconds: float, written: dict
) -> dict:
    score = round(sum(t.score for t in tests), 4)
    total = sum(t.max_score for t in tests)
    summary = f"Autograded score: {score:g} / {total:g}."
    if written.get("written_answers"):
        summary += (
            f" The {written['written_answers']} written answers"
            f" ({written['written_points']:g} points) are graded by hand."
        )
    return {
        "score": score,
        "execution_time": round(seconds),
        "output": "\n\n".join(p for p in (summary, note) if p),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": [asdict(t) for t in tests],
    }


def grade(root: Path, name: str, visibility: str = "visible") -> dict:
    """Grade ``root/submission/*.ipynb`` as assignment ``name``; write and return
    ``root/results/results.json``.
    On a fault of the grader (no sandbox, say), raise ``GraderFault`` once
    results.json says that the notebook was not graded."""
    start = time.monotonic()
    source = root / "source"
    tests = nbformat.read(source / test_cells_path(name), as_version=4)
    fault = None
    try:
        graded = assignments.load(source, name)
        path = find_submission(root / "submission", name)
        nb = read_submission(path)
        nb, _ = ClearOutput().preprocess(nb, {})
        nb = restore_test_cells(nb, tests)
        runner.self_test(graded)  # the bundled checks pass on the bundled reference
        run = execute(nb, tests, root, path.parent, graded)
        note = f"The notebook stopped running: {'; '.join(run.notes)}" if run.notes else ""
        scored = score_cells(nb, tests, run, visibility)
    except Rejected as exc:
        note, scored = str(exc), not_graded(tests, visibility)
    except GraderFault as exc:
        fault = exc
        note, scored = NOT_GRADED.format(why=exc), not_graded(tests, visibility)
    seconds = time.monotonic() - start
    results = results_json(scored, note, visibility, seconds, tests.metadata.get("xorkit", {}))
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if fault is not None:
        raise fault
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.course.gradescope``: the body of ``run_autograder``."""
    parser = argparse.ArgumentParser(description=grade.__doc__)
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, "/autograder")))
    parser.add_argument("--visibility", choices=VISIBILITIES, default="visible")
    parser.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    print(f"grading with the checks in {Path(__file__).resolve().parent.parent}")
    try:
        results = grade(args.root, args.assignment, args.visibility)
    except GraderFault as exc:
        print(f"not graded: {exc}", file=sys.stderr)
        return 2
    for test in results["tests"]:
        print(f"{test['name']:46s} {test['score']:g}/{test['max_score']:g}")
    print(f"total {results['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
