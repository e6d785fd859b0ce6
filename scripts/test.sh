#!/usr/bin/env bash
# The whole check, as CI runs it: set-up with the checks' tools, linter, type
# checker, test suite. Arguments go to pytest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

# The real servers tests/verify runs verify against (skips itself without
# root): on a fresh machine apt-get spends most of its time downloading, so it
# runs beside the set-up and the linters rather than before them.
servers_log=$(mktemp)
trap 'rm -f "$servers_log"' EXIT
bash scripts/test-servers.sh >"$servers_log" 2>&1 &
servers=$!

bash scripts/setup.sh --dev

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
# Incremental: .mypy_cache keeps what did not change (the workflows keep it
# between runs too); a cold run takes about 7 s here.
.venv/bin/mypy
echo "== test servers"
if ! wait "$servers"; then
  cat "$servers_log"
  echo "test-servers: failed" >&2
  exit 1
fi
cat "$servers_log"
echo "== pytest"
# One worker per core (pytest-xdist), each taking whole modules (loadscope):
# many suites build a module-scoped stack from a real program run, which
# per-test scheduling would build on both workers. Measured here, one run
# each at the same load: 144 s serial, 175 s per test, 165 s per file, 94 s
# per module. The long modules go first, in the order tests/conftest.py's
# LONG_MODULES gives, not xdist's own (most tests first).
.venv/bin/python -m pytest --numprocesses auto --dist loadscope --no-loadscope-reorder "$@"
