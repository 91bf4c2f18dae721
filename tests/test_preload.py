"""The sandbox's zygote imports, before it forks, what a course's notebooks import."""

import subprocess
import sys

from tests.helpers import REPO


def test_zygote_preloads_scikit_learn_datasets():
    """After the zygote's preload, scikit-learn's datasets are imported (a notebook's
    `from sklearn.datasets import load_digits` then costs nothing), and so are NumPy
    and matplotlib's pyplot."""
    code = (
        "import sys\n"
        "from autograder.engine.worker import executor\n"
        "executor.preload()\n"
        "print(sorted(m for m in ('numpy', 'matplotlib.pyplot', 'sklearn.datasets') "
        "if m in sys.modules))\n"
    )
    env = {"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['matplotlib.pyplot', 'numpy', 'sklearn.datasets']"
