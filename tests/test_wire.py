"""The message format between the grader and a sandboxed submission."""

import ast
import json
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

import autograder.engine
from autograder.engine.worker import wire


def roundtrip(value):
    return wire.decode(wire.encode(value))


def test_arrays_scalars_and_containers_survive_exactly():
    """Arrays keep dtype, shape and every bit; tuples stay tuples, floats stay exact."""
    value = (np.arange(6, dtype=np.float32).reshape(2, 3), [0.1, 2, None, "s", True], {"k": 1.5})
    out = roundtrip(value)
    assert isinstance(out, tuple) and isinstance(out[1], list)
    assert out[0].dtype == np.float32 and np.array_equal(out[0], value[0])
    assert out[1] == [0.1, 2, None, "s", True] and out[2] == {"k": 1.5}
    assert roundtrip(float("nan")) != roundtrip(float("nan"))  # nan stays nan


def test_read_only_arrays_arrive_read_only():
    """A read-only array arrives read-only (a check's way to see that a function does
    not write into its arguments); a writable one arrives writable."""
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    out = roundtrip((frozen, np.arange(3.0)))
    assert not out[0].flags.writeable and np.array_equal(out[0], frozen)
    assert out[1].flags.writeable


def test_generator_state_travels():
    """A numpy Generator arrives in the same state: both draw the same numbers."""
    rng = np.random.default_rng(3)
    copy = roundtrip(rng)
    assert np.array_equal(copy.uniform(size=5), rng.uniform(size=5))


def test_unknown_objects_become_opaque_not_code():
    """A custom object is sent as an inert placeholder, never as something callable."""

    class Sneaky:
        def __reduce__(self):
            return (print, ("pwned",))

    out = roundtrip(Sneaky())
    assert isinstance(out, wire.Opaque) and out.type_name == "Sneaky"


def test_object_arrays_are_refused_on_decode():
    """A hand-made message claiming an object dtype is rejected, so nothing is unpickled."""
    payload = pickle.dumps([1, 2])
    header = json.dumps({"__nd__": 0, "dtype": "|O", "shape": [2]}).encode()
    message = struct.pack(">I", len(header)) + header + struct.pack(">Q", len(payload)) + payload
    with pytest.raises(wire.ProtocolError):
        wire.decode(message)


def test_size_mismatch_is_a_protocol_error():
    """An array whose buffer does not match its shape is rejected."""
    header = json.dumps({"__nd__": 0, "dtype": "<f8", "shape": [3]}).encode()
    message = struct.pack(">I", len(header)) + header + struct.pack(">Q", 8) + b"\0" * 8
    with pytest.raises(wire.ProtocolError):
        wire.decode(message)


def test_every_message_type_is_declared_once_in_wire():
    """The grader, the sandbox and the executor name each message type through
    `wire`'s constants: no module of the engine sends or compares an "op" spelled
    as a bare string, and every constant it uses is one `wire.OPS` declares."""
    engine = Path(autograder.engine.__file__).parent
    bare, used = [], set()
    for path in sorted(engine.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    op_key = isinstance(key, ast.Constant) and key.value == "op"
                    if op_key and isinstance(value, ast.Constant):
                        bare.append(f"{path.name}:{node.lineno} sends {value.value!r}")
            if isinstance(node, ast.Compare) and _reads_op(node.left):
                for other in node.comparators:
                    if isinstance(other, ast.Constant):
                        bare.append(f"{path.name}:{node.lineno} compares with {other.value!r}")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "wire"
                and node.attr.isupper()
                and isinstance(getattr(wire, node.attr, None), str)
                and node.attr not in ("NUMERIC_KINDS",)
            ):
                used.add(getattr(wire, node.attr))
    assert not bare, bare
    assert used <= wire.OPS and used, sorted(used - wire.OPS)
    assert used == wire.OPS, f"declared but never used: {sorted(wire.OPS - used)}"


def _reads_op(node) -> bool:
    """Whether ``node`` is ``op`` or ``….get("op")`` or ``…["op"]``."""
    if isinstance(node, ast.Name):
        return node.id == "op"
    if isinstance(node, ast.Call) and node.args:
        first = node.args[0]
        return isinstance(first, ast.Constant) and first.value == "op"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "op"
    return False
