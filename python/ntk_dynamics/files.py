"""Reading the three kinds of file ntk-dynamics writes: JSON, CSV and NumPy ``.npy`` (Docs/LogFormat.md).

Nothing here knows what a column means beyond its type: columns are read by the name in the header row,
and a column the reader does not know is kept like any other.
"""

import csv
import io
import json
import warnings
from pathlib import Path

import numpy as np

from .errors import DamagedFileError, FormatVersionError, NotAnOutputError

#: The values of ``format_version`` this reader reads. A config without the key is format 1.
SUPPORTED_FORMAT_VERSIONS = (1, 2)

#: Columns that hold text (Docs/LogFormat.md): a status, a parameterization, a folder, a fit status, a regime, a phase.
TEXT_COLUMNS = frozenset({"status", "parameterization", "directory", "fit_status", "momentum_regime", "phase", "architecture"})

#: Columns written as integers without a decimal point (Docs/LogFormat.md, "Number format"), and the sweep's depth.
INTEGER_COLUMNS = frozenset({"step", "mode", "fit_steps", "width", "seed", "depth"})


def read_json(path):
    """The JSON object in ``path`` as a dict (``null`` becomes ``None``).

    Raises FileNotFoundError when the file is missing and DamagedFileError when it is not one JSON object.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DamagedFileError(f"{path} is not UTF-8 text ({error}): the file is damaged; rerun the command that wrote it") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        what = "is empty" if not text.strip() else f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        raise DamagedFileError(f"{path} {what}: the file was cut off or edited; rerun the command that wrote it") from None
    if not isinstance(value, dict):
        raise DamagedFileError(f"{path} holds a JSON {type(value).__name__}, not the object ntk-dynamics writes")
    return value


def read_config(path):
    """A ``config.json`` or ``sweep_config.json`` the tool wrote: its object, after checking the marker and the version.

    Raises NotAnOutputError when the file lacks ``"tool": "ntk-dynamics"`` and FormatVersionError when its
    ``format_version`` is not one of SUPPORTED_FORMAT_VERSIONS.
    """
    path = Path(path)
    config = read_json(path)
    if config.get("tool") != "ntk-dynamics":
        raise NotAnOutputError(f'{path} was not written by ntk-dynamics: it has no "tool": "ntk-dynamics"')
    format_version(config, path)
    return config


def format_version(config, path):
    """``format_version`` of a config object: 1 when the key is absent (files written before it existed).

    Raises FormatVersionError, naming the file and the version, for any value but 1 and 2.
    """
    if "format_version" not in config:
        return 1
    version = config["format_version"]
    readable = " and ".join(str(v) for v in SUPPORTED_FORMAT_VERSIONS)
    if isinstance(version, bool) or not isinstance(version, int):
        raise FormatVersionError(f"{path}: format_version is {json.dumps(version)}, not an integer; this reader reads "
                                 f"format versions {readable}. The file was edited or damaged; rerun the command that wrote it.")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise FormatVersionError(f"{path} has format_version {version}, and this reader reads format versions {readable} only. "
                                 "Install the reader that comes with the ntk-dynamics that wrote it: pip install ./python "
                                 "in that version's checkout.")
    return version


def read_csv(path, strict=True):
    """A CSV log as ``(header, {column: array})``, columns in header order.

    Numbers become float64 (an empty cell is NaN), the integer columns int64 when no cell is empty, and text
    columns str. A last line without its newline is a row cut short by a write that failed partway
    (Docs/LogFormat.md, "Write order"): an error when ``strict``, else left out with a warning.
    Raises DamagedFileError naming the file and the line for an empty file, a row of the wrong length or a
    cell that is not a number in a column of numbers.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise DamagedFileError(f"{path} is not UTF-8 text ({error}): the file is damaged; rerun the command that wrote it") from None
    if not text:
        raise DamagedFileError(f"{path} is empty: it has no header row (the command that writes it stopped before its "
                               "first line); rerun that command")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
        if not lines or not lines[0]:
            raise DamagedFileError(f"{path} has no header row (its first line is empty): the file is damaged; rerun the command that wrote it")
    else:
        where = f"line {len(lines)} has no newline: a row cut short by a write that failed partway (e.g. a full disk)"
        if strict or len(lines) == 1:
            hint = "" if len(lines) == 1 else "; load(..., strict=False) leaves that row out"
            raise DamagedFileError(f"{path} ends in a {'header' if len(lines) == 1 else 'row'} cut short: {where}{hint}")
        warnings.warn(f"{path}: {where}; that row is left out", stacklevel=3)
        lines.pop()
    rows = list(csv.reader(io.StringIO("\n".join(lines) + "\n")))
    header, body = rows[0], rows[1:]
    if len(set(header)) != len(header):
        twice = sorted({name for name in header if header.count(name) > 1})
        raise DamagedFileError(f"{path}: the header names {', '.join(twice)} more than once: the file is damaged")
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DamagedFileError(f"{path}, line {number}: {len(row)} cells where the header has {len(header)}: "
                                   "the file is damaged or was edited; rerun the command that wrote it")
    return header, {name: _column(path, name, [row[j] for row in body]) for j, name in enumerate(header)}


def _column(path, name, cells):
    """One CSV column as an array: str for text, int64 for whole integer columns, float64 (NaN for empty) otherwise."""
    if name in TEXT_COLUMNS:
        return np.array(cells, dtype=str)
    if name in INTEGER_COLUMNS and cells and all(_is_integer(c) for c in cells):
        return np.array([int(c) for c in cells], dtype=np.int64)
    values, bad = [], None
    for line, cell in enumerate(cells, start=2):
        try:
            values.append(float(cell) if cell else np.nan)
        except ValueError:
            values.append(np.nan)
            bad = bad or (line, cell)
    if bad is None:
        return np.array(values, dtype=np.float64)
    if all(not c or not _is_number(c) for c in cells):
        return np.array(cells, dtype=str)          # a text column this reader does not know: kept as text
    line, cell = bad
    raise DamagedFileError(f"{path}, line {line}, column {name}: {cell!r} is not a number: the file is damaged or was edited")


def _is_integer(cell):
    return cell.lstrip("-").isdigit()


def _is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def load_npy(path):
    """A ``.npy`` array (NumPy's own reader, no pickles); DamagedFileError naming the file when it is cut off."""
    path = Path(path)
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise DamagedFileError(f"{path} is damaged or truncated ({error}): the command that wrote it may have been killed, "
                               "or the file was copied in part; rerun that command") from None
