"""Where the stack's parts go in the VPC, and why: the ExistingNetwork
component's ``subnetPlan`` output, printed for people and normalised for
``--json`` (docs/preflight.md describes its fields).

The plan travels through the engine's wire format, whose maps carry no order;
both forms here put every key in one fixed order, so the same input gives the
same bytes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from offline.runner import ProgramRun

# The ExistingNetwork component's registered output that holds the plan.
PLAN_OUTPUT = "subnetPlan"
WIDTH = 100
# Each key of the plan, in the order the JSON shows them; keys not listed
# (a user's tag names) follow, sorted.
KEY_ORDER = (
    "vpcId",
    "selection",
    "subnets",
    "databaseSubnetGroup",
    "bastion",
    "ssmEndpoints",
    "public",
    "private",
    "id",
    "availabilityZone",
    "cidrBlock",
    "routing",
    "routeTable",
    "defaultRoute",
    "chosenAs",
    "takenBy",
    "side",
    "by",
    "key",
    "tags",
    "association",
    "destination",
    "targetKind",
    "targetId",
    "subnetId",
    "path",
)
ROUTING_LABELS = {
    "public": "public",
    "private-nat": "private (NAT)",
    "private-isolated": "private (isolated)",
    "private-other": "private (other)",
}
TAKER_LABELS = {
    "databaseSubnetGroup": "database",
    "bastion": "bastion",
    "ssmEndpoints": "ssm endpoints",
}
BASTION_PATHS = {
    "internet-gateway": "SSH, with a public address",
    "nat-gateway": "Session Manager through the NAT gateway",
    "vpc-endpoints": "Session Manager through the stack's endpoints",
    "existing-vpc-endpoints": "Session Manager through the VPC's own endpoints",
}


def subnet_plan(run: ProgramRun) -> dict[str, Any] | None:
    """The plan the program's network component registered, keys in a fixed
    order; None for a program without one (the bootstrap project)."""
    for resource in run.resources:
        plan = resource.outputs.get(PLAN_OUTPUT) if not resource.custom else None
        if isinstance(plan, dict):
            ordered: dict[str, Any] = _ordered(plan)
            return ordered
    return None


def _ordered(value: Any, sort_all: bool = False) -> Any:
    if isinstance(value, dict):
        rank = {key: place for place, key in enumerate(KEY_ORDER)}

        def place(key: str) -> tuple[int, str]:
            return (len(rank) if sort_all else rank.get(key, len(rank)), key)

        return {
            key: _ordered(value[key], sort_all=key == "tags") for key in sorted(value, key=place)
        }
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def _wrapped(text: str, indent: str, more: str = "  ") -> list[str]:
    """Lines within WIDTH, broken between words only: an id or a path stays
    whole, so it can be copied."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + more,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _rule(choice: Mapping[str, Any]) -> str:
    """``bastion-db:privateSubnetTags (tier=private)``, ``bastion-db:publicSubnetIds``."""
    tags = choice.get("tags") or {}
    filters = ", ".join(f"{key}={value}" for key, value in tags.items())
    return f"{choice['key']} ({filters})" if filters else str(choice["key"])


def _route_line(subnet: Mapping[str, Any]) -> str:
    """``rtb-1 (main table): 0.0.0.0/0 -> nat-gateway nat-2``: the table that
    applies to the subnet and its deciding route."""
    table = subnet.get("routeTable")
    if not table:
        return "no route table found"
    how = "explicit" if table["association"] == "explicit" else "main table"
    route = subnet.get("defaultRoute")
    if not route:
        return f"{table['id']} ({how}): no default route"
    return (
        f"{table['id']} ({how}): {route['destination']} -> "
        f"{route['targetKind']} {route['targetId']}"
    )


def _choice_line(subnet: Mapping[str, Any], selection: Mapping[str, Any]) -> str | None:
    """Why a subnet was chosen or left out, when routing alone did not decide."""
    chosen: Sequence[Mapping[str, Any]] = subnet.get("chosenAs") or []
    by_rule = [c for c in chosen if c["by"] != "routes"]
    if by_rule:
        return "; ".join(f"chosen as {c['side']} by {_rule(c)}" for c in by_rule)
    if chosen:
        return None
    routed_side = "public" if subnet.get("routing") == "public" else "private"
    rule = selection.get(routed_side) or {}
    if rule.get("by") == "tags":
        return f"left out: its tags do not match {_rule(rule)}"
    if rule.get("by") == "ids":
        return f"left out: not in {_rule(rule)}"
    return "left out"


def _use_line(subnet: Mapping[str, Any], selection: Mapping[str, Any]) -> str:
    """What takes the subnet, and the rule behind it when routing alone did not decide."""
    takers = [TAKER_LABELS.get(t, t) for t in subnet.get("takenBy") or []]
    why = _choice_line(subnet, selection)
    if why is not None and why.startswith("left out"):
        return why
    use = f"taken by {', '.join(takers)}" if takers else "not taken"
    return f"{use}; {why}" if why else use


def _label(subnet: Mapping[str, Any]) -> str:
    routing = str(subnet.get("routing"))
    return ROUTING_LABELS.get(routing, routing)


def render_network(plan: Mapping[str, Any], source: str | None) -> str:
    """The subnets, one line each with the reasons under it, then what takes them."""
    lines = _wrapped(f"Network: {source}", "") if source else []
    subnets: Sequence[Mapping[str, Any]] = plan.get("subnets") or []
    lines += _wrapped(
        f"Subnets of {plan.get('vpcId')}, public or private by their route table's default route:",
        "  ",
    )
    zone_width = max((len(str(s["availabilityZone"])) for s in subnets), default=0)
    cidr_width = max((len(str(s["cidrBlock"])) for s in subnets), default=0)
    selection: Mapping[str, Any] = plan.get("selection") or {}
    for subnet in subnets:
        head = (
            f"{subnet['id']}  {subnet['availabilityZone']:<{zone_width}}  "
            f"{subnet['cidrBlock']:<{cidr_width}}  {_label(subnet)}"
        )
        lines += _wrapped(head, "    ", "      ")
        lines += _wrapped(_route_line(subnet), "      ")
        lines += _wrapped(_use_line(subnet, selection), "      ")
    database = ", ".join(plan.get("databaseSubnetGroup") or []) or "none"
    lines += _wrapped(f"The database's subnet group takes: {database}", "  ")
    bastion: Mapping[str, Any] = plan.get("bastion") or {}
    path = BASTION_PATHS.get(str(bastion.get("path")), str(bastion.get("path")))
    lines += _wrapped(f"The bastion takes: {bastion.get('subnetId')} ({path})", "  ")
    endpoints = plan.get("ssmEndpoints")
    if endpoints is not None:
        lines += _wrapped(f"The Session Manager endpoints take: {', '.join(endpoints)}", "  ")
    return "\n".join(lines)
