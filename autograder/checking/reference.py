"""The reference solution and the build record that vouches for it.

The reference is written once, in ``source/xor_mlp/xor_mlp.ipynb``; ``xorkit build``
extracts its functions to ``solutions/xor_mlp/reference.py`` and writes
``solutions/xor_mlp/build.json``: the SHA-256 of the source notebook, of the
reference and of the hidden checks it verified together. Grading a course first
calls ``verify(course)``: the reference must be the one built from that course's
source with these checks, import cleanly and pass every check; then ``activate``
makes it the one the checks and the stand-ins use, in this process and in the
workers forked from it. ``XORKIT_REFERENCE`` overrides the path (a packaged grader).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder import contract
from autograder.faults import GraderFault

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the kit
COURSE_ROOT = PACKAGE_DIR.parent
RECORD = "build.json"
# What the hidden checks are made of: a change to any of these needs a new build.
CHECK_FILES = ("checks/*.py", "checking/numerics.py", "checking/hints.py", "checking/runner.py")

_active: Path | None = None


def course_path(root: Path) -> Path:
    return root / "solutions" / contract.ASSIGNMENT / "reference.py"


def record_path(root: Path) -> Path:
    return root / "solutions" / contract.ASSIGNMENT / RECORD


def reference_path() -> Path:
    """``XORKIT_REFERENCE``, else the activated course's, else the checkout's."""
    if os.environ.get("XORKIT_REFERENCE"):
        return Path(os.environ["XORKIT_REFERENCE"])
    return _active or course_path(COURSE_ROOT)


def activate(path: Path | None) -> None:
    """Make ``path`` the reference that ``load`` returns (None: the default)."""
    global _active
    _active = path
    load.cache_clear()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checks_digest() -> str:
    """One hash over the source of the hidden checks, in a fixed order."""
    files = sorted({p for pattern in CHECK_FILES for p in PACKAGE_DIR.glob(pattern)})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(root: Path, source: Path) -> dict[str, str]:
    """What a build vouches for: the source notebook, the reference, the checks."""
    return {
        "source": _sha256(source.read_bytes()),
        "reference": _sha256(course_path(root).read_bytes()),
        "checks": checks_digest(),
    }


def write_record(root: Path, source: Path) -> Path:
    out = record_path(root)
    out.write_text(json.dumps(fingerprint(root, source), indent=1, sort_keys=True) + "\n")
    return out


@cache
def load() -> ModuleType:
    """Import the reference module once per process."""
    path = reference_path()
    if not path.exists():
        raise GraderFault(f"the reference solution {path} is missing: run `xorkit build`")
    return _import(path)


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("xorkit_reference", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise GraderFault(
            f"the reference solution {path} does not import ({type(exc).__name__}: {exc}): "
            "run `xorkit build`"
        ) from exc
    missing = [name for name in contract.FUNCTIONS if not callable(getattr(module, name, None))]
    if missing:
        raise GraderFault(
            f"the reference solution {path} does not define {', '.join(missing)}: "
            "run `xorkit build`"
        )
    return module


def verify(root: Path, source: Path) -> Path:
    """The course's reference, checked against its build record; ``GraderFault`` otherwise."""
    path, record = course_path(root), record_path(root)
    rebuild = "run `xorkit build` in the course directory, then grade again"
    if not source.exists():
        raise GraderFault(f"{source} is missing: this is not a course directory (--course)")
    if not path.exists() or not record.exists():
        missing = path if not path.exists() else record
        raise GraderFault(f"{missing} is missing: {rebuild}")
    try:
        recorded = json.loads(record.read_text())
    except ValueError as exc:
        raise GraderFault(f"{record} is not valid JSON ({exc}): {rebuild}") from exc
    now = fingerprint(root, source)
    what = {
        "source": f"the source notebook {source} changed since the last build",
        "reference": f"the reference {path} is not the one the last build wrote",
        "checks": "the hidden checks (autograder/checks) changed since the last build",
    }
    for key, message in what.items():
        if not isinstance(recorded, dict) or recorded.get(key) != now[key]:
            raise GraderFault(f"{message}: {rebuild}")
    _import(path)
    return path
