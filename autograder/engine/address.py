"""Where a class is graded: this machine's process pool, or a Dask cluster.

``xorkit grade --cluster ADDRESS`` names the cluster, else the course's
``c.Grading.cluster`` in nbgrader_config.py, else none: the process pool.
Read and checked without importing Dask (``autograder.engine.cluster``), so
that a usage error stays instant.
"""

from __future__ import annotations

import re
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Configurable
from traitlets.config.loader import PyFileConfigLoader

NONE = "none"  # this machine's process pool, whatever the course's configuration says
LOCAL = re.compile(r"local:([1-9][0-9]{0,3})")  # a LocalCluster of N worker processes
# a Dask scheduler's address: [scheme://]host[:port]
SCHEDULER = re.compile(r"([a-z][a-z0-9+.-]*://)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(:[0-9]{1,5})?")


class Grading(Configurable):
    """How ``xorkit grade`` grades a class; set in nbgrader_config.py as
    ``c.Grading.cluster = "tcp://scheduler:8786"``."""

    cluster = Unicode(
        "",
        help="The Dask scheduler to grade on (tcp://host:8786, tls://host:8786), or "
        "local:N for N worker processes on this machine; empty: this machine's process "
        "pool. `xorkit grade --cluster` overrides it.",
    ).tag(config=True)


def problem(address: str) -> str | None:
    """Why ``address`` names no place to grade, if it does not."""
    if address == NONE or LOCAL.fullmatch(address):
        return None
    if SCHEDULER.fullmatch(address) and not address.startswith("local:"):
        return None
    return (
        f"{address!r} is not a Dask scheduler's address (tcp://host:8786), local:N (N "
        "worker processes on this machine) or none (this machine's process pool)"
    )


def configured(root: Path) -> str:
    """The cluster ``root/nbgrader_config.py`` names (``c.Grading.cluster``), or ""."""
    config_file = root / "nbgrader_config.py"
    if not config_file.exists():
        return ""
    config = PyFileConfigLoader(config_file.name, path=str(root)).load_config()
    return Grading(config=config).cluster.strip()
