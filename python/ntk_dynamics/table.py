"""Tables: a CSV log as columns (``Table``), and modes.csv turned wide, step × mode (``Modes``)."""

from pathlib import Path

import numpy as np

from .errors import DamagedFileError
from .files import read_csv


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("to_pandas() needs pandas: pip install pandas (the reader itself needs only numpy)") from None
    return pandas


class _Columns:
    """Columns by name, in file order: ``self._columns`` maps each name to its array."""

    _columns = {}

    @property
    def columns(self):
        """The column names, in the order of the file."""
        return list(self._columns)

    def __getitem__(self, name):
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(f"{self.path.name} has no column {name!r}; its columns are {', '.join(self._columns)}") from None

    def __contains__(self, name):
        return name in self._columns

    def __iter__(self):
        return iter(self._columns)

    def keys(self):
        return list(self._columns)

    def items(self):
        return list(self._columns.items())

    def get(self, name, default=None):
        return self._columns.get(name, default)


class Table(_Columns):
    """A CSV log read by column name: ``table["gap"]`` is a numpy array with one entry per row.

    Iterating gives the column names in header order and ``len(table)`` the number of rows, as for a pandas
    DataFrame. Columns the reader does not know (added by a later version of the tool) are kept.
    """

    def __init__(self, path, strict=True):
        self.path = Path(path)
        header, columns = read_csv(self.path, strict=strict)
        self._columns = {name: columns[name] for name in header}

    def __len__(self):
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def to_pandas(self):
        """The table as a pandas DataFrame (needs pandas), columns in header order."""
        return _pandas().DataFrame(self._columns, columns=self.columns)

    def __repr__(self):
        return f"<Table {self.path}: {len(self)} rows × {len(self._columns)} columns>"


class Modes(_Columns):
    """modes.csv in wide form: ``modes["residual_gd"][i, j]`` is the value at step ``modes.step[i]`` of mode ``modes.mode[j]``.

    ``step`` has shape (S,) (the logged steps, ascending), ``mode`` shape (K,) (0 = the largest eigenvalue of
    K̃₀), and every other column of the file (``eigenvalue``, ``residual_gd``, ``residual_ntk``, and any the
    reader does not know) shape (S, K); ``columns`` lists them. A (step, mode) pair the file does not have is NaN.
    """

    def __init__(self, path, strict=True):
        table = Table(path, strict=strict)
        self.path = table.path
        steps, modes = table["step"], table["mode"]
        self.step = np.unique(steps).astype(np.int64)
        self.mode = np.unique(modes).astype(np.int64)
        rows = np.searchsorted(self.step, steps)
        cols = np.searchsorted(self.mode, modes)
        if len(set(zip(rows.tolist(), cols.tolist()))) != len(table):
            raise DamagedFileError(f"{self.path}: a (step, mode) pair appears twice: the file is damaged or two runs were joined")
        self._columns = {}
        for name in table.columns:
            if name in ("step", "mode"):
                continue
            column = table[name]
            numeric = column.dtype.kind in "fi"
            wide = np.full((len(self.step), len(self.mode)), np.nan if numeric else None, dtype=np.float64 if numeric else object)
            wide[rows, cols] = column
            self._columns[name] = wide

    def to_pandas(self, column):
        """One column as a pandas DataFrame: index ``step``, one column per ``mode`` (needs pandas)."""
        pd = _pandas()
        return pd.DataFrame(self[column], index=pd.Index(self.step, name="step"), columns=pd.Index(self.mode, name="mode"))

    def __repr__(self):
        return f"<Modes {self.path}: {len(self.step)} steps × {len(self.mode)} modes, {', '.join(self._columns)}>"
