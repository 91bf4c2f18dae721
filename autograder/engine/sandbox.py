"""Start a submission's executor in a sandbox and talk to it.

The sandbox is bubblewrap where it works: an allow-listed, read-only view of the
system and the Python installation (minus the ``autograder`` package and the
reference), no network, no capabilities, no further user namespaces, its own
PID and IPC namespaces, and uid ``nobody``; started by a root grader, it runs
as an unprivileged uid of its own outside too (``launcher.py``,
``sandbox_uids.py``). Its only writable places are size-bounded tmpfs mounts
(``WRITABLE``: the submission's folder, /tmp, /dev/shm; bounded in files too
where the grader is root) and the POSIX message queues, all of which die with
the sandbox; the root and /dev are read-only. Without bubblewrap the executor
still runs in its own process under resource limits, and the grading report
says that it was not sandboxed.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, field, make_dataclass
from pathlib import Path

import numpy as np
from traitlets import Float, Integer
from traitlets.config import Configurable
from traitlets.config.loader import PyFileConfigLoader

from autograder.checking import assignment as assignments
from autograder.checking.runner import Abort
from autograder.engine import cgroup, sandbox_uids
from autograder.engine.worker import wire

WORKER_DIR = Path(__file__).resolve().parent / "worker"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the whole kit


class GradingLimits(Configurable):
    """Limits for grading one notebook; set them in nbgrader_config.py as
    ``c.GradingLimits.cell_timeout = 30`` and so on."""

    cell_timeout = Float(60.0, help="Seconds one cell (or one function's checks) may run.").tag(
        config=True
    )
    notebook_timeout = Float(600.0, help="Seconds the whole notebook may run.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the student's process, MiB.").tag(
        config=True
    )
    output_kb = Integer(1024, help="Output kept per cell, KiB; the rest is dropped.").tag(
        config=True
    )
    file_mb = Integer(64, help="Largest file the student's code may write, MiB.").tag(config=True)
    disk_mb = Integer(
        256,
        help="Size of each writable place in the sandbox (the submission's folder, /tmp, "
        "/dev/shm), MiB; they live in memory and die with the sandbox.",
    ).tag(config=True)
    notebook_mb = Integer(
        32,
        help="Largest notebook graded, MiB, and the most output kept for one notebook.",
    ).tag(config=True)
    files = Integer(
        10_000,
        help="Files and folders each writable place of the sandbox may hold (where the "
        "grader runs as root).",
    ).tag(config=True)
    sandbox_memory_mb = Integer(
        3072,
        help="Memory all of a sandbox's processes and its writable places may use "
        "together, MiB (a control group, where the grader runs as root).",
    ).tag(config=True)
    processes = Integer(
        64,
        help="Processes a sandbox may hold at once (a control group, likewise, and the "
        "RLIMIT_NPROC of its own uid).",
    ).tag(config=True)
    grader_memory_mb = Integer(
        2048,
        help="Memory a grading worker may use beyond its size at start, MiB: decoding, "
        "checking and recording one submission's values stay within it.",
    ).tag(config=True)


def _from_course(cls, root: Path) -> Limits:
    """The limits ``root/nbgrader_config.py`` sets (``GradingLimits``'s defaults
    for the others)."""
    config_file = root / "nbgrader_config.py"
    config = (
        PyFileConfigLoader(config_file.name, path=str(root)).load_config()
        if config_file.exists()
        else None
    )
    traits = GradingLimits(config=config)
    return cls(**{name: getattr(traits, name) for name in asdict(cls())})


# The limits as plain values, one field per ``GradingLimits`` trait, with the
# same defaults: each limit is declared once, above.
Limits = make_dataclass(
    "Limits",
    [
        (name, type(trait.default_value), field(default=trait.default_value))
        for name, trait in GradingLimits.class_traits(config=True).items()
    ],
    frozen=True,
    namespace={"from_course": classmethod(_from_course)},
)
Limits.__module__ = __name__  # picklable: the grading workers receive it


# A reference stand-in runs in the grader on arguments the student's code
# chose, so their size is bounded: no array may hold more elements than
# STAND_IN_FACTOR times the largest array of the call that led to it, or
# STAND_IN_FLOOR, whichever is larger. The checks send at most 16 x 8 arrays;
# 4096 elements keep any product the reference forms under 17 million.
STAND_IN_FACTOR = 16
STAND_IN_FLOOR = 4096
# What the grader reads back from the sandbox is bounded before it is read: a
# call's reply (or a stand-in's arguments) at most 16 bytes per element of the
# stand-in bound, or REPLY_FLOOR; a cell's outputs at most 8 times the output
# limit (JSON escapes), plus REPLY_FLOOR. A bigger message ends the sandbox.
REPLY_FLOOR = 1 << 20


def largest_array(value, depth: int = 0) -> int:
    """The element count of the largest array in ``value`` (lists, tuples, dicts)."""
    if depth > 16:
        return 0
    if isinstance(value, np.ndarray):
        return int(value.size)
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, list | tuple | dict):
        return max((largest_array(v, depth + 1) for v in items), default=0)
    return 0


class Died(Abort):
    """The executor process ended or stopped answering."""


# Inside the sandbox: the submission's own writable folder (a zygote's child
# copies the submission there), where the grader's copies of the submissions
# are seen read-only, and every place student code may write. /dev/mqueue is
# bounded by the kernel's per-user message-queue limit, the others by disk_mb
# (and files).
WORKSPACE = "/submission"
INBOX = "/xorkit-in"
WRITABLE = (WORKSPACE, "/tmp", "/dev/shm", "/dev/mqueue")


def dropping() -> bool:
    """Whether sandboxes start as an unprivileged uid of their own (the grader is
    root: started by root, bubblewrap's uid inside would be root outside)."""
    return os.geteuid() == 0


def bwrap_works() -> bool:
    """Whether bubblewrap is installed, may create namespaces here, and knows the
    options the sandbox needs (bubblewrap 0.8 or later); for a root grader,
    whether it starts as an unprivileged uid too (``launcher.py``).
    ``XORKIT_NO_BWRAP=1`` answers no, to try the kit as on a machine without it."""
    return not bwrap_trouble()


@functools.cache
def bwrap_trouble() -> str:
    """Why the sandbox cannot start here, in one line ('' if it can)."""
    if os.environ.get("XORKIT_NO_BWRAP"):
        return "XORKIT_NO_BWRAP is set"
    if not shutil.which("bwrap"):
        return "bwrap is not installed"
    command = [
        "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--ro-bind",
        "/",
        "/",
        "--size",
        "1048576",
        "--tmpfs",
        "/tmp",
        "--remount-ro",
        "/",
        "--cap-drop",
        "ALL",
        "true",
    ]
    lease = None
    try:
        if dropping():
            lease = sandbox_uids.Lease()
            command = Stage(lease.uid, processes=8).launch(command)
        probe = subprocess.run(command, capture_output=True)
    except OSError as exc:
        return str(exc)
    finally:
        if lease is not None:
            lease.release()
    said = probe.stderr.decode("utf-8", "replace").strip().splitlines()
    if probe.returncode != 0:
        return (said[-1] if said else f"exit status {probe.returncode}")[:300]
    return ""


# Of /etc, only what the dynamic loader, Python, NumPy and matplotlib read: the
# rest (/etc/shadow, keys, the host's configuration) stays out of sight.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts")
# In place of the host's accounts, files that name only root and the sandbox's
# own user, whom Python's ``pwd`` and ``getpass`` look up.
ETC_WRITTEN = {
    "passwd": "root:x:0:0:root:/root:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "group": "root:x:0:\nnogroup:x:65534:\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}
# Where the launcher puts what a sandbox started as an unprivileged uid binds
# (over /tmp, in a mount namespace of the launcher's own: the host's is untouched).
STAGE = "/tmp"
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


class Stage:
    """What bubblewrap binds for a sandbox a root grader starts as ``uid``
    through ``launcher.py``: read-only folders, which it reaches through the
    launcher's stage, and writable places, which the launcher mounts bounded in
    bytes and in files; the uid may hold ``processes`` processes."""

    def __init__(self, uid: int, processes: int):
        self.uid, self.processes = uid, processes
        self.ro: list[str] = []
        self.rw: list[dict] = []

    def source(self, path: Path) -> str:
        """Where bubblewrap finds the folder ``path``."""
        self.ro.append(str(path))
        return f"{STAGE}/ro{len(self.ro) - 1}"

    def place(self, size: int, files: int, seed: Path | None = None) -> str:
        """Where bubblewrap finds a new writable place, with ``seed``'s content."""
        self.rw.append({"size": size, "files": files, "seed": seed and str(seed)})
        return f"{STAGE}/rw{len(self.rw) - 1}"

    def launch(self, command: list[str]) -> list[str]:
        """``command``, bubblewrap's, started through the launcher."""
        spec = {
            "uid": self.uid,
            "processes": self.processes,
            "stage": STAGE,
            "ro": self.ro,
            "rw": self.rw,
        }
        return [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec), *command]


def _system_binds() -> list[str]:
    args = []
    for path in ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"]:
        p = Path(path)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), path]
        elif p.exists():
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        if Path("/etc", name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


def _prefixes() -> list[Path]:
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    exe = Path(sys.executable)
    roots.add(exe.parent.parent)
    roots.add(exe.resolve().parent.parent)
    return sorted(roots)


def _hidden_inside(prefixes: list[Path]) -> list[Path]:
    """Grader files that live inside an exposed prefix (a non-editable install)."""
    secrets = [PACKAGE_DIR]
    for graded in assignments.loaded():  # the hidden checks and the references
        secrets += [graded.package_dir, graded.reference_path().resolve().parent]
    return [s for s in secrets if any(s.is_relative_to(p) for p in prefixes) and s.exists()]


def bwrap_argv(
    scratch: Path, worker: Path, limits: Limits, *, zygote: bool = False, stage: Stage | None = None
) -> list[str]:
    """The bubblewrap command line. A zygote sees ``scratch`` (its slot) read-only
    at ``INBOX`` and gives each child a fresh ``WORKSPACE``; a single sandbox
    works in ``scratch`` itself. With a ``stage`` (a root grader) every folder
    is bound from the launcher's stage and every writable place is one the
    launcher mounted; a single sandbox's ``scratch`` is then a place too, with
    a copy of the folder's content: the host's folder is never written."""
    all_prefixes = _prefixes()
    prefixes = [
        p for p in all_prefixes if not any(p != q and p.is_relative_to(q) for q in all_prefixes)
    ]
    size = limits.disk_mb * 1024 * 1024

    def folder(path: Path) -> str:
        return str(path) if stage is None else stage.source(path)

    def writable(where: str, seed: Path | None = None) -> list[str]:
        if stage is None:
            return ["--size", str(size), "--tmpfs", where]
        return ["--bind", stage.place(size, limits.files, seed), where]

    kit = folder(worker)  # the executor's copy, with the sandbox's /etc files
    argv = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",  # no user namespace of its own, so no tmpfs of its own
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--cap-drop",
        "ALL",
        *_system_binds(),
    ]
    for name in ETC_WRITTEN:
        argv += ["--ro-bind", f"{kit}/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev", *writable("/dev/shm")]
    argv += ["--mqueue", "/dev/mqueue", "--remount-ro", "/dev", *writable("/tmp")]
    for prefix in prefixes:
        argv += ["--ro-bind", folder(prefix), str(prefix)]
    for secret in _hidden_inside(prefixes):
        argv += ["--tmpfs", str(secret), "--remount-ro", str(secret)]
    argv += ["--ro-bind", kit, "/xorkit"]
    if zygote:
        argv += ["--ro-bind", folder(scratch), INBOX, *writable(WORKSPACE), "--chdir", WORKSPACE]
    elif stage is None:
        argv += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    else:
        argv += [*writable(str(scratch), seed=scratch), "--chdir", str(scratch)]
    return [*argv, "--remount-ro", "/"]


def forget_worker_copy() -> None:
    """Make the next sandbox copy the executor again (its folder was removed)."""
    _worker_copy.cache_clear()


@functools.cache
def _worker_copy() -> Path:
    """The executor and wire modules copied to a folder of their own, the only
    grader code the sandbox can see, with the sandbox's own ``/etc`` files."""
    folder = Path(tempfile.mkdtemp(prefix="xorkit-worker-"))
    for name in ("executor.py", "wire.py"):
        shutil.copy(WORKER_DIR / name, folder / name)
        (folder / name).chmod(0o644)
    (folder / "etc").mkdir()
    for name, text in ETC_WRITTEN.items():
        (folder / "etc" / name).write_text(text)
        (folder / "etc" / name).chmod(0o644)
    (folder / "etc").chmod(0o755)
    folder.chmod(0o755)  # readable by an executor dropped to another uid
    return folder


def _hand_over(folder: Path, uid: int) -> None:
    """Give ``folder`` and everything in it to ``uid`` (and the group of that
    number), links included but never followed."""
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)


@functools.cache
def _font_cache() -> Path | None:
    """A matplotlib cache built once, copied into each scratch folder so the
    sandboxed process does not rebuild its font list (seconds) every time."""
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (builds the cache)
    except ImportError:  # pragma: no cover
        return None
    return Path(matplotlib.get_cachedir())


def _command(
    folder: Path,
    sandboxed: bool,
    mode: list[str],
    limits: Limits,
    child: socket.socket,
    uid: int | None = None,
):
    """The executor's command line and environment; ``uid``: a root grader's
    sandbox starts as that uid, through the launcher."""
    zygote = mode == ["--zygote"]
    worker = _worker_copy()
    cache = _font_cache()
    mpl = folder / ".matplotlib"
    if cache is not None and cache.exists():
        shutil.copytree(cache, mpl, dirs_exist_ok=True)
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": str(mpl),
        "IPYTHONDIR": str(folder / ".ipython"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "XORKIT_SANDBOX": "bwrap" if sandboxed else "",
    }
    if sandboxed and zygote:  # the slot is read-only in there: the zygote copies the cache
        env["MPLCONFIGDIR"] = f"{INBOX}/.matplotlib"
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    settings = {
        "memory_mb": limits.memory_mb,
        "file_mb": limits.file_mb,
        "disk_mb": limits.disk_mb,
        "output_bytes": limits.output_kb * 1024,
        "workspace": WORKSPACE,
        "writable": list(WRITABLE),
    }
    script = "/xorkit/executor.py" if sandboxed else str(worker / "executor.py")
    command = [sys.executable, "-I", script, *mode, str(child.fileno()), json.dumps(settings)]
    if sandboxed:
        stage = None if uid is None else Stage(uid, limits.processes)
        command = bwrap_argv(folder, worker, limits, zygote=zygote, stage=stage) + command
        if stage is not None:
            command = stage.launch(command)
    return command, env


def _group(limits: Limits, sandboxed: bool) -> cgroup.Group | None:
    """A control group for a new sandbox, named for the run that makes it."""
    if not sandboxed:
        return None
    prefix = os.environ.get("XORKIT_RUN", "xorkit")
    return cgroup.create(prefix, limits.sandbox_memory_mb, limits.processes)


def _launch(
    command,
    env,
    cwd: Path,
    child: socket.socket,
    output: _StartupOutput,
    uid: int | None = None,
    group=None,
) -> subprocess.Popen:
    # uid: run as this user and the group of the same number, without root's
    # supplementary groups; group: the control group it joins before it starts
    drop = {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}
    if group is not None:
        drop["preexec_fn"] = group.join
    proc = subprocess.Popen(
        command,
        pass_fds=[child.fileno()],
        stdin=subprocess.DEVNULL,
        stdout=output.write_fd,
        stderr=output.write_fd,
        cwd=cwd,
        env=env,
        start_new_session=True,
        **drop,
    )
    child.close()
    output.launched()
    return proc


class _StartupOutput:
    """A sandbox's standard output and error: a pipe, not a file. While the
    sandbox starts, only the grader's own code writes there (bubblewrap, the
    launcher, the executor before it serves), and the grader reads the last
    line of it if the start fails. Once started, the grader closes its end:
    the executor points its descriptors 1 and 2 at /dev/null, and whatever a
    submission still writes to one it holds (bubblewrap's init's, through
    /proc/1/fd/1, where its uid may open them) fails with EPIPE. Nothing a
    submission writes reaches a file on the host or the grader's memory."""

    KEEP = 4096  # bytes of a failed start's complaint kept for the message

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe2(os.O_CLOEXEC)
        os.set_blocking(self.read_fd, False)
        with contextlib.suppress(OSError):  # room for a long start-up traceback
            fcntl.fcntl(self.read_fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        self.words = b""

    def launched(self) -> None:
        """The sandbox holds the write end now; the grader keeps none."""
        os.close(self.write_fd)
        self.write_fd = -1

    def last_words(self) -> str:
        """The last line a sandbox that could not start wrote (bubblewrap's, the
        launcher's or Python's complaint), for the grader's message."""
        if self.read_fd >= 0:
            with contextlib.suppress(OSError):
                while chunk := os.read(self.read_fd, 1 << 16):
                    self.words = (self.words + chunk)[-self.KEEP :]
        lines = self.words.decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.read_fd = self.write_fd = -1


def _lease(sandboxed: bool) -> sandbox_uids.Lease | None:
    """A uid of its own for a new sandbox, where the grader is root."""
    if not (sandboxed and dropping()):
        return None
    try:
        return sandbox_uids.Lease()
    except OSError as exc:
        raise Died(f"the sandbox has no uid to run as: {exc}") from None


def _end(proc: subprocess.Popen, sandboxed: bool) -> None:
    """Kill a sandbox and reap it. In bubblewrap, from the inside out: first the
    init of its PID namespace, which takes every process there with it and is
    reaped by bubblewrap's outer process, which then exits. Killed first, the
    outer process would leave that init to the machine's init to reap: a
    zombie that holds the control group and the uid's process count meanwhile."""
    if proc.poll() is not None:
        return
    if sandboxed:
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            for child in children:
                with contextlib.suppress(OSError):
                    handle = os.pidfd_open(int(child))
                    try:  # still bubblewrap's child, not a pid used again
                        stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1]
                        if int(stat.split()[1]) == proc.pid:
                            signal.pidfd_send_signal(handle, signal.SIGKILL)
                    finally:
                        os.close(handle)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _describe(code: int | None, sandboxed: bool) -> str:
    if code is None:
        return "the kernel stopped answering"
    if sandboxed and code > 128:  # bubblewrap reports a signal as 128 + its number
        code = 128 - code
    if code < 0:
        name = signal.Signals(-code).name
        meaning = {
            "SIGSEGV": "a segmentation fault",
            "SIGKILL": "it was killed (memory or time limit)",
            "SIGABRT": "an abort",
            "SIGBUS": "a bus error",
        }.get(name, name)
        return f"the kernel died: {meaning}"
    if code == 0:
        return "the kernel exited (exit status 0)"
    return f"the kernel died: exit status {code}"


class Zygote:
    """A pre-imported executor that forks a fresh child for each submission.

    It lives in a sandbox of its own. The grader copies each submission to a
    folder of its own in ``slot`` before its child starts and empties the slot
    after it; in bubblewrap the sandbox sees the slot read-only at ``INBOX``
    and the child works on a copy in ``WORKSPACE``.
    Starting Python and importing NumPy, matplotlib and IPython is then paid
    once per worker instead of once per notebook.
    """

    def __init__(self, slot: Path, limits: Limits, sandboxed: bool):
        self.slot, self.limits, self.sandboxed = slot, limits, sandboxed
        self.proc = None
        self.group = None
        self.lease = None  # the uid it runs as, where the grader is root

    def ensure(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.kill()  # what is left of a sandbox that ended
        self.slot.mkdir(parents=True, exist_ok=True)
        parent, child = socket.socketpair()
        self.lease = _lease(self.sandboxed)
        uid = None if self.lease is None else self.lease.uid
        command, env = _command(self.slot, self.sandboxed, ["--zygote"], self.limits, child, uid)
        if uid is not None:  # the slot, read-only in there, readable by the sandbox's uid
            _hand_over(self.slot, uid)
        output = _StartupOutput()
        try:
            self.group = _group(self.limits, self.sandboxed)
            self.proc = _launch(command, env, self.slot, child, output, group=self.group)
            self.control = parent
            self.control.settimeout(120)
            try:
                ready = wire.recv(self.control, REPLY_FLOOR)
            except (OSError, EOFError, wire.ProtocolError) as exc:
                self.kill()
                words = output.last_words()
                raise Died(f"the executor could not start: {words or exc}") from None
        finally:
            output.close()
        if ready.get("op") != wire.READY:
            self.kill()
            raise Died("the executor could not start")

    def spawn(self, folder: Path) -> socket.socket:
        self.ensure()
        if self.lease is not None:
            _hand_over(folder, self.lease.uid)
        parent, child = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"s"], [child.fileno()])
            # in the sandbox the child copies its folder from the read-only slot
            where = f"{INBOX}/{folder.relative_to(self.slot)}" if self.sandboxed else str(folder)
            wire.send(self.control, {"op": wire.SPAWN, "input": where})
        except OSError as exc:
            self.kill()
            raise Died(f"the executor could not start: {exc}") from None
        finally:
            child.close()
        return parent

    def exit_status(self, timeout: float = 30) -> int | None:
        """The last child's exit status, once it has ended. If the zygote could
        not leave every writable place empty, the whole sandbox goes: the kernel
        frees its tmpfs mounts, whatever they hold, and the next child starts in
        a new one."""
        self.control.settimeout(timeout)
        try:
            message = wire.recv(self.control, REPLY_FLOOR)
        except (OSError, EOFError, wire.ProtocolError):
            self.kill()
            return None
        if message.get("op") != wire.EXITED:
            self.kill()
            return None
        if message.get("clean") is not True:
            self.kill()
        return message.get("status")

    def kill(self) -> None:
        if self.proc is not None:
            _end(self.proc, self.sandboxed)
        self.proc = None
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None


class Sandbox:
    """One executor process for one submission, driven over a socket pair:
    started on its own, or forked from a ``Zygote`` (then ``scratch`` must be
    a folder inside the zygote's ``slot``).

    ``drop_uid`` (for a grader running as root without bubblewrap): the
    executor started on its own runs as that uid and gid, without supplementary
    groups, and ``scratch`` is handed over to it. What it must not read or
    write the caller makes unreachable for that uid.
    """

    def __init__(
        self,
        scratch: Path,
        limits: Limits,
        use_bwrap: bool | None = None,
        zygote: Zygote | None = None,
        *,
        drop_uid: int | None = None,
    ):
        self.scratch, self.limits, self.zygote = scratch, limits, zygote
        self.drop_uid = drop_uid
        if zygote is not None:
            self.sandboxed = zygote.sandboxed
        else:
            self.sandboxed = bwrap_works() if use_bwrap is None else use_bwrap
        self.deadline = time.monotonic() + limits.notebook_timeout
        self.proc = None
        self.group = None
        self.lease = None
        self.status_read = False
        self.note = ""

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.zygote is not None:
            self.sock = self.zygote.spawn(self.scratch)
            ready = self._recv(time.monotonic() + 120)
        else:
            parent, child = socket.socketpair()
            self.lease = _lease(self.sandboxed)
            staged = None if self.lease is None else self.lease.uid
            command, env = _command(
                self.scratch, self.sandboxed, ["--serve"], self.limits, child, staged
            )
            uid = None if self.sandboxed else self.drop_uid  # bubblewrap's uid is its own
            if uid is not None:
                _hand_over(self.scratch, uid)
            output = _StartupOutput()
            try:
                self.group = _group(self.limits, self.sandboxed)
                self.proc = _launch(command, env, self.scratch, child, output, uid, self.group)
                self.sock = parent
                try:
                    ready = self._recv(time.monotonic() + 120)
                except Died as exc:
                    raise Died(output.last_words() or str(exc)) from None
            finally:
                output.close()
        if ready.get("op") != wire.READY:
            raise Died("the executor did not start")
        self.note = str(ready.get("note") or "")[:300]

    def _recv(self, deadline: float, limit: int = REPLY_FLOOR) -> dict:
        deadline = min(deadline, self.deadline)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            self.kill()
            raise Died(self._why(timed_out=True))
        self.sock.settimeout(remaining)
        try:
            message = wire.recv(self.sock, limit)
        except TimeoutError:
            self.kill()
            raise Died(self._why(timed_out=True)) from None
        except wire.ProtocolError as exc:
            self.kill()
            raise Died(f"the executor sent {exc}") from None
        except (EOFError, OSError) as exc:
            reason = self._why(detail=str(exc))
            self.kill()
            raise Died(reason) from None
        if not isinstance(message, dict):
            self.kill()
            raise Died("the executor sent a malformed message")
        return message

    def _send(self, message: dict) -> None:
        try:
            wire.send(self.sock, message)
        except OSError as exc:
            self.kill()
            raise Died(self._why(detail=str(exc))) from None

    def _why(self, timed_out: bool = False, detail: str = "") -> str:
        if timed_out:
            if time.monotonic() >= self.deadline:
                return f"the notebook exceeded its time limit of {self.limits.notebook_timeout:g} s"
            return (
                f"a cell exceeded its time limit of {self.limits.cell_timeout:g} s and did not stop"
            )
        if self.zygote is not None:
            self.status_read = True
            return _describe(self.zygote.exit_status(), self.sandboxed)
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"the executor stopped answering ({detail})"
        return _describe(code, self.sandboxed)

    def run(self, code: str) -> dict:
        """Execute one cell; its reply holds the nbformat outputs."""
        self._send({"op": wire.RUN, "code": code, "timeout": self.limits.cell_timeout})
        limit = 8 * self.limits.output_kb * 1024 + REPLY_FLOOR
        while True:
            reply = self._recv(time.monotonic() + self.limits.cell_timeout + 5, limit)
            if reply.get("op") == wire.REF:  # a proxy called outside a check: refuse
                self._send({"op": wire.ERROR, "message": "the reference is not available here"})
                continue
            return reply

    def call(self, fn: str, args: list, swap: list[str], answer_ref) -> dict:
        """Call the notebook's ``fn``; ``answer_ref(name, args)`` computes what a
        swapped-in reference proxy asks for."""
        bound = max(STAND_IN_FLOOR, STAND_IN_FACTOR * largest_array(args))
        limit = max(REPLY_FLOOR, 16 * bound)
        self._send(
            {
                "op": wire.CALL,
                "fn": fn,
                "args": args,
                "swap": swap,
                "timeout": self.limits.cell_timeout,
                "max_bytes": limit,
            }
        )
        deadline = time.monotonic() + self.limits.cell_timeout + 5
        while True:
            reply = self._recv(deadline, limit)
            if reply.get("op") != wire.REF:
                return reply
            name = reply.get("fn")
            if name not in swap:
                self._send({"op": wire.ERROR, "message": f"{name} is not available here"})
                continue
            if largest_array(reply.get("args", [])) > bound:
                message = (
                    f"ValueError: {name} was called with an array of more than {bound} "
                    "elements, far larger than anything the check passed in"
                )
                self._send({"op": wire.ERROR, "message": message})
                continue
            try:
                value = answer_ref(name, reply.get("args", []))
                self._send({"op": wire.VALUE, "value": value})
            except Died:
                raise
            except Exception as exc:
                self._send({"op": wire.ERROR, "message": f"{type(exc).__name__}: {exc}"[:300]})

    def kill(self) -> None:
        if self.zygote is not None:
            # the child cannot be reached from outside its PID namespace:
            # end the whole sandbox; the next submission starts a new one
            self.zygote.kill()
            self.status_read = True
            return
        if self.proc is not None:
            _end(self.proc, self.sandboxed)
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    def close(self) -> None:
        if not hasattr(self, "sock"):
            return
        with contextlib.suppress(OSError):
            wire.send(self.sock, {"op": wire.EXIT})
        if self.zygote is not None:
            if not self.status_read:
                self.zygote.exit_status()
            self.sock.close()
            return
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=2)
        self.kill()
        self.sock.close()
