#!/usr/bin/env python3
"""Regenerate the NPY test fixtures in this directory.

Usage (from anywhere):  python3 make_fixtures.py
Requires numpy. Output is deterministic: every array is built from fixed
values, and the byte-level corruptions use fixed offsets. The script also
re-reads every file with a small independent header parser (and np.load where
applicable) to check that expected.json matches the bytes on disk.
"""
import ast
import io
import json
import math
import os
import struct

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = b"\x93NUMPY"


def base_3x4(dtype=np.float32):
    # 12 values: -1.0, -0.75, ..., 1.75 (all exactly representable)
    return (np.arange(12, dtype=dtype) / dtype(4) - dtype(1)).reshape(3, 4)


def save_default(name, arr, allow_pickle=False):
    """np.save default path -> header version 1.0 for everything here."""
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    write_bytes(name, buf.getvalue())
    return buf.getvalue()


def save_version(name, arr, version):
    buf = io.BytesIO()
    npformat.write_array(buf, arr, version=version)
    write_bytes(name, buf.getvalue())
    return buf.getvalue()


def write_bytes(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def json_values(arr):
    out = []
    for v in np.ascontiguousarray(arr).ravel(order="C").tolist():
        v = float(v)
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def parse_header(data):
    """Minimal independent NPY header parser. Returns dict or raises ValueError(kind)."""
    if len(data) < 8:
        raise ValueError("truncated")
    if data[:6] != MAGIC:
        raise ValueError("bad_magic")
    major, minor = data[6], data[7]
    if major == 1:
        width, fmt = 2, "<H"
    elif major in (2, 3):
        width, fmt = 4, "<I"
    else:
        raise ValueError("unsupported_version")
    if len(data) < 8 + width:
        raise ValueError("truncated")
    hlen = struct.unpack(fmt, data[8:8 + width])[0]
    start = 8 + width
    if len(data) < start + hlen:
        raise ValueError("truncated")
    enc = "latin1" if major < 3 else "utf8"
    header = data[start:start + hlen].decode(enc)
    d = ast.literal_eval(header)
    return {
        "version": f"{major}.{minor}",
        "len_width": width,
        "header_len": hlen,
        "data_offset": start + hlen,
        "header_bytes": data[:start + hlen],
        "descr": d["descr"],
        "fortran_order": d["fortran_order"],
        "shape": list(d["shape"]),
    }


def main():
    for fn in os.listdir(HERE):
        if fn.endswith(".npy"):
            os.remove(os.path.join(HERE, fn))

    f32 = base_3x4(np.float32)
    f64 = base_3x4(np.float64)

    nan_arr = (np.arange(6, dtype=np.float32) / np.float32(2)).reshape(2, 3)
    nan_arr[1, 2] = np.nan
    inf_arr = (np.arange(6, dtype=np.float32) / np.float32(2)).reshape(2, 3)
    inf_arr[0, 1] = np.inf

    # name -> (array, extra expectation fields)
    ok_v1 = [
        ("f32_3x4.npy", f32, {}),
        ("f64_3x4.npy", f64, {}),
        ("f32_1x1.npy", np.array([[1.5]], dtype=np.float32), {}),
        ("f32_0x5.npy", np.zeros((0, 5), dtype=np.float32), {}),
        ("f32_nan.npy", nan_arr, {"has_non_finite": True}),
        ("f32_inf.npy", inf_arr, {"has_non_finite": True}),
    ]
    not_2d = [
        ("f32_vector5.npy", np.arange(5, dtype=np.float32) / np.float32(2)),
        ("f32_2x3x2.npy", (np.arange(12, dtype=np.float32) / np.float32(4) - np.float32(1)).reshape(2, 3, 2)),
    ]

    expected = []

    def add(name, ok, error_kind=None, values_from=None, extra=None):
        data = open(os.path.join(HERE, name), "rb").read()
        entry = {"file": name, "ok": ok}
        try:
            h = parse_header(data)
            entry.update(version=h["version"], descr=h["descr"],
                         fortran_order=h["fortran_order"], shape=h["shape"],
                         ndim=len(h["shape"]))
        except ValueError:
            entry.update(version=None, descr=None, fortran_order=None,
                         shape=None, ndim=None)
        if values_from is not None:
            entry["values"] = json_values(values_from)
        if values_from is not None and not np.all(np.isfinite(values_from)):
            entry["has_non_finite"] = True  # only present when true
        if error_kind is not None:
            entry["error_kind"] = error_kind
        if extra:
            entry.update(extra)
        entry["size_bytes"] = len(data)
        expected.append(entry)

    # --- v1.0 OK files -------------------------------------------------------
    for name, arr, extra in ok_v1:
        save_default(name, arr)
        add(name, True, values_from=arr, extra=extra)

    # --- header-level OK but not 2-D ----------------------------------------
    for name, arr in not_2d:
        save_default(name, arr)
        add(name, False, error_kind="not_2d", values_from=arr,
            extra={"header_ok": True})

    # --- explicit header versions ---------------------------------------------
    save_version("f32_3x4_v2.npy", f32, (2, 0))
    add("f32_3x4_v2.npy", True, values_from=f32)
    save_version("f32_3x4_v3.npy", f32, (3, 0))
    add("f32_3x4_v3.npy", True, values_from=f32)

    # --- unsupported / malformed ---------------------------------------------
    save_default("f32_fortran.npy", np.asfortranarray(f32))
    add("f32_fortran.npy", False, error_kind="fortran_order")

    save_default("f32_bigendian.npy", f32.astype(">f4"))
    add("f32_bigendian.npy", False, error_kind="big_endian")

    save_default("i32_3x4.npy", np.arange(12, dtype=np.int32).reshape(3, 4))
    add("i32_3x4.npy", False, error_kind="unsupported_dtype")

    save_default("f16_3x4.npy", f32.astype(np.float16))
    add("f16_3x4.npy", False, error_kind="unsupported_dtype")

    obj = np.empty((2,), dtype=object)
    obj[0] = 1.0
    obj[1] = "a"
    save_default("object.npy", obj, allow_pickle=True)
    add("object.npy", False, error_kind="unsupported_dtype")

    structured = np.array([(1.0, 2.0), (3.0, 4.0)],
                          dtype=[("a", "<f4"), ("b", "<f4")])
    save_default("structured.npy", structured)
    add("structured.npy", False, error_kind="structured")

    good = open(os.path.join(HERE, "f32_3x4.npy"), "rb").read()
    data_offset = parse_header(good)["data_offset"]
    # 48 data bytes; keep 22 of them (5.5 float32s): cut mid-data AND mid-element.
    write_bytes("truncated.npy", good[:data_offset + 22])
    add("truncated.npy", False, error_kind="truncated",
        extra={"data_bytes_present": 22, "data_bytes_required": 48})

    write_bytes("bad_magic.npy", b"\x94" + good[1:])  # 0x93 -> 0x94
    add("bad_magic.npy", False, error_kind="bad_magic")

    # magic(6) + version(2) + first byte of the 2-byte header length
    write_bytes("header_truncated.npy", good[:9])
    add("header_truncated.npy", False, error_kind="truncated")

    expected.sort(key=lambda e: e["file"])
    notes = ("values: flat, C order, exact in float64; "
             "NaN/inf encoded as strings 'nan'/'inf'. "
             "f32_vector5/f32_2x3x2 parse fine at the header level "
             "(header_ok) but a 2-D matrix reader must reject them "
             "with not_2d. f32_nan/f32_inf are format-valid; "
             "finite-checking is a separate concern.")
    # Compact layout (one fixture per line) keeps expected.json under 4 KB.
    lines = [json.dumps(e, separators=(",", ":")) for e in expected]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        f.write('{"generator":"make_fixtures.py",\n"notes":' + json.dumps(notes)
                + ',\n"fixtures":[\n' + ",\n".join(lines) + "\n]}\n")
    with open(os.path.join(HERE, "expected.json")) as f:
        assert json.load(f)["fixtures"] == json.loads(json.dumps(expected))

    self_check(expected)

    # --- report header bytes for the reader author ------------------------------
    for name in ("f32_3x4.npy", "f32_3x4_v2.npy", "f32_3x4_v3.npy"):
        h = parse_header(open(os.path.join(HERE, name), "rb").read())
        print(f"{name}: version {h['version']}, header-length field "
              f"{h['len_width']} bytes little-endian, HEADER_LEN={h['header_len']}, "
              f"data offset {h['data_offset']}")
        print("  " + repr(h["header_bytes"]))


def self_check(expected):
    total = 0
    for e in expected:
        path = os.path.join(HERE, e["file"])
        size = os.path.getsize(path)
        total += size
        assert size < 4096, (e["file"], size)
        if e["file"].endswith(".npy") and e.get("values") is not None:
            arr = np.load(path)
            assert list(arr.shape) == e["shape"]
            assert json_values(arr) == e["values"], e["file"]
            assert arr.dtype.str == e["descr"]
            if e["ok"]:
                assert arr.dtype.str in ("<f4", "<f8") and arr.ndim == 2
        if e["file"] in ("truncated.npy", "bad_magic.npy", "header_truncated.npy"):
            try:
                np.load(path)
            except Exception:
                pass
            else:
                raise AssertionError(f"{e['file']} unexpectedly loaded")
    for extra in ("expected.json",):
        size = os.path.getsize(os.path.join(HERE, extra))
        assert size < 4096, (extra, size)
        total += size
    assert total < 100 * 1024, total


if __name__ == "__main__":
    main()
