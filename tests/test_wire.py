"""The message format between the grader and a sandboxed submission."""

import json
import pickle
import struct

import numpy as np
import pytest

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
