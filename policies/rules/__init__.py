"""The pack's rules, one module per concern."""

from __future__ import annotations

from pulumi_policy import Policy

from . import compute, database, keys, monitoring, network, storage, tags


def all_policies() -> list[Policy]:
    return [
        *database.policies(),
        *network.policies(),
        *compute.policies(),
        *keys.policies(),
        *tags.policies(),
        *monitoring.policies(),
        *storage.policies(),
    ]
