"""Damaged and truncated files: a clear error naming the file (and the line where there is one), never a wrong value."""

import numpy as np
import pytest

import ntk_dynamics as nd


def test_a_csv_cut_mid_row_is_an_error_unless_not_strict(copy):
    folder = copy("run")
    path = folder / "steps.csv"
    text = path.read_text()
    whole = text.count("\n")
    path.write_text(text[: len(text) - 40])              # the last row loses its end and its newline
    with pytest.raises(nd.DamagedFileError, match=rf"steps.csv ends in a row cut short: line {whole} has no newline.*strict=False"):
        nd.load(folder).steps
    with pytest.warns(UserWarning, match="steps.csv: line .* has no newline.*left out"):
        steps = nd.load(folder, strict=False).steps
    assert len(steps) == whole - 2                        # header and the cut row not counted


def test_a_row_with_missing_cells_names_its_line(copy):
    folder = copy("run")
    path = folder / "spectrum.csv"
    lines = path.read_text().splitlines()
    lines[3] = ",".join(lines[3].split(",")[:5])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(nd.DamagedFileError, match=r"spectrum.csv, line 4: 5 cells where the header has 14"):
        nd.load(folder).spectrum


def test_a_cell_that_is_not_a_number_names_its_line_and_column(copy):
    folder = copy("run")
    path = folder / "steps.csv"
    lines = path.read_text().splitlines()
    cells = lines[2].split(",")
    cells[2] = "0.1x3"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(nd.DamagedFileError, match=r"steps.csv, line 3, column train_loss_gd: '0.1x3' is not a number"):
        nd.load(folder).steps


@pytest.mark.parametrize("content", ["", "\n"])
def test_an_empty_csv_is_an_error(copy, content):
    folder = copy("run")
    (folder / "modes.csv").write_text(content)
    with pytest.raises(nd.DamagedFileError, match="modes.csv (is empty|has no header row)"):
        nd.load(folder).modes


def test_a_truncated_json_file_names_the_file(copy):
    folder = copy("run")
    path = folder / "summary.json"
    path.write_text(path.read_text()[:100])
    with pytest.raises(nd.DamagedFileError, match=r"summary.json is not valid JSON .* line \d+, column \d+.*cut off"):
        nd.load(folder)
    (folder / "config.json").write_text("")
    with pytest.raises(nd.DamagedFileError, match="config.json is empty"):
        nd.load(folder)


def test_a_truncated_sweep_config_names_the_file(copy):
    folder = copy("merged")
    path = folder / "sweep_config.json"
    path.write_text(path.read_text()[:-30])
    with pytest.raises(nd.DamagedFileError, match="sweep_config.json is not valid JSON"):
        nd.load(folder)


@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_a_truncated_npy_names_the_file_when_it_is_read(copy, keep):
    folder = copy("run")
    path = folder / "arrays" / "ntk_init.npy"
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])     # data cut, or the header itself cut
    run = nd.load(folder)
    assert run.arrays["x_train"].ndim == 2              # the other arrays still read
    with pytest.raises(nd.DamagedFileError, match=r"arrays/ntk_init.npy is damaged or truncated"):
        run.arrays["ntk_init"]


def test_a_run_killed_before_its_summary_reads_what_it_wrote(copy):
    folder = copy("run")
    for name in ("summary.json", "spectrum.csv"):
        (folder / name).unlink()
    run = nd.load(folder)
    assert run.summary is None and run.status is None and run.spectrum is None
    assert len(run.steps) > 0
    (folder / "steps.csv").unlink()
    with pytest.raises(nd.DamagedFileError, match="steps.csv is missing"):
        nd.load(folder).steps


def test_a_duplicated_row_of_a_sweep_table_is_an_error(copy):
    folder = copy("merged")
    path = folder / "sweep.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(nd.DamagedFileError, match="sweep.csv: two rows for the cell"):
        nd.load(folder).stack("max_gap")
