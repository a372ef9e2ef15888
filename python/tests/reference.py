"""Independent readers for the tests: the csv module, json and a minimal .npy parser (not numpy.load), written
from Docs/LogFormat.md and the NumPy format description, never from the reader's code."""

import ast
import csv
import json
import math
import struct

import numpy as np


#: The text columns Docs/LogFormat.md names: a status, a parameterization, a folder, a fit status, a regime, a phase.
TEXT = frozenset({"status", "parameterization", "directory", "fit_status", "momentum_regime", "phase", "architecture"})


def rows(path):
    """A CSV file as (header, [dict per row]) with the cells as text."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [dict(zip(header, r)) for r in reader]


def number(cell):
    """A cell as Docs/LogFormat.md defines it: empty = not measured (NaN), else a float ("nan", "inf" parse)."""
    return math.nan if cell == "" else float(cell)


def json_file(path):
    with open(path) as f:
        return json.load(f)


def npy(path):
    """A version-1.0 .npy file: magic, version, little-endian header length, a dict literal, then the raw data."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY" and data[6:8] == b"\x01\x00", path
    (length,) = struct.unpack("<H", data[8:10])
    header = ast.literal_eval(data[10:10 + length].decode("latin1"))
    assert header["fortran_order"] is False
    body = data[10 + length:]
    return np.frombuffer(body, dtype=np.dtype(header["descr"])).reshape(header["shape"])


def same(a, b):
    """Equal as numbers, NaN equal to NaN (the files hold the same decimal, so the same double)."""
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b
