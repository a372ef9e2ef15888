"""One run directory (Docs/LogFormat.md, "A run directory")."""

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

from .errors import DamagedFileError
from .files import format_version, load_npy, read_config, read_json
from .table import Modes, Table


class Arrays(Mapping):
    """The ``arrays/*.npy`` files of a directory, each read the first time it is asked for.

    Keys are the paths under ``arrays/`` without ``.npy``: ``"ntk_init"``, ``"params_init/W0"``. A directory
    without ``arrays/`` (a sweep run without ``--keep-arrays``) has no keys.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        files = sorted(self.folder.rglob("*.npy")) if self.folder.is_dir() else []
        self._files = {p.relative_to(self.folder).with_suffix("").as_posix(): p for p in files if not p.name.startswith(".")}
        self._loaded = {}

    def __getitem__(self, name):
        if name not in self._files:
            listed = ", ".join(self._files) or "none (no arrays/ folder)"
            raise KeyError(f"{self.folder} has no array {name!r}; it has {listed}")
        if name not in self._loaded:
            self._loaded[name] = load_npy(self._files[name])
        return self._loaded[name]

    def __contains__(self, name):          # without reading the file, as Mapping's would
        return name in self._files

    def __iter__(self):
        return iter(self._files)

    def __len__(self):
        return len(self._files)

    def path(self, name):
        """The file of array ``name``, for reading it another way (``np.load(..., mmap_mode="r")``)."""
        if name not in self._files:
            self[name]                      # raises the KeyError that lists the arrays
        return self._files[name]

    def __repr__(self):
        return f"<Arrays {self.folder}: {', '.join(self._files) or 'none'}>"


class Run:
    """A run directory: ``config`` and ``summary`` (dicts), ``steps`` and ``spectrum`` (Tables), ``modes`` (wide, step ×
    mode) and ``arrays`` (read when asked for).

    The CSV files are read the first time they are used. ``summary`` is None for a run that has no summary.json
    (still going, or killed), ``spectrum`` None when spectrum.csv is missing for the same reason.
    """

    kind = "run"

    def __init__(self, path, strict=True):
        self.path = Path(path)
        self.strict = strict
        config = self.path / "config.json"
        if not config.is_file():
            raise DamagedFileError(f"{self.path} has no config.json, which a run writes first: it is not a whole run directory")
        self.config = read_config(config)
        self.format_version = format_version(self.config, config)
        summary = self.path / "summary.json"
        self.summary = read_json(summary) if summary.is_file() else None
        self.arrays = Arrays(self.path / "arrays")

    @property
    def status(self):
        """``summary["status"]`` (``completed``, ``diverged``, ``interrupted``), or None without a summary."""
        return None if self.summary is None else self.summary.get("status")

    @property
    def cell(self):
        """Where the run sits on a sweep's axes, from its config: ``width``, ``seed``, ``parameterization``, ``output_scale``,
        ``depth`` (``output_scale`` None for the plain network)."""
        return {key: self.config.get(key) for key in ("parameterization", "output_scale", "depth", "width", "seed")}

    @cached_property
    def steps(self):
        """steps.csv: one row per logged step, by column name."""
        return self._table("steps.csv", required=True)

    @cached_property
    def spectrum(self):
        """spectrum.csv: one row per eigenvalue of K̃₀, or None when the file was not written (the run did not end)."""
        return self._table("spectrum.csv", required=False)

    @cached_property
    def modes(self):
        """modes.csv, wide: ``modes.step`` (S,), ``modes.mode`` (K,), ``modes["residual_gd"]`` (S, K)."""
        path = self.path / "modes.csv"
        if not path.is_file():
            raise DamagedFileError(f"{path} is missing: a run writes its header right after config.json; the directory is damaged")
        return Modes(path, strict=self.strict)

    def _table(self, name, required):
        path = self.path / name
        if not path.is_file():
            if required:
                raise DamagedFileError(f"{path} is missing: a run writes its header right after config.json; the directory is damaged")
            return None
        return Table(path, strict=self.strict)

    def __repr__(self):
        return f"<Run {self.path}: width {self.config.get('width')}, {self.status or 'no summary'}>"
