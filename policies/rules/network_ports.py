"""Which ports ingress may open: those the policy config lists, and those the
stack's own resources serve to the bastion, read from the stack itself: a
database's port into the database's security group, HTTPS into the group of
an interface VPC endpoint, each only from the bastion's group. Anything else
(another port, a range, all traffic) is refused."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_policy import Severity

from .declaring import RuleSet, StackCheck, origin, policy_knob
from .network import PORT_SCHEMA
from .network_topology import BASTION_TAG_CONFIG
from .permissions import Permission
from .resource_types import DEFAULT_DB_PORTS, RDS_INSTANCE, SECURITY_GROUP, VPC_ENDPOINT
from .stack_view import BastionGroups, Node, StackView, bastion_groups
from .unknowns import UNKNOWN, as_int, unknown_refusal

rules = RuleSet("network")

# An interface endpoint's network interfaces take the service's API calls on
# HTTPS, so its security group must admit tcp/443 from the callers (AWS
# PrivateLink Guide, "Access an AWS service using an interface VPC endpoint":
# https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
ENDPOINT_PORT = 443


def _served_ports(view: StackView) -> dict[str, dict[int, str]]:
    """Security group URN -> the ports the resources it guards serve, with
    what serves each (for messages). A port still unknown at preview is left
    out: a rule opening it is then refused, saying so."""
    served: dict[str, dict[int, str]] = {}

    def add(guard: Node, prop: str, port: int, what: str) -> None:
        for group in view.resolve(guard, prop, (SECURITY_GROUP,)).nodes:
            served.setdefault(group.urn, {})[port] = what

    for instance in view.of_type(RDS_INSTANCE):
        port = as_int(instance.props.get("port"))
        engine = instance.props.get("engine")
        if port is None and isinstance(engine, str):
            port = DEFAULT_DB_PORTS.get(engine.lower())
        if isinstance(port, int):
            add(instance, "vpcSecurityGroupIds", port, f"database '{instance.name}'")
    for endpoint in view.of_type(VPC_ENDPOINT):
        if endpoint.props.get("vpcEndpointType") == "Interface":
            add(endpoint, "securityGroupIds", ENDPOINT_PORT, f"endpoint '{endpoint.name}'")
    return served


def _from_bastion_only(view: StackView, permission: Permission, bastion: BastionGroups) -> bool:
    if permission.cidrs or permission.prefix_lists or permission.self_source is True:
        return False
    return bool(permission.source_groups) and bastion.contains(view.source_groups_of(permission))


def _served_to_bastion(
    view: StackView,
    permission: Permission,
    port: int,
    served: Mapping[str, Mapping[int, str]],
    bastion: BastionGroups,
) -> bool:
    """Does every group the permission opens serve ``port`` to the bastion's group?"""
    if permission.protocol != "tcp" or not _from_bastion_only(view, permission, bastion):
        return False
    targets = view.group_of(permission)
    if targets.unresolved or targets.external or not targets.nodes:
        return False
    return all(port in served.get(node.urn, {}) for node in targets.nodes)


@rules.stack(
    name="sg-ingress-port-allow-list",
    description=(
        "Ingress opens only the ports the config lists, and the ports the stack's own "
        "resources serve to the bastion's group (a database's port, HTTPS into interface "
        "endpoints); no all-traffic rules, no wide ranges."
    ),
    severity=Severity.HIGH,
    fix=(
        "Open single ports: a database's port (its port property) into its own security "
        "group and tcp/443 into an interface endpoint's group, each from the bastion's group "
        "only; never protocol -1 or a range. Another port the team needs goes in "
        f"{policy_knob('sg-ingress-port-allow-list', 'allowedPorts')}."
    ),
    config={
        "allowedPorts": {
            "type": "array",
            "items": PORT_SCHEMA,
            "description": (
                "Ports an ingress rule may open from any source (SSH and the engines' "
                "default ports); a database's own port and HTTPS into interface endpoints are "
                "accepted from the bastion's group without being listed."
            ),
            "default": [22, 3306, 5432],
        },
        "allowIcmp": {
            "type": "boolean",
            "description": "Accept inbound ICMP.",
            "default": False,
        },
        **BASTION_TAG_CONFIG,
    },
)
def port_allow_list(check: StackCheck) -> None:
    view = check.view
    allowed = sorted({int(p) for p in check.config.get("allowedPorts") or []})
    allow_icmp = bool(check.config.get("allowIcmp"))
    ports = ", ".join(map(str, allowed))
    knob = policy_knob("sg-ingress-port-allow-list", "allowedPorts")
    served: dict[str, dict[int, str]] | None = None
    bastion: BastionGroups | None = None
    for permission in view.permissions("ingress"):
        where = permission.origin_urn
        if permission.protocol is UNKNOWN or permission.port_range() is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The protocol or ports of {permission.label}",
                    "it opens only the product's ports",
                    "Give protocol and ports as literals.",
                ),
                where,
            )
            continue
        if permission.protocol in ("icmp", "icmpv6"):
            if not allow_icmp:
                check.report(
                    f"{permission.label} admits {permission.protocol} ({origin(None)}); this "
                    "product needs no inbound ICMP and "
                    f"{policy_knob('sg-ingress-port-allow-list', 'allowIcmp')} is off.",
                    where,
                )
            continue
        if permission.protocol == "all" or permission.protocol not in ("tcp", "udp"):
            check.report(
                f"{permission.label} admits {permission.describe_ports()} ({origin(None)}), "
                f"not just the ports {knob} lists ({ports}).",
                where,
            )
            continue
        low, high = permission.port_range()  # type: ignore[misc]
        stray = [port for port in range(low, high + 1) if port not in allowed]
        if not stray:
            continue
        if low == high:
            # Read the stack's own ports only when a rule needs them.
            if served is None or bastion is None:
                served = _served_ports(view)
                bastion = bastion_groups(
                    view, str(check.config["bastionTagKey"]), str(check.config["bastionTagValue"])
                )
            if _served_to_bastion(view, permission, low, served, bastion):
                continue
        extra = f"{stray[0]}" if len(stray) == 1 else f"{len(stray)} ports (e.g. {stray[0]})"
        check.report(
            f"{permission.label} opens {permission.describe_ports()}, which includes "
            f"{extra} outside the ports {knob} lists ({ports}) and is not a port a resource "
            "of this stack serves to the bastion's group from that group alone.",
            where,
        )
