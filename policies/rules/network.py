"""Guardrails for each security-group permission where it is declared.

Every way of writing a permission counts (inline blocks,
``aws:ec2/securityGroupRule``, ``aws:vpc/securityGroup*Rule``); the rules that
follow a permission to the group and the instance it guards are in
``network_topology.py``.
"""

from __future__ import annotations

from pulumi_policy import Severity

from .declaring import ResourceCheck, RuleSet, origin, policy_knob, stack_key
from .permissions import Permission, permissions_of
from .resource_types import SECURITY_GROUP, SG_TYPES
from .unknowns import UNKNOWN, unknown_refusal

rules = RuleSet("network")
SSH_PORT = 22
# Descriptions the providers fill in when the author wrote none.
PLACEHOLDER_DESCRIPTIONS = frozenset({"managed by pulumi", "managed by terraform"})
PORT_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 65535}


def source_key(permission: Permission) -> str | None:
    """The stack key behind a permission's source: the program opens SSH from
    ``sshAllowedCidrs`` and nothing else from a CIDR."""
    return stack_key("sshAllowedCidrs") if permission.covers(SSH_PORT) is True else None


def _ingress(check: ResourceCheck) -> list[Permission]:
    return [
        p
        for p in permissions_of(check.type, check.urn, check.name, check.props)
        if p.direction == "ingress"
    ]


@rules.resource(
    name="sg-no-public-ingress",
    description="No ingress from 0.0.0.0/0 or ::/0 except on ports the config allows.",
    severity=Severity.CRITICAL,
    fix=(
        "Admit the networks that need access instead of the whole internet, or list a port "
        "meant to be public in "
        f"{policy_knob('sg-no-public-ingress', 'allowedPublicPorts')}."
    ),
    types=SG_TYPES,
    config={
        "allowedPublicPorts": {
            "type": "array",
            "items": PORT_SCHEMA,
            "description": "TCP/UDP ports that may be open to the whole internet.",
            "default": [],
        }
    },
)
def no_public_ingress(check: ResourceCheck) -> None:
    allowed = {int(p) for p in check.config.get("allowedPublicPorts") or []}
    for permission in _ingress(check):
        if any(c is UNKNOWN for c in permission.cidrs):
            check.report(
                unknown_refusal(
                    f"The source CIDR of {permission.label}",
                    "it does not admit the whole internet",
                    "Give the CIDR as a literal (stack config) rather than a computed value.",
                )
            )
            continue
        world = permission.world_cidrs()
        if not world:
            continue
        span = permission.port_range()
        if span is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The ports of {permission.label}",
                    f"what it opens to {world[0]} is allowed",
                    "Give protocol and ports as literals.",
                )
            )
            continue
        low, high = span  # type: ignore[misc]
        if permission.protocol in ("tcp", "udp") and all(
            port in allowed for port in range(low, high + 1)
        ):
            continue
        check.report(
            f"{permission.label} admits {permission.describe_ports()} from {', '.join(world)} "
            f"({origin(source_key(permission))}), i.e. from the whole internet, on ports "
            f"{policy_knob('sg-no-public-ingress', 'allowedPublicPorts')} does not list."
        )


def _is_placeholder(text: str) -> bool:
    return text.strip().lower() in PLACEHOLDER_DESCRIPTIONS


@rules.resource(
    name="sg-descriptions",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/working-with-security-groups.html",
    description="Security groups and each of their rules carry a description.",
    severity=Severity.LOW,
    fix="Give every group and rule a description saying what it guards and why the traffic is "
    "allowed.",
    types=SG_TYPES,
)
def descriptions(check: ResourceCheck) -> None:
    if check.type == SECURITY_GROUP:
        description = check.props.get("description")
        if description is not UNKNOWN and (
            not isinstance(description, str)
            or not description.strip()
            or _is_placeholder(description)
        ):
            check.report(
                f"Security group '{check.name}' has no description of its own "
                f"({description!r}; {origin(None)}), so nobody can tell what it guards."
            )
    for permission in permissions_of(check.type, check.urn, check.name, check.props):
        text = permission.description
        if text is UNKNOWN:
            continue  # a description will be there; its wording is not a security question
        if not isinstance(text, str) or not text.strip():
            check.report(
                f"{permission.label} has no description ({origin(None)}), so nobody can tell "
                "why the traffic is allowed."
            )


@rules.resource(
    name="sg-no-unrestricted-egress",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/working-with-security-groups.html",
    description="No egress of all traffic to 0.0.0.0/0 or ::/0.",
    severity=Severity.MEDIUM,
    fix="Allow egress only on the ports and to the destinations the host needs (e.g. tcp/443).",
    types=SG_TYPES,
)
def unrestricted_egress(check: ResourceCheck) -> None:
    for permission in permissions_of(check.type, check.urn, check.name, check.props):
        if permission.direction != "egress":
            continue
        if any(c is UNKNOWN for c in permission.cidrs):
            check.report(
                unknown_refusal(
                    f"The destination CIDR of {permission.label}",
                    "egress is not open to the whole internet",
                    "Give the CIDR as a literal.",
                )
            )
            continue
        world = permission.world_cidrs()
        if not world:
            continue
        everything = permission.opens_all_ports()
        if everything is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The ports of {permission.label}",
                    "egress to the internet is limited to named ports",
                    "Give protocol and ports as literals.",
                )
            )
        elif everything:
            check.report(
                f"{permission.label} lets {permission.describe_ports()} out to {', '.join(world)} "
                f"({origin(None)}): unrestricted egress lets a compromised host exfiltrate "
                "anything."
            )
