#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, linter, type checker, test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== test servers"
# The real servers tests/verify runs verify against (skips itself without root).
bash scripts/test-servers.sh
echo "== pytest"
.venv/bin/python -m pytest "$@"
