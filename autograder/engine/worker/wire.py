"""Length-prefixed messages between the grader and a sandboxed submission.

A message is a JSON header plus raw array buffers. Decoding never unpickles:
arrays come back through ``numpy.frombuffer`` with a numeric dtype only, and
anything the format cannot carry arrives as an ``Opaque`` placeholder, so a
hostile submission can send the grader nothing but data. A read-only array
arrives read-only: a check passes read-only arguments to see that a function
does not write into the arrays it is given.
"""

# Bound at import, before student code runs (see executor.py).
import json
import math
import struct
from builtins import (  # noqa: UP029  (deliberate: snapshot before student code can patch builtins)
    abs,
    bool,
    dict,
    float,
    int,
    isinstance,
    len,
    list,
    repr,
    str,
    tuple,
    type,
)

import numpy as np

MAX_MESSAGE = 256 * 1024 * 1024  # bytes; a bigger frame is a protocol error
MAX_DEPTH = 16
MAX_ITEMS = 100_000
NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex


# The messages, named by their "op": the one list of what each side may send.
# The grader trusts none of them (decode above), and answers nothing else.
# grader -> zygote, on the control socket, with the submission's socket as an fd
SPAWN = "spawn"  # {"input": the submission's folder}
# zygote -> grader
READY = "ready"  # the zygote (and, on the submission's socket, its executor) is ready
EXITED = "exited"  # {"status", "clean"}: a submission's process has ended
# grader -> executor
RUN = "run"  # {"code", "timeout"}: execute a cell
CALL = "call"  # {"fn", "args", "swap", "timeout", "max_bytes"}: call a function
EXIT = "exit"  # serve no more
VALUE = "value"  # {"value"}: the reference's answer to REF
ERROR = "error"  # {"message"}: no answer to REF
# executor -> grader
RAN = "ran"  # {"ok", "outputs", "count"}: a cell ran
RETURN = "return"  # {"value"}: a call returned
RAISE = "raise"  # {"ename", "evalue"}: a call raised
MISSING = "missing"  # the called name is not defined
NOT_CALLABLE = "not_callable"  # the called name is not a function
REF = "ref"  # {"fn", "args", "kwargs"}: a proxy asks for the reference's result
OPS = frozenset(
    {SPAWN, READY, EXITED, RUN, CALL, EXIT, VALUE, ERROR}
    | {RAN, RETURN, RAISE, MISSING, NOT_CALLABLE, REF}
)


class ProtocolError(Exception):
    """The peer sent something that is not a valid message."""


class Opaque:
    """Stands in for a value the wire cannot carry (a custom object, a generator)."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


def encode(message):
    buffers = []
    counter = [0]

    def enc(value, depth):
        counter[0] += 1
        if depth > MAX_DEPTH or counter[0] > MAX_ITEMS:
            return {"__opaque__": "too large", "text": "nested too deeply or too many items"}
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int) and type(value) in (int, bool):
            return value if abs(value) < 2**63 else {"__opaque__": "int", "text": "too large"}
        if isinstance(value, float):  # float and numpy.float64, its subclass
            return {"__float__": repr(float(value))}
        if isinstance(value, np.random.Generator):
            bits = value.bit_generator
            return {"__rng__": type(bits).__name__, "state": json.dumps(bits.state)}
        if isinstance(value, np.generic):
            value = np.asarray(value)
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in NUMERIC_KINDS or value.dtype.hasobject:
                return {"__opaque__": f"ndarray[{value.dtype}]", "text": _short(value)}
            data = np.ascontiguousarray(value).tobytes()
            buffers.append(data)
            node = {
                "__nd__": len(buffers) - 1,
                "dtype": value.dtype.str,
                "shape": list(value.shape),
            }
            if not value.flags.writeable:
                node["readonly"] = True
            return node
        if type(value) in (list, tuple):
            items = [enc(v, depth + 1) for v in value]
            return {"__tuple__": items} if type(value) is tuple else items
        if type(value) is dict:
            return {"__dict__": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in value.items()]}
        return {"__opaque__": type(value).__name__, "text": _short(value)}

    header = json.dumps(enc(message, 0)).encode()
    parts = [struct.pack(">I", len(header)), header]
    for data in buffers:
        parts += [struct.pack(">Q", len(data)), data]
    return b"".join(parts)


def _short(value):
    try:
        return repr(value)[:200]
    except Exception:  # a hostile __repr__
        return "?"


def decode(payload):
    try:
        (hlen,) = struct.unpack_from(">I", payload, 0)
        header = json.loads(payload[4 : 4 + hlen])
        offset, buffers = 4 + hlen, []
        while offset < len(payload):
            (blen,) = struct.unpack_from(">Q", payload, offset)
            buffers.append(payload[offset + 8 : offset + 8 + blen])
            offset += 8 + blen
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed message: {exc}") from exc

    def dec(node, depth):
        if depth > MAX_DEPTH + 2:
            raise ProtocolError("nested too deeply")
        if node is None or isinstance(node, bool | int | str):
            return node
        if isinstance(node, float):
            return node
        if isinstance(node, list):
            return [dec(v, depth + 1) for v in node]
        if not isinstance(node, dict):
            raise ProtocolError("unexpected JSON value")
        if "__float__" in node:
            return float(node["__float__"])
        if "__tuple__" in node:
            return tuple(dec(v, depth + 1) for v in node["__tuple__"])
        if "__dict__" in node:
            return {_key(dec(k, depth + 1)): dec(v, depth + 1) for k, v in node["__dict__"]}
        if "__nd__" in node:
            return _array(node, buffers)
        if "__rng__" in node:
            return _generator(node)
        if "__opaque__" in node:
            return Opaque(str(node["__opaque__"]), str(node.get("text", "")))
        return {str(k): dec(v, depth + 1) for k, v in node.items()}

    return dec(header, 0)


def _key(key):
    return key if isinstance(key, str | int | float | bool | tuple) or key is None else repr(key)


BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _generator(node):
    """A ``numpy.random.Generator`` in the state it was sent in."""
    name = str(node["__rng__"])
    if name not in BIT_GENERATORS:
        raise ProtocolError(f"unknown bit generator {name}")
    bits = getattr(np.random, name)()
    try:
        bits.state = json.loads(node["state"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ProtocolError(f"bad generator state: {exc}") from exc
    return np.random.Generator(bits)


_DTYPES = {}  # dtype string -> checked numpy dtype; decoding is on a hot path


def _dtype(text):
    dtype = _DTYPES.get(text)
    if dtype is None:
        dtype = np.dtype(text)
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            raise ProtocolError(f"refused array dtype {dtype}")
        if len(_DTYPES) < 64:
            _DTYPES[text] = dtype
    return dtype


def _array(node, buffers):
    try:
        dtype = _dtype(str(node["dtype"]))
        shape = tuple(int(n) for n in node["shape"])
        data = buffers[int(node["__nd__"])]
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise ProtocolError(f"bad array: {exc}") from exc
    if any(n < 0 for n in shape) or len(data) != dtype.itemsize * math.prod(shape):
        raise ProtocolError("array size does not match its shape")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if node.get("readonly") is True:
        array.flags.writeable = False
    return array


def send(sock, message):
    payload = encode(message)
    sock.sendall(struct.pack(">Q", len(payload)) + payload)


def recv(sock, limit=MAX_MESSAGE):
    """Read one message of at most ``limit`` bytes; ``EOFError`` when the peer
    has gone. A bigger one is refused before it is read."""
    (size,) = struct.unpack(">Q", _read(sock, 8))
    if size > min(limit, MAX_MESSAGE):
        raise ProtocolError(f"a message of {size} bytes, over the limit of {limit}")
    return decode(_read(sock, size))


def _read(sock, n):
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
