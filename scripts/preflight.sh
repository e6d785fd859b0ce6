#!/usr/bin/env bash
# The offline preflight of one stack: set-up, then the program on mocks and
# the policy pack over its analyzer protocol. Usage: scripts/preflight.sh <stack> [options]
# Runs in the folder it is called from, so relative paths (--export out.json,
# --network network.json) mean what the user typed; only stdout is the result's.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/interrupt.sh"
guarded bash "$root/scripts/setup.sh" >&2
# -P: the caller's folder is not on the import path (a bastion_db/ there would shadow ours).
# Guarded, not exec-ed: a signal in the instant before Python has taken the
# signals in hand would otherwise end it without a word, or with a traceback.
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" \
  guarded "$root/.venv/bin/python" -P -m preflight "$@"
