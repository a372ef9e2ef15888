# ntk-dynamics: `make run` trains the default network, `make test` runs the test suite.
# Both install the Debian packages they need (CBLAS/LAPACK from OpenBLAS, LAPACKE) when missing.

APT_PACKAGES := liblapacke-dev libopenblas-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WIDTH ?= 1024
ARGS ?=

.PHONY: deps build run test test-unit bench clean

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

# The unit tests alone (seconds of test time after the build): end-to-end tests, which run the built tool as a
# child process, are skipped (Tests/NTKDynamicsTests/Tags.swift).
test-unit: deps
	NTK_UNIT_ONLY=1 swift test

bench: deps
	swift build -c release --product ntk-bench
	.build/release/ntk-bench --samples 256 --widths 256,1024 --csv bench.csv

clean:
	rm -rf .build
