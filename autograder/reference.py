"""Load the reference solution generated from the source notebook.

The reference is written once, in ``source/xor_mlp/xor_mlp.ipynb``; ``xorkit build``
extracts its functions to ``solutions/xor_mlp/reference.py``, which this module loads.
``XORKIT_REFERENCE`` points elsewhere (for a packaged grader, for example).
"""

import importlib.util
import os
from functools import cache
from pathlib import Path
from types import ModuleType

COURSE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = COURSE_ROOT / "solutions" / "xor_mlp" / "reference.py"


def reference_path() -> Path:
    return Path(os.environ.get("XORKIT_REFERENCE", DEFAULT_PATH))


@cache
def load() -> ModuleType:
    """Import the reference module once per process."""
    path = reference_path()
    if not path.exists():
        raise FileNotFoundError(f"reference solution {path} is missing: run `xorkit build`")
    spec = importlib.util.spec_from_file_location("xorkit_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
