"""format_version: absent (format 1, today's files), 1 and 2 read; any other refused naming the file and the version.
Columns are taken by name, and columns the reader does not know are kept."""

import json

import numpy as np
import pytest

import ntk_dynamics as nd
from reference import number, rows, same


def set_version(path, version):
    config = json.loads(path.read_text())
    if version is None:
        config.pop("format_version", None)
    else:
        config["format_version"] = version
    path.write_text(json.dumps(config))


@pytest.mark.parametrize("version", [None, 1, 2])
def test_formats_1_and_2_are_read(copy, version):
    folder = copy("run")
    set_version(folder / "config.json", version)
    assert nd.load(folder).format_version == (version or 1)
    sweep = copy("shard-0")
    set_version(sweep / "sweep_config.json", version)
    assert nd.load(sweep).format_version == (version or 1)


@pytest.mark.parametrize("name,config", [("run", "config.json"), ("kernel", "config.json"), ("merged", "sweep_config.json"),
                                         ("widths", "w16/config.json")])
def test_an_unknown_version_is_refused_naming_the_file_and_the_version(copy, name, config):
    folder = copy(name)
    set_version(folder / config, 3)
    with pytest.raises(nd.FormatVersionError) as error:
        nd.load(folder)
    message = str(error.value)
    assert str(folder / config) in message and "format_version 3" in message and "1 and 2" in message


@pytest.mark.parametrize("value", ["2", 2.5, True, None])
def test_a_version_that_is_not_an_integer_is_refused(copy, value):
    folder = copy("run")
    config = json.loads((folder / "config.json").read_text())
    config["format_version"] = value
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(nd.FormatVersionError, match=r"config.json: format_version is .*not an integer"):
        nd.load(folder)


def test_a_sweep_run_of_an_unknown_version_is_refused(copy):
    folder = copy("shard-1")
    run = sorted((folder / "runs").iterdir())[0]
    set_version(run / "config.json", 7)
    with pytest.raises(nd.FormatVersionError, match=f"{run.name}/config.json has format_version 7"):
        nd.load(folder)


def test_columns_are_read_by_name_and_unknown_columns_kept(copy):
    """A later tool may add columns anywhere: a number column and a text column put before train_loss_gd."""
    folder = copy("run")
    path = folder / "steps.csv"
    lines = path.read_text().splitlines()
    out = []
    for i, line in enumerate(lines):
        cells = line.split(",")
        extra = ["future_number", "future_label"] if i == 0 else [f"{0.25 * i}", "early" if i < 3 else "late"]
        out.append(",".join(cells[:2] + extra + cells[2:]))
    path.write_text("\n".join(out) + "\n")
    steps = nd.load(folder).steps
    assert steps.columns[2:4] == ["future_number", "future_label"]
    assert steps["future_number"].tolist() == [0.25 * i for i in range(1, len(lines))]
    assert steps["future_label"].tolist() == ["early", "early"] + ["late"] * (len(lines) - 3)
    _, expected = rows(path)
    for value, row in zip(steps["train_loss_gd"], expected):
        assert same(value, number(row["train_loss_gd"]))


def test_a_config_without_the_marker_is_not_an_output(copy):
    folder = copy("run")
    config = json.loads((folder / "config.json").read_text())
    del config["tool"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(nd.NotAnOutputError, match='config.json was not written by ntk-dynamics: it has no "tool"'):
        nd.load(folder)


def test_a_directory_without_outputs_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(nd.NotAnOutputError, match="holds no output of ntk-dynamics.*notes.txt"):
        nd.load(tmp_path)
    with pytest.raises(nd.NotAnOutputError, match="is a file"):
        nd.load(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nd.load(tmp_path / "nowhere")


def test_a_width_list_cut_short_before_widths_csv_is_still_a_width_list(copy):
    folder = copy("widths")
    (folder / "widths.csv").unlink()
    (folder / "report.html").unlink()
    wl = nd.load(folder)
    assert wl.kind == "width list" and wl.table is None and wl.axes["width"].tolist() == [8, 16]
    assert wl.stack("train_loss_gd", xarray=False).shape[0] == 2


def test_kinds_follow_the_tools_rules_for_kernel_studies(copy):
    folder = copy("kernel")
    config = json.loads((folder / "config.json").read_text())
    del config["subcommand"]                              # kernel.csv without steps.csv is still a kernel study
    (folder / "config.json").write_text(json.dumps(config))
    assert nd.kind(folder) == "kernel"
    config["subcommand"] = "bench"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(nd.ReaderError, match=r"written by `ntk-dynamics bench`"):
        nd.load(folder)
