#!/usr/bin/env bash
# The offline preflight of one stack: set-up, then the program on mocks and
# the policy pack over its analyzer protocol. Usage: scripts/preflight.sh <stack> [options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m preflight "$@"
