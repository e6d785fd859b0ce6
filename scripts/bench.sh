#!/usr/bin/env bash
# The speed benchmark: the offline preflight and the policy pack against the
# checkov scanner on an equivalent Terraform JSON, side by side. Not a test:
# it prints figures and PASS/MISS per goal, and exits 0 either way.
# Usage: scripts/bench.sh [--runs N] [--resources N] [...] (see python -m benchmarks --help)
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
if [ ! -x .venv-bench/bin/python ]; then
  "$python" -m venv .venv-bench
fi
stamp=.venv-bench/.requirements.sha256
wanted=$(sha256sum requirements-bench.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv-bench/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
  echo "$wanted" > "$stamp"
fi

bash scripts/setup.sh
exec .venv/bin/python -m benchmarks --checkov "$PWD/.venv-bench/bin/checkov" "$@"
