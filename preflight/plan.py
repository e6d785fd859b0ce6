"""Prints a mocked run the way ``pulumi preview`` shows a plan: the resource
tree, the inputs that matter, the outputs (secrets masked), counts per type.

Steady and narrow: the order is the run's stable one (parents and
dependencies first, then by URN), types are shown in the short form the CLI
prints (``aws:ec2:Instance``), and every line fits 100 columns.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from typing import Any

from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot, SecretValue, UnknownValue
from preflight.style import Style

WIDTH = 100
STACK_TYPE = "pulumi:pulumi:Stack"
# Left of the tree: the plan's sign, then the tree itself from this column.
SIGN, TREE = " +   ", "     "

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


def short_type(type_token: str) -> str:
    """``aws:ec2/instance:Instance`` as the CLI displays it, ``aws:ec2:Instance``
    (pulumi/pulumi ``pkg/backend/display``, simplifyTypeName)."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module, _, _ = parts[1].partition("/")
        return f"{parts[0]}:{module}:{parts[2]}"
    return type_token


def shown(value: Any) -> str:
    """A value as the plan prints it: JSON, with secrets and unknowns as bare markers."""
    if isinstance(value, SecretValue | UnknownValue):
        return str(_masked(value))
    return json.dumps(_masked(value), separators=(", ", ": "))


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


def _field(label: str, value: str, indent: str) -> list[str]:
    """``label value``, the value wrapped under itself when it does not fit
    (the tree's lines, part of ``indent``, carry on down beside it)."""
    head = f"{indent}{label} "
    lines = textwrap.wrap(
        value,
        width=WIDTH,
        initial_indent=head,
        subsequent_indent=indent + " " * (len(label) + 1),
        break_long_words=True,
        break_on_hyphens=False,
    )
    return lines or [head.rstrip()]


def render_plan(run: ProgramRun, stack_urn: str, style: Style) -> str:
    children: dict[str | None, list[ResourceSnapshot]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent, []).append(resource)
    stack_name = f"{run.project}-{run.stack}"
    by_urn = {r.urn: r for r in run.resources}
    type_width = max(len(STACK_TYPE), *(_depth_width(r, by_urn) for r in run.resources)) + 2
    lines = [
        style.bold(f"Previewing update ({run.stack}) offline, against the fake AWS world:"),
        "",
        f"{TREE}{'Type':<{type_width}}Name",
        f"{SIGN.replace('+', style.green('+'))}{STACK_TYPE:<{type_width}}{stack_name}",
    ]

    def walk(parent: str, prefix: str) -> None:
        kids = children.get(parent, [])
        for index, resource in enumerate(kids):
            last = index == len(kids) - 1
            label = f"{prefix}{'└─ ' if last else '├─ '}{short_type(resource.type)}"
            protect = "  " + style.yellow("[protected]") if resource.protect else ""
            line = f"{label:<{type_width}}{resource.name}"
            if len(TREE) + len(line) + len(protect) > WIDTH:
                line = f"{label}  {resource.name}"
            lines.append(f"{SIGN.replace('+', style.green('+'))}{line}{protect}")
            below = prefix + ("   " if last else "│  ")
            # Inputs sit under the type, clear of the line down to the children.
            inputs_indent = TREE + below + ("│  " if children.get(resource.urn) else "   ")
            for key in KEY_INPUTS.get(resource.type, ()):
                if key in resource.inputs:
                    for text in _field(f"{key}:", shown(resource.inputs[key]), inputs_indent):
                        lines.append(style.dim(text))
            walk(resource.urn, below)

    walk(stack_urn, "")
    lines += ["", style.bold("Outputs:")]
    width = max((len(name) for name in run.outputs), default=0) + 1
    for name, value in run.outputs.items():
        lines += _field(f"{name + ':':<{width}}", shown(value), "    ")
    counts = Counter(r.type for r in run.resources)
    # The stack itself is created too, so it counts, as in `pulumi preview`'s summary.
    counts[STACK_TYPE] += 1
    lines += [
        "",
        style.bold("Resources:"),
        f"    {style.green('+')} {sum(counts.values())} to create",
    ]
    for type_token, count in sorted(counts.items()):
        lines.append(f"      {count:>3} {type_token}")
    return "\n".join(lines)


def _depth_width(resource: ResourceSnapshot, by_urn: dict[str, ResourceSnapshot]) -> int:
    """How wide the type column must be for this resource: its tree prefix
    (three columns per ancestor below the stack) and its short type."""
    depth, parent = 1, resource.parent
    while parent in by_urn:
        depth += 1
        parent = by_urn[parent].parent
    return 3 * depth + len(short_type(resource.type))
