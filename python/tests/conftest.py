"""Outputs that the built tool writes once per test session, small enough to take seconds.

The tool is ``$NTK_DYNAMICS_BIN``, by default ``.build/debug/ntk-dynamics`` of this checkout (``swift build --product
ntk-dynamics``). A missing binary fails the tests: it is never a skip.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = Path(os.environ.get("NTK_DYNAMICS_BIN", REPO / ".build" / "debug" / "ntk-dynamics"))

SMALL = ["--samples", "8", "--test-samples", "4", "--steps", "20"]
SWEEP = ["sweep", "--widths", "8,16", "--seeds", "2", "--parameterizations", "ntk,mup", "--output-scales", "0.5,2",
         "--depth", "1", "--jobs", "1", "--quiet", *SMALL]


def tool(*args, ok=(0,)):
    if not TOOL.is_file():
        pytest.fail(f"the ntk-dynamics binary is not at {TOOL}: build it (swift build --product ntk-dynamics) or set NTK_DYNAMICS_BIN")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode in ok, f"ntk-dynamics {' '.join(map(str, args))} exited {done.returncode}: {done.stderr}"
    return done


@pytest.fixture(scope="session")
def outputs(tmp_path_factory):
    """Directories the tool wrote: a run, a width list, two shards of a sweep with two axes and their merge, a kernel study."""
    root = tmp_path_factory.mktemp("outputs")
    tool("--width", "16", *SMALL, "--log-every", "5", "--kernel-every", "10", "--keep-outputs-every", "10", "--out", root / "run")
    tool("--width", "8,16", *SMALL, "--log-every", "4", "--out", root / "widths")
    for i in (0, 1):
        tool(*SWEEP, "--shard", f"{i}/2", "--out", root / f"shard-{i}")
    tool("merge", root / "shard-0", root / "shard-1", "--out", root / "merged")
    tool("kernel", "--width", "8,16", "--seeds", "3", "--samples", "8", "--test-samples", "4", "--out", root / "kernel")
    return root


@pytest.fixture
def copy(outputs, tmp_path):
    """A fresh copy of one of the outputs, to damage or edit."""
    def make(name):
        target = tmp_path / name
        shutil.copytree(outputs / name, target)
        return target
    return make
