"""Guardrails that follow a security-group permission to its group, and a group
to the instance or database it guards, through property dependencies first,
so they hold while ids are still unknown at preview."""

from __future__ import annotations

from pulumi_policy import Severity

from .declaring import (
    ADVISORY,
    RuleSet,
    StackCheck,
    origin,
    policy_knob,
    stack_key,
    string_list,
)
from .network import SSH_PORT
from .permissions import cidr_within
from .resource_types import DEFAULT_DB_PORTS, RDS_INSTANCE, SECURITY_GROUP, SG_TYPES
from .stack_view import Resolution, bastion_groups
from .unknowns import UNKNOWN, as_int, unknown_refusal

rules = RuleSet("network")

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


def _names(resolution: Resolution) -> str:
    shown = [f"'{node.name}'" for node in resolution.nodes] + list(resolution.external)
    return ", ".join(shown) or "no known group"


@rules.stack(
    name="sg-ssh-bastion-only",
    description=(
        "SSH (port 22, a range covering it, or all traffic) is open only into the bastion's "
        "security group and only from allowed CIDRs."
    ),
    severity=Severity.CRITICAL,
    fix=(
        "Admit SSH only from networks inside "
        f"{policy_knob('sg-ssh-bastion-only', 'allowedCidrs')} (or add yours there), and only "
        "into the bastion's group; or reach the bastion with Session Manager and open no SSH."
    ),
    config={
        "allowedCidrs": string_list(
            "Networks SSH may come from; empty allows SSH from nowhere.", []
        ),
        **BASTION_TAG_CONFIG,
    },
)
def ssh_bastion_only(check: StackCheck) -> None:
    view = check.view
    allowed = [str(c) for c in check.config.get("allowedCidrs") or []]
    cidrs_key = stack_key("sshAllowedCidrs")
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
                f"{permission.describe_ports()}) into {_names(group)}, which is not the "
                f"bastion's security group ({origin(None)}); only the bastion may accept SSH.",
                permission.origin_urn,
            )
        for cidr in permission.cidrs:
            if cidr is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The source CIDR of {permission.label}",
                        "SSH comes only from the allowed networks",
                        "Give the CIDR as a literal"
                        + (f", from {cidrs_key}." if cidrs_key else "."),
                    ),
                    permission.origin_urn,
                )
            elif not cidr_within(str(cidr), allowed):
                check.report(
                    f"{permission.label}{maybe} admits SSH from {cidr} ({origin(cidrs_key)}), "
                    "outside the networks "
                    f"{policy_knob('sg-ssh-bastion-only', 'allowedCidrs')} allows "
                    f"({', '.join(allowed) or 'none'}).",
                    permission.origin_urn,
                )
        if permission.source_groups or permission.self_source is True or permission.prefix_lists:
            check.report(
                f"{permission.label}{maybe} admits SSH from a security group or prefix list "
                f"({origin(None)}); SSH may only come from the allowed CIDRs, where it can be "
                "audited.",
                permission.origin_urn,
            )


@rules.stack(
    name="sg-db-port-bastion-only",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
    description=(
        "A database's security group admits only its port, only from the bastion's group."
    ),
    severity=Severity.CRITICAL,
    fix=(
        "Give the database group a single rule: tcp/<db port> with "
        "referencedSecurityGroupId=<bastion group>, as the program's security groups do; "
        "remove CIDR and other sources. Reach the database through the bastion."
    ),
    config=dict(BASTION_TAG_CONFIG),
)
def db_port_bastion_only(check: StackCheck) -> None:
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
                        f"The port of database '{instance.name}' ({origin(stack_key('dbPort'))})",
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
                    f"'{instance.name}''s security group ({origin(None)}); only tcp/{port} "
                    "from the bastion belongs there.",
                    permission.origin_urn,
                )
            for cidr in permission.cidrs:
                source = "an unknown CIDR" if cidr is UNKNOWN else str(cidr)
                check.report(
                    f"{permission.label} admits {source} to database '{instance.name}' on "
                    f"{permission.describe_ports()} ({origin(None)}); the database may only be "
                    "reached from the bastion's security group.",
                    permission.origin_urn,
                )
            if permission.self_source is True or permission.prefix_lists:
                check.report(
                    f"{permission.label} admits the group itself or a prefix list to database "
                    f"'{instance.name}' ({origin(None)}); only the bastion's group may connect.",
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
                        f"{permission.label} admits {_names(sources)} to database "
                        f"'{instance.name}' ({origin(None)}); only the bastion's security group "
                        "may connect.",
                        permission.origin_urn,
                    )


@rules.stack(
    name="sg-attached",
    description="Every security group is attached to something.",
    severity=Severity.LOW,
    fix="Remove the unused security group, or attach it where it is meant to apply.",
    level=ADVISORY,
)
def attached(check: StackCheck) -> None:
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
                f"Security group '{group.name}' is attached to nothing in this stack "
                f"({origin(None)}), so its rules guard nothing and only confuse audits.",
                group.urn,
            )
