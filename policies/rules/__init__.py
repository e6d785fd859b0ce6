"""The pack's rules, one module per concern; each rule is declared beside its check."""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    access_policies,
    account_settings,
    compute,
    database,
    database_controls,
    database_groups,
    keys,
    logs,
    monitoring,
    network,
    network_ports,
    network_topology,
    session_manager,
    storage,
    tags,
)

# In the order a reader meets them in COVERAGE.md.
RULE_SETS = (
    database.rules,
    database_groups.rules,
    database_controls.rules,
    logs.rules,
    network.rules,
    network_ports.rules,
    network_topology.rules,
    compute.rules,
    session_manager.rules,
    keys.rules,
    access_policies.rules,
    tags.rules,
    monitoring.rules,
    storage.rules,
    account_settings.rules,
)


def all_policies() -> list[Policy]:
    return [policy for rule_set in RULE_SETS for policy in rule_set.policies]
