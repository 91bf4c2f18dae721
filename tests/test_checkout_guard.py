"""The suite's own guard: a run that changes a file of the checkout fails."""

import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO

WRITER = '''\
from tests.helpers import REPO


def test_writes_into_the_checkout():
    """Leaves a stray file behind."""
    (REPO / "stray.txt").write_text("left behind")
'''

READER = '''\
from tests.helpers import REPO


def test_only_reads():
    """Reads the checkout and writes nothing."""
    assert (REPO / "pyproject.toml").exists()
'''


def _run(checkout, name, code):
    (checkout / "tests" / name).write_text(code)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"tests/{name}"],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_run_that_writes_into_the_checkout_fails(tmp_path):
    """In a copy of the checkout, a passing test that writes a file makes pytest
    exit 1 and name the file; a test that only reads leaves the run green."""
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "test_*.py", "catalogue.py")
    shutil.copytree(REPO / "tests", checkout / "tests", ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    shutil.copytree(  # the assignment packages the helpers load
        REPO / "assignments", checkout / "assignments", ignore=shutil.ignore_patterns("__pycache__")
    )
    reader = _run(checkout, "test_reader.py", READER)
    assert reader.returncode == 0, reader.stdout + reader.stderr
    writer = _run(checkout, "test_writer.py", WRITER)
    assert writer.returncode == 1, writer.stdout + writer.stderr
    assert "changed 1 file(s) of the checkout" in writer.stderr
    assert "stray.txt" in writer.stderr
