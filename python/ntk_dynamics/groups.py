"""Directories of several runs: a width list, a sweep (or a merge of its shards), a kernel study.

Each has ``table`` (widths.csv, sweep.csv, kernel.csv), ``axes`` (each axis's name and values, in order) and
``stack(column)``: the column on those axes, and for a steps.csv column also over ``step``.
"""

from pathlib import Path

import numpy as np

from .errors import ReaderError
from .files import format_version, read_config, read_json
from .run import Arrays, Run
from .stack import labelled, stack_rows, stack_steps
from .table import Table

#: Keys of sweep_config.json that shards of one sweep may hold differently: merge does not compare
#: ``version`` and ``shard``, and compares an η derived from η_crit with a tolerance (Docs/Sweep.md).
_SHARD_KEYS = frozenset({"version", "shard", "format_version", "lr", "lr_source", "lr_per_network"})


def _optional_table(path, strict):
    return Table(path, strict=strict) if path.is_file() else None


def _pick(runs, where, what):
    """The one run whose cell matches ``where`` (coordinates compared as numbers or text)."""
    hits = [run for run in runs if all(_same(run.cell.get(k), v) for k, v in where.items())]
    if len(hits) != 1:
        found = "no run" if not hits else f"{len(hits)} runs"
        raise KeyError(f"{what} has {found} with {where}; give every axis: {', '.join(sorted(runs[0].cell)) if runs else 'it has no runs'}")
    return hits[0]


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float, np.integer, np.floating)):
        return float(a) == float(b)
    return a == b


class _Grid:
    """What a width list and a sweep share: runs on axes, a table, ``stack`` and ``run``."""

    table = None
    runs = ()

    def _stack(self, column, source, xarray):
        if source not in ("auto", "steps", "table"):
            raise ValueError(f'source must be "auto", "steps" or "table", not {source!r}')
        if source == "auto":
            source = "table" if self.table is not None and column in self.table else "steps"
        if source == "table":
            if self.table is None:
                raise ReaderError(f"{self.path} has no {self._table_name}, so there is no table to stack {column!r} from")
            values, dims, coords = stack_rows(self.table, self.axes, column, self.path / self._table_name)
        else:
            self._check_runs(column)
            values, dims, coords = stack_steps([(run.cell, run) for run in self.runs], self.axes, column)
        return labelled(values, dims, coords, column, xarray)

    def _check_runs(self, column):
        pass

    def run(self, **where):
        """The run at the given coordinates: ``wl.run(width=256)``, ``sweep.run(width=64, seed=0, output_scale=0.1)``."""
        return _pick(self.runs, where, self.path)


class WidthList(_Grid):
    """A width list (``--width 64,256,1024 --out OUT``): ``runs`` (one Run per ``w<width>/``, by width), ``table``
    (widths.csv, None before the first width finished), ``axes`` ``{"width": ...}``."""

    kind = "width list"
    _table_name = "widths.csv"

    def __init__(self, path, strict=True):
        self.path = Path(path)
        self.table = _optional_table(self.path / "widths.csv", strict)
        self.runs = sorted((Run(p, strict=strict) for p in run_folders(self.path)), key=lambda r: r.config.get("width"))
        widths = {run.config.get("width") for run in self.runs}
        if self.table is not None:
            widths |= set(self.table["width"].tolist())
        self.axes = {"width": np.array(sorted(widths), dtype=np.int64)}

    def stack(self, column, source="auto", xarray=None):
        """``column`` on the width axis: from widths.csv, shape (W,), or from each run's steps.csv, shape (W, S) with the
        ``step`` axis. ``source`` forces ``"table"`` or ``"steps"``; ``xarray=False`` returns a Stacked even when
        xarray is installed. Missing values are NaN."""
        return self._stack(column, source, xarray)

    def __repr__(self):
        return f"<WidthList {self.path}: widths {self.axes['width'].tolist()}>"


def run_folders(path):
    """The ``w<width>/`` folders of a width list holding a run, as the tool finds them (Sources/NTKDynamics/Report/RunLogs.swift)."""
    def is_run(p):
        return p.is_dir() and p.name[:1] == "w" and p.name[1:].isdigit() and int(p.name[1:]) > 0 \
            and ((p / "config.json").is_file() or (p / "steps.csv").is_file())
    return sorted(p for p in path.iterdir() if is_run(p))


class Sweep(_Grid):
    """A sweep (``kind`` ``"sweep"``) or a merge of its shards (``"merge"``): ``config`` (sweep_config.json), ``summary``
    (sweep_summary.json, None until written), ``table`` (sweep.csv), ``runs`` and ``axes``.

    The axes are those the sweep has, in this order: ``parameterization``, ``output_scale``, ``depth`` (each only with
    its option), then ``width`` and ``seed``. A merge keeps no runs: pass the shard directories as ``shards`` to read
    its runs from theirs.
    """

    _table_name = "sweep.csv"

    def __init__(self, path, shards=None, strict=True):
        self.path = Path(path)
        self.config = read_config(self.path / "sweep_config.json")
        self.format_version = format_version(self.config, self.path / "sweep_config.json")
        self.merged = self.config.get("shard") == "merged"
        self.kind = "merge" if self.merged else "sweep"
        summary = self.path / "sweep_summary.json"
        self.summary = read_json(summary) if summary.is_file() else None
        self.table = _optional_table(self.path / "sweep.csv", strict)
        self.axes = sweep_axes(self.config)
        if shards is not None and not self.merged:
            raise ReaderError(f"{self.path} is a sweep with its own runs/ (shard {self.config.get('shard')}); shards= is for a merge")
        self.shards = [Sweep(s, strict=strict) for s in shards] if shards is not None else []
        for shard in self.shards:
            self._check_shard(shard)
        folders = [] if self.merged else sweep_run_folders(self.path)
        self.runs = [run for shard in self.shards for run in shard.runs] or [Run(p, strict=strict) for p in folders]

    def _check_shard(self, shard):
        if shard.merged:
            raise ReaderError(f"{shard.path} is itself a merge; shards= takes the directories the shards wrote")
        for key in sorted((set(self.config) | set(shard.config)) - _SHARD_KEYS):
            if self.config.get(key) != shard.config.get(key):
                raise ReaderError(f"{shard.path} is not a shard of {self.path}: their sweep_config.json differ in {key!r}")

    def _check_runs(self, column):
        if self.merged and not self.runs:
            columns = ", ".join(self.table.columns) if self.table is not None else "none: sweep.csv is missing"
            raise ReaderError(f"{self.path} is a merge, which keeps no runs/, and {column!r} is not a sweep.csv column (those are "
                              f"{columns}). For a steps.csv column pass the shard directories: load({str(self.path)!r}, shards=[...])")

    def stack(self, column, source="auto", xarray=None):
        """``column`` on the sweep's axes: a sweep.csv column, shape (axes…), or a steps.csv column, shape (axes…, S) with
        the ``step`` axis last. ``source`` forces ``"table"`` or ``"steps"``; ``xarray=False`` returns a Stacked even when
        xarray is installed. A cell without a row (not run, in another shard) is NaN."""
        return self._stack(column, source, xarray)

    def __repr__(self):
        axes = ", ".join(f"{d} {len(v)}" for d, v in self.axes.items())
        return f"<Sweep {self.path} ({self.kind}, shard {self.config.get('shard')}): {axes}; {len(self.runs)} runs>"


def sweep_axes(config):
    """The axes of a sweep from its sweep_config.json (Docs/LogFormat.md, "sweep_config.json")."""
    axes = {}
    for key, dim in (("parameterizations", "parameterization"), ("output_scales", "output_scale"), ("depths", "depth")):
        if key in config:
            axes[dim] = np.array(config[key])
    axes["width"] = np.array(config.get("widths", []), dtype=np.int64)
    axes["seed"] = np.array(config.get("seeds", []), dtype=np.int64)
    return axes


def sweep_run_folders(path):
    """The run folders under ``runs/`` (each holds the config.json a run writes first)."""
    runs = path / "runs"
    return sorted(p for p in runs.iterdir() if (p / "config.json").is_file()) if runs.is_dir() else []


class KernelStudy:
    """A kernel study (``ntk-dynamics kernel``, Docs/InfiniteWidth.md#run-directory): ``config``, ``summary``, ``table``
    (kernel.csv, one row per width and seed), ``arrays`` and ``axes`` ``{"width", "seed"}``."""

    kind = "kernel"

    def __init__(self, path, strict=True):
        self.path = Path(path)
        self.config = read_config(self.path / "config.json")
        self.format_version = format_version(self.config, self.path / "config.json")
        summary = self.path / "summary.json"
        self.summary = read_json(summary) if summary.is_file() else None
        self.table = _optional_table(self.path / "kernel.csv", strict)
        self.arrays = Arrays(self.path / "arrays")
        # Initialization i of every width draws from seed `seed + i` (Sources/NTKDynamics/Dynamics/KernelStudy.swift).
        first, count = self.config.get("seed", 0), self.config.get("seeds", 0)
        self.axes = {"width": np.array(self.config.get("widths", []), dtype=np.int64),
                     "seed": np.arange(first, first + count, dtype=np.int64)}

    def stack(self, column, source="auto", xarray=None):
        """A kernel.csv column on (width, seed), e.g. ``relative_error`` = ‖K₀ − Θ‖_F/‖Θ‖_F; NaN for a cell without a row.
        A kernel study has no steps: ``source`` may only be ``"auto"`` or ``"table"``."""
        if source not in ("auto", "table"):
            raise ValueError(f'a kernel study has only its table: source must be "auto" or "table", not {source!r}')
        if self.table is None:
            raise ReaderError(f"{self.path} has no kernel.csv (the study did not finish)")
        values, dims, coords = stack_rows(self.table, self.axes, column, self.path / "kernel.csv")
        return labelled(values, dims, coords, column, xarray)

    def __repr__(self):
        return f"<KernelStudy {self.path}: widths {self.axes['width'].tolist()}, {len(self.axes['seed'])} seeds>"
