"""Arrays indexed by the axes of a width list, a sweep or a kernel study (``stack``).

The reader only places values that the files hold: nothing is computed. A cell the directory has no value
for (a run that did not finish, a step a diverged run never reached, a shard not given) is NaN.
"""

import numpy as np

from .errors import DamagedFileError


class Stacked:
    """A labelled array, what ``stack`` returns when xarray is not installed.

    ``values`` is the numpy array, ``dims`` the name of each of its axes, ``coords[dim]`` the coordinate values
    along that axis (a numpy array), ``name`` the column. ``np.asarray(stacked)`` gives ``values``.
    """

    def __init__(self, values, dims, coords, name):
        self.values = values
        self.dims = tuple(dims)
        self.coords = {dim: np.asarray(coords[dim]) for dim in self.dims}
        self.name = name

    @property
    def shape(self):
        return self.values.shape

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def sel(self, **where):
        """The sub-array at the given coordinate values, those axes dropped: ``s.sel(width=256, seed=0)``."""
        index, dims = [], []
        for dim in self.dims:
            if dim in where:
                hits = np.flatnonzero(self.coords[dim] == where[dim])
                if hits.size == 0:
                    raise KeyError(f"{dim} = {where[dim]!r} is not on the axis; its values are {list(self.coords[dim])}")
                index.append(int(hits[0]))
            else:
                index.append(slice(None))
                dims.append(dim)
        unknown = set(where) - set(self.dims)
        if unknown:
            raise KeyError(f"no axis named {', '.join(sorted(unknown))}; the axes are {', '.join(self.dims)}")
        return Stacked(self.values[tuple(index)], dims, self.coords, self.name)

    def to_xarray(self):
        """The same array as an xarray DataArray (needs xarray)."""
        xr = _xarray(required=True)
        return xr.DataArray(self.values, dims=self.dims, coords=self.coords, name=self.name)

    def __repr__(self):
        axes = ", ".join(f"{d}: {n}" for d, n in zip(self.dims, self.values.shape))
        return f"<Stacked {self.name!r} ({axes})>"


def _xarray(required):
    try:
        import xarray
    except ImportError:
        if required:
            raise ImportError("this needs xarray: pip install xarray (the reader itself needs only numpy)") from None
        return None
    return xarray


def labelled(values, dims, coords, name, xarray):
    """``values`` with its axes: an xarray DataArray when ``xarray`` is True, or None and xarray is installed; else Stacked."""
    stacked = Stacked(values, dims, coords, name)
    if xarray is False or (xarray is None and _xarray(required=False) is None):
        return stacked
    return stacked.to_xarray()


class AxisIndex:
    """The position of a cell on the axes: ``dims`` in order, each with its coordinate values."""

    def __init__(self, axes):
        self.axes = dict(axes)
        self.dims = list(self.axes)
        self._position = {dim: {_key(v): i for i, v in enumerate(values)} for dim, values in self.axes.items()}

    @property
    def shape(self):
        return tuple(len(self.axes[d]) for d in self.dims)

    def index(self, cell, where):
        """The index tuple of ``cell`` (a dict with a value per dim); DamagedFileError naming ``where`` when off the axes."""
        index = []
        for dim in self.dims:
            value = cell.get(dim)
            position = self._position[dim].get(_key(value))
            if position is None:
                raise DamagedFileError(f"{where}: {dim} = {value!r} is not one of the {dim} values {list(self.axes[dim])} of its "
                                       "directory's configuration: a file is damaged, or outputs of another command were put here")
            index.append(position)
        return tuple(index)


def _key(value):
    """Coordinate values compare as numbers (1 and 1.0 alike) or as text."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return value


def _empty(shape, text):
    return np.full(shape, None, dtype=object) if text else np.full(shape, np.nan)


def stack_rows(table, axes, column, where):
    """One column of ``table`` (a Table with a column per dim) placed on ``axes``; a cell without a row is NaN."""
    cells = AxisIndex(axes)
    values = table[column]
    text = values.dtype.kind not in "fi"
    out = _empty(cells.shape, text)
    seen = set()
    for row in range(len(table)):
        cell = {dim: _scalar(table[dim][row]) for dim in cells.dims}
        index = cells.index(cell, f"{where}, row {row + 1}")
        if index in seen:
            raise DamagedFileError(f"{where}: two rows for the cell {cell}: the file is damaged or was joined by hand")
        seen.add(index)
        out[index] = values[row]
    return out, cells.dims, cells.axes


def stack_steps(runs, axes, column):
    """``column`` of each run's steps.csv on ``axes`` × step. ``runs`` are (cell, Run) pairs; the step axis is
    every step any run logged, ascending; a run that has no row for a step (it diverged, or stopped) is NaN there."""
    cells = AxisIndex(axes)
    having = [(cell, run) for cell, run in runs if column in run.steps]
    if not having:
        if not runs:
            raise KeyError(f"there are no runs to stack {column!r} over")
        names = runs[0][1].steps.columns
        raise KeyError(f"no run's steps.csv has a column {column!r}; the columns are {', '.join(names)}")
    steps = np.unique(np.concatenate([run.steps["step"] for _, run in having])).astype(np.int64)
    text = any(run.steps[column].dtype.kind not in "fi" for _, run in having)
    out = _empty(cells.shape + (len(steps),), text)
    seen = set()
    for cell, run in having:
        index = cells.index(cell, run.path / "config.json")
        if index in seen:
            raise DamagedFileError(f"{run.path}: a second run of the cell {cell}: outputs of another command were put here")
        seen.add(index)
        out[index + (np.searchsorted(steps, run.steps["step"]),)] = run.steps[column]
    axes = dict(cells.axes)
    axes["step"] = steps
    return out, cells.dims + ["step"], axes


def _scalar(value):
    return value.item() if isinstance(value, np.generic) else value
