"""Start bubblewrap as an unprivileged uid, from a grader running as root.

Run by the grader as ``python -I -S launcher.py SPEC BWRAP ARG…``, where SPEC
is JSON: ``uid``, ``processes``, ``stage``, ``ro`` (folders) and ``rw``
(places: ``size`` in bytes, ``files``, and ``seed``, a folder to copy in, or
null). Standard library only: it runs before anything is imported. It

1. in a mount namespace of its own (nothing it mounts reaches the host's),
   opens each ``ro`` folder while it is still root, mounts a small tmpfs on
   ``stage`` and binds ``ro[i]`` at ``stage/ro<i>``, a path any uid can reach:
   a Python installation under /root (mode 0700) is out of an unprivileged
   uid's reach by its own path, not there;
2. mounts ``rw[i]`` at ``stage/rw<i>``: a tmpfs owned by the uid that holds at
   most ``size`` bytes and ``files`` files and folders (``nr_inodes``, which
   bubblewrap's own tmpfs cannot bound), with ``seed``'s content copied in;
3. limits the uid to ``processes`` processes (``RLIMIT_NPROC``, which the kernel
   enforces for any uid but root), becomes that uid and gid with no
   supplementary groups and no capabilities, and execs bubblewrap, which binds
   what ``stage`` holds where the sandbox sees it.

Anything that fails ends it with exit status 126 and one line on stderr that
says why; the grader reports that the sandbox could not start.
"""

import ctypes
import json
import os
import resource
import shutil
import sys

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18


def fail(message):
    sys.stderr.write(f"xorkit launcher: {message}\n")
    sys.exit(126)


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    text = ctypes.c_char_p
    libc.mount.argtypes = [text, text, text, ctypes.c_ulong, text]
    return libc


LIBC = _libc()


def mount(source, target, kind, flags, data=None):
    args = [None if s is None else os.fsencode(s) for s in (source, target, kind, data)]
    if LIBC.mount(*args[:3], flags, args[3]) != 0:
        error = ctypes.get_errno()
        fail(f"cannot mount {kind or source} on {target}: {os.strerror(error)}")


def make_room(target, source_fd):
    """A folder or an empty file at ``target`` to bind ``source_fd`` on."""
    if os.path.isdir(f"/proc/self/fd/{source_fd}"):
        os.mkdir(target)
    else:
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))


def hand_over(folder, uid):
    for root, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def seed(source_fd, target, uid):
    """Copy a folder into its place (links as links); what does not fit is left
    out, as when a zygote's child copies its submission in."""
    try:
        shutil.copytree(f"/proc/self/fd/{source_fd}", target, symlinks=True, dirs_exist_ok=True)
    except (OSError, shutil.Error):
        sys.stderr.write("xorkit launcher: some of the submission's files do not fit\n")
    hand_over(target, uid)


def drop(uid, processes):
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    try:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    except OSError as exc:
        fail(
            f"cannot become uid {uid} ({exc.strerror}); in a user namespace, set "
            "XORKIT_SANDBOX_UIDS=FIRST-LAST to uids mapped in /proc/self/uid_map"
        )
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status.read().splitlines())
    ids = {int(n) for n in fields["Uid"].split() + fields["Gid"].split()}
    if ids != {uid} or fields["Groups"].split() or int(fields["CapEff"], 16):
        fail(f"still privileged after becoming uid {uid}")


def main():
    spec, argv = json.loads(sys.argv[1]), sys.argv[2:]
    uid, stage = int(spec["uid"]), spec["stage"]
    if uid <= 0:
        fail("the sandbox's uid must not be root")
    if LIBC.unshare(CLONE_NEWNS) != 0:
        fail(f"cannot make a mount namespace: {os.strerror(ctypes.get_errno())}")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # opened in the new namespace (a bind's source must be one of its mounts),
    # before the stage covers any of them
    try:
        sources = [os.open(path, os.O_PATH | os.O_CLOEXEC) for path in spec["ro"]]
        seeds = [
            None if place.get("seed") is None else os.open(place["seed"], os.O_PATH | os.O_CLOEXEC)
            for place in spec["rw"]
        ]
    except OSError as exc:
        fail(f"cannot open {exc.filename}: {exc.strerror}")
    mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=1m")
    for index, fd in enumerate(sources):
        target = f"{stage}/ro{index}"
        make_room(target, fd)
        mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    for index, (place, fd) in enumerate(zip(spec["rw"], seeds, strict=True)):
        target = f"{stage}/rw{index}"
        os.mkdir(target)
        # nr_inodes counts the place's own folder too
        inodes = int(place["files"]) + 1
        options = f"mode=0755,uid={uid},gid={uid},size={place['size']},nr_inodes={inodes}"
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)
        if fd is not None:
            seed(fd, target, uid)
    os.chdir("/")
    # found while still root: once it drops, this Python's own library may be
    # out of its reach (under /root), so nothing is imported after that
    program = shutil.which(argv[0])
    if program is None:
        fail(f"cannot find {argv[0]}")
    drop(uid, int(spec["processes"]))
    try:
        os.execv(program, argv)
    except OSError as exc:
        fail(f"cannot run {program}: {exc.strerror}")


if __name__ == "__main__":
    main()
