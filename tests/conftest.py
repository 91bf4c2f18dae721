"""Session fixtures: a graded class shared by the feedback, export and report
tests, and a Python that uid nobody can run.

Grading real notebooks takes seconds each, so one course is graded once per
session: three students of the bundled example class, one whose notebook
crashes with an error other than an unfinished function, and one whose file is
not a notebook at all.
"""

import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.engine import grading, sandbox_uids
from tests.helpers import REPO, built_course, release_with, solved_sources, submit

# Under pytest-xdist each worker's sandboxes take uids of a range of their own, so
# that a test counting what a sandbox's uid left on the host (files, processes)
# sees its own worker's sandboxes only, never the other worker's live ones.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and "XORKIT_SANDBOX_UIDS" not in os.environ:
    _share = sandbox_uids.UID_COUNT // max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1)))
    _first = sandbox_uids.FIRST_UID + int(_WORKER[2:]) * _share
    os.environ["XORKIT_SANDBOX_UIDS"] = f"{_first}-{_first + _share - 1}"

STUDENTS = ["ada_correct", "cy_sigma_not_derivative", "gus_half_done"]
CRASHING = "zed_name_error"
UNREADABLE = "yan_not_json"


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    course = built_course(tmp_path_factory.mktemp("graded-course"))
    for student in STUDENTS:
        shutil.copytree(REPO / "submitted" / student, course / "submitted" / student)
    code = solved_sources()
    code["sigmoid"] = code["sigmoid"].replace("np.exp(-x)", "np.exp(-x) * undefined_scale")
    assert "undefined_scale" in code["sigmoid"]
    submit(course, CRASHING, release_with(code))
    broken = course / "submitted" / UNREADABLE / "xor_mlp" / "xor_mlp.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    grading.autograde(course, "xor_mlp", sandbox="auto")
    return course


NOBODY = 65534


def runs_as_nobody(python: str) -> bool:
    """Whether uid nobody can start ``python`` and import what the executor needs."""
    from autograder.course.gradescope import _runs_as

    return _runs_as(NOBODY, python)


def _linked_venv(folder: Path) -> str | None:
    """A venv of the system's Python of this version, reaching this run's
    packages through a .pth file (not the kit itself: its editable finder is
    not processed from there)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = shutil.which(version, path="/usr/local/bin:/usr/bin:/bin")
    if base is None:
        return None
    made = subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], capture_output=True)
    if made.returncode != 0:
        return None
    (folder / "lib" / version / "site-packages" / "xorkit-tests.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    return str(folder / "bin" / "python")


@pytest.fixture(scope="session")
def nobody_python():
    """A Python that uid nobody can run, with this test run's packages: this
    one, or (when it lives in a root-only folder such as /root/.pyenv) a venv
    of the system's Python in a world-readable temporary folder."""
    if os.geteuid() != 0:
        pytest.skip("dropping to uid nobody needs root")
    if runs_as_nobody(sys.executable):
        yield sys.executable
        return
    folder = Path(tempfile.mkdtemp(prefix="xorkit-nobody-python-"))
    folder.chmod(0o755)
    try:
        python = _linked_venv(folder / "venv")
        if python is None or not runs_as_nobody(python):
            pytest.skip(f"uid nobody cannot run {sys.executable}; no system Python stands in")
        yield python
    finally:
        shutil.rmtree(folder)


# ------------------------------------------------------- the checkout stays as it was

# What may change under a test run without being the suite's doing: the venv,
# git's own files, bytecode caches, ruff's cache and the editable install's metadata.
IGNORED_PARTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _checkout_digest() -> dict[str, str]:
    import hashlib

    digest = {}
    for path in sorted(REPO.rglob("*")):
        relative = path.relative_to(REPO)
        if IGNORED_PARTS & set(relative.parts) or relative.parts[0].endswith(".egg-info"):
            continue
        if path.is_symlink():
            digest[str(relative)] = "link:" + os.readlink(path)
        elif path.is_file():
            digest[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def pytest_sessionstart(session):
    session.config._xorkit_checkout = _checkout_digest()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any test wrote, changed or deleted a file of the checkout."""
    before = getattr(session.config, "_xorkit_checkout", None)
    if before is None or hasattr(session.config, "workerinput"):
        return
    after = _checkout_digest()
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if changed:
        listing = "\n  ".join(changed[:20])
        sys.stderr.write(
            f"\nthe test run changed {len(changed)} file(s) of the checkout "
            f"(tests must write only to temporary folders):\n  {listing}\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
