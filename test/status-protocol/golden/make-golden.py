#!/usr/bin/python3
"""Writes the golden msgpack vectors of the policy status protocol codec.

Packs values exactly like the upstream openpi-client / positronic `msgpack_numpy` helpers
(`msgpack.packb(obj, default=pack_array)`), so the TypeScript codec can be checked byte for byte
against what a real Python policy server or client sends. The output files are committed; CI does
not need Python. Regenerate with Debian's python3-msgpack and python3-numpy:

    apt-get install python3-msgpack python3-numpy
    /usr/bin/python3 test/status-protocol/golden/make-golden.py
"""

import json
import math
import pathlib

import msgpack
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent


def pack_array(obj):
    # Same as upstream msgpack_numpy.pack_array.
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in ("V", "O", "c"):
        raise ValueError(f"Unsupported dtype: {obj.dtype}")
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj


def packb(obj):
    return msgpack.packb(obj, default=pack_array)


VALID = {
    # One array per supported dtype, with the edge values of each.
    "dtypes": {
        "b1": np.array([True, False, True]),
        "i1": np.array([-128, 0, 127], dtype=np.int8),
        "u1": np.array([[0, 1, 2], [253, 254, 255]], dtype=np.uint8),
        "i2": np.array([-32768, -1, 0, 32767], dtype="<i2"),
        "u2": np.array([0, 1, 65535], dtype="<u2"),
        "i4": np.array([-(2**31), 0, 2**31 - 1], dtype="<i4"),
        "u4": np.array([0, 2**32 - 1], dtype="<u4"),
        "i8": np.array([-(2**63), -1, 2**53 + 1, 2**63 - 1], dtype="<i8"),
        "u8": np.array([0, 2**64 - 1], dtype="<u8"),
        "f4": np.array([1.5, -0.0, math.inf, -2.25], dtype="<f4"),
        "f8": np.array([[math.pi, -1e300], [5e-324, math.nan]], dtype="<f8"),
    },
    # An openpi-style observation: str keys, arrays, a prompt and numpy scalars.
    "observation": {
        "observation/state": np.arange(8, dtype=np.float32) * np.float32(0.25),
        "observation/image": np.arange(24, dtype=np.uint8).reshape(2, 4, 3),
        "observation/empty": np.zeros((0, 3), dtype=np.float32),
        "prompt": "pick up the red cube",
        "step": np.int64(42),
        "temperature": np.float32(2.0),
        "done": np.bool_(False),
    },
    # numpy scalars of every kind; np.float64 is a Python float subclass, so msgpack packs it as a
    # plain float (default= is never called for it), and 0-d arrays stay ndarrays with shape ().
    "scalars": {
        "i1": np.int8(-5),
        "u2": np.uint16(65535),
        "i8": np.int64(-(2**40)),
        "u8": np.uint64(2**64 - 1),
        "f4": np.float32(0.1),
        "f8": np.float64(0.1),
        "b1": np.bool_(True),
        "zero_d": np.array(3.5, dtype=np.float32),
        "plain_int": 7,
        "big_int": 2**40,
        "plain_float": 0.5,
    },
    "result": {"result": {"actions": (np.arange(70, dtype=np.float32) / np.float32(10)).reshape(10, 7)}},
    "result-list": {"result": [{"actions": np.ones((2, 3), dtype=np.float64)}, {"actions": np.zeros((2, 3), dtype=np.float64)}]},
    "result-null": {"result": None},
    "status-loading": {"status": "loading", "message": "Loading policy..."},
    "status-waiting": {"status": "waiting", "message": "Waiting for 1 active session(s) to finish..."},
    "status-ready": {"status": "ready", "meta": {"model_name": "alpha", "checkpoint_id": "100", "action_horizon": 10}},
    "status-error": {"status": "error", "error": "Checkpoint not found: 999. Available: ['100', '200']"},
    "inference-error": {"error": "KeyError: 'observation/state'"},
}

# Maps the codec must reject, each with the named error it must give.
MALFORMED = {
    "bad-float-shape": ({b"__ndarray__": True, b"data": bytes(8), b"dtype": "<f4", b"shape": [2.0]}, "NDARRAY_BAD_SHAPE"),
    "bad-negative-shape": ({b"__ndarray__": True, b"data": b"", b"dtype": "<f4", b"shape": [-1]}, "NDARRAY_BAD_SHAPE"),
    "big-endian": (np.array([1.0, 2.0], dtype=">f4"), "NDARRAY_UNSUPPORTED_DTYPE"),
    "half-float": (np.array([1.0, 2.0], dtype="<f2"), "NDARRAY_UNSUPPORTED_DTYPE"),
    "unicode-array": ({b"__ndarray__": True, b"data": bytes(8), b"dtype": "<U2", b"shape": [1]}, "NDARRAY_UNSUPPORTED_DTYPE"),
    "size-mismatch": ({b"__ndarray__": True, b"data": bytes(6), b"dtype": "<f4", b"shape": [2]}, "NDARRAY_SIZE_MISMATCH"),
    "missing-data": ({b"__ndarray__": True, b"dtype": "<f4", b"shape": [2]}, "NDARRAY_MALFORMED"),
    "data-not-bin": ({b"__ndarray__": True, b"data": "abcdefgh", b"dtype": "<f4", b"shape": [2]}, "NDARRAY_MALFORMED"),
    "str-keys": ({"__ndarray__": True, "data": bytes(8), "dtype": "<f4", "shape": [2]}, "NDARRAY_STR_KEYS"),
    "npgeneric-no-data": ({b"__npgeneric__": True, b"dtype": "<f4"}, "NPGENERIC_MALFORMED"),
    "npgeneric-bad-value": ({b"__npgeneric__": True, b"data": "x", b"dtype": "<i4"}, "NPGENERIC_MALFORMED"),
    "truncated": (None, "MSGPACK_DECODE"),
}


def main():
    manifest = {"generator": "make-golden.py", "msgpack": ".".join(map(str, msgpack.version)), "numpy": np.__version__, "valid": [], "malformed": {}}
    for name, value in VALID.items():
        (OUT / f"{name}.msgpack").write_bytes(packb(value))
        manifest["valid"].append(name)
    for name, (value, code) in MALFORMED.items():
        data = packb({"observation/state": value}) if value is not None else packb(VALID["result"])[:-5]
        (OUT / f"malformed-{name}.msgpack").write_bytes(data)
        manifest["malformed"][name] = code
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
