"""The worked example of Docs/Python.md, run as written on a small sweep of the same shape (α and width axes, the
cell α = 1, n = 1024 it selects): the collapse it fits from the stacked arrays must be the one the tool wrote to
sweep_summary.json, which fits the same completed runs."""

import re
import subprocess
import sys

from conftest import REPO, tool


def test_the_worked_example_runs_and_its_fit_from_the_arrays_is_the_tools(tmp_path):
    text = (REPO / "Docs" / "Python.md").read_text()
    example = re.findall(r"```python\n(.*?)```", text.split("## Worked example", 1)[1], re.S)[0]
    tool("sweep", "--widths", "64,1024", "--seeds", "2", "--depth", "1", "--samples", "8", "--test-samples", "4",
         "--steps", "20", "--output-scales", "0.1,1,10", "--jobs", "1", "--quiet", "--out", tmp_path / "geiger", ok=(0, 3))
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    mine = re.search(r"runs: max drift ∝ (α\^\S+·n\^\S+), collapse variable (α·n\^\S+)", done.stdout)
    tools = re.search(r"sweep_summary.json: (α\^\S+·n\^\S+), collapse variable (α·n\^\S+)", done.stdout)
    assert mine and tools, done.stdout
    assert mine.groups() == tools.groups()
    assert "α = 1, n = 1024, seed 0: drift measured at 3 steps" in done.stdout      # steps 0, 10, 20
