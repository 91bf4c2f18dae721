"""Progress bars for the long instructor steps: shown on a terminal, silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from tqdm import tqdm


def progress(items: Iterable | None = None, desc: str = "", total: int | None = None) -> tqdm:
    """A tqdm bar on stderr; ``disable=None`` turns it off when stderr is not a TTY
    (CI logs, pipes, tests), so scripted runs stay quiet."""
    return tqdm(items, desc=desc, total=total, unit="", leave=False, disable=None, file=sys.stderr)
