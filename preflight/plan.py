"""Prints a mocked run the way ``pulumi preview`` shows a plan: the resource
tree, the inputs that matter, the outputs (secrets masked), counts per type."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot, SecretValue, UnknownValue
from preflight.style import Style

# The few inputs a reviewer looks at first, per type.
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": (
        "engine",
        "engineVersion",
        "instanceClass",
        "publiclyAccessible",
        "storageEncrypted",
        "multiAz",
        "backupRetentionPeriod",
        "deletionProtection",
    ),
    "aws:ec2/instance:Instance": ("instanceType", "associatePublicIpAddress", "metadataOptions"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ipProtocol",
        "fromPort",
        "toPort",
        "cidrIpv4",
        "cidrIpv6",
        "referencedSecurityGroupId",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ipProtocol",
        "fromPort",
        "toPort",
        "cidrIpv4",
        "referencedSecurityGroupId",
    ),
    "aws:rds/subnetGroup:SubnetGroup": ("subnetIds",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("metricName", "comparisonOperator", "threshold"),
}


def shown(value: Any) -> str:
    """A value as the plan prints it: JSON, with secrets and unknowns as bare markers."""
    if isinstance(value, SecretValue | UnknownValue):
        return str(_masked(value))
    return json.dumps(_masked(value), separators=(",", ":"))


def _masked(value: Any) -> Any:
    if isinstance(value, SecretValue):
        return "[secret]"
    if isinstance(value, UnknownValue):
        return "[unknown]"
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def render_plan(run: ProgramRun, stack_urn: str, style: Style) -> str:
    children: dict[str | None, list[ResourceSnapshot]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent, []).append(resource)
    type_width = max(len(r.type) for r in run.resources) + 6
    lines = [
        style.bold(f"Previewing update ({run.stack}) offline, against the fake AWS world:"),
        "",
        f"     {'Type':<{type_width}} {'Name':<40} Plan",
        f" {style.green('+')}   {'pulumi:pulumi:Stack':<{type_width}} "
        f"{run.project + '-' + run.stack:<40} create",
    ]

    def walk(parent: str, prefix: str) -> None:
        kids = children.get(parent, [])
        for index, resource in enumerate(kids):
            last = index == len(kids) - 1
            branch = "└─ " if last else "├─ "
            label = f"{prefix}{branch}{resource.type}"
            protect = "  " + style.yellow("🔒 protected") if resource.protect else ""
            lines.append(
                f" {style.green('+')}   {label:<{type_width}} {resource.name:<40} create{protect}"
            )
            detail_prefix = prefix + ("   " if last else "│  ")
            for key in KEY_INPUTS.get(resource.type, ()):
                if key in resource.inputs:
                    lines.append(
                        style.dim(
                            f"         {detail_prefix}   {key}: {shown(resource.inputs[key])}"
                        )
                    )
            walk(resource.urn, detail_prefix)

    walk(stack_urn, "")
    lines += ["", style.bold("Outputs:")]
    width = max((len(name) for name in run.outputs), default=0)
    for name, value in run.outputs.items():
        lines.append(f"    {name + ':':<{width + 1}} {shown(value)}")
    counts = Counter(r.type for r in run.resources)
    lines += [
        "",
        style.bold("Resources:"),
        f"    {style.green('+')} {len(run.resources) + 1} to create",
    ]
    for type_token, count in sorted(counts.items()):
        lines.append(f"      {count:>3} {type_token}")
    return "\n".join(lines)
