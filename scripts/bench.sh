#!/usr/bin/env bash
# The speed benchmark: the offline preflight and the policy pack against the
# checkov scanner on an equivalent Terraform JSON, side by side. Not a test:
# it prints figures and PASS/MISS per goal, and exits 0 either way.
# Usage: scripts/bench.sh [--runs N] [--resources N] [...] (see python -m benchmarks --help)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/interrupt.sh

# checkov in its own locked environment (benchmarks/checkov/uv.lock).
UV_PROJECT_ENVIRONMENT="$PWD/.venv-bench" UV_PYTHON="${PYTHON:-python3}" \
  guarded bash scripts/uv.sh sync --quiet --locked --project benchmarks/checkov

guarded bash scripts/setup.sh
# Guarded, not exec-ed: see scripts/preflight.sh.
guarded .venv/bin/python -m benchmarks --checkov "$PWD/.venv-bench/bin/checkov" "$@"
