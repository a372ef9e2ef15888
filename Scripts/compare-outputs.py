#!/usr/bin/env python3
"""Compares two trees of ntk-dynamics output directories, number for number.

    Scripts/compare-outputs.py BEFORE AFTER

BEFORE was written by an earlier build, AFTER by the current one, with the same commands. Every file
of BEFORE must exist in AFTER with the same content, except what a change may legitimately alter:

* CSV files: every column of BEFORE exists in AFTER with identical cells (new columns are allowed);
  timing columns (`time`, `wall_time`, `seconds`, `*_seconds`) are ignored.
* JSON files: every key of BEFORE exists in AFTER with an identical value (new keys are allowed), except
  timings (keys ending in `_seconds`, `wall_time`), the command line, the tool version and the OpenBLAS
  keys (`blas_*`), which describe the sitting rather than the numbers.
* `.npy` arrays: identical bytes.
* `report.html`: not compared (it embeds timings and layout, and is redrawn from the files above).

Numbers are compared as written, so "the same numbers" means bit for bit. Exits 0 when the trees agree,
1 with one line per difference otherwise. Used by Scripts/check-reproduction.sh.
"""
import csv
import json
import os
import sys

def ignored_column(name):
    return name in {"time", "wall_time", "seconds"} or name.endswith("_seconds")
IGNORED_FILES = {"report.html"}


def ignored_key(key):
    return (key.endswith("_seconds") or key in {"wall_time", "command", "version", "time"}
            or key.startswith("blas_"))


def compare_json(a, b, path, diffs):
    if isinstance(a, dict):
        if not isinstance(b, dict):
            diffs.append(f"{path}: object became {type(b).__name__}")
            return
        for key, value in a.items():
            if ignored_key(key):
                continue
            if key not in b:
                diffs.append(f"{path}.{key}: missing")
            else:
                compare_json(value, b[key], f"{path}.{key}", diffs)
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            diffs.append(f"{path}: list differs in type or length")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare_json(x, y, f"{path}[{i}]", diffs)
    elif a != b or type(a) is not type(b):
        diffs.append(f"{path}: {a!r} became {b!r}")


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return (rows[0], rows[1:]) if rows else ([], [])


def compare_csv(before, after, rel, diffs):
    head_a, rows_a = read_csv(before)
    head_b, rows_b = read_csv(after)
    if len(rows_a) != len(rows_b):
        diffs.append(f"{rel}: {len(rows_a)} rows became {len(rows_b)}")
        return
    for j, name in enumerate(head_a):
        if ignored_column(name):
            continue
        if name not in head_b:
            diffs.append(f"{rel}: column {name} missing")
            continue
        k = head_b.index(name)
        for i, (ra, rb) in enumerate(zip(rows_a, rows_b)):
            if ra[j] != rb[k]:
                diffs.append(f"{rel}: row {i + 1} column {name}: {ra[j]} became {rb[k]}")
                break


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    before, after = sys.argv[1:]
    diffs, compared = [], 0
    for root, _, files in os.walk(before):
        for name in sorted(files):
            if name in IGNORED_FILES:
                continue
            a = os.path.join(root, name)
            rel = os.path.relpath(a, before)
            b = os.path.join(after, rel)
            if not os.path.exists(b):
                diffs.append(f"{rel}: missing")
                continue
            compared += 1
            if name.endswith(".json"):
                with open(a) as fa, open(b) as fb:
                    compare_json(json.load(fa), json.load(fb), rel, diffs)
            elif name.endswith(".csv"):
                compare_csv(a, b, rel, diffs)
            else:
                with open(a, "rb") as fa, open(b, "rb") as fb:
                    if fa.read() != fb.read():
                        diffs.append(f"{rel}: bytes differ")
    for d in diffs:
        print(d)
    print(f"{compared} files compared, {len(diffs)} differences")
    return 1 if diffs or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
