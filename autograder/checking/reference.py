"""The reference solution of an assignment and the build record that vouches for it.

The reference is written once, in ``source/<name>/<name>.ipynb``; ``xorkit build``
extracts its functions to ``solutions/<name>/reference.py`` and writes
``solutions/<name>/build.json``: the SHA-256 of the source notebook, of the
reference and of the hidden checks it verified together (the assignment's
package and the kit's checks core). Grading an assignment first calls
``verify(assignment)``: the reference must be the one built from that course's
source with these checks, import cleanly and pass every check; the assignment
then imports it (``Assignment.reference``), in this process and in the workers
forked from it. ``XORKIT_REFERENCE`` overrides the path (a packaged grader).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from autograder.checking.assignment import Assignment, import_reference
from autograder.faults import GraderFault


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(assignment: Assignment) -> dict[str, str]:
    """What a build vouches for: the source notebook, the reference, the checks."""
    return {
        "source": _sha256(assignment.source_notebook().read_bytes()),
        "reference": _sha256((assignment.solutions() / "reference.py").read_bytes()),
        "checks": assignment.checks_digest(),
    }


def write_record(assignment: Assignment) -> Path:
    out = assignment.record_path()
    out.write_text(json.dumps(fingerprint(assignment), indent=1, sort_keys=True) + "\n")
    return out


def verify(assignment: Assignment) -> Path:
    """The assignment's reference, checked against its build record; ``GraderFault``
    otherwise."""
    source = assignment.source_notebook()
    path, record = assignment.solutions() / "reference.py", assignment.record_path()
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
    now = fingerprint(assignment)
    what = {
        "source": f"the source notebook {source} changed since the last build",
        "reference": f"the reference {path} is not the one the last build wrote",
        "checks": f"the hidden checks ({assignment.package_dir}) changed since the last build",
    }
    for key, message in what.items():
        if not isinstance(recorded, dict) or recorded.get(key) != now[key]:
            raise GraderFault(f"{message}: {rebuild}")
    import_reference(assignment, path)
    return path
