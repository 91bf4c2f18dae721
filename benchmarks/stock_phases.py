"""Stock ``nbgrader autograde``, timed phase by phase (run by ``benchmarks.grading``).

    python -m benchmarks.stock_phases COURSE ASSIGNMENT OUT.json

Runs nbgrader's own ``autograde`` app in this process, in COURSE, with every
preprocessor's call timed and put in the phase it belongs to:

* sanitize: ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
  CheckCellMetadata (before executing);
* execute: nbgrader's Execute (the student's code and the hidden checks, which
  run in the same kernel and cannot be told apart);
* record: the preprocessors after executing (SaveAutoGrades and the rest);
* other: the rest of the wall time (the converter setting up each submission,
  its gradebook queries, reading and writing the notebooks).

Writes the seconds per phase to OUT.json. The reference the hidden checks use
is the one ``XORKIT_REFERENCE`` names, as for ``grading.autograde``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.apps import NbGraderApp
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

SECONDS: dict[str, float] = defaultdict(float)


def _timed(call):
    def timed(self, nb, resources):
        if isinstance(self, Execute):
            phase = "execute"
        elif getattr(Autograde, "_timing_sanitizing", True):
            phase = "sanitize"
        else:
            phase = "record"
        start = time.perf_counter()
        try:
            return call(self, nb, resources)
        finally:
            SECONDS[phase] += time.perf_counter() - start

    return timed


def _phase_aware(convert):
    """Autograde's two passes per notebook: tell the timer which one runs."""

    def init(self):
        Autograde._timing_sanitizing = self._sanitizing
        return convert(self)

    return init


def main(argv: list[str]) -> int:
    course, assignment, out = Path(argv[0]), argv[1], Path(argv[2])
    Preprocessor.__call__ = _timed(Preprocessor.__call__)
    Autograde._init_preprocessors = _phase_aware(Autograde._init_preprocessors)
    os.chdir(course)
    start = time.perf_counter()
    try:
        NbGraderApp.launch_instance(argv=["autograde", assignment, "--force", "--log-level=ERROR"])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    wall = time.perf_counter() - start
    SECONDS["other"] = wall - sum(SECONDS.values())
    out.write_text(json.dumps(dict(SECONDS)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
