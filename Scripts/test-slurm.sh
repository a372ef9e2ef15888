#!/usr/bin/env bash
# `make test-slurm`: Docs/Sweep.md's Slurm job array, run for real on a one-node cluster on this machine.
#
#   1. Scripts/slurm-local.sh up (installs slurm-wlm and munge when missing; root).
#   2. Takes the job script and the merge command from Docs/Sweep.md ("Beyond one machine"), so the doc
#      and this test cannot drift apart, and submits them as written: `sbatch` the array of 8 tasks, then
#      the doc's `sbatch --dependency=afterok:<array job id> --wrap 'ntk-dynamics merge ...'` with the
#      array's job id filled in.
#   3. Waits for both jobs, checks that every task completed with exit code 0.
#   4. Runs the same sweep in one process and compares the merged sweep.csv with it: the same columns (by
#      name) and the same rows, value for value, apart from wall_time.
#   5. Prints how long it took, and brings the cluster down (unless it was already up before the test).
#
# Sizes: the doc's OPTS (widths up to 4096, depth 3, 256 samples, 1000 steps, 8 seeds: 56 runs, many hours on
# 2 cores) are replaced by $NTK_SLURM_OPTS, by default a grid of 16 cells, two per array task, which each task
# runs at once with the doc's --jobs "$SLURM_CPUS_PER_TASK". That one line, OPTS="...", is the only change to
# the script text, and the test checks it; NTK_SLURM_OPTS=doc keeps the doc's line as it is. The binary is
# .build/release/ntk-dynamics ($NTK_BIN to use another), put on PATH for the jobs: sbatch passes the
# submitting environment to the tasks.
# NTK_SLURM_REQUEUE=1 (with slower NTK_SLURM_OPTS) also requeues task 0 in mid-run, as preemption does.
# Other settings: NTK_SLURM_TIMEOUT (seconds to wait for the jobs, default 1800), NTK_SLURM_KEEP=1 keeps the
# work directory, NTK_SLURM_DIR and NTK_SLURM_PORT (Scripts/slurm-local.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
doc=$repo/Docs/Sweep.md
bin=${NTK_BIN:-$repo/.build/release/ntk-dynamics}
small_opts="--widths 32,64,128,256 --seeds 4 --depth 3 --samples 64 --steps 300"
opts=${NTK_SLURM_OPTS:-$small_opts}
timeout=${NTK_SLURM_TIMEOUT:-1800}
start=$(date +%s)

say() { echo "test-slurm: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

[[ $(id -u) == 0 ]] || fail "run as root: Scripts/slurm-local.sh starts munged, slurmctld and slurmd as root"
[[ -x $bin ]] || fail "$bin is missing; build it first: swift build -c release --product ntk-dynamics"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")  # absolute: the jobs run in another directory
command -v awk >/dev/null || fail "awk is needed to compare the tables"

# --- The doc's script and merge command -------------------------------------------------------------------
# The first ```bash block after the heading "## Beyond one machine" that starts with #!/bin/bash.
doc_script=$(awk '
  /^## Beyond one machine/ { section = 1; next }
  section && /^## / { exit }
  section && !inside && /^```bash$/ { inside = 1; text = ""; next }
  section && inside && /^```$/ { inside = 0; if (text ~ /^#!\/bin\/bash\n/) { printf "%s", text; exit } next }
  section && inside { text = text $0 "\n" }
' "$doc")
[[ -n $doc_script ]] || fail "no #!/bin/bash job script under '## Beyond one machine' in $doc"
grep -q '^#SBATCH --array=' <<<"$doc_script" || fail "the doc's job script has no #SBATCH --array line"
merge_line=$(awk '/^## Beyond one machine/ { s = 1; next } s && /^## / { exit }
                  s && /^sbatch --dependency=afterok:<array job id> / { print; exit }' "$doc")
[[ -n $merge_line ]] || fail "no 'sbatch --dependency=afterok:<array job id> ...' merge command under '## Beyond one machine' in $doc"
[[ $(grep -c '^OPTS="[^"]*"$' <<<"$doc_script") == 1 ]] || fail "the doc's job script should set OPTS=\"...\" on exactly one line"

if [[ $opts == doc ]]; then
  job_script=$doc_script
else
  [[ $opts != *'"'* ]] || fail "NTK_SLURM_OPTS must not contain double quotes"
  # The one substitution: the OPTS line. Replaced with awk (no regex escaping of the options).
  job_script=$(OPTS_LINE="OPTS=\"$opts\"" awk '/^OPTS="[^"]*"$/ { print ENVIRON["OPTS_LINE"]; next } { print }' <<<"$doc_script")
fi
# Everything but the OPTS line is the doc's text.
if ! diff <(grep -v '^OPTS=' <<<"$doc_script") <(grep -v '^OPTS=' <<<"$job_script") >/dev/null; then
  fail "the job script differs from the doc's beyond its OPTS line"
fi
sweep_opts=$(sed -n 's/^OPTS="\(.*\)"$/\1/p' <<<"$job_script")

# --- The cluster -----------------------------------------------------------------------------------------
cluster_was_up=0
"$repo/Scripts/slurm-local.sh" status >/dev/null 2>&1 && cluster_was_up=1
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ntk-slurm-test.XXXXXX")
cleanup() {
  local status=$?
  if ((cluster_was_up)); then
    say "the cluster was up before the test; leaving it up"
  else
    "$repo/Scripts/slurm-local.sh" down || true
  fi
  if ((status != 0)) || [[ ${NTK_SLURM_KEEP:-0} == 1 ]]; then
    say "work directory kept: $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$repo/Scripts/slurm-local.sh" up
eval "$("$repo/Scripts/slurm-local.sh" env)"
up_time=$(date +%s)

# --- Submit, as the doc does -----------------------------------------------------------------------------
cd "$work"
printf '%s\n' "$job_script" >job.sh
bin_dir=$(dirname "$bin")
export PATH="$bin_dir:$PATH"
[[ $(command -v ntk-dynamics) == "$bin_dir/ntk-dynamics" ]] || fail "ntk-dynamics on PATH is not $bin"
say "job script ($work/job.sh), OPTS: $sweep_opts"
array_out=$(sbatch job.sh)
array_id=$(sed -n 's/^Submitted batch job \([0-9][0-9]*\)$/\1/p' <<<"$array_out")
[[ -n $array_id ]] || fail "sbatch printed '$array_out', not a job id"
merge_cmd=${merge_line//<array job id>/$array_id}
say "array job $array_id; merge: $merge_cmd"
merge_out=$(bash -c "$merge_cmd")
merge_id=$(sed -n 's/^Submitted batch job \([0-9][0-9]*\)$/\1/p' <<<"$merge_out")
[[ -n $merge_id ]] || fail "the merge's sbatch printed '$merge_out', not a job id"

# --- Optional: a requeue in mid-run, as preemption does ---------------------------------------------------
# NTK_SLURM_REQUEUE=1: once task 0 has run directories without a summary (runs in progress), requeue it. Slurm
# sends SIGTERM; the sweep must write them as interrupted and exit 143; the task runs again (after Slurm's
# cred_expire hold, 120 s), redoes those runs, and the afterok merge waits for it. The comparison below then
# checks the result. Needs cells that last a few seconds: pass larger NTK_SLURM_OPTS (e.g. --steps 3000).
requeued=0
if [[ ${NTK_SLURM_REQUEUE:-0} == 1 ]]; then
  first="${array_id}_0"
  in_progress() { for d in sweep/shard-0/runs/*/; do [[ -e $d/steps.csv && ! -e $d/summary.json ]] && return 0; done; return 1; }
  until [[ $(squeue -h -j "$first" -o %T 2>/dev/null) == RUNNING ]] && in_progress; do
    [[ -s sweep/shard-0/sweep.csv ]] && fail "task 0 finished before it could be requeued; pass slower NTK_SLURM_OPTS (more --steps)"
    (($(date +%s) < start + timeout)) || fail "task 0 did not start in $timeout s"
    sleep 0.1
  done
  scontrol requeue "$first"
  running_runs=(sweep/shard-0/runs/*)
  say "requeued $first while it ran ${running_runs[*]##*/}"
  until [[ $(squeue -h -j "$first" -o %T 2>/dev/null) == PENDING ]]; do
    (($(date +%s) < start + timeout)) || fail "task 0 is not pending again after the requeue"
    sleep 0.2
  done
  interrupted=$(grep -l '"status" : "interrupted"' sweep/shard-0/runs/*/summary.json 2>/dev/null | wc -l)
  ((interrupted > 0)) || fail "no run of task 0 was written as interrupted after the requeue's SIGTERM"
  grep -q 'exit code 143' "slurm-${array_id}_0.out" || fail "task 0's sweep did not exit 143 on SIGTERM: $(tail -n 5 "slurm-${array_id}_0.out")"
  say "task 0 stopped: $interrupted runs written as interrupted, exit 143; it runs again after Slurm's requeue hold"
  requeued=1
fi

# --- Wait -----------------------------------------------------------------------------------------------
deadline=$(($(date +%s) + timeout))
while [[ -n $(squeue -h -j "$array_id,$merge_id" -o %i 2>/dev/null) ]]; do
  if (($(date +%s) > deadline)); then
    squeue
    scancel "$array_id" "$merge_id" || true
    fail "the jobs did not finish in $timeout s (NTK_SLURM_TIMEOUT)"
  fi
  sleep 2
done
slurm_time=$(date +%s)

# Every array task and the merge: COMPLETED with exit code 0:0 (scontrol keeps finished jobs for MinJobAge, 300 s).
states=$(scontrol -o show job "$array_id" | sed -n 's/.*JobId=\([0-9]*\) .*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\2 \3 \4/p' | sort -n)
merge_state=$(scontrol -o show job "$merge_id" | sed -n 's/.*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/\1 \2/p')
tasks=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' <<<"$job_script")
echo "$states" | awk '{ printf "  task %s: %s, exit %s\n", $1, $2, $3 }' >&2
say "merge job: $merge_state"
[[ $(grep -c ' COMPLETED 0:0$' <<<"$states") == $((tasks + 1)) ]] \
  || { tail -n 20 slurm-*.out >&2 || true; fail "not all $((tasks + 1)) array tasks completed with exit code 0"; }
if ((requeued)); then
  restarts=$(scontrol -o show job "${array_id}_0" | sed -n 's/.* Restarts=\([0-9]*\) .*/\1/p')
  [[ $restarts == 1 ]] || fail "task 0 shows Restarts=$restarts after one requeue"
  say "task 0 ran twice (Restarts=1) and resumed its shard"
fi
[[ $merge_state == "COMPLETED 0:0" ]] || { tail -n 20 "slurm-$merge_id.out" >&2 || true; fail "the merge job did not complete"; }
[[ -s sweep/merged/sweep.csv ]] || fail "sweep/merged/sweep.csv is missing"
for i in $(seq 0 "$tasks"); do [[ -s sweep/shard-$i/sweep.csv ]] || fail "sweep/shard-$i/sweep.csv is missing"; done

# --- The same sweep in one process ----------------------------------------------------------------------
say "the same sweep in one process: ntk-dynamics sweep $sweep_opts --jobs 2 --quiet --out one-process"
# shellcheck disable=SC2086
ntk-dynamics sweep $sweep_opts --jobs 2 --quiet --out one-process >one-process.log
one_time=$(date +%s)

# The two tables, each cell as "row<TAB>column<TAB>value", wall_time left out; the columns are matched by
# name, so their order does not matter, but the rows' order does (merge sorts them as one sweep does).
cells() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
           { if (NF != length(name)) { print "row " NR - 1 ": " NF " fields" > "/dev/stderr"; exit 1 }
             for (i = 1; i <= NF; i++) if (name[i] != "wall_time") print NR - 1 "\t" name[i] "\t" $i }' "$1" | sort
}
grep -q '"' sweep/merged/sweep.csv one-process/sweep.csv && fail "sweep.csv has quoted fields; the comparison splits on commas only"
rows=$(($(wc -l <one-process/sweep.csv) - 1))
columns=$(head -n1 one-process/sweep.csv | tr ',' '\n' | grep -vc '^wall_time$')
if ! diff <(cells sweep/merged/sweep.csv) <(cells one-process/sweep.csv) >sweep.diff; then
  head -n 20 sweep.diff >&2
  fail "the merged sweep.csv differs from the one-process sweep.csv (beyond wall_time); < merged, > one process"
fi
[[ $(head -n1 sweep/merged/sweep.csv | tr ',' '\n' | sort) == $(head -n1 one-process/sweep.csv | tr ',' '\n' | sort) ]] \
  || fail "the two sweep.csv have different columns"
say "merged sweep.csv == one-process sweep.csv: $rows rows × $columns columns (wall_time aside)"

end=$(date +%s)
say "passed in $((end - start)) s: cluster up $((up_time - start)) s, array + merge $((slurm_time - up_time)) s, one-process sweep $((one_time - slurm_time)) s"
