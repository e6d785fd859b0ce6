"""Guardrails for EC2 instances (the bastion) and their volumes."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

from pulumi_policy import Policy, ResourceValidationArgs, Severity

from .common import (
    ADVISORY,
    EBS_VOLUME,
    EC2_EIP,
    EC2_INSTANCE,
    REMEDIATE,
    UNKNOWN,
    Node,
    ResourceCheck,
    StackCheck,
    as_list,
    is_bastion,
    plain,
    resource_rule,
    stack_rule,
    string_list_schema,
    unknown_refusal,
)
from .network import BASTION_TAG_CONFIG

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


def _imdsv2(check: ResourceCheck) -> None:
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
    if tokens is UNKNOWN or endpoint is UNKNOWN:
        check.report(
            unknown_refusal(
                "metadataOptions.httpTokens",
                "IMDSv1 is off",
                "Set metadataOptions.httpTokens='required' as a literal.",
            )
        )
    elif tokens != "required":
        check.report(
            f"metadataOptions.httpTokens is {tokens or 'not set'}, so the instance answers IMDSv1: "
            "any SSRF or proxy on the host can read its role's credentials. "
            "Set metadataOptions.httpTokens='required'."
        )


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


# --- volumes ---------------------------------------------------------------------------


def _devices(check: ResourceCheck) -> list[tuple[str, Any]]:
    if check.type == EBS_VOLUME:
        return [(f"volume '{check.name}'", check.props)]
    found: list[tuple[str, Any]] = [("rootBlockDevice", check.props.get("rootBlockDevice"))]
    extra = as_list(check.props.get("ebsBlockDevices"))
    if extra is UNKNOWN:
        found.append(("ebsBlockDevices", UNKNOWN))
    else:
        for device in extra:  # type: ignore[union-attr]
            name = device.get("deviceName") if isinstance(device, dict) else None
            found.append((f"ebsBlockDevices[{name or '?'}]", device))
    return found


def _volumes_encrypted(check: ResourceCheck) -> None:
    wanted_key = check.config.get("kmsKeyId") or ""
    for label, device in _devices(check):
        if device is UNKNOWN:
            check.report(
                unknown_refusal(label, "it is encrypted", f"Give {label} as a literal block.")
            )
            continue
        if device is None:
            check.report(
                f"{label} is not set, so the root volume takes the AMI snapshot's encryption "
                "(unencrypted unless the account's EBS default encryption is on). Set "
                "rootBlockDevice.encrypted=true."
            )
            continue
        encrypted = device.get("encrypted") if isinstance(device, dict) else None
        if encrypted is UNKNOWN:
            check.report(
                unknown_refusal(f"{label}.encrypted", "the volume is encrypted", "Set it to true.")
            )
        elif encrypted is not True:
            check.report(f"{label} is not encrypted. Set encrypted=true.")
        if wanted_key and isinstance(device, dict) and device.get("kmsKeyId") != wanted_key:
            check.report(f"{label} must be encrypted with {wanted_key}.")


def _delete_on_termination(check: ResourceCheck) -> None:
    for label, device in _devices(check):
        if not isinstance(device, dict):
            continue
        value = device.get("deleteOnTermination")
        if value is False:
            check.report(
                f"{label} survives the instance (deleteOnTermination=false) and keeps costing "
                "money unnoticed. Set deleteOnTermination=true."
            )
        elif value is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"{label}.deleteOnTermination",
                    "the volume goes with the instance",
                    "Set it to true.",
                )
            )


# --- the instance itself ---------------------------------------------------------------


def _instance_type(check: ResourceCheck) -> None:
    allowed = list(check.config.get("allowedInstanceTypes") or [])
    value = check.props.get("instanceType")
    if value is UNKNOWN:
        check.report(
            unknown_refusal(
                "instanceType",
                "the instance type is on the allow-list",
                "Set instanceType as a literal.",
            )
        )
    elif value not in allowed:
        check.report(
            f"instanceType {value!r} is not on the allow-list ({', '.join(allowed)}). Pick one of "
            "them or extend allowedInstanceTypes in the policy config."
        )


def _detailed_monitoring(check: ResourceCheck) -> None:
    value = check.props.get("monitoring")
    if value is UNKNOWN:
        check.report(
            unknown_refusal("monitoring", "detailed monitoring is on", "Set monitoring=true.")
        )
    elif value is not True:
        check.report(
            "Detailed monitoring is off: metrics arrive every 5 minutes, too slow for status-check "
            "alarms. Set monitoring=true."
        )


def _instance_profile(check: ResourceCheck) -> None:
    value = check.props.get("iamInstanceProfile")
    if value in (None, ""):
        check.report(
            "The instance has no IAM instance profile, so it cannot be reached by Session Manager "
            "or patched by Systems Manager, and tools on it fall back to long-lived keys. "
            "Attach an instance profile with the least privilege it needs."
        )
    # An unknown profile name is a profile being created: something will be attached.


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return value


def _user_data(check: ResourceCheck) -> None:
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
                    "Keep user data static; fetch secrets at boot from Secrets Manager or SSM.",
                )
            )
            continue
        if not isinstance(value, str) or not value:
            continue
        text = value + "\n" + _decoded(value)
        for pattern, label in patterns:
            if re.search(pattern, text):
                check.report(
                    f"{prop} contains {label}. User data is readable by anyone who can "
                    "describe the instance (and from the instance metadata service); fetch "
                    "secrets at boot from Secrets Manager or SSM Parameter Store instead."
                )
                break


# --- stack rules -------------------------------------------------------------------------


def _public_ip_bastion_only(check: StackCheck) -> None:
    view = check.view
    key, value = str(check.config["bastionTagKey"]), str(check.config["bastionTagValue"])
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
                f"Instance '{instance.name}' is not the bastion ({key}={value}) but asks for a "
                "public IP. Set associatePublicIpAddress=false and reach it through the bastion.",
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
                    f"{subnet if subnet is not UNKNOWN else '(unknown)'}, which is not one of the "
                    "private subnets, so it gets a public IP if that subnet maps them on launch. "
                    "Set associatePublicIpAddress=false.",
                    instance.urn,
                )
    for eip in view.of_type(EC2_EIP):
        targets = view.resolve(eip, "instance", (EC2_INSTANCE,))
        for target in targets.nodes:
            if is_bastion(target, key, value) is not True:
                check.report(
                    f"Elastic IP '{eip.name}' gives instance '{target.name}', which is not the "
                    "bastion, a public address. Remove it.",
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


def _ami_owner(check: StackCheck) -> None:
    allowed_owners = {str(o) for o in check.config.get("allowedOwners") or []}
    allowed_amis = {str(a) for a in check.config.get("allowedAmiIds") or []}
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
                "stack states. Register amiId and amiOwnerId (from the AMI lookup) as outputs of "
                "the component that chose it, or list the AMI in allowedAmiIds.",
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
                f"{', '.join(map(str, owners))}, not by an allowed owner "
                f"({', '.join(sorted(allowed_owners))}). Use an image from an allowed publisher.",
                instance.urn,
            )
        looked_up = source.props.get("amiId")
        if isinstance(looked_up, str) and looked_up != ami:
            check.report(
                f"Instance '{instance.name}' runs AMI {ami!r}, not {looked_up!r}, the image its "
                f"component '{source.name}' looked up and vouched for.",
                instance.urn,
            )


def policies() -> list[Policy]:
    return [
        resource_rule(
            name="ec2-imdsv2",
            description=(
                "EC2 instances require IMDSv2 session tokens "
                "(remediated by setting httpTokens=required)."
            ),
            severity=Severity.HIGH,
            remediation_steps="Set metadataOptions.httpTokens='required'.",
            types=(EC2_INSTANCE,),
            check=_imdsv2,
            remediate=_require_imdsv2,
            level=REMEDIATE,
        ),
        resource_rule(
            name="ec2-volumes-encrypted",
            description="Root and EBS volumes are encrypted (optionally with a given KMS key).",
            severity=Severity.HIGH,
            remediation_steps="Set encrypted=true on rootBlockDevice and on every EBS volume.",
            types=(EC2_INSTANCE, EBS_VOLUME),
            check=_volumes_encrypted,
            config={
                "kmsKeyId": {
                    "type": "string",
                    "description": "KMS key volumes must use; empty accepts any key.",
                    "default": "",
                }
            },
        ),
        resource_rule(
            name="ec2-volumes-delete-on-termination",
            description="An instance's volumes are deleted with it.",
            severity=Severity.LOW,
            remediation_steps="Set deleteOnTermination=true on the root and EBS block devices.",
            types=(EC2_INSTANCE,),
            check=_delete_on_termination,
            level=ADVISORY,
        ),
        resource_rule(
            name="ec2-instance-type-allowed",
            description="EC2 instance types come from the team's allow-list.",
            severity=Severity.MEDIUM,
            remediation_steps="Use one of allowedInstanceTypes.",
            types=(EC2_INSTANCE,),
            check=_instance_type,
            config={
                "allowedInstanceTypes": string_list_schema(
                    "Instance types that may be launched.", DEFAULT_INSTANCE_TYPES
                )
            },
        ),
        resource_rule(
            name="ec2-detailed-monitoring",
            description="EC2 instances have detailed (1-minute) monitoring.",
            severity=Severity.LOW,
            remediation_steps="Set monitoring=true.",
            types=(EC2_INSTANCE,),
            check=_detailed_monitoring,
            level=ADVISORY,
        ),
        resource_rule(
            name="ec2-iam-instance-profile",
            description="EC2 instances run with an IAM instance profile.",
            severity=Severity.MEDIUM,
            remediation_steps="Attach an instance profile (e.g. AmazonSSMManagedInstanceCore).",
            types=(EC2_INSTANCE,),
            check=_instance_profile,
        ),
        resource_rule(
            name="ec2-user-data-no-secrets",
            description="EC2 user data holds no credentials, keys or passwords.",
            severity=Severity.HIGH,
            remediation_steps="Fetch secrets at boot from Secrets Manager or SSM Parameter Store.",
            types=(EC2_INSTANCE,),
            check=_user_data,
            config={
                "extraPatterns": string_list_schema(
                    "More regular expressions that mark a secret in user data.", []
                )
            },
        ),
        stack_rule(
            name="ec2-public-ip-bastion-only",
            description="Only the bastion instance gets a public IP address.",
            severity=Severity.HIGH,
            remediation_steps=(
                "Set associatePublicIpAddress=false on every other instance; give it no Elastic IP."
            ),
            check=_public_ip_bastion_only,
            config=dict(BASTION_TAG_CONFIG),
        ),
        stack_rule(
            name="ec2-ami-owner-allowed",
            description="Instances boot only AMIs published by an allowed owner.",
            severity=Severity.HIGH,
            remediation_steps=(
                "Look the AMI up with owners from allowedOwners and register amiId/amiOwnerId on "
                "the component that did; or pin an AMI listed in allowedAmiIds."
            ),
            check=_ami_owner,
            config={
                "allowedOwners": string_list_schema(
                    "AMI owner ids or aliases that may publish images.",
                    ["amazon", "137112412989"],
                ),
                "allowedAmiIds": string_list_schema("Individually approved AMI ids.", []),
            },
        ),
    ]
