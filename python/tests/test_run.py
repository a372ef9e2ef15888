"""A run directory read by the reader against the same files read with csv, json and a minimal .npy parser."""

import math
from pathlib import Path

import numpy as np
import pytest

import ntk_dynamics as nd
from reference import json_file, npy, number, rows, same


def test_a_run_is_told_apart_and_its_json_files_read_as_written(outputs):
    run = nd.load(outputs / "run")
    assert run.kind == "run" and nd.kind(outputs / "run") == "run"
    config = json_file(outputs / "run" / "config.json")
    assert run.config == config
    assert run.summary == json_file(outputs / "run" / "summary.json")
    assert run.status == "completed"
    assert run.format_version == config.get("format_version", 1)


@pytest.mark.parametrize("name", ["steps.csv", "spectrum.csv"])
def test_every_column_of_a_log_is_read_by_its_header_name(outputs, name):
    header, expected = rows(outputs / "run" / name)
    table = getattr(nd.load(outputs / "run"), name[:-4])
    assert table.columns == header and list(table) == header
    assert len(table) == len(expected) > 0
    for column in header:
        values = table[column]
        assert len(values) == len(expected)
        for value, row in zip(values, expected):
            cell = row[column]
            if column in ("fit_status", "momentum_regime"):
                assert value == cell
            else:
                assert same(value, number(cell)), (name, column, value, cell)


def test_integer_columns_are_integers_and_empty_cells_nan(outputs):
    run = nd.load(outputs / "run")
    assert run.steps["step"].dtype == np.int64
    assert run.spectrum["fit_steps"].dtype == np.int64
    _, expected = rows(outputs / "run" / "steps.csv")
    # --kernel-every 10 with --log-every 5: K_t measured on steps 0, 10, 20 only (Docs/LogFormat.md, kernel_drift).
    measured = [int(r["step"]) for r in expected if r["kernel_drift"] != ""]
    assert measured == [0, 10, 20]
    assert run.steps["step"][~np.isnan(run.steps["kernel_drift"])].tolist() == measured


def test_modes_are_wide_step_by_mode(outputs):
    modes = nd.load(outputs / "run").modes
    header, expected = rows(outputs / "run" / "modes.csv")
    steps = sorted({int(r["step"]) for r in expected})
    ranks = sorted({int(r["mode"]) for r in expected})
    assert modes.step.tolist() == steps and modes.mode.tolist() == ranks
    assert modes.columns == [c for c in header if c not in ("step", "mode")]
    assert {"eigenvalue", "residual_gd", "residual_ntk"} <= set(modes.columns)
    for column in modes.columns:
        assert modes[column].shape == (len(steps), len(ranks))
    for r in expected:
        i, j = steps.index(int(r["step"])), ranks.index(int(r["mode"]))
        for column in modes.columns:
            assert same(modes[column][i, j], number(r[column]))
    assert len(expected) == len(steps) * len(ranks)


def test_arrays_are_every_npy_file_and_equal_to_the_files(outputs):
    folder = outputs / "run" / "arrays"
    run = nd.load(outputs / "run")
    names = sorted(p.relative_to(folder).as_posix()[:-4] for p in folder.rglob("*.npy"))
    assert sorted(run.arrays) == names
    assert {"ntk_init", "params_init/W0", "params_final/W0", "f_train_history"} <= set(names)
    for name in names:
        expected = npy(folder / f"{name}.npy")
        got = run.arrays[name]
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert np.array_equal(got, expected, equal_nan=True), name
    n, k = run.config["samples"], run.config["outputs"]
    assert run.arrays["ntk_init"].shape == (n * k, n * k)


def test_arrays_are_read_only_when_asked_for(copy):
    folder = copy("run")
    run = nd.load(folder)
    (folder / "arrays" / "ntk_final.npy").unlink()       # gone after load: the others still read
    assert run.arrays["ntk_init"].shape[0] == run.config["samples"]
    with pytest.raises(FileNotFoundError):
        run.arrays["ntk_final"]
    with pytest.raises(KeyError, match="no array 'ntk_intial'.*ntk_init"):
        run.arrays["ntk_intial"]


def test_a_sweep_run_without_arrays_has_none(outputs):
    folder = next((outputs / "shard-0" / "runs").iterdir())
    run = nd.load(folder)
    assert run.kind == "run" and len(run.arrays) == 0 and not (folder / "arrays").exists()


def test_a_missing_column_names_the_columns_there_are(outputs):
    with pytest.raises(KeyError, match="steps.csv has no column 'gapp'.*train_loss_gd"):
        nd.load(outputs / "run").steps["gapp"]


def test_pandas_frames_hold_the_same_values(outputs):
    pd = pytest.importorskip("pandas")
    run = nd.load(outputs / "run")
    frame = run.steps.to_pandas()
    assert list(frame.columns) == run.steps.columns
    assert np.array_equal(frame["gap"].to_numpy(), run.steps["gap"], equal_nan=True)
    wide = run.modes.to_pandas("residual_gd")
    assert isinstance(wide, pd.DataFrame) and wide.shape == run.modes["residual_gd"].shape
    assert wide.index.tolist() == run.modes.step.tolist()
