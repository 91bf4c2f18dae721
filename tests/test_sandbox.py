"""The sandboxed executor, driven directly (no nbgrader)."""

import ast
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.checking.runner import NotAttempted
from autograder.engine import cgroup, remote, sandbox, sandbox_uids
from autograder.engine.sandbox import Died, Limits, Sandbox, Zygote, bwrap_works
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
        impl = remote.RemoteSubmission(box, [], answer=None)
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


def _zygote_run(zygote, code: str) -> str:
    """Run ``code`` in a fresh child of ``zygote``; its printed text."""
    folder = zygote.slot / "submission"
    folder.mkdir(parents=True, exist_ok=True)
    with Sandbox(folder, zygote.limits, zygote=zygote) as box:
        text = "".join(o.get("text", "") for o in box.run(code)["outputs"])
    remove = [folder, *folder.rglob("*")]
    for path in reversed(remove):
        path.rmdir() if path.is_dir() else path.unlink()
    return text


@needs_bwrap
def test_zygote_children_write_only_bounded_places_that_die_with_them(tmp_path):
    """A zygote's child writes nothing on the host (not even through file
    descriptors 1 and 2), its writable places are bounded by disk_mb, the root
    and /dev are read-only, and the next child finds every place empty."""
    limits = Limits(disk_mb=8)
    zygote = Zygote(tmp_path / "slot", limits, True)
    try:
        first = _zygote_run(
            zygote,
            "import os\n"
            "os.write(1, b'x' * (4 << 20))\n"
            "os.write(2, b'y' * (4 << 20))\n"
            "for place in ['/submission', '/tmp', '/dev/shm', '/', '/dev', '/usr']:\n"
            "    try:\n"
            "        with open(place + '/fill', 'wb') as out:\n"
            "            out.write(bytes(12 << 20))\n"
            "        print(place, 'unbounded')\n"
            "    except OSError as exc:\n"
            "        print(place, exc.strerror)\n",
        )
        assert first.splitlines() == [
            "/submission No space left on device",
            "/tmp No space left on device",
            "/dev/shm No space left on device",
            "/ Read-only file system",
            "/dev Read-only file system",
            "/usr Read-only file system",
        ]
        second = _zygote_run(
            zygote,
            "import os\n"
            "print([p for p in ['/submission/fill', '/tmp/fill', '/dev/shm/fill']"
            " if os.path.exists(p)])\n",
        )
        assert second == "[]\n"
        assert not list(tmp_path.rglob("*.log")), "a sandbox's output is no file"
        assert sorted(p.name for p in (tmp_path / "slot").iterdir()) == [".matplotlib"]
    finally:
        zygote.kill()


@needs_bwrap
def test_a_sandbox_left_unclean_is_replaced(tmp_path):
    """A child that leaves System V shared memory (or anything the zygote cannot
    remove) ends its sandbox: the next child starts in a new one, where none of
    it exists."""
    zygote = Zygote(tmp_path / "slot", Limits(), True)
    try:
        _zygote_run(zygote, "import ctypes\nctypes.CDLL(None).shmget(0x5EED, 4096, 0o1666)\n")
        assert zygote.proc is None  # ended, not reused
        found = _zygote_run(
            zygote, "import ctypes\nprint(ctypes.CDLL(None).shmget(0x5EED, 4096, 0o666))\n"
        )
        assert found == "-1\n"
    finally:
        zygote.kill()


needs_groups = pytest.mark.skipif(
    cgroup._parents() is None,
    reason="control groups need root and a writable cgroup hierarchy",
)


@needs_bwrap
@needs_groups
def test_a_sandbox_holds_a_bounded_number_of_processes(tmp_path):
    """A fork bomb stops at the sandbox's process limit (one control group for
    all its processes); the next child starts normally and the group goes
    with the zygote."""
    zygote = Zygote(tmp_path / "slot", Limits(processes=24), True)
    try:
        text = _zygote_run(
            zygote,
            "import os, time\nforked = 0\n"
            "try:\n"
            "    for _ in range(200):\n"
            "        if os.fork() == 0:\n"
            "            time.sleep(30)\n"
            "            os._exit(0)\n"
            "        forked += 1\n"
            "except OSError:\n"
            "    pass\n"
            "print(forked)\n",
        )
        assert 0 < int(text) < 24
        assert _zygote_run(zygote, "print('next')") == "next\n"
        group = zygote.group.paths
    finally:
        zygote.kill()
    assert not any(path.exists() for path in group)


def _survivors(code: str, processes: int) -> str:
    """Code that forks ``processes`` children, each holding 250 MB for 3 s, after
    ``code``; it prints their exit codes."""
    return (
        code + "import os, time\npids = []\n"
        f"for _ in range({processes}):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        block = bytearray(250 << 20)\n"
        "        time.sleep(3)\n"
        "        os._exit(0)\n"
        "    pids.append(pid)\n"
        "print([os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids])\n"
    )


@needs_bwrap
@needs_groups
def test_a_sandbox_holds_bounded_memory_across_processes(tmp_path):
    """Four processes of 250 MB each cannot all live in a sandbox of 600 MB,
    although each is far below the per-process limit; and tmpfs pages count:
    after 500 MB written to /tmp and /dev/shm, one more such process cannot."""
    zygote = Zygote(tmp_path / "slot", Limits(sandbox_memory_mb=600), True)
    fill = (
        "chunk = bytes(10 << 20)\n"
        "for place in ['/tmp', '/dev/shm']:\n"
        "    with open(place + '/fill', 'wb') as out:\n"
        "        for _ in range(25):\n"
        "            out.write(chunk)\n"
    )
    try:
        for code, processes in [("", 4), (fill, 1)]:
            try:
                text = _zygote_run(zygote, _survivors(code, processes))
            except Died:
                text = "the executor itself was killed"
            assert text != str([0] * processes) + "\n", code
    finally:
        zygote.kill()


@pytest.mark.parametrize("use_bwrap", [pytest.param(True, marks=needs_bwrap), False])
def test_file_descriptors_1_and_2_reach_no_host_file(tmp_path, use_bwrap):
    """What a single sandbox's student code writes to file descriptors 1 and 2
    goes nowhere, not into the executor's log beside the scratch folder."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with Sandbox(scratch, Limits(), use_bwrap) as box:
        reply = box.run(
            "import os\n"
            "os.write(1, b'x' * (4 << 20))\n"
            "os.write(2, b'y' * (4 << 20))\n"
            "for fd in (1, 2):\n"
            "    try:\n"
            "        os.write(os.open(f'/proc/1/fd/{fd}', os.O_WRONLY), b'z' * (1 << 20))\n"
            "        print(fd, 'written')\n"
            "    except OSError as exc:\n"
            "        print(fd, exc.strerror)\n"
        )
    assert not list(tmp_path.rglob("*.log")), "a sandbox's output is no file"
    text = "".join(out.get("text", "") for out in reply["outputs"])
    if use_bwrap:  # bubblewrap's init holds the start-up pipe, closed at the grader's end
        assert "written" not in text, text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scratch"]


@pytest.mark.parametrize("kind", ["sandbox", "zygote"])
def test_a_sandbox_that_cannot_start_says_why(tmp_path, monkeypatch, kind):
    """When a sandbox cannot start, the grader's message ends with the last line
    the failed start wrote to its standard output or error (bubblewrap's, the
    launcher's or Python's complaint), read from a pipe, not from a file."""

    def broken(folder, sandboxed, mode, limits, child, uid=None):
        return ["sh", "-c", "echo starting; echo 'bwrap: the last complaint' >&2; exit 3"], {}

    monkeypatch.setattr(sandbox, "_command", broken)
    (tmp_path / "scratch").mkdir()
    with pytest.raises(Died, match="bwrap: the last complaint"):
        if kind == "sandbox":
            Sandbox(tmp_path / "scratch", Limits(), False).start()
        else:
            Zygote(tmp_path / "slot", Limits(), False).ensure()
    assert not list(tmp_path.rglob("*.log"))


@needs_bwrap
def test_the_sandbox_sees_only_what_python_needs_of_etc(tmp_path):
    """Of the host's /etc, the sandbox sees only the loader's, Python's and the
    fonts' files: not /etc/shadow, not the host's keys or configuration."""
    with Sandbox(tmp_path, Limits(), True) as box:
        reply = box.run("import os\nprint(sorted(os.listdir('/etc')))")
    seen = ast.literal_eval(reply["outputs"][0]["text"])
    assert "shadow" not in seen and "ssh" not in seen
    assert set(seen) <= {*sandbox.ETC_FILES, *sandbox.ETC_WRITTEN}


@needs_bwrap
def test_the_sandbox_names_no_account_of_the_host(tmp_path):
    """The sandbox's /etc/passwd and /etc/group name root and its own user alone,
    none of the host's accounts, and Python still finds its user's name."""
    code = (
        "import getpass, grp, pwd\n"
        "print(sorted(p.pw_name for p in pwd.getpwall()), "
        "sorted(g.gr_name for g in grp.getgrall()), getpass.getuser())\n"
    )
    with Sandbox(tmp_path, Limits(), True) as box:
        text = "".join(o.get("text", "") for o in box.run(code)["outputs"])
    assert text == "['nobody', 'root'] ['nogroup', 'root'] nobody\n"


@needs_bwrap
def test_keys_do_not_pass_from_one_child_to_the_next(tmp_path):
    """A key a child adds to its session or user keyring is gone before the
    next child of the same zygote runs, cleared without ending the sandbox."""
    add_key = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.syscall.restype = ctypes.c_long\n"
        "for ring in (-3, -4):\n"
        "    print(libc.syscall(248, b'user', b'note', b'answers', 7, ctypes.c_int(ring)) > 0)\n"
    )
    find_key = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.syscall.restype = ctypes.c_long\n"
        "print(libc.syscall(249, b'user', b'note', None, ctypes.c_int(0)))\n"
    )
    if platform.machine() != "x86_64":
        pytest.skip("the test calls add_key and request_key by their x86_64 numbers")
    zygote = Zygote(tmp_path / "slot", Limits(), True)
    try:
        assert _zygote_run(zygote, add_key) == "True\nTrue\n"
        first = zygote.proc
        assert first is not None  # cleared, not dropped with the sandbox
        assert _zygote_run(zygote, find_key) == "-1\n"
        assert zygote.proc is first
    finally:
        zygote.kill()


needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="the grader drops privileges only as root"
)


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descending from it, as the host sees them."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def _credentials(pid: int) -> tuple[str, str, str]:
    """The real, effective, saved and file-system uids, likewise the gids, and the
    supplementary groups of ``pid``, as the host's kernel sees them."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return fields["Uid"].split(), fields["Gid"].split(), fields["Groups"].split()


@needs_bwrap
@needs_root
def test_student_code_is_unprivileged_outside_its_namespace(tmp_path):
    """Seen from the host, every process of a sandbox a root grader starts (bubblewrap,
    the executor, what student code forks) runs as one uid and gid of the sandbox
    range, not root, with no supplementary groups."""
    with Sandbox(tmp_path, Limits(), True) as box:
        box.run("import os, time\nif os.fork() == 0:\n    time.sleep(60)\n    os._exit(0)\n")
        seen = [_credentials(pid) for pid in _tree(box.proc.pid)]
    assert len(seen) >= 3
    uids, gids, groups = seen[0]
    assert all(found == seen[0] for found in seen)
    assert len(set(uids)) == 1 and uids == gids and groups == []
    assert int(uids[0]) in sandbox_uids.pool()


@needs_bwrap
@needs_root
def test_root_only_files_stay_unreadable_where_the_sandbox_shows_them(tmp_path, monkeypatch):
    """Owner-only files of root cannot be read by student code even where the
    sandbox shows them (here /etc/shadow and a 0600 file of a temporary folder
    are shown on purpose): the kernel sees an unprivileged uid, not root."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "key").write_text("the answers")
    (secrets / "key").chmod(0o600)
    prefixes = sandbox._prefixes
    monkeypatch.setattr(sandbox, "_prefixes", lambda: [*prefixes(), secrets])
    monkeypatch.setattr(sandbox, "ETC_FILES", (*sandbox.ETC_FILES, "shadow"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = (
        f"for path in ['/etc/shadow', {str(secrets / 'key')!r}]:\n"
        "    try:\n        open(path).read()\n        print('READ')\n"
        "    except OSError as exc:\n        print(type(exc).__name__)\n"
    )
    with Sandbox(scratch, Limits(), True) as box:
        text = "".join(o.get("text", "") for o in box.run(code)["outputs"])
    assert text == "PermissionError\nPermissionError\n"


# Forks until the kernel refuses, each child sleeping; prints how many, why it
# stopped and how long that took.
FORK_BOMB = (
    "import errno, os, time\nforked, why, start = 0, None, time.monotonic()\n"
    "try:\n"
    "    for _ in range(500):\n"
    "        if os.fork() == 0:\n"
    "            time.sleep(60)\n"
    "            os._exit(0)\n"
    "        forked += 1\n"
    "except OSError as exc:\n"
    "    why = errno.errorcode[exc.errno]\n"
    "print(forked, why, f'{time.monotonic() - start:.2f}')\n"
)


@needs_bwrap
@needs_root
def test_a_fork_bomb_stops_at_the_uid_process_limit_without_a_control_group(tmp_path, monkeypatch):
    """Without a control group, a fork bomb still stops at the sandbox's process
    limit: the kernel refuses the next fork at once (EAGAIN, the RLIMIT_NPROC of
    the sandbox's own uid), long before any time limit. The zygote then waits
    for every process it killed to be gone before it empties the writable
    places, so the next child starts in the same sandbox, not a new one."""
    monkeypatch.setattr(cgroup, "create", lambda *args: None)
    zygote = Zygote(tmp_path / "slot", Limits(processes=24, cell_timeout=30), True)
    try:
        forked, why, seconds = _zygote_run(zygote, FORK_BOMB).split()
        print(f"fork bomb: {forked} forks, then {why}, in {seconds} s")
        assert 0 < int(forked) < 24 and why == "EAGAIN" and float(seconds) < 5
        first = zygote.proc
        assert first is not None
        assert _zygote_run(zygote, "print('next')") == "next\n"
        assert zygote.proc is first
    finally:
        zygote.kill()


@needs_bwrap
@needs_root
def test_a_fork_bomb_leaves_another_sandbox_its_processes(tmp_path, monkeypatch):
    """Two sandboxes run as two uids: while one holds every process its limit
    allows, the other (no control groups either) still forks what it needs."""
    monkeypatch.setattr(cgroup, "create", lambda *args: None)
    limits = Limits(processes=24)
    bomber, neighbour = (
        Zygote(tmp_path / "one", limits, True),
        Zygote(tmp_path / "two", limits, True),
    )
    forks = (
        "import os\npids = []\nfor _ in range(12):\n    pid = os.fork()\n"
        "    if pid == 0:\n        os._exit(0)\n    pids.append(pid)\n"
        "print(len([os.waitpid(p, 0) for p in pids]))\n"
    )
    folder = bomber.slot / "submission"
    folder.mkdir(parents=True)
    try:
        with Sandbox(folder, limits, zygote=bomber) as bomb:
            held = bomb.run(FORK_BOMB)["outputs"][0]["text"].split()
            assert held[1] == "EAGAIN"
            assert _zygote_run(neighbour, forks) == "12\n"
            assert bomber.lease.uid != neighbour.lease.uid
    finally:
        bomber.kill()
        neighbour.kill()


@needs_bwrap
@needs_root
def test_each_writable_place_holds_a_bounded_number_of_files(tmp_path):
    """Student code can make at most ``files`` files and folders in each writable
    place: the next one fails at once (ENOSPC, though bytes are left), and the
    next child finds every place empty."""
    zygote = Zygote(tmp_path / "slot", Limits(files=500), True)
    code = (
        "import errno, os\n"
        "for place in ['/submission', '/tmp', '/dev/shm']:\n"
        "    made, why = 0, None\n"
        "    try:\n"
        "        for i in range(5000):\n"
        "            os.mkdir(f'{place}/d{i}') if i % 2 else open(f'{place}/f{i}', 'w').close()\n"
        "            made += 1\n"
        "    except OSError as exc:\n"
        "        why = errno.errorcode[exc.errno]\n"
        "    print(place, made, why)\n"
    )
    try:
        lines = [line.split() for line in _zygote_run(zygote, code).splitlines()]
        assert [place for place, _, _ in lines] == ["/submission", "/tmp", "/dev/shm"]
        assert all(400 < int(made) <= 500 and why == "ENOSPC" for _, made, why in lines)
        left = _zygote_run(zygote, "import os\nprint(len(os.listdir('/dev/shm')))\n")
        assert left == "0\n"
    finally:
        zygote.kill()


@needs_bwrap
@needs_root
def test_a_single_sandbox_writes_a_bounded_copy_not_the_host_folder(tmp_path):
    """A sandbox started on its own by a root grader works in a bounded copy of
    its folder: its files are there, more than disk_mb does not fit, and the
    host's folder is left as it was."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "data.txt").write_text("given")
    code = (
        "print(open('data.txt').read())\nopen('data.txt', 'w').write('changed')\n"
        "try:\n    open('big', 'wb').write(bytes(12 << 20))\nexcept OSError as exc:\n"
        "    print(exc.strerror)\n"
    )
    with Sandbox(scratch, Limits(disk_mb=8), True) as box:
        text = "".join(o.get("text", "") for o in box.run(code)["outputs"])
    assert text == "given\nNo space left on device\n"
    assert (scratch / "data.txt").read_text() == "given"
    assert not (scratch / "big").exists()


@needs_bwrap
@needs_root
def test_student_code_cannot_take_back_what_the_drop_took(tmp_path):
    """Student code cannot become root again, give a file to root, change or add
    to its read-only submission folder (which its uid owns), reach the
    grader's log through what bubblewrap's init holds open, nor see a process
    outside its sandbox."""
    zygote = Zygote(tmp_path / "slot", Limits(), True)
    (zygote.slot / "submission").mkdir(parents=True)
    (zygote.slot / "submission" / "given.txt").write_text("given")
    code = (
        "import errno, os\n"
        "def attempt(name, action):\n"
        "    try:\n        action()\n        print(name, 'DONE')\n"
        "    except OSError as exc:\n        print(name, errno.errorcode[exc.errno])\n"
        "open('/tmp/mine', 'w').close()\n"
        "attempt('setuid', lambda: os.setuid(0))\n"
        "attempt('chown', lambda: os.chown('/tmp/mine', 0, 0))\n"
        "attempt('chmod', lambda: os.chmod('/xorkit-in/submission/given.txt', 0o777))\n"
        "attempt('write', lambda: open('/xorkit-in/submission/given.txt', 'a'))\n"
        "attempt('add', lambda: open('/xorkit-in/submission/planted', 'w'))\n"
        "attempt('log', lambda: open('/proc/1/fd/1', 'a').write('planted'))\n"
        "attempt('read-log', lambda: open('/proc/1/fd/2').read())\n"
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]) < 8)\n"
    )
    try:
        text = _zygote_run(zygote, code)
    finally:
        zygote.kill()
    # root is no uid of the sandbox's namespace (EINVAL); its slot is read-only
    assert text.splitlines() == [
        "setuid EINVAL",
        "chown EINVAL",
        "chmod EROFS",
        "write EROFS",
        "add EROFS",
        "log EACCES",
        "read-log EACCES",
        "True",
    ]
    assert not [p.name for p in tmp_path.rglob("*.log")], "a sandbox's output is no file"
