"""Run a submission inside the sandbox: execute cells, answer calls of its functions.

Started by the grader as ``python executor.py FD LIMITS_JSON`` with one end of a
socket pair on file descriptor FD. It applies the resource limits, starts an
IPython shell (the machinery a Jupyter kernel uses, without the kernel's start-up
cost) and serves requests until told to exit (every message type is declared
in ``wire.py``, with what it carries):

* ``run``: execute a cell, reply with its nbformat outputs;
* ``call``: call one of the notebook's functions with the given arguments and
  reply with the result; the names in ``swap`` are bound, for the duration of
  the call, to proxies that ask the grader for the reference result.

Everything here runs with the student's code in the same process, so nothing
here is trusted: the grader only ever reads data from this side.
"""

# Bound here, before any student code runs: a submission that replaces
# builtins.isinstance or builtins.len must not break the grader's side of the wire.
import contextlib
import io
import json
import os
import re
import resource
import signal
import socket
import sys
import time
import warnings
from builtins import (  # noqa: UP029  (deliberate: snapshot before student code can patch builtins)
    BaseException,
    bool,
    callable,
    isinstance,
    len,
    list,
    str,
    type,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire

MISSING = object()


class CellTimeout(BaseException):
    """Raised in student code when a cell or a call runs past its time limit."""


def apply_limits(limits):
    mb = 1024 * 1024
    for name, value in [
        ("RLIMIT_AS", limits.get("memory_mb", 0) * mb),
        ("RLIMIT_FSIZE", limits.get("file_mb", 0) * mb),
        ("RLIMIT_CORE", 0),
    ]:
        if value or name == "RLIMIT_CORE":
            resource.setrlimit(getattr(resource, name), (value, value))


class Outputs:
    """The outputs of the cell being executed, capped in size."""

    def __init__(self, limit):
        self.limit, self.items, self.size, self.dropped = limit, [], 0, 0

    def _fits(self, n):
        if self.size + n > self.limit:
            self.dropped += n
            return False
        self.size += n
        return True

    def stream(self, name, text):
        if not text or not self._fits(len(text)):
            return
        last = self.items[-1] if self.items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def add(self, output):
        size = len(json.dumps(output, default=str))
        if self._fits(size):
            self.items.append(output)

    def take(self):
        items = self.items
        if self.dropped:
            note = f"\n[output truncated: {self.dropped} more bytes were not kept]\n"
            items.append({"output_type": "stream", "name": "stdout", "text": note})
        self.items, self.size, self.dropped = [], 0, 0
        return items


class Stream(io.TextIOBase):
    def __init__(self, outputs, name):
        self.outputs, self.name = outputs, name

    def writable(self):
        return True

    def write(self, text):
        self.outputs.stream(self.name, str(text))
        return len(text)


def make_shell(outputs):
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
            outputs.add({"output_type": "display_data", "data": data, "metadata": metadata or {}})

        def clear_output(self, wait=False):
            outputs.items.clear()

    class Hook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            outputs.add(
                {
                    "output_type": "execute_result",
                    "data": format_dict,
                    "metadata": md_dict or {},
                    "execution_count": self.shell.execution_count,
                }
            )

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        displayhook_class = Type(Hook)
        display_pub_class = Type(Publisher)

        def _showtraceback(self, etype, evalue, stb):
            outputs.add(
                {
                    "output_type": "error",
                    "ename": getattr(etype, "__name__", str(etype)),
                    "evalue": _text(evalue),
                    "traceback": list(stb),
                }
            )

    return Shell.instance(colors="NoColor", history_length=0, history_load_length=0)


def _text(value, limit=500):
    try:
        return str(value)[:limit]
    except BaseException:  # a hostile __str__
        return "?"


@contextlib.contextmanager
def time_limit(seconds):
    def expire(signum, frame):
        if _EXCHANGE["busy"]:  # never cut a message in half: the proxy raises after it
            _EXCHANGE["expired"] = seconds
            return
        raise CellTimeout(f"exceeded the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(shell, outputs, code, timeout):
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Stream(outputs, "stdout"), Stream(outputs, "stderr")
    try:
        with time_limit(timeout):
            result = shell.run_cell(code, store_history=True)
        ok = result.success
    except CellTimeout as exc:  # raised outside student code, between statements
        outputs.add(
            {"output_type": "error", "ename": "CellTimeout", "evalue": str(exc), "traceback": []}
        )
        ok = False
    finally:
        sys.stdout, sys.stderr = saved
    return {
        "op": wire.RAN,
        "ok": bool(ok),
        "outputs": outputs.take(),
        "count": shell.execution_count - 1,
    }


# Whether a proxy is exchanging messages with the grader, and the time limit
# that expired meanwhile. Python runs a signal handler between any two
# bytecodes, later than the signal arrived, so masking the signal cannot keep
# it out of a half-read message: the handler itself defers to the proxy.
_EXCHANGE = {"busy": False, "expired": None}


def proxy(sock, name):
    def call_reference(*args, **kwargs):
        _EXCHANGE["busy"] = True
        try:
            wire.send(sock, {"op": wire.REF, "fn": name, "args": list(args), "kwargs": kwargs})
            reply = wire.recv(sock)
        finally:
            _EXCHANGE["busy"] = False
        expired, _EXCHANGE["expired"] = _EXCHANGE["expired"], None
        if expired is not None:
            raise CellTimeout(f"exceeded the time limit of {expired:g} s")
        if reply.get("op") == wire.VALUE:
            return reply.get("value")
        raise RuntimeError(str(reply.get("message", "the reference is not available here")))

    call_reference.__name__ = name
    return call_reference


def call(shell, sock, message, timeout):
    namespace = shell.user_ns
    fn = namespace.get(message["fn"], MISSING)
    if fn is MISSING:
        return {"op": wire.MISSING}
    if not callable(fn):
        return {"op": wire.NOT_CALLABLE}
    saved = {name: namespace.get(name, MISSING) for name in message.get("swap", [])}
    sink = io.StringIO()
    try:
        for name in saved:
            namespace[name] = proxy(sock, name)
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
            time_limit(timeout),
        ):
            warnings.simplefilter("ignore")
            value = fn(*message.get("args", []))
        reply = {"op": wire.RETURN, "value": value}
        size = len(wire.encode(reply))  # fail here, not in send, if it cannot be encoded
        limit = message.get("max_bytes", wire.MAX_MESSAGE)
        if size > limit:
            return {
                "op": wire.RAISE,
                "ename": "ValueError",
                "evalue": f"it returned {size} bytes of data, more than the {limit} the "
                "grader accepts for arguments this small: return arrays shaped as the "
                "contract says",
            }
        return reply
    except BaseException as exc:  # the student's code decides what is raised
        name = "TimeoutError" if isinstance(exc, CellTimeout) else type(exc).__name__
        return {"op": wire.RAISE, "ename": name, "evalue": _text(exc, 300)}
    finally:
        for name, value in saved.items():
            if value is MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _quiet():
    """Point file descriptors 1 and 2 at /dev/null, before saying ready. Until
    then they are a pipe the grader reads while the sandbox starts (the last
    line of a failed start is its message); from then on the grader has closed
    it, and what the student writes to them goes nowhere."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def serve(sock, limits, note=""):
    """Serve one submission on ``sock`` until told to exit."""
    apply_limits(limits)
    outputs = Outputs(limits.get("output_bytes", 1 << 20))
    shell = make_shell(outputs)
    ready = {"op": wire.READY, "sandboxed": os.environ.get("XORKIT_SANDBOX", ""), "note": note}
    _quiet()  # cells' outputs are caught in Python, by Stream
    wire.send(sock, ready)
    while True:
        try:
            message = wire.recv(sock)
        except EOFError:
            return
        op = message.get("op")
        if op == wire.RUN:
            reply = run(shell, outputs, message["code"], message["timeout"])
        elif op == wire.CALL:
            reply = call(shell, sock, message, message["timeout"])
        elif op == wire.EXIT:
            return
        else:  # a late answer to a proxy whose call timed out: nothing waits for it
            continue
        try:
            wire.send(sock, reply)
        except (TypeError, ValueError):
            unsent = {"op": wire.RAISE, "ename": "ValueError", "evalue": "result could not be sent"}
            wire.send(sock, unsent)


def preload():
    """Import what every notebook imports, once, before any fork."""
    import matplotlib
    import matplotlib.pyplot
    import numpy  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    matplotlib.get_cachedir()
    _warm_figures()
    # scikit-learn's datasets, a dependency of the kit that a course's notebooks may
    # load data from: imported here, its second of imports (SciPy's among them) is
    # paid once per zygote instead of once per notebook
    with contextlib.suppress(ImportError):
        import sklearn.datasets  # noqa: F401


def _warm_figures():
    """Draw, once before any fork, a figure with what the notebooks' figures hold
    (text, mathtext, a colour map, a contour, a legend, a log axis), as the
    inline backend renders it: every child then finds matplotlib's fonts,
    parsers and caches ready instead of loading them for its first figure."""
    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.core.pylabtools import print_figure

    grid = np.linspace(0.0, 1.0, 11)
    fig, (left, right) = plt.subplots(1, 2)
    left.scatter(grid, grid, c=grid, cmap="coolwarm", edgecolors="k")
    left.annotate("y = 1", (0.5, 0.5), xytext=(12, -4), textcoords="offset points")
    left.semilogy(grid + 1.0, label=r"$\sigma'(x) = a(1-a)$")
    left.set(xlabel="$x_1$", title="warm")
    left.legend()
    image = right.contourf(*np.meshgrid(grid, grid), np.outer(grid, grid), levels=5)
    fig.colorbar(image, label=r"$\hat{y}$")
    print_figure(fig, "png", bbox_inches="tight")
    plt.close("all")


MAX_LEFT = 20_000  # more entries than this left behind: the sandbox is dropped, not emptied


def zygote(control, limits):
    """Fork one fresh child per submission from this pre-imported process.

    The grader sends ``spawn`` with the submission's folder and, attached, the
    socket the child will serve on. In the sandbox the child copies that
    read-only folder into the empty workspace (``limits["workspace"]``) and
    works there. When it
    ends, every process it left behind is killed, every writable place is
    emptied, and its exit status goes back to the grader with ``clean``: false
    if anything (files, System V IPC) was left that could not be removed, and
    then the grader drops the whole sandbox. This process is not dumpable, so
    a child cannot read or patch its memory.
    """
    import ctypes

    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    sandboxed = os.environ.get("XORKIT_SANDBOX") == "bwrap"
    # where student code may write, as the grader's bubblewrap command made them
    places = tuple(limits.get("writable", ())) if sandboxed else ()
    preload()
    if sandboxed:
        os.chdir("/")
    if sandboxed and not _scrub(places, first=True):
        return
    _quiet()
    wire.send(control, {"op": wire.READY})
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 1, 1)
            message = wire.recv(control)
        except (EOFError, OSError):
            return
        if message.get("op") != wire.SPAWN or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            control.close()
            source = str(message["input"])
            folder = str(limits["workspace"]) if sandboxed else source
            note = _copy_in(source, folder, limits) if sandboxed else ""
            os.chdir(folder)
            os.environ.update(
                HOME=folder,
                MPLCONFIGDIR=os.path.join(folder, ".matplotlib"),
                IPYTHONDIR=os.path.join(folder, ".ipython"),
            )
            code = 0
            try:
                serve(socket.socket(fileno=fds[0]), limits, note)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(fds[0])
        _, status = os.waitpid(pid, 0)
        clean = _clean_up(pid, places)
        wire.send(control, {"op": wire.EXITED, "status": _status(status), "clean": clean})


def _copy_in(source, folder, limits):
    """Copy the submission's files into its workspace; what did not fit, said."""
    import shutil

    try:
        shutil.copytree(source, folder, symlinks=True, dirs_exist_ok=True)
    except (OSError, shutil.Error):
        return (
            f"the submission's files do not fit in its writable folder of "
            f"{limits.get('disk_mb', 0)} MiB: some were left out"
        )
    return ""


def _clean_up(pid, places):
    """Kill whatever the last child left running and, in the sandbox (where
    ``places`` are the writable places), empty them; whether everything is gone."""
    if not places:
        # outside a PID namespace only the child's own process group is ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)  # every process of this namespace but us and init
    # until they have exited, what they hold open (a deleted file's inode in a
    # writable place) still counts, and the sandbox would be dropped for it
    deadline = time.monotonic() + 5
    while _others() and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG) != (0, 0):
                pass
        time.sleep(0.01)
    return _scrub(places)


def _others():
    """Processes of this PID namespace other than this one and its init."""
    return [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]


# Folders in the writable places that must stay: bubblewrap's mount points
# there (a Python installation under /tmp, say) and the folders leading to
# them; and how many entries each place holds with only those. Set by the
# zygote once, before any child runs.
_KEEP = {"paths": set(), "mounts": set(), "baseline": {}}


def _find_mounts(places):
    """Record the mount points inside the writable places."""
    mounts = set()
    with open("/proc/self/mountinfo") as table:
        for line in table:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if any(point.startswith(place + "/") for place in places):
                mounts.add(point)
    paths = set()
    for point in mounts:
        while point not in places and point != "/":
            paths.add(point)
            point = os.path.dirname(point)
    _KEEP.update(paths=paths, mounts=mounts)


def _scrub(places, first=False):
    """Empty the writable places; True if each holds no more than it did when
    the zygote started, no System V IPC object is left and the keyrings
    children share are empty. A place holding
    more than MAX_LEFT entries is not even tried: dropping the sandbox is
    faster, and nothing in it can resist that."""
    if first:
        _find_mounts(places)
    baseline = _KEEP["baseline"]
    for place in places:
        if _entries(place) > baseline.get(place, 0) + MAX_LEFT:
            return False
    for place in places:
        _empty(place)
    if first:
        baseline.update({place: _entries(place) for place in places})
    keys_cleared = _clear_keyrings() or first  # no child has run at the first scrub
    return all(_entries(p) <= baseline[p] for p in places) and not _ipc_left() and keys_cleared


# keyctl(2) by machine: the session, user and user-session keyrings outlive a
# child (the next one, same uid in the same namespace, would read them)
KEYCTL = {"x86_64": 250, "aarch64": 219}
KEYCTL_CLEAR = 7
KEYCTL_READ = 11
SHARED_KEYRINGS = (-3, -4, -5)  # KEY_SPEC_SESSION, _USER, _USER_SESSION_KEYRING


def _clear_keyrings():
    """Empty the keyrings children share; True if each is empty afterwards (on
    a machine whose keyctl number is unknown, False: the sandbox is dropped)."""
    import ctypes
    import platform

    number = KEYCTL.get(platform.machine())
    if number is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    left = ctypes.create_string_buffer(64)
    for ring in SHARED_KEYRINGS:
        libc.syscall(ctypes.c_long(number), ctypes.c_long(KEYCTL_CLEAR), ctypes.c_long(ring))
        # KEYCTL_READ on a keyring: the serials of the keys it still holds
        size = libc.syscall(
            ctypes.c_long(number), ctypes.c_long(KEYCTL_READ), ctypes.c_long(ring), left, 64
        )
        if size > 0:
            return False
    return True


def _entries(place):
    """Files and folders in ``place`` (its own inode not counted)."""
    if place == "/dev/mqueue":  # not a filesystem with inode counts
        try:
            return len(os.listdir(place))
        except OSError:
            return 0
    try:
        stat = os.statvfs(place)
    except OSError:
        return 0
    return stat.f_files - stat.f_ffree - 1


def _ipc_left():
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                if len(table.read().splitlines()) > 1:  # a header, then one line per object
                    return True
        except OSError:
            continue
    return False


def _empty(folder, depth=0):
    """Delete everything in ``folder`` but the kept mount points: folders
    without permissions are opened first, links removed, never followed. What
    resists (a tree too deep) stays, and the count of entries tells."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        path = entry.path
        if path in _KEEP["mounts"]:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if depth > 200:
                    continue
                if path not in _KEEP["paths"]:
                    os.chmod(path, 0o700)
                _empty(path, depth + 1)
                if path not in _KEEP["paths"]:
                    os.rmdir(path)
            else:
                os.unlink(path)
        except OSError:
            continue


def _status(status):
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def main():
    mode = sys.argv[1]
    if mode == "--zygote" and os.environ.get("XORKIT_SANDBOX") == "bwrap":
        # the font cache the grader left in the read-only slot, made writable
        # for matplotlib's import; the first scrub removes it
        import shutil

        cache = "/tmp/.matplotlib"
        with contextlib.suppress(OSError):
            shutil.copytree(os.environ.get("MPLCONFIGDIR", ""), cache)
        os.environ["MPLCONFIGDIR"] = cache
    # Import what the executor itself needs before the submission's folder goes
    # on the path: a student's IPython.py must not take over the executor.
    preload()
    sys.path[0:1] = ["", *sys.path[0:1]]  # like a kernel: the notebook's folder first
    fd, limits = int(sys.argv[2]), json.loads(sys.argv[3])
    if mode == "--zygote":
        zygote(socket.socket(fileno=fd), limits)
    else:
        serve(socket.socket(fileno=fd), limits)


if __name__ == "__main__":
    main()
