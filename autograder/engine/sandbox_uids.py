"""The unprivileged uids sandboxes run as when the grader is root: one per sandbox.

bubblewrap started by root maps the sandbox's uid to root outside it, and the
kernel then treats student code as root wherever ownership counts: root's
owner-only files, and per-user limits from which root is exempt (processes,
``RLIMIT_NPROC``). So a root grader starts each sandbox as a uid of its own
from ``pool()``, one no account holds, with the gid of the same number.

A sandbox holds its uid for as long as it lives, and no other sandbox of any
grader on this machine has it meanwhile: the holder binds an abstract UNIX
socket named for the uid, a name the kernel frees whenever the holder ends,
however it ends, and nothing is left on disk. Per-user limits then count one
sandbox each: a fork bomb in one cannot use up another's processes.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import socket
import time

# systemd's table of uid ranges (https://systemd.io/UIDS-GIDS/) leaves
# 1879048192–2147352575 unused; 256 uids there, one per sandbox alive at once.
# XORKIT_SANDBOX_UIDS=FIRST-LAST chooses others (each end included).
FIRST_UID = 2_000_000_000
UID_COUNT = 256


class NoFreeUid(OSError):
    """Every uid of the pool is held by a live sandbox, or held by an account."""


def pool() -> range:
    """The uids sandboxes may run as."""
    spec = os.environ.get("XORKIT_SANDBOX_UIDS", "")
    if spec:
        first, _, last = spec.partition("-")
        return range(int(first), int(last or first) + 1)
    return range(FIRST_UID, FIRST_UID + UID_COUNT)


def _has_account(uid: int) -> bool:
    for lookup in (pwd.getpwuid, grp.getgrgid):
        with contextlib.suppress(KeyError):
            lookup(uid)
            return True
    return False


class Lease:
    """A uid of the pool, held until ``release``: every process of it is killed
    when it is taken and when it is given back."""

    def __init__(self):
        for uid in pool():
            holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                holder.bind(f"\0xorkit-sandbox-uid-{uid}")
            except OSError:  # a live sandbox has it
                holder.close()
                continue
            if _has_account(uid) or not reap(uid):
                holder.close()
                continue
            self.uid, self._holder = uid, holder
            return
        first, last = pool()[0], pool()[-1]
        raise NoFreeUid(
            f"no uid of the sandbox range {first}-{last} is free (every one is held by a "
            "live sandbox or an account): set XORKIT_SANDBOX_UIDS=FIRST-LAST to a wider range"
        )

    def release(self) -> None:
        if self._holder.fileno() < 0:
            return
        reap(self.uid)
        self._holder.close()


def real_uid(pid: str) -> int | None:
    """The real uid of process ``pid`` (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def reap(uid: int, timeout: float = 5.0) -> bool:
    """Kill every process whose real uid is ``uid`` and wait until none is left
    (zombies included: they still count against the uid's process limit);
    whether none is. A pid is checked again through a pidfd before it is
    signalled, so a pid reused meanwhile is never hit."""
    deadline = time.monotonic() + timeout
    while True:
        pids = [p for p in os.listdir("/proc") if p.isdigit() and real_uid(p) == uid]
        if not pids:
            return True
        if time.monotonic() > deadline:
            return False
        for pid in pids:
            with contextlib.suppress(OSError):
                handle = os.pidfd_open(int(pid))
                try:
                    if real_uid(pid) == uid:
                        signal.pidfd_send_signal(handle, signal.SIGKILL)
                finally:
                    os.close(handle)
        time.sleep(0.01)
