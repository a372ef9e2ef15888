# ntk-dynamics: `make run` trains the default network, `make test` runs the test suite (Swift, then the Python reader).
# Both install the Debian packages they need (CBLAS/LAPACK from OpenBLAS, LAPACKE) when missing.

APT_PACKAGES := liblapacke-dev libopenblas-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WIDTH ?= 1024
ARGS ?=
PYTHON ?= python3
NTK_DYNAMICS_BIN ?= $(CURDIR)/.build/debug/ntk-dynamics

.PHONY: deps build run test test-python test-unit test-slurm bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release

run: build
	.build/release/ntk-dynamics --width $(WIDTH) $(ARGS)

test: deps
	swift test
	$(MAKE) --no-print-directory test-python

# The Python reader (python/, Docs/Python.md): `pip install ./python`, then its pytest tests, which run the debug tool
# (NTK_DYNAMICS_BIN) on small sizes and read what it writes. Needs python3 with pip (numpy comes with the reader;
# pytest is installed when missing). A failing test stops make with a non-zero status.
test-python: deps
	swift build --product ntk-dynamics
	$(PYTHON) -m pytest --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check pytest
	$(PYTHON) -m pip install --quiet --disable-pip-version-check ./python
	NTK_DYNAMICS_BIN="$(NTK_DYNAMICS_BIN)" $(PYTHON) -m pytest -p no:cacheprovider python/tests

# The unit tests alone (seconds of test time after the build): end-to-end tests, which run the built tool as a
# child process, are skipped (Tests/NTKDynamicsTests/Tags.swift).
test-unit: deps
	NTK_UNIT_ONLY=1 swift test

# Docs/Sweep.md's Slurm job array, for real: a one-node Slurm cluster on this machine (Scripts/slurm-local.sh
# installs and starts slurm-wlm and munge; as root), the doc's job script and merge submitted as written (smaller
# sizes: NTK_SLURM_OPTS), the merged sweep.csv compared with the same sweep in one process (Scripts/test-slurm.sh).
test-slurm: deps
	swift build -c release --product ntk-dynamics
	Scripts/test-slurm.sh

bench: deps
	swift build -c release --product ntk-bench
	.build/release/ntk-bench --samples 256 --widths 256,1024 --csv bench.csv

clean:
	rm -rf .build
