"""Guardrails for security groups and every way of writing their rules.

Resource rules judge each permission where it is declared (inline blocks,
``aws:ec2/securityGroupRule``, ``aws:vpc/securityGroup*Rule``). The topology
rules need the whole stack: they follow a rule to its group, and a group to
the instance or database it guards, through property dependencies first, so
they hold while ids are still unknown at preview.
"""

from __future__ import annotations

from pulumi_policy import Policy, Severity

from .common import (
    ADVISORY,
    DEFAULT_DB_PORTS,
    RDS_INSTANCE,
    SECURITY_GROUP,
    SG_RULE_TYPES,
    UNKNOWN,
    Permission,
    Resolution,
    ResourceCheck,
    StackCheck,
    as_int,
    bastion_groups,
    cidr_within,
    permissions_of,
    resource_rule,
    stack_rule,
    string_list_schema,
    unknown_refusal,
)

SG_TYPES = (SECURITY_GROUP, *SG_RULE_TYPES)
SSH_PORT = 22
# Descriptions the providers fill in when the author wrote none.
PLACEHOLDER_DESCRIPTIONS = frozenset({"managed by pulumi", "managed by terraform"})

BASTION_TAG_CONFIG = {
    "bastionTagKey": {
        "type": "string",
        "description": "Tag that marks the bastion instance.",
        "default": "Role",
    },
    "bastionTagValue": {
        "type": "string",
        "description": "Value of that tag on the bastion instance.",
        "default": "bastion",
    },
}


def _ingress(check: ResourceCheck) -> list[Permission]:
    return [
        p
        for p in permissions_of(check.type, check.urn, check.name, check.props)
        if p.direction == "ingress"
    ]


def _names(resolution: Resolution) -> str:
    shown = [f"'{node.name}'" for node in resolution.nodes] + list(resolution.external)
    return ", ".join(shown) or "no known group"


# --- resource rules ------------------------------------------------------------


def _no_public_ingress(check: ResourceCheck) -> None:
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
            f"{permission.label} admits {permission.describe_ports()} from {', '.join(world)}, "
            "i.e. from the whole internet. Restrict the source to the networks that need it "
            "(or list the port in allowedPublicPorts if the team really wants it public)."
        )


def _port_allow_list(check: ResourceCheck) -> None:
    allowed = sorted({int(p) for p in check.config.get("allowedPorts") or []})
    allow_icmp = bool(check.config.get("allowIcmp"))
    for permission in _ingress(check):
        if permission.protocol is UNKNOWN or permission.port_range() is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The protocol or ports of {permission.label}",
                    "it opens only the product's ports",
                    "Give protocol and ports as literals.",
                )
            )
            continue
        if permission.protocol in ("icmp", "icmpv6"):
            if not allow_icmp:
                check.report(
                    f"{permission.label} admits {permission.protocol}; this product needs no "
                    "inbound ICMP. Remove it (or set allowIcmp)."
                )
            continue
        if permission.protocol == "all" or permission.protocol not in ("tcp", "udp"):
            check.report(
                f"{permission.label} admits {permission.describe_ports()}; open only the ports "
                f"the product serves ({', '.join(map(str, allowed))})."
            )
            continue
        low, high = permission.port_range()  # type: ignore[misc]
        stray = [port for port in range(low, high + 1) if port not in allowed]
        if stray:
            shown = f"{stray[0]}" if len(stray) == 1 else f"{len(stray)} ports (e.g. {stray[0]})"
            check.report(
                f"{permission.label} opens {permission.describe_ports()}, which includes {shown} "
                f"outside the product's ports ({', '.join(map(str, allowed))}). Narrow the range."
            )


def _is_placeholder(text: str) -> bool:
    return text.strip().lower() in PLACEHOLDER_DESCRIPTIONS


def _descriptions(check: ResourceCheck) -> None:
    if check.type == SECURITY_GROUP:
        description = check.props.get("description")
        if description is not UNKNOWN and (
            not isinstance(description, str)
            or not description.strip()
            or _is_placeholder(description)
        ):
            check.report(
                f"Security group '{check.name}' has no description of its own "
                f"({description!r}). Say what the group guards and who may reach it."
            )
    for permission in permissions_of(check.type, check.urn, check.name, check.props):
        text = permission.description
        if text is UNKNOWN:
            continue  # a description will be there; its wording is not a security question
        if not isinstance(text, str) or not text.strip():
            check.report(f"{permission.label} has no description. Say why the traffic is allowed.")


def _unrestricted_egress(check: ResourceCheck) -> None:
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
                f"{permission.label} lets {permission.describe_ports()} out to {', '.join(world)}: "
                "unrestricted egress lets a compromised host exfiltrate anything. Allow only the "
                "ports and destinations the host needs (e.g. tcp/443)."
            )


# --- stack rules ---------------------------------------------------------------------


def _ssh_bastion_only(check: StackCheck) -> None:
    view = check.view
    allowed = [str(c) for c in check.config.get("allowedCidrs") or []]
    bastion = bastion_groups(
        view, str(check.config["bastionTagKey"]), str(check.config["bastionTagValue"])
    )
    for permission in view.permissions("ingress"):
        covers = permission.covers(SSH_PORT)
        if covers is False:
            continue
        maybe = (
            " may admit SSH (its protocol or ports are unknown at preview) and"
            if covers is UNKNOWN
            else ""
        )
        group = view.group_of(permission)
        if group.unresolved:
            check.report(
                unknown_refusal(
                    f"The security group of {permission.label}",
                    "SSH goes only into the bastion's group",
                    "Pass the group resource's id so the dependency is recorded.",
                ),
                permission.origin_urn,
            )
        elif not bastion.contains(group):
            check.report(
                f"{permission.label}{maybe} opens SSH (port 22 via "
                f"{permission.describe_ports()}) into {_names(group)}, which is "
                "not the bastion's security group. Only the bastion may accept SSH.",
                permission.origin_urn,
            )
        for cidr in permission.cidrs:
            if cidr is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The source CIDR of {permission.label}",
                        "SSH comes only from the allowed networks",
                        "Give the CIDR as a literal from stack config.",
                    ),
                    permission.origin_urn,
                )
            elif not cidr_within(str(cidr), allowed):
                check.report(
                    f"{permission.label}{maybe} admits SSH from {cidr}, outside the allowed "
                    f"networks ({', '.join(allowed) or 'none configured'}). Narrow the source "
                    "CIDR or add the network to allowedCidrs in the policy config.",
                    permission.origin_urn,
                )
        if permission.source_groups or permission.self_source is True or permission.prefix_lists:
            check.report(
                f"{permission.label}{maybe} admits SSH from a security group or prefix list; SSH "
                "may only come from the allowed CIDRs, where it can be audited.",
                permission.origin_urn,
            )


def _db_port_bastion_only(check: StackCheck) -> None:
    view = check.view
    bastion = bastion_groups(
        view, str(check.config["bastionTagKey"]), str(check.config["bastionTagValue"])
    )
    ingress = view.permissions("ingress")
    for instance in view.of_type(RDS_INSTANCE):
        engine = instance.props.get("engine")
        port = as_int(instance.props.get("port"))
        if port is None and isinstance(engine, str):
            port = DEFAULT_DB_PORTS.get(engine.lower())
        groups = view.resolve(instance, "vpcSecurityGroupIds", (SECURITY_GROUP,))
        if groups.unresolved:
            check.report(
                unknown_refusal(
                    f"The security groups of database '{instance.name}'",
                    "its port is reachable only from the bastion",
                    "Pass the group resources' ids so the dependencies are recorded.",
                ),
                instance.urn,
            )
            continue
        for permission in ingress:
            target = view.group_of(permission)
            if target.unresolved:
                might_open = not isinstance(port, int) or permission.covers(port) is not False
                if might_open:
                    check.report(
                        unknown_refusal(
                            f"The security group of {permission.label}",
                            f"it does not open database '{instance.name}'",
                            "Pass the group resource's id so the dependency is recorded.",
                        ),
                        permission.origin_urn,
                    )
                continue
            into_db = any(n in groups.nodes for n in target.nodes) or any(
                e in groups.external for e in target.external
            )
            if not into_db:
                continue
            if not isinstance(port, int):
                check.report(
                    unknown_refusal(
                        f"The port of database '{instance.name}'",
                        f"{permission.label} opens only the database port",
                        "Set port (or engine) as a literal.",
                    ),
                    permission.origin_urn,
                )
                continue
            span = permission.port_range()
            if span is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The ports of {permission.label}",
                        f"it opens only port {port}",
                        "Give protocol and ports as literals.",
                    ),
                    permission.origin_urn,
                )
            elif permission.protocol != "tcp" or span != (port, port):
                check.report(
                    f"{permission.label} opens {permission.describe_ports()} on database "
                    f"'{instance.name}''s security group; only tcp/{port} from the bastion "
                    "belongs there.",
                    permission.origin_urn,
                )
            for cidr in permission.cidrs:
                shown = "an unknown CIDR" if cidr is UNKNOWN else str(cidr)
                check.report(
                    f"{permission.label} admits {shown} to database '{instance.name}' on "
                    f"{permission.describe_ports()}; the database may only be reached from the "
                    "bastion's security group. Use referencedSecurityGroupId=<bastion group>.",
                    permission.origin_urn,
                )
            if permission.self_source is True or permission.prefix_lists:
                check.report(
                    f"{permission.label} admits the group itself or a prefix list to database "
                    f"'{instance.name}'; only the bastion's group may connect.",
                    permission.origin_urn,
                )
            if permission.source_groups:
                sources = view.source_groups_of(permission)
                if sources.unresolved:
                    check.report(
                        unknown_refusal(
                            f"The peer group of {permission.label}",
                            "it is the bastion's group",
                            "Pass the bastion group resource's id so the dependency is recorded.",
                        ),
                        permission.origin_urn,
                    )
                elif not bastion.contains(sources):
                    check.report(
                        f"{permission.label} admits {_names(sources)} to "
                        f"database '{instance.name}'; only the bastion's security group may "
                        "connect.",
                        permission.origin_urn,
                    )


def _attached(check: StackCheck) -> None:
    view = check.view
    groups = view.of_type(SECURITY_GROUP)
    used: set[str] = set()
    for node in view.nodes:
        if node.type in SG_TYPES:
            continue
        for urns in node.property_dependencies.values():
            used.update(urns)
        for prop in ("vpcSecurityGroupIds", "securityGroups", "securityGroupIds"):
            values = node.props.get(prop)
            if isinstance(values, list):
                used.update(g.urn for g in groups if g.props.get("id") in values)
    for group in groups:
        if group.urn not in used:
            check.report(
                f"Security group '{group.name}' is attached to nothing in this stack. Remove it, "
                "or attach it where it is meant to apply.",
                group.urn,
            )


def policies() -> list[Policy]:
    return [
        resource_rule(
            name="sg-no-public-ingress",
            description="No ingress from 0.0.0.0/0 or ::/0 except on ports the config allows.",
            severity=Severity.CRITICAL,
            remediation_steps="Replace the world CIDR with the networks that need access.",
            types=SG_TYPES,
            check=_no_public_ingress,
            config={
                "allowedPublicPorts": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                    "description": "TCP/UDP ports that may be open to the whole internet.",
                    "default": [],
                }
            },
        ),
        resource_rule(
            name="sg-ingress-port-allow-list",
            description=(
                "Ingress opens only the ports this product serves "
                "(no all-traffic rules, no wide ranges)."
            ),
            severity=Severity.HIGH,
            remediation_steps="Open single ports from allowedPorts; never protocol -1 or a range.",
            types=SG_TYPES,
            check=_port_allow_list,
            config={
                "allowedPorts": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                    "description": "Ports an ingress rule may open (SSH and the database engines).",
                    "default": [22, 3306, 5432],
                },
                "allowIcmp": {
                    "type": "boolean",
                    "description": "Accept inbound ICMP.",
                    "default": False,
                },
            },
        ),
        resource_rule(
            name="sg-descriptions",
            description="Security groups and each of their rules carry a description.",
            severity=Severity.LOW,
            remediation_steps="Give every group and rule a description saying why it exists.",
            types=SG_TYPES,
            check=_descriptions,
        ),
        resource_rule(
            name="sg-no-unrestricted-egress",
            description="No egress of all traffic to 0.0.0.0/0 or ::/0.",
            severity=Severity.MEDIUM,
            remediation_steps="Allow egress only on the ports and to the destinations needed.",
            types=SG_TYPES,
            check=_unrestricted_egress,
        ),
        stack_rule(
            name="sg-ssh-bastion-only",
            description=(
                "SSH (port 22, a range covering it, or all traffic) is open only into the "
                "bastion's security group and only from allowed CIDRs."
            ),
            severity=Severity.CRITICAL,
            remediation_steps=(
                "Attach SSH rules to the bastion's group only, with source CIDRs inside "
                "allowedCidrs; or use Session Manager and open no SSH at all."
            ),
            check=_ssh_bastion_only,
            config={
                "allowedCidrs": string_list_schema(
                    "Networks SSH may come from; empty allows SSH from nowhere.", []
                ),
                **BASTION_TAG_CONFIG,
            },
        ),
        stack_rule(
            name="sg-db-port-bastion-only",
            description=(
                "A database's security group admits only its port, only from the bastion's group."
            ),
            severity=Severity.CRITICAL,
            remediation_steps=(
                "Give the database group a single rule: tcp/<db port> with "
                "referencedSecurityGroupId=<bastion group>; remove CIDR and other sources."
            ),
            check=_db_port_bastion_only,
            config=dict(BASTION_TAG_CONFIG),
        ),
        stack_rule(
            name="sg-attached",
            description="Every security group is attached to something.",
            severity=Severity.LOW,
            remediation_steps="Remove unused security groups.",
            check=_attached,
            level=ADVISORY,
        ),
    ]
