#!/usr/bin/env bash
# Verifies a deployed stack from here (README, "Verifying a deployed stack"):
# set-up, then `python -m verify` in the folder it was called from (where
# writeSshKeyCommand put the key). Usage:
#   pulumi stack output --json --show-secrets | scripts/verify.sh [options]
set -euo pipefail
project="$(cd "$(dirname "$0")/.." && pwd)"
. "$project/scripts/interrupt.sh"
# Set-up must neither read the piped outputs nor mix its messages into the table.
guarded bash "$project/scripts/setup.sh" </dev/null >&2
PYTHONPATH="$project${PYTHONPATH:+:$PYTHONPATH}" exec "$project/.venv/bin/python" -m verify "$@"
