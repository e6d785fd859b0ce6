"""Guardrails for EC2 instances (the bastion) and their volumes."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, cast

from pulumi_policy import ResourceValidationArgs, Severity

from .declaring import (
    ADVISORY,
    REMEDIATE,
    ResourceCheck,
    RuleSet,
    StackCheck,
    judge,
    origin,
    policy_knob,
    require_flag,
    stack_key,
    string_list,
)
from .network_topology import BASTION_TAG_CONFIG
from .resource_types import EBS_VOLUME, EC2_EIP, EC2_INSTANCE
from .stack_view import Node, is_bastion
from .unknowns import UNKNOWN, as_list, plain, unknown_refusal

rules = RuleSet("compute")
INSTANCE = (EC2_INSTANCE,)

# Families that are EBS-optimized by default and small enough for a bastion.
DEFAULT_INSTANCE_TYPES = (
    "t3.nano",
    "t3.micro",
    "t3.small",
    "t3a.nano",
    "t3a.micro",
    "t3a.small",
    "t4g.nano",
    "t4g.micro",
    "t4g.small",
)

SECRET_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id"),
    (r"aws_secret_access_key\s*[=:]", "an AWS secret access key"),
    (r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----", "a private key"),
    (
        r"(?i)\b(?:password|passwd|pwd|secret|token)\b\s*[=:]\s*['\"]?(?![$'\"\s])[^\s'\"]{6,}",
        "a password or token",
    ),
)


# --- IMDSv2 ----------------------------------------------------------------------


def _require_imdsv2(
    args: ResourceValidationArgs, config: dict[str, Any]
) -> Mapping[str, Any] | None:
    # In Remediate the SDK hands over a secrets-preserving mapping that may be
    # written to; writing keeps other secret values secret.
    props = cast(MutableMapping[str, Any], args.props)
    current = plain(props.get("metadataOptions"))
    if current is UNKNOWN:
        return None
    if isinstance(current, dict) and (
        current.get("httpEndpoint") == "disabled" or current.get("httpTokens") == "required"
    ):
        return None
    raw = props.get("metadataOptions")
    options = {key: raw[key] for key in raw} if isinstance(raw, Mapping) else {}
    options["httpTokens"] = "required"
    props["metadataOptions"] = options
    return props


@rules.resource(
    name="ec2-imdsv2",
    description=(
        "EC2 instances require IMDSv2 session tokens (remediated by setting httpTokens=required)."
    ),
    severity=Severity.HIGH,
    fix="Keep metadata_options.http_tokens='required' on the instance (the pack rewrites it).",
    types=INSTANCE,
    remediate=_require_imdsv2,
    level=REMEDIATE,
)
def imdsv2(check: ResourceCheck) -> None:
    options = check.props.get("metadataOptions")
    if options is UNKNOWN:
        check.report(
            unknown_refusal(
                "metadataOptions",
                "the instance requires IMDSv2 session tokens",
                "Set metadataOptions.httpTokens='required' as a literal.",
            )
        )
        return
    options = options if isinstance(options, dict) else {}
    endpoint, tokens = options.get("httpEndpoint"), options.get("httpTokens")
    if endpoint == "disabled":
        return
    judge(
        check.report,
        UNKNOWN if UNKNOWN in (tokens, endpoint) else tokens,
        what="metadataOptions.httpTokens",
        claim="IMDSv1 is off",
        known="Set metadataOptions.httpTokens='required' as a literal.",
        problem=lambda value: (
            f"metadataOptions.httpTokens is {value or 'not set'} ({origin(None)}), so the "
            "instance answers IMDSv1: any SSRF or proxy on the host can read its role's "
            "credentials."
            if value != "required"
            else None
        ),
    )


# --- volumes ---------------------------------------------------------------------------


def _unless(wanted: object, problem: str) -> Callable[[object], str | None]:
    """``problem`` for any value but ``wanted``."""
    return lambda value: None if value is wanted else problem


def _if(bad: object, problem: str) -> Callable[[object], str | None]:
    """``problem`` for the value ``bad`` only."""
    return lambda value: problem if value is bad else None


def _devices(check: ResourceCheck) -> list[tuple[str, Any]]:
    if check.type == EBS_VOLUME:
        return [(f"volume '{check.name}'", dict(check.props))]
    found: list[tuple[str, Any]] = [("rootBlockDevice", check.props.get("rootBlockDevice"))]
    extra = as_list(check.props.get("ebsBlockDevices"))
    if extra is UNKNOWN:
        found.append(("ebsBlockDevices", UNKNOWN))
    else:
        for device in extra:  # type: ignore[union-attr]
            name = device.get("deviceName") if isinstance(device, dict) else None
            found.append((f"ebsBlockDevices[{name or '?'}]", device))
    return found


@rules.resource(
    name="ec2-volumes-encrypted",
    description="Root and EBS volumes are encrypted (optionally with a given KMS key).",
    severity=Severity.HIGH,
    fix=(
        "Set encrypted=True on root_block_device and on every EBS volume (with "
        f"{policy_knob('ec2-volumes-encrypted', 'kmsKeyId')} set, kms_key_id to that key)."
    ),
    types=(EC2_INSTANCE, EBS_VOLUME),
    config={
        "kmsKeyId": {
            "type": "string",
            "description": "KMS key volumes must use; empty accepts any key.",
            "default": "",
        }
    },
)
def volumes_encrypted(check: ResourceCheck) -> None:
    wanted_key = check.config.get("kmsKeyId") or ""
    for label, device in _devices(check):
        if device is UNKNOWN:
            check.report(
                unknown_refusal(label, "it is encrypted", f"Give {label} as a literal block.")
            )
            continue
        if device is None:
            check.report(
                f"{label} is not set ({origin(None)}), so the root volume takes the AMI "
                "snapshot's encryption: unencrypted unless the account's EBS default encryption "
                "is on."
            )
            continue
        encrypted = device.get("encrypted") if isinstance(device, dict) else None
        unencrypted = (
            f"{label} is not encrypted ({origin(None)}): its data and snapshots are stored in "
            "the clear."
        )
        judge(
            check.report,
            encrypted,
            what=f"{label}.encrypted",
            claim="the volume is encrypted",
            known="Set it to the literal true.",
            problem=_unless(True, unencrypted),
        )
        if wanted_key and isinstance(device, dict) and device.get("kmsKeyId") != wanted_key:
            check.report(
                f"{label} is not encrypted with {wanted_key}, the key "
                f"{policy_knob('ec2-volumes-encrypted', 'kmsKeyId')} requires."
            )


@rules.resource(
    name="ec2-volumes-delete-on-termination",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/preserving-volumes-on-termination.html",
    description="An instance's volumes are deleted with it.",
    severity=Severity.LOW,
    fix="Set delete_on_termination=True on the root and EBS block devices.",
    types=INSTANCE,
    level=ADVISORY,
)
def delete_on_termination(check: ResourceCheck) -> None:
    for label, device in _devices(check):
        if not isinstance(device, dict):
            continue
        survives = (
            f"{label} survives the instance (deleteOnTermination=false; {origin(None)}) and "
            "keeps costing money unnoticed."
        )
        judge(
            check.report,
            device.get("deleteOnTermination"),
            what=f"{label}.deleteOnTermination",
            claim="the volume goes with the instance",
            known="Set it to the literal true.",
            problem=_if(False, survives),
        )


# --- the instance itself ---------------------------------------------------------------


@rules.resource(
    name="ec2-instance-type-allowed",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-types.html",
    description="EC2 instance types come from the team's allow-list.",
    severity=Severity.MEDIUM,
    fix=(
        "Set the instance's instanceType to a type on the allow-list, or add the type to "
        f"{policy_knob('ec2-instance-type-allowed', 'allowedInstanceTypes')}."
    ),
    types=INSTANCE,
    config={
        "allowedInstanceTypes": string_list(
            "Instance types that may be launched.", DEFAULT_INSTANCE_TYPES
        )
    },
)
def instance_type(check: ResourceCheck) -> None:
    allowed = list(check.config.get("allowedInstanceTypes") or [])
    key = stack_key("bastionInstanceType")
    judge(
        check.report,
        check.props.get("instanceType"),
        what=f"instanceType ({origin(key)})",
        claim="the instance type is on the allow-list",
        known="Set instanceType as a literal.",
        problem=lambda value: (
            f"instanceType {value!r} ({origin(key)}) is not on the allow-list of "
            f"{policy_knob('ec2-instance-type-allowed', 'allowedInstanceTypes')} "
            f"({', '.join(allowed)})."
            if value not in allowed
            else None
        ),
    )


@rules.resource(
    name="ec2-detailed-monitoring",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html",
    description="EC2 instances have detailed (1-minute) monitoring.",
    severity=Severity.LOW,
    fix="Keep monitoring=True on the instance.",
    types=INSTANCE,
    level=ADVISORY,
)
def detailed_monitoring(check: ResourceCheck) -> None:
    require_flag(
        check,
        "monitoring",
        key=None,
        claim="detailed monitoring is on",
        why="metrics arrive every 5 minutes, too slow for the status-check alarms",
    )


@rules.resource(
    name="ec2-iam-instance-profile",
    url="https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html",
    description="EC2 instances run with an IAM instance profile.",
    severity=Severity.MEDIUM,
    fix="Attach an instance profile with the least privilege it needs "
    "(the bastion's has AmazonSSMManagedInstanceCore).",
    types=INSTANCE,
)
def instance_profile(check: ResourceCheck) -> None:
    # An unknown profile name is a profile being created: something will be attached.
    if check.props.get("iamInstanceProfile") in (None, ""):
        check.report(
            f"The instance has no IAM instance profile ({origin(None)}), so Session Manager "
            "cannot reach it, Systems Manager cannot patch it, and tools on it fall back to "
            "long-lived keys."
        )


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return value


@rules.resource(
    name="ec2-user-data-no-secrets",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
    description="EC2 user data holds no credentials, keys or passwords.",
    severity=Severity.HIGH,
    fix="Keep user data static; fetch secrets at boot from Secrets Manager or SSM Parameter "
    "Store with the instance's role.",
    types=INSTANCE,
    config={
        "extraPatterns": string_list(
            "More regular expressions that mark a secret in user data.", []
        )
    },
)
def user_data(check: ResourceCheck) -> None:
    patterns = [(p, label) for p, label in SECRET_PATTERNS] + [
        (str(p), "a configured secret pattern") for p in check.config.get("extraPatterns") or []
    ]
    for prop in ("userData", "userDataBase64"):
        value = check.props.get(prop)
        if value is UNKNOWN:
            check.report(
                unknown_refusal(
                    prop,
                    "it holds no secret",
                    "Build user data from literals and stack config only.",
                )
            )
            continue
        if not isinstance(value, str) or not value:
            continue
        text = value + "\n" + _decoded(value)
        for pattern, label in patterns:
            if re.search(pattern, text):
                check.report(
                    f"{prop} contains {label} ({origin(None)}). User data is readable by anyone "
                    "who can describe the instance, and from its metadata service."
                )
                break


# --- stack rules -------------------------------------------------------------------------


@rules.stack(
    name="ec2-public-ip-bastion-only",
    description="Only the bastion instance gets a public IP address.",
    severity=Severity.HIGH,
    fix="Set associate_public_ip_address=False on every other instance and give it no Elastic "
    "IP; reach it through the bastion.",
    config=dict(BASTION_TAG_CONFIG),
)
def public_ip_bastion_only(check: StackCheck) -> None:
    view = check.view
    key, value = str(check.config["bastionTagKey"]), str(check.config["bastionTagValue"])
    tag_knob = policy_knob("ec2-public-ip-bastion-only", "bastionTagKey")
    private, complete = view.private_subnets()
    for instance in view.of_type(EC2_INSTANCE):
        bastion = is_bastion(instance, key, value)
        if bastion is True:
            continue
        public = instance.props.get("associatePublicIpAddress")
        if bastion is UNKNOWN and public is not False:
            check.report(
                unknown_refusal(
                    f"The {key} tag of instance '{instance.name}'",
                    "only the bastion gets a public IP",
                    f"Set the {key} tag as a literal.",
                ),
                instance.urn,
            )
        elif public is True:
            check.report(
                f"Instance '{instance.name}' is not the bastion (no {key}={value} tag, the mark "
                f"{tag_knob} names) but asks for a public IP ({origin(None)}).",
                instance.urn,
            )
        elif public is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"associatePublicIpAddress of instance '{instance.name}'",
                    "it gets no public IP",
                    "Set associatePublicIpAddress=false as a literal.",
                ),
                instance.urn,
            )
        elif public is None:
            subnet = instance.props.get("subnetId")
            if not (isinstance(subnet, str) and subnet in private and complete):
                check.report(
                    f"Instance '{instance.name}' leaves associatePublicIpAddress unset in subnet "
                    f"{subnet if subnet is not UNKNOWN else '(unknown)'} ({origin(None)}), which "
                    "is not one of the private subnets, so it gets a public IP if that subnet "
                    "maps them on launch.",
                    instance.urn,
                )
    for eip in view.of_type(EC2_EIP):
        targets = view.resolve(eip, "instance", (EC2_INSTANCE,))
        for target in targets.nodes:
            if is_bastion(target, key, value) is not True:
                check.report(
                    f"Elastic IP '{eip.name}' gives instance '{target.name}', which is not the "
                    f"bastion, a public address ({origin(None)}).",
                    eip.urn,
                )
        if targets.unresolved:
            check.report(
                unknown_refusal(
                    f"The instance of Elastic IP '{eip.name}'",
                    "it is the bastion",
                    "Pass the instance resource's id so the dependency is recorded.",
                ),
                eip.urn,
            )


def _ami_source(instance: Node) -> Node | None:
    for ancestor in instance.ancestors():
        if "amiOwnerId" in ancestor.props or "amiOwnerAlias" in ancestor.props:
            return ancestor
    return None


@rules.stack(
    name="ec2-ami-owner-allowed",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-allowed-amis.html",
    description="Instances boot only AMIs published by an allowed owner.",
    severity=Severity.HIGH,
    fix=(
        "Look the AMI up with owners from allowedOwners and register amiId/amiOwnerId on the "
        "component that did, as the program's bastion does; or pin an AMI listed in "
        f"{policy_knob('ec2-ami-owner-allowed', 'allowedAmiIds')}."
    ),
    config={
        "allowedOwners": string_list(
            "AMI owner ids or aliases that may publish images.", ["amazon", "137112412989"]
        ),
        "allowedAmiIds": string_list("Individually approved AMI ids.", []),
    },
)
def ami_owner(check: StackCheck) -> None:
    allowed_owners = {str(o) for o in check.config.get("allowedOwners") or []}
    allowed_amis = {str(a) for a in check.config.get("allowedAmiIds") or []}
    owners_knob = policy_knob("ec2-ami-owner-allowed", "allowedOwners")
    for instance in check.view.of_type(EC2_INSTANCE):
        ami = instance.props.get("ami")
        if ami is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The AMI of instance '{instance.name}'",
                    "it comes from an allowed publisher",
                    "Look the AMI up during preview (aws.ec2.get_ami) rather than computing it.",
                ),
                instance.urn,
            )
            continue
        if ami in allowed_amis:
            continue
        source = _ami_source(instance)
        if source is None:
            check.report(
                f"Instance '{instance.name}' runs AMI {ami!r}, whose publisher nothing in the "
                "stack states: no component above it registers amiId and amiOwnerId, and "
                f"{policy_knob('ec2-ami-owner-allowed', 'allowedAmiIds')} does not list it.",
                instance.urn,
            )
            continue
        owners = [source.props.get(k) for k in ("amiOwnerId", "amiOwnerAlias") if k in source.props]
        if any(o is UNKNOWN for o in owners) and not any(o in allowed_owners for o in owners):
            check.report(
                unknown_refusal(
                    f"The owner of AMI {ami!r}",
                    "it comes from an allowed publisher",
                    "Look the AMI up during preview.",
                ),
                instance.urn,
            )
        elif not any(o in allowed_owners for o in owners):
            check.report(
                f"Instance '{instance.name}' runs AMI {ami!r} published by "
                f"{', '.join(map(str, owners))}, not by an owner {owners_knob} allows "
                f"({', '.join(sorted(allowed_owners))}).",
                instance.urn,
            )
        looked_up = source.props.get("amiId")
        # An instance that keeps its image through new releases (ignoreChanges: ami)
        # runs the image vouched for when it was created; the lookup has moved on.
        if isinstance(looked_up, str) and looked_up != ami and "ami" not in instance.ignore_changes:
            check.report(
                f"Instance '{instance.name}' runs AMI {ami!r} ({origin(None)}), not "
                f"{looked_up!r}, the image its component '{source.name}' looked up and vouched "
                "for.",
                instance.urn,
            )
