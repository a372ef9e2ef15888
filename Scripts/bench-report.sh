#!/usr/bin/env bash
# Measures `ntk-dynamics report` on a long run: time and peak resident memory (GNU time), for the figures in
# Docs/Performance.md#report-of-a-long-run. Not a test: the machine's load decides the time.
#
#   Scripts/bench-report.sh [STEPS] [MODES] [BIN]   # defaults: 1000000 steps, 10 modes (10⁷ modes.csv rows),
#                                                   # .build/release/ntk-dynamics (built when missing)
#
# A short real run gives config.json, spectrum.csv, summary.json and arrays/; its steps.csv and modes.csv are then
# replaced by synthetic ones with the same columns and STEPS + 1 logged steps (losses that decay with noise, a
# kernel drift that grows, residuals that decay per mode), and summary.json and config.json are set to STEPS.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000000}
modes=${2:-10}
bin=${3:-.build/release/ntk-dynamics}
if [[ ! -x $bin ]]; then swift build -c release --product ntk-dynamics >/dev/null; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=${BENCH_KEEP:-$work/run}   # BENCH_KEEP=DIR keeps the generated run directory (it must not exist yet)

OPENBLAS_NUM_THREADS=1 "$bin" --width 16 --samples 16 --steps 20 --modes "$modes" --out "$dir" --quiet >/dev/null
python3 - "$dir" "$steps" "$modes" <<'EOF'
import json, sys
import numpy as np
d, steps, modes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
with open(f"{d}/steps.csv") as f:
    header = f.readline().strip().split(",")
    last = f.readlines()[-1].rstrip("\n").split(",")
t = np.arange(steps + 1)
cols = []
for name, cell in zip(header, last):
    if name == "step":
        cols.append(t.astype(str))
    elif cell.strip() == "":
        cols.append(np.full(t.shape, "", dtype=object))
    else:
        base = np.exp(-t / (0.2 * steps)) * (1 + 0.02 * rng.standard_normal(t.shape))
        if "drift" in name or "weight_change" in name:
            base = 0.01 * (1 - np.exp(-t / (0.1 * steps))) * (1 + 0.01 * rng.standard_normal(t.shape))
        cols.append(np.char.mod("%.17g", base))
with open(f"{d}/steps.csv", "w") as f:
    f.write(",".join(header) + "\n")
    chunk = 100000
    for s in range(0, len(t), chunk):
        rows = zip(*(c[s:s + chunk] for c in cols))
        f.write("".join(",".join(r) + "\n" for r in rows))
with open(f"{d}/modes.csv", "w") as f:
    f.write("step,mode,eigenvalue,residual_gd,residual_ntk\n")
    chunk = 20000
    for s in range(0, len(t), chunk):
        tt = t[s:s + chunk]
        lines = []
        for m in range(modes):
            rate = 1e-5 * (modes - m)
            gd = np.exp(-rate * tt) * (1 + 0.01 * rng.standard_normal(tt.shape))
            ntk = np.exp(-rate * tt)
            lines.append([f"{a},{m},{1.0 / (m + 1)!r},{b!r},{c!r}\n" for a, b, c in zip(tt, gd.tolist(), ntk.tolist())])
        f.write("".join(lines[m][i] for i in range(len(tt)) for m in range(modes)))
for name, key in (("summary.json", "last_step"), ("summary.json", "steps_requested"), ("config.json", "steps")):
    path = f"{d}/{name}"
    data = json.load(open(path))
    if key in data:
        data[key] = steps
    json.dump(data, open(path, "w"), indent=1)
EOF
echo "steps.csv $(($(wc -l <"$dir/steps.csv") - 1)) rows, $(du -m "$dir/steps.csv" | cut -f1) MB;" \
     "modes.csv $(($(wc -l <"$dir/modes.csv") - 1)) rows, $(du -m "$dir/modes.csv" | cut -f1) MB"
/usr/bin/time -v "$bin" report "$dir" >"$work/report.out" 2>"$work/time.txt" || { cat "$work/report.out" "$work/time.txt"; exit 1; }
grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$work/time.txt"
echo "report.html $(du -k "$dir/report.html" | cut -f1) kB"
