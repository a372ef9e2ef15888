"""Width lists, sweeps (two shards with two axes, and their merge) and kernel studies: tables and stacks against the
files read independently. Cells are located from the documented folder names and the tables' own columns."""

import math
import re

import numpy as np
import pytest

import ntk_dynamics as nd
from reference import TEXT, json_file, number, rows, same

SWEEP_DIMS = ("parameterization", "output_scale", "width", "seed")


def at(stacked, **where):
    """The value of a Stacked at the given coordinates, found with the coordinates alone."""
    index = tuple(int(np.flatnonzero(stacked.coords[d] == where[d])[0]) for d in stacked.dims)
    return stacked.values[index]


def check_table(table, path):
    header, expected = rows(path)
    assert table.columns == header and len(table) == len(expected)
    for column in header:
        for value, row in zip(table[column], expected):
            assert value == row[column] if column in TEXT else same(value, number(row[column]))


def test_a_width_list_reads_its_runs_and_table(outputs):
    wl = nd.load(outputs / "widths")
    assert wl.kind == "width list"
    check_table(wl.table, outputs / "widths" / "widths.csv")
    assert [run.path.name for run in wl.runs] == ["w8", "w16"]
    assert [run.config for run in wl.runs] == [json_file(outputs / "widths" / n / "config.json") for n in ("w8", "w16")]
    assert wl.axes["width"].tolist() == [8, 16]
    assert wl.run(width=16).path.name == "w16"


def test_a_width_list_stacks_steps_over_width_and_step(outputs):
    wl = nd.load(outputs / "widths")
    gap = wl.stack("gap", xarray=False)
    assert gap.dims == ("width", "step") and gap.coords["width"].tolist() == [8, 16]
    filled = 0
    for width in (8, 16):
        _, expected = rows(outputs / "widths" / f"w{width}" / "steps.csv")
        for row in expected:
            assert same(at(gap, width=width, step=int(row["step"])), number(row["gap"]))
            filled += 1
    assert gap.values.size == filled                   # both widths logged the same steps: nothing left NaN
    drift = wl.stack("max_kernel_drift", xarray=False)  # a widths.csv column: over width only
    assert drift.dims == ("width",)
    _, table = rows(outputs / "widths" / "widths.csv")
    for row in table:
        assert same(at(drift, width=int(row["width"])), number(row["max_kernel_drift"]))


def test_shards_and_merge_are_told_apart(outputs):
    shard, merged = nd.load(outputs / "shard-0"), nd.load(outputs / "merged")
    assert (shard.kind, shard.merged, merged.kind, merged.merged) == ("sweep", False, "merge", True)
    assert merged.config == json_file(outputs / "merged" / "sweep_config.json")
    assert merged.summary == json_file(outputs / "merged" / "sweep_summary.json")
    assert merged.runs == [] and len(shard.runs) == 8
    check_table(merged.table, outputs / "merged" / "sweep.csv")
    assert list(merged.axes) == list(SWEEP_DIMS)
    assert merged.axes["parameterization"].tolist() == ["ntk", "mup"]
    assert merged.axes["output_scale"].tolist() == [0.5, 2.0]
    assert merged.axes["seed"].tolist() == [0, 1]


def test_a_table_column_stacks_on_the_sweep_axes(outputs):
    drift = nd.load(outputs / "merged").stack("max_kernel_drift", xarray=False)
    assert drift.dims == SWEEP_DIMS and drift.shape == (2, 2, 2, 2)
    _, expected = rows(outputs / "merged" / "sweep.csv")
    assert len(expected) == 16 == np.count_nonzero(~np.isnan(drift.values))
    for row in expected:
        cell = dict(parameterization=row["parameterization"], output_scale=float(row["output_scale"]),
                    width=int(row["width"]), seed=int(row["seed"]))
        assert same(at(drift, **cell), number(row["max_kernel_drift"]))
    assert np.array_equal(drift.sel(parameterization="mup", width=8, seed=1).values,
                          [at(drift, parameterization="mup", output_scale=a, width=8, seed=1) for a in (0.5, 2.0)])


FOLDER = re.compile(r"^(ntk|mup)-a([0-9.e+-]+)-w(\d+)-s(\d+)$")   # Docs/LogFormat.md, "Sweep directories"


def shard_steps(outputs, column):
    """(cell, step, value) of every row of every run of both shards, the cell parsed from the folder name."""
    found = []
    for shard in ("shard-0", "shard-1"):
        for folder in sorted((outputs / shard / "runs").iterdir()):
            p, a, w, s = FOLDER.match(folder.name).groups()
            cell = dict(parameterization=p, output_scale=float(a), width=int(w), seed=int(s))
            found += [(cell, int(r["step"]), number(r[column])) for r in rows(folder / "steps.csv")[1]]
    return found


def test_a_merge_given_its_shards_stacks_every_run_over_step(outputs):
    merged = nd.load(outputs / "merged", shards=[outputs / "shard-0", outputs / "shard-1"])
    assert len(merged.runs) == 16
    drift = merged.stack("kernel_drift", xarray=False)
    assert drift.dims == SWEEP_DIMS + ("step",) and drift.coords["step"].tolist() == list(range(21))
    found = shard_steps(outputs, "kernel_drift")
    assert len(found) == 16 * 21
    for cell, step, value in found:
        assert same(at(drift, step=step, **cell), value)
    # the run of one cell is the one in the folder of that name
    run = merged.run(parameterization="mup", output_scale=2, width=8, seed=1)
    assert run.path.name == "mup-a2-w8-s1"


def test_one_shard_leaves_the_other_shards_cells_nan(outputs):
    gap = nd.load(outputs / "shard-0").stack("gap", xarray=False)
    mine = {tuple(c.values()) for c, _, _ in shard_steps(outputs, "gap")[: 8 * 21]}
    assert len(mine) == 8
    for p in ("ntk", "mup"):
        for a in (0.5, 2.0):
            for w in (8, 16):
                for s in (0, 1):
                    row = gap.sel(parameterization=p, output_scale=a, width=w, seed=s).values
                    assert np.isnan(row).all() != ((p, a, w, s) in mine)


def test_a_merge_without_its_shards_says_how_to_read_steps(outputs):
    merged = nd.load(outputs / "merged")
    with pytest.raises(nd.ReaderError, match=r"keeps no runs/.*shards=\[\.\.\.\]"):
        merged.stack("train_loss_gd")
    with pytest.raises(nd.ReaderError, match="shards= is for a merge"):
        nd.load(outputs / "shard-0", shards=[outputs / "shard-1"])
    with pytest.raises(nd.ReaderError, match="itself a merge"):
        nd.load(outputs / "merged", shards=[outputs / "merged"])


def test_a_shard_of_another_sweep_is_refused(outputs, copy):
    other = copy("shard-1")
    config = json_file(other / "sweep_config.json")
    config["steps"] = 21
    (other / "sweep_config.json").write_text(__import__("json").dumps(config))
    with pytest.raises(nd.ReaderError, match="not a shard of .*differ in 'steps'"):
        nd.load(outputs / "merged", shards=[outputs / "shard-0", other])


def test_a_kernel_study_reads_its_table_arrays_and_stack(outputs):
    study = nd.load(outputs / "kernel")
    assert study.kind == "kernel"
    assert study.config == json_file(outputs / "kernel" / "config.json")
    assert study.summary == json_file(outputs / "kernel" / "summary.json")
    check_table(study.table, outputs / "kernel" / "kernel.csv")
    err = study.stack("relative_error", xarray=False)
    assert err.dims == ("width", "seed") and err.coords["seed"].tolist() == [0, 1, 2]
    _, expected = rows(outputs / "kernel" / "kernel.csv")
    assert len(expected) == err.values.size == 6
    for row in expected:
        assert same(at(err, width=int(row["width"]), seed=int(row["seed"])), number(row["relative_error"]))
    assert set(study.arrays) >= {"ntk_analytic", "ntk_empirical_mean", "ntk_empirical_mean_w8", "x_train"}


def test_xarray_gets_the_same_values_and_coordinates(outputs):
    pytest.importorskip("xarray")
    merged = nd.load(outputs / "merged", shards=[outputs / "shard-0", outputs / "shard-1"])
    plain, labelled = merged.stack("gap", xarray=False), merged.stack("gap")
    assert labelled.dims == plain.dims
    assert np.array_equal(labelled.values, plain.values, equal_nan=True)
    for dim in plain.dims:
        assert labelled.coords[dim].values.tolist() == plain.coords[dim].tolist()
    assert float(labelled.sel(parameterization="ntk", output_scale=0.5, width=16, seed=1, step=20)) == \
        float(plain.sel(parameterization="ntk", output_scale=0.5, width=16, seed=1, step=20).values)
