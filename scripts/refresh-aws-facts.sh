#!/usr/bin/env bash
# Rebuilds bastion_db/aws_facts/data/cfn_lint_extract.json from the cfn-lint pinned in
# pyproject.toml's dev group (see README, "AWS facts"). To move to a newer cfn-lint:
# bump the pin, run this, review the diff of the extract, commit both.
# --check only compares and exits 1 when the extract is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec .venv/bin/python -m bastion_db.aws_facts.refresh "$@"
