"""No submission can cost another student anything.

Each class of attack is a batch: the hostile submission first (``a_…``), then
two honest ones (``b_…``, ``c_…``) that run after it on one worker and beside
it on two. The batches are graded by ``xorkit grade``'s pipeline, one after
the other, in a process of their own (``tests/grade_probe.py``), each with a
temporary folder of its own, and:

* every honest submission gets its exact grade, and the hostile one the points
  its code honestly earns;
* no grading process (the main one, a worker) grows past ``PROCESS_MB``;
* the batch ends within ``SLACK_S`` seconds of the same batch without the
  hostile submission;
* no file is left in the grader's temporary folder, none owned by a
  sandbox's uid in /tmp, /var/tmp or /dev/shm, and no process of one.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.engine import sandbox
from tests.helpers import GRADED_CELLS, REPO, built_course, release_with, solved_sources

SOLVED = solved_sources()
PROCESS_MB = 800  # the bound every grading process must stay within (resident)
SLACK_S = 60  # what one hostile submission may add to a batch's time
LIMITS = (
    "\nc.GradingLimits.cell_timeout = 10"
    "\nc.GradingLimits.notebook_timeout = 120"
    "\nc.GradingLimits.memory_mb = 1500"
    "\nc.GradingLimits.disk_mb = 64\n"
)


def _with(function: str, code: str) -> dict[str, str]:
    return {function: SOLVED[function] + "\n\n" + code}


# Returns 240 MB for any input; then pads every message it sends by 200 MB.
REPLY_FLOOD = {
    **_with("sigmoid", "_sigmoid = sigmoid\n\ndef sigmoid(x):\n    return np.zeros(30_000_000)\n"),
    **_with(
        "predict",
        "import wire\n_encode = wire.encode\n"
        "wire.encode = lambda message: _encode(message) + bytes(200_000_000)\n",
    ),
}

# A failed sigmoid makes forward_pass run on the reference stand-in, which this
# forward_pass then calls with the largest arrays allowed, as fast as it can.
STAND_IN_FLOOD = {
    "sigmoid": "def sigmoid(x):\n    return 0 * np.asarray(x, dtype=float)\n",
    **_with(
        "forward_pass",
        "_flooded = []\n_forward = forward_pass\n\n"
        "def forward_pass(X, w1, w2):\n"
        "    if not _flooded:\n"
        "        _flooded.append(1)\n"
        "        while True:\n"
        "            sigmoid(np.ones(4096))\n"
        "    return _forward(X, w1, w2)\n",
    ),
}

ODD_CONTENT = _with(
    "sigmoid",
    "import os, socket\n"
    "_here = os.getcwd()\n"
    "os.makedirs('deep', exist_ok=True)\n"
    "os.chdir('deep')\n"
    "for _ in range(1500):\n"
    "    os.mkdir('d')\n"
    "    os.chdir('d')\n"
    "os.chdir(_here)\n"
    "for place in ['.', '/tmp', '/dev/shm']:\n"
    "    os.makedirs(f'{place}/locked/inner', exist_ok=True)\n"
    "    open(f'{place}/locked/inner/file', 'w').close()\n"
    "    os.chmod(f'{place}/locked/inner/file', 0)\n"
    "    os.chmod(f'{place}/locked/inner', 0)\n"
    "    os.chmod(f'{place}/locked', 0)\n"
    "    open(os.path.join(place.encode(), b'odd\\n\\xff\\xfe name'), 'w').close()\n"
    "    os.mkfifo(f'{place}/fifo')\n"
    "    os.symlink('loop', f'{place}/loop')\n"
    "    os.symlink('/etc/passwd', f'{place}/passwd')\n"
    "_server = socket.socket(socket.AF_UNIX)\n"
    "_server.bind('/tmp/listening')\n"
    "_server.listen()\n",
)

MANY_FILES = _with(
    "sigmoid",
    "os = __import__('os')\nfor _i in range(100_000):\n    open(f'/tmp/{_i}', 'w').close()\n",
)

DISK_FILL = _with(
    "sigmoid",
    "_block = bytes(16 << 20)\n"
    "for _place in ['.', '/tmp', '/dev/shm']:\n"
    "    for _i in range(10_000):\n"
    "        try:\n"
    "            with open(f'{_place}/fill{_i}', 'wb') as _out:\n"
    "                _out.write(_block)\n"
    "        except OSError:\n"
    "            break\n",
)

# System V shared memory, a POSIX message queue and a process that outlives
# the submission, besides files in every writable place.
LEAVE_NOTES = _with(
    "sigmoid",
    "import ctypes, os, time\n"
    "for _path in ['note', '../note', '/note', '/tmp/note', '/dev/shm/note']:\n"
    "    try:\n"
    "        open(_path, 'w').write('the answers')\n"
    "    except OSError:\n"
    "        pass\n"
    "_libc = ctypes.CDLL(None, use_errno=True)\n"
    "_libc.shmget(0x5EED, 4096, 0o1666)\n"
    "_rt = ctypes.CDLL('librt.so.1')\n"
    "_rt.mq_open(b'/note', os.O_CREAT | os.O_RDWR, 0o666, None)\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    time.sleep(3)\n"
    "    open('/tmp/late-note', 'w').write('the answers')\n"
    "    time.sleep(600)\n"
    "    os._exit(0)\n",
)
FIND_NOTES = {
    "sigmoid": (
        "import ctypes, os\n\n"
        "_libc = ctypes.CDLL(None)\n"
        "_rt = ctypes.CDLL('librt.so.1')\n"
        "_FOUND = (\n"
        "    any(os.path.exists(p) for p in ['note', '../note', '/note', '/tmp/note',\n"
        "                                    '/dev/shm/note', '/tmp/late-note'])\n"
        "    or _libc.shmget(0x5EED, 4096, 0o666) != -1\n"
        "    or _rt.mq_open(b'/note', os.O_RDWR) != -1\n"
        ")\n\n\n"
        "def sigmoid(x):\n"
        "    x = np.asarray(x, dtype=float)\n"
        "    return 0 * x if _FOUND else 1 / (1 + np.exp(-x))\n"
    )
}

# Holds as many processes as it can, until the submission ends (in the last
# function's cell: the IPython shell needs a thread of its own later on).
FORK_BOMB = _with(
    "predict",
    "import os, time\n"
    "for _ in range(5000):\n"
    "    try:\n"
    "        if os.fork() == 0:\n"
    "            time.sleep(600)\n"
    "            os._exit(0)\n"
    "    except OSError:\n"
    "        break\n",
)

# class -> (hostile code, what the hostile submission loses, honest first one's code)
CLASSES = {
    "reply_flood": (REPLY_FLOOD, ["test_sigmoid", "test_predict"], {}),
    "stand_in_flood": (STAND_IN_FLOOD, ["test_sigmoid", "test_forward_pass"], {}),
    "odd_content": (ODD_CONTENT, [], {}),
    "many_files": (MANY_FILES, [], {}),
    "disk_fill": (DISK_FILL, [], {}),
    "leave_notes": (LEAVE_NOTES, [], FIND_NOTES),
    "fork_bomb": (FORK_BOMB, [], {}),
}


def _course(folder: Path, students: dict) -> Path:
    course = built_course(folder)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    for student, code in students.items():
        path = course / "submitted" / student / "xor_mlp" / "xor_mlp.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(release_with({**SOLVED, **code}), path)
    return course


HONEST = {"b_honest": {}, "c_honest": {}}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every batch, graded one after the other by one probe process: the honest
    pair alone (the baseline) and each class, on one worker and on two."""
    if not sandbox.bwrap_works():
        pytest.skip("hostile code runs only in the bubblewrap sandbox, which does not work here")
    folder = tmp_path_factory.mktemp("isolation")
    batches = {}
    for jobs in (1, 2):
        batches["baseline", jobs] = _course(folder / f"baseline-{jobs}", HONEST)
        for attack, (hostile, _, first_honest) in CLASSES.items():
            students = {**HONEST, "a_hostile": hostile, "b_honest": first_honest}
            batches[attack, jobs] = _course(folder / f"{attack}-{jobs}", students)
    plan = folder / "plan.json"
    plan.write_text(json.dumps([{"course": str(c), "jobs": j} for (_, j), c in batches.items()]))
    probe = subprocess.run(
        [sys.executable, "-m", "tests.grade_probe", str(plan)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    return dict(zip(batches, result["batches"], strict=True)), result["main_mb"]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("attack", sorted(CLASSES))
def test_a_hostile_submission_costs_nobody_else(attack, jobs, graded):
    """Honest submissions graded after and beside a hostile one get their exact
    grade; the hostile one loses only its own cells; every grading process stays
    under PROCESS_MB, the batch within SLACK_S of the honest baseline, and no
    file is left on the host."""
    batches, main_mb = graded
    result, baseline = batches[attack, jobs], batches["baseline", jobs]
    _, loses, _ = CLASSES[attack]
    print(
        f"{attack} on {jobs} worker(s): {result['wall']:.1f} s "
        f"(honest alone {baseline['wall']:.1f} s), worker {result['worker_mb']:.0f} MB, "
        f"main process (all batches) {main_mb:.0f} MB"
    )
    assert result["ungraded"] == []
    for student in HONEST:
        scores = result["scores"][student]
        assert {g: scores.get(g) for g in GRADED_CELLS} == GRADED_CELLS, student
    hostile_scores = result["scores"]["a_hostile"]
    expected = {g: (0 if g in loses else p) for g, p in GRADED_CELLS.items()}
    assert {g: hostile_scores.get(g) for g in GRADED_CELLS} == expected
    assert main_mb < PROCESS_MB
    assert result["worker_mb"] < PROCESS_MB
    assert result["wall"] < baseline["wall"] + SLACK_S
    assert result["left_in_tmpdir"] == []
    assert result["left_on_host"] == []
