#!/usr/bin/env bash
# How long CI takes: clones the committed HEAD into a temporary folder and runs
# `bash .ci/run` there as CI does (CI=true), and prints the time to pytest's
# start (set-up, linters, test servers), pytest's own time and the total
# against the 60 s goal. --caches-off also turns uv's, pip's and npm's
# download caches off, as on a machine that never installed these packages.
# Not a test: it prints figures, and the CPU the machine spent meanwhile; it
# exits with .ci/run's code. The clones are removed at the end: for about 5
# minutes after, making files costs more (see below), so a second measurement
# waits that long.
# Usage: scripts/ci-time.sh [--runs N] [--caches-off]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/interrupt.sh

runs=1
caches=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs)
      runs=${2:-}
      [ $# -gt 1 ] && shift
      ;;
    --caches-off) caches=(UV_NO_CACHE=1 PIP_NO_CACHE_DIR=1) ;;
    *) echo "usage: bash scripts/ci-time.sh [--runs N] [--caches-off]" >&2; exit 2 ;;
  esac
  shift
done
case "$runs" in
  '' | *[!0-9]* | 0) echo "ci-time: --runs must be a whole number above 0, not '$runs'" >&2; exit 2 ;;
esac

GOAL_SECONDS=60

# Runs .ci/run in clone $1 (run $2), each line of its output with the seconds
# since the start, to find pytest's; its exit code in $work/code.
timed_run() {
  (
    cd "$1"
    code=0
    if [ ${#caches[@]} -gt 0 ]; then
      export "${caches[@]}" npm_config_cache="$work/npm-cache-$2"
    fi
    CI=true bash .ci/run 2>&1 || code=$?
    echo "$code" >"$work/code"
  ) | while IFS= read -r line; do
    printf '%s %s\n' "$(date +%s.%N)" "$line"
  done >"$work/log"
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for run in $(seq "$runs"); do
  # Each run in a new folder, the clones removed only at the end. On ext4
  # without a journal (this machine's disk), making a file passes over every
  # inode freed in the last 60 s, or 300 s while its inode table block is
  # unwritten (fs/ext4/ialloc.c, recently_deleted()), so right after a
  # clone's tens of thousands of files were deleted, every step that makes
  # files (npm ci most of all) costs several times its CPU. A fresh CI machine
  # has deleted nothing.
  clone="$work/clone-$run"
  sync
  sleep 5
  git clone --quiet "$PWD" "$clone"
  # The machine's CPU counters (/proc/stat: user, nice, system, idle, iowait,
  # irq, softirq, steal), to tell a run that did more work from one that got
  # less of the CPU (another guest's "steal", or waiting on the disk).
  cpu_before=$(head -n 1 /proc/stat)
  started=$(date +%s.%N)
  guarded timed_run "$clone" "$run"
  code=$(cat "$work/code")
  ended=$(date +%s.%N)
  cpu_after=$(head -n 1 /proc/stat)
  pytest_at=$(awk '$2 == "==" && $3 == "pytest" { print $1; exit }' "$work/log")
  python3 - "$run${caches:+ (caches off)}" "$code" "$started" "${pytest_at:-$ended}" "$ended" \
    "$GOAL_SECONDS" "$cpu_before" "$cpu_after" <<'EOF'
import os
import sys
run, code, started, pytest_at, ended, goal, cpu_before, cpu_after = sys.argv[1:]
started, pytest_at, ended = float(started), float(pytest_at), float(ended)
total = ended - started
verdict = "PASS" if total <= float(goal) and code == "0" else "MISS"
print(
    f"run {run}: exit {code}; before pytest {pytest_at - started:.1f} s, "
    f"pytest {ended - pytest_at:.1f} s, total {total:.1f} s "
    f"(goal {goal} s: {verdict})"
)
ticks = os.sysconf("SC_CLK_TCK")
used = [
    (int(after) - int(before)) / ticks
    for before, after in zip(cpu_before.split()[1:9], cpu_after.split()[1:9], strict=True)
]
user, nice, system, idle, iowait, _, _, steal = used
print(
    f"  CPU: {user + nice + system:.1f} s busy, {idle:.1f} s idle, "
    f"{iowait:.1f} s waiting on the disk, {steal:.1f} s stolen"
)
EOF
  if [ "$code" != 0 ]; then
    tail -n 30 "$work/log" | cut -d' ' -f2-
    status=$code
  fi
done
exit "$status"
