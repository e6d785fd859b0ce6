"""Required tags on every taggable resource, counting the provider's default tags."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

from pulumi_policy import ResourceValidationArgs, Severity

from .declaring import (
    REMEDIATE,
    ResourceCheck,
    RuleSet,
    origin,
    policy_knob,
    stack_key,
    string_list,
)
from .effective_tags import effective_tags
from .resource_types import (
    EBS_VOLUME,
    EC2_EIP,
    EC2_INSTANCE,
    KEY_PAIR,
    METRIC_ALARM,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    RDS_SUBNET_GROUP,
    SECURITY_GROUP,
    SG_EGRESS_RULE,
    SG_INGRESS_RULE,
    SNS_TOPIC,
)
from .unknowns import UNKNOWN, PlainProps, unknown_refusal

rules = RuleSet("tagging")

# Types that take tags even when the program sets none of its own (the
# provider's default tags reach them); any other aws: type counts once it has
# a ``tags`` property.
TAGGABLE_TYPES = frozenset(
    {
        EC2_INSTANCE,
        EC2_EIP,
        EBS_VOLUME,
        KEY_PAIR,
        SECURITY_GROUP,
        SG_INGRESS_RULE,
        SG_EGRESS_RULE,
        RDS_INSTANCE,
        RDS_SUBNET_GROUP,
        RDS_PARAMETER_GROUP,
        METRIC_ALARM,
        SNS_TOPIC,
        "aws:iam/role:Role",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
    }
)


def _taggable(resource_type: str, props: Mapping[str, Any]) -> bool:
    if resource_type in TAGGABLE_TYPES:
        return True
    # Iterating keys never reads a (possibly unknown) value.
    return resource_type.startswith("aws:") and any(key in ("tags", "tagsAll") for key in props)


def _missing(tags: Mapping[str, Any], required: list[str]) -> list[str]:
    return [key for key in required if key not in tags or tags[key] in (None, "")]


def _fill_placeholder(template: str) -> str | None:
    """``{project}``/``{stack}`` come from the environment the engine starts the pack with."""
    replacements = {
        "{project}": os.environ.get("PULUMI_PROJECT", ""),
        "{stack}": os.environ.get("PULUMI_STACK", ""),
    }
    value = template
    for placeholder, actual in replacements.items():
        if placeholder in value:
            if not actual:
                return None
            value = value.replace(placeholder, actual)
    return value


def _add_missing_tags(
    args: ResourceValidationArgs, config: dict[str, Any]
) -> Mapping[str, Any] | None:
    required = [str(t) for t in config.get("requiredTags") or []]
    props = cast(MutableMapping[str, Any], args.props)
    provider = PlainProps(args.provider.props if args.provider is not None else None)
    tags = effective_tags(PlainProps(props), provider)
    if tags is UNKNOWN:
        return None
    additions: dict[str, str] = {}
    for key in _missing(tags, required):  # type: ignore[arg-type]
        template = (config.get("remediationValues") or {}).get(key)
        value = _fill_placeholder(str(template)) if template is not None else None
        if value:
            additions[key] = value
    if not additions:
        return None
    raw = props.get("tags")
    own = {key: raw[key] for key in raw} if isinstance(raw, Mapping) else {}
    own.update(additions)
    props["tags"] = own
    return props


@rules.resource(
    name="required-tags",
    description=(
        "Every taggable resource carries the required tags, counting the provider's default "
        "tags (missing ones are added where their value is known)."
    ),
    severity=Severity.LOW,
    fix=(
        "Set the tags once in the AWS provider's default tags (defaultTags), or on each "
        "resource; or change "
        f"{policy_knob('required-tags', 'requiredTags')}."
    ),
    types=(),
    applies=_taggable,
    remediate=_add_missing_tags,
    level=REMEDIATE,
    config={
        "requiredTags": string_list(
            "Tags every taggable resource must carry.", ["Project", "Environment", "ManagedBy"]
        ),
        "allowedValues": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Accepted values per tag; tags not listed accept any value.",
            "default": {},
        },
        "remediationValues": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": (
                "Values the remediation writes for missing tags; {project} and {stack} are the "
                "Pulumi project and stack."
            ),
            "default": {"Project": "{project}", "Environment": "{stack}", "ManagedBy": "pulumi"},
        },
    },
)
def required_tags(check: ResourceCheck) -> None:
    required = [str(t) for t in check.config.get("requiredTags") or []]
    tags = effective_tags(check.props, check.provider_props)
    if tags is UNKNOWN:
        check.report(
            unknown_refusal(
                "The resource's tags (or its provider's defaultTags)",
                f"it carries {', '.join(required)}",
                "Set tags from literals or stack config.",
            )
        )
        return
    missing = _missing(tags, required)  # type: ignore[arg-type]
    if missing:
        project, profile = stack_key("projectName"), stack_key("profile")
        where = (
            f"the program sets Project from {project} and Environment from {profile}"
            if project and profile
            else origin(None)
        )
        check.report(
            f"Missing tag(s) {', '.join(missing)}, counting the provider's default tags "
            f"({where}), so the resource cannot be told apart by cost or owner."
        )
    allowed_values = check.config.get("allowedValues") or {}
    for key, values in allowed_values.items():
        value = tags.get(key)  # type: ignore[union-attr]
        if value not in (None, UNKNOWN) and value not in values:
            check.report(
                f"Tag {key}={value!r} is not one of the values "
                f"{policy_knob('required-tags', 'allowedValues')} accepts "
                f"({', '.join(map(str, values))})."
            )
