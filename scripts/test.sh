#!/usr/bin/env bash
# The whole check, as CI runs it: set-up with the checks' tools, linter, type
# checker, test suite. Arguments go to pytest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
# Incremental: .mypy_cache keeps what did not change (the workflows keep it
# between runs too); a cold run takes about 7 s here.
.venv/bin/mypy
echo "== test servers"
# The real servers tests/verify runs verify against (skips itself without root).
bash scripts/test-servers.sh
echo "== pytest"
# One worker per core (pytest-xdist): the suite is CPU-bound, 29 s on one of
# this machine's 2 cores, 16 s on both.
.venv/bin/python -m pytest --numprocesses auto "$@"
