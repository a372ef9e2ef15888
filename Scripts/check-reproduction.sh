#!/usr/bin/env bash
# Checks that the current build writes the same numbers as an earlier revision, on a fixed set of runs,
# width lists, a sweep and kernel studies that together touch every output path (empirical and analytic
# kernels, both parameterizations, k > 1 outputs, real data, float32, sum loss, trace layout, ridge).
#
#   Scripts/check-reproduction.sh [BASE_REV]      # default BASE_REV: 0400b77, before issue 15's refactor
#
# BASE_REV is built in a temporary git worktree (release, its own .build-baseline scratch folder); the
# current tree is built with `swift build -c release`. Both binaries run each command with one OpenBLAS
# thread (the last bits of a gemm depend on the thread count, Docs/Sweep.md), and
# Scripts/compare-outputs.py compares the two output trees: same files, same numbers bit for bit, with
# new columns and keys allowed and timings ignored. Exit status 0 when they agree. Takes a few minutes,
# most of it the baseline's build.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-0400b77}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "building $base in a temporary worktree"
git worktree add --detach -q "$work/base-src" "$base"
(cd "$work/base-src" && swift build -c release --product ntk-dynamics --scratch-path "$PWD/../.build-baseline" >/dev/null)
base_bin=$work/.build-baseline/release/ntk-dynamics
echo "building the current tree"
swift build -c release --product ntk-dynamics >/dev/null
new_bin=$PWD/.build/release/ntk-dynamics

# One line per case: a name, then the arguments (without --out, --threads and --quiet).
cases=(
  "run-default      --width 128 --steps 60 --samples 32"
  "run-widths       --width 32,64 --steps 40 --samples 16 --kernel-every 5"
  "run-tanh-theta   --dataset sine --samples 16 --test-samples 40 --width 64 --steps 50 --activation tanh --kernel analytic --ridge 0.001"
  "run-digits       --dataset digits --classes 3,8 --samples 64 --width 64 --steps 30"
  "run-digits-k10   --dataset digits --samples 60 --width 32 --steps 20 --kernel-layout trace"
  "run-standard     --parameterization standard --no-bias --depth 1 --loss sum --width 48 --steps 30 --samples 16 --outputs 3"
  "run-float32      --precision float32 --width 64 --steps 30 --samples 16 --activation gelu"
  "sweep            sweep --widths 32,64 --seeds 2 --steps 30 --samples 16 --jobs 1"
  "kernel           kernel --width 32,64 --seeds 2 --samples 16 --activation erf --ridge 0.01"
)

status=0
for line in "${cases[@]}"; do
  read -r name args <<<"$line"
  # shellcheck disable=SC2086
  for side in base new; do
    bin=${side}_bin
    "${!bin}" $args --out "$work/$side/$name" --quiet $([[ $args == sweep* ]] || echo --threads 1) \
      >"$work/$name.$side.out" 2>&1 || echo "  ($side exited $? on $name; see its logs)" >&2
  done
  if result=$(python3 Scripts/compare-outputs.py "$work/base/$name" "$work/new/$name"); then
    echo "same   $name: ${result##*$'\n'}"
  else
    echo "DIFFER $name:"; echo "$result" | sed 's/^/    /' | head -20
    status=1
  fi
done
exit $status
