"""The sandboxed executor, driven directly (no nbgrader)."""

import sys

import numpy as np
import pytest

from autograder import remote
from autograder.runner import NotAttempted
from autograder.sandbox import Limits, Sandbox, bwrap_works
from tests.helpers import REPO

needs_bwrap = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is not available here")


@pytest.mark.parametrize("use_bwrap", [pytest.param(True, marks=needs_bwrap), False])
def test_cells_run_and_functions_answer(tmp_path, use_bwrap):
    """Cells produce kernel-like outputs and the notebook's functions can be called."""
    with Sandbox(tmp_path, Limits(), use_bwrap) as box:
        reply = box.run(
            "import numpy as np\ndef dense(a, b):\n    return a @ b\nprint('hi')\n1 + 1"
        )
        assert [o["output_type"] for o in reply["outputs"]] == ["stream", "execute_result"]
        impl = remote.RemoteSubmission(box, swap=[])
        assert np.array_equal(impl.dense(np.eye(2), np.ones((2, 1))), np.ones((2, 1)))
        with pytest.raises(NotAttempted):
            impl.sigmoid(0.0)


@needs_bwrap
def test_sandbox_hides_the_course_and_the_network(tmp_path):
    """Inside bubblewrap the reference cannot be read and no socket reaches the host."""
    code = (
        f"try:\n    open({str(REPO / 'solutions/xor_mlp/reference.py')!r}).read()\n"
        "    print('READ')\nexcept OSError:\n    print('hidden')\n"
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
        "    print('ONLINE')\nexcept OSError:\n    print('offline')\n"
    )
    with Sandbox(tmp_path, Limits(), True) as box:
        text = "".join(o.get("text", "") for o in box.run(code)["outputs"])
    assert text == "hidden\noffline\n"


def test_cell_time_limit_interrupts_and_continues(tmp_path):
    """An endless cell is stopped at the cell limit and the next cell still runs."""
    with Sandbox(tmp_path, Limits(cell_timeout=1), False) as box:
        reply = box.run("while True:\n    pass")
        assert reply["outputs"][-1]["ename"] == "CellTimeout"
        assert box.run("print('alive')")["outputs"][0]["text"] == "alive\n"


def test_drop_uid_runs_the_executor_as_that_user(tmp_path, nobody_python, monkeypatch):
    """Without bubblewrap, drop_uid runs the executor as that uid and gid with no
    supplementary groups, in a scratch folder it owns."""
    monkeypatch.setattr(sys, "executable", nobody_python)  # the executor's interpreter
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    tmp_path.chmod(0o711)
    with Sandbox(scratch, Limits(), False, drop_uid=65534) as box:
        reply = box.run("import os\nprint(os.getuid(), os.getgid(), os.getgroups())")
        box.run("open('mine.txt', 'w').write('ok')")
    assert reply["outputs"][0]["text"] == "65534 65534 []\n"
    assert (scratch / "mine.txt").stat().st_uid == 65534
