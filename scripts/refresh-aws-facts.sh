#!/usr/bin/env bash
# Rebuilds bastion_db/aws_facts/data/cfn_lint_extract.json (and pg_settings_extract.json, from
# pg-configurator) from the packages pinned in
# pyproject.toml's dev group (see README, "AWS facts"). To move to a newer cfn-lint:
# bump the pin, run this, review the diff of the extract, commit both.
# --check only compares and exits 1 when the extract or the pack's copy is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/interrupt.sh
guarded bash scripts/setup.sh --dev
guarded .venv/bin/python -m bastion_db.aws_facts.refresh "$@"
# The policy pack's own copy of the facts it needs (policies/rules/rds_facts.json).
guarded .venv/bin/python scripts/pack_facts.py "$@"
