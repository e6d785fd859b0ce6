#!/usr/bin/env bash
# The whole check, as CI runs it: set-up with the checks' tools, linter, type
# checker, test suite. Arguments go to pytest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

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
  wait "$1" || code=$?
  cat "$logs/$2"
  return "$code"
}
bash scripts/test-servers.sh >"$logs/test-servers" 2>&1 &
servers=$!

bash scripts/setup.sh --dev --no-bytecode
# After uv has written the environment, whose files are on the way to
# pytest; started before it instead, the whole run took as long (measured on
# a settled disk: see scripts/ci-time.sh).
"${PYTHON:-python3}" -m tests.preflight.node_pack_install >"$logs/node-pack" 2>&1 &
node_pack=$!

echo "== ruff"
.venv/bin/ruff check .
# mypy (a cold run takes about 5 s here, on one core; .mypy_cache keeps what
# did not change, and the workflows keep it between runs) reads no bytecode
# and no test needs it: it checks while the set-up writes the bytecode and
# while pytest runs, and its verdict is printed, and counted, at the end.
.venv/bin/mypy >"$logs/mypy" 2>&1 &
mypy=$!
bash scripts/setup.sh --dev
echo "== test servers"
finished "$servers" test-servers || { echo "test-servers: failed" >&2; exit 1; }
echo "== pytest"
# One worker per core (pytest-xdist), each taking whole modules (loadscope):
# many suites build a module-scoped stack from a real program run, which
# per-test scheduling would build on both workers. Measured here, one run
# each at the same load: 144 s serial, 175 s per test, 165 s per file, 94 s
# per module. The long modules go first, in the order tests/conftest.py's
# LONG_MODULES gives, not xdist's own (most tests first).
status=0
.venv/bin/python -m pytest --numprocesses auto --dist loadscope --no-loadscope-reorder "$@" \
  || status=$?
# Not waited for before pytest: the Node pack's tests wait for it themselves
# (node_pack_install's lock), and run late in the schedule.
echo "== node test pack"
finished "$node_pack" node-pack || status=1
echo "== mypy"
finished "$mypy" mypy || status=1
exit "$status"
