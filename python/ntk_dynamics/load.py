"""Which kind of output a directory holds, and ``load``."""

from pathlib import Path

from .errors import NotAnOutputError, ReaderError
from .files import read_config
from .groups import KernelStudy, Sweep, WidthList, run_folders
from .run import Run


def kind(path):
    """``"run"``, ``"width list"``, ``"sweep"``, ``"merge"`` or ``"kernel"``: the kind of output in ``path``.

    The rules are the tool's (Sources/NTKDynamics/Report/RunLogs.swift, ``RunLogs.kind``): sweep_config.json makes a
    sweep (a merge when its ``shard`` is ``"merged"``); else widths.csv a width list; else a config.json with
    ``"subcommand": "kernel"``, or a kernel.csv without steps.csv, a kernel study; else config.json or steps.csv a run;
    else ``w<width>/`` folders holding runs a width list (one cut short before its first widths.csv).
    Raises NotAnOutputError for a directory with none of these.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if not path.is_dir():
        raise NotAnOutputError(f"{path} is a file; load takes the directory ntk-dynamics wrote (the --out of a run, width "
                               "list, sweep, merge or kernel study)")
    def has(name):
        return (path / name).is_file()
    if has("sweep_config.json"):
        return "merge" if read_config(path / "sweep_config.json").get("shard") == "merged" else "sweep"
    if has("widths.csv"):
        return "width list"
    subcommand = read_config(path / "config.json").get("subcommand") if has("config.json") else None
    if subcommand not in (None, "kernel"):
        raise ReaderError(f"{path / 'config.json'} says it was written by `ntk-dynamics {subcommand}`, whose output "
                          "this reader does not know (it reads runs, width lists, sweeps, merges and kernel studies)")
    if subcommand == "kernel" or (has("kernel.csv") and not has("steps.csv")):
        return "kernel"
    if has("config.json") or has("steps.csv"):
        return "run"
    if run_folders(path):
        return "width list"
    held = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
    raise NotAnOutputError(f"{path} holds no output of ntk-dynamics: it has no config.json, sweep_config.json or widths.csv "
                           f"({'it is empty' if not held else 'it holds ' + ', '.join(held[:6]) + (' …' if len(held) > 6 else '')})")


def load(path, *, shards=None, strict=True):
    """The output of ntk-dynamics in ``path``: a Run, WidthList, Sweep or KernelStudy (see ``kind``).

    ``shards``: for a merge, the shard directories whose ``runs/`` hold its runs (a merge keeps none).
    ``strict``: a CSV whose last row was cut short (a write that failed partway) is an error; with
    ``strict=False`` that row is left out with a warning, as the tool's report does.
    Raises FileNotFoundError, NotAnOutputError, FormatVersionError (a ``format_version`` other than 1 or 2) and
    DamagedFileError (a file cut off or edited), each naming the file.
    """
    what = kind(path)
    if shards is not None and what != "merge":
        raise ReaderError(f"{path} is a {what}; shards= is for a merge (shard \"merged\" in sweep_config.json)")
    if what in ("sweep", "merge"):
        return Sweep(path, shards=shards, strict=strict)
    if what == "width list":
        return WidthList(path, strict=strict)
    if what == "kernel":
        return KernelStudy(path, strict=strict)
    return Run(path, strict=strict)
