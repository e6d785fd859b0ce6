#!/usr/bin/env bash
# The whole check, as CI runs it: set-up with the checks' tools, linter, type
# checker, test suite. Arguments go to pytest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/interrupt.sh

# What the tests need from outside PyPI, made in the background rather than
# before everything else (on a fresh machine both mostly wait on downloads
# and the disk): the real servers tests/verify runs verify against (apt-get;
# skipped without root), waited for before pytest, and the Node test pack's
# dependencies (npm ci, once per lockfile; skipped without node), which the
# tests that need them wait for themselves.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Waits for background job $1, shows what it printed (in $logs/$2), returns
# its exit code.
finished() {
  local code=0
  finish "$1" || code=$?
  cat "$logs/$2"
  return "$code"
}
spawn bash scripts/test-servers.sh >"$logs/test-servers" 2>&1
servers=$spawned

guarded bash scripts/setup.sh --dev --no-bytecode
# After uv has written the environment: both write many files, and the disk,
# not the CPU, is what they wait on; started before, it gains nothing.
spawn "${PYTHON:-python3}" -m tests.preflight.node_pack_install >"$logs/node-pack" 2>&1
node_pack=$spawned

echo "== ruff"
guarded .venv/bin/ruff check .
# mypy (.mypy_cache keeps what did not change, and the workflows keep it
# between runs) reads no bytecode and no test needs it: it checks on the other
# core while the set-up writes the bytecode and while pytest runs, and its
# verdict is printed, and counted, at the end.
spawn .venv/bin/mypy >"$logs/mypy" 2>&1
mypy=$spawned
guarded bash scripts/setup.sh --dev
echo "== test servers"
finished "$servers" test-servers || { echo "test-servers: failed" >&2; exit 1; }
echo "== pytest"
# One worker per core (pytest-xdist), each taking whole modules (loadscope):
# many suites build a module-scoped stack from a real program run, which
# per-test or per-file scheduling would build again on each worker. The long
# modules go first, in the order tests/conftest.py's LONG_MODULES gives, not
# xdist's own (most tests first), so no worker is left with one at the end.
status=0
guarded .venv/bin/python -m pytest --numprocesses auto --dist loadscope --no-loadscope-reorder "$@" \
  || status=$?
# Not waited for before pytest: the Node pack's tests wait for it themselves
# (node_pack_install's lock), and run late in the schedule.
echo "== node test pack"
finished "$node_pack" node-pack || status=1
echo "== mypy"
finished "$mypy" mypy || status=1
exit "$status"
