"""The same stack as Terraform JSON (``*.tf.json``), for scanners that read Terraform.

Each resource's inputs become its Terraform arguments: camelCase names in
snake_case, nested objects as blocks (lists of objects, which is how HCL's
JSON syntax spells repeated blocks), ``tags``-like maps kept as maps. Where a
property dependency says a value came from another resource's output, the
value becomes a reference (``${aws_security_group.bastion.id}``), so a scanner
sees the same graph the policy pack does. The ``pulumi:providers:aws``
resource becomes a ``provider "aws"`` block with its ``default_tags``.
Component resources have no Terraform counterpart and are left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from offline.snapshot import ResourceSnapshot, SecretValue, UnknownValue

# Pulumi type token -> Terraform resource type, for every type the program creates.
TERRAFORM_TYPES = {
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/keyPair:KeyPair": "aws_key_pair",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "tls:index/privateKey:PrivateKey": "tls_private_key",
    "random:index/randomPassword:RandomPassword": "random_password",
    "random:index/randomId:RandomId": "random_id",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:rds/eventSubscription:EventSubscription": "aws_db_event_subscription",
}
PROVIDER_PREFIX = "pulumi:providers:"
# Arguments whose object value is a map (keys are data), not a nested block.
MAP_ARGUMENTS = frozenset({"tags", "tagsAll", "dimensions"})
# Pulumi names a repeatable block in the plural; Terraform in the singular.
BLOCK_NAMES = {"parameters": "parameter"}

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_\-]")


def snake_case(name: str) -> str:
    """``publiclyAccessible`` -> ``publicly_accessible``, ``cidrIpv4`` -> ``cidr_ipv4``."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def terraform_name(name: str) -> str:
    """A Pulumi name as a Terraform resource name (letters, digits, ``_`` and ``-``,
    not starting with a digit or ``-``)."""
    cleaned = _NOT_IN_NAME.sub("_", name)
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"_{cleaned}"


def _literal(text: str) -> str:
    # In Terraform JSON every string is a template: escape what would start one.
    return text.replace("${", "$${").replace("%{", "%%{")


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, SecretValue) else value


def _argument(name: str, value: Any, references: Mapping[str, str]) -> Any:
    """One argument's value in Terraform JSON; ``None`` leaves it out."""
    value = _plain(value)
    if value is None or isinstance(value, UnknownValue):
        return None
    if isinstance(value, str):
        return references.get(value) or _literal(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        if name in MAP_ARGUMENTS:
            converted = {str(key): _argument("", item, references) for key, item in value.items()}
            return {key: item for key, item in converted.items() if item is not None}
        return [_block(value, references)]
    if isinstance(value, list | tuple):
        plain_items = [_plain(item) for item in value]
        if plain_items and all(isinstance(item, Mapping) for item in plain_items):
            # A list of objects is a repeated block.
            return [_block(item, references) for item in plain_items]
        items = [_argument(name, item, references) for item in plain_items]
        return [item for item in items if item is not None]
    raise TypeError(f"cannot express a {type(value).__name__} in Terraform JSON")


def _block(properties: Mapping[str, Any], references: Mapping[str, str]) -> dict[str, Any]:
    block = {}
    for key, value in properties.items():
        if key.startswith("__"):
            continue
        converted = _argument(key, value, references)
        if converted is not None:
            block[BLOCK_NAMES.get(key, snake_case(key))] = converted
    return block


def _decode_provider_input(value: Any) -> Any:
    # The engine hands provider inputs over as strings, objects as JSON text.
    if isinstance(value, str):
        if value in ("true", "false"):
            return value == "true"
        if value[:1] in "{[":
            try:
                return json.loads(value)
            except ValueError:
                return value
    return value


class _Converter:
    def __init__(self, snapshots: Sequence[ResourceSnapshot]) -> None:
        self.by_urn = {s.urn: s for s in snapshots}
        self.addresses = {
            s.urn: f"{TERRAFORM_TYPES[s.type]}.{terraform_name(s.name)}"
            for s in snapshots
            if s.type in TERRAFORM_TYPES
        }
        # The first provider of each package is the default one; others need an alias.
        self.provider_aliases: dict[str, str | None] = {}
        seen: set[str] = set()
        for snapshot in snapshots:
            if snapshot.type.startswith(PROVIDER_PREFIX):
                package = snapshot.type[len(PROVIDER_PREFIX) :]
                alias = terraform_name(snapshot.name) if package in seen else None
                self.provider_aliases[snapshot.urn] = alias
                seen.add(package)

    def references(self, snapshot: ResourceSnapshot, prop: str) -> dict[str, str]:
        """Values of ``prop`` that are another resource's output, as references to it."""
        found: dict[str, str] = {}
        for urn in snapshot.property_dependencies.get(prop, ()):
            source = self.by_urn.get(urn)
            address = self.addresses.get(urn)
            if source is None or address is None:
                continue
            # When several outputs hold the value (a key pair's id is its name),
            # name the one the property is named after, else the id.
            outputs = {"id": source.id, **source.outputs} if source.id else source.outputs
            for output in sorted(outputs, key=lambda o: (o != prop, o != "id", o)):
                plain = _plain(outputs[output])
                if isinstance(plain, str) and plain:
                    found.setdefault(plain, f"${{{address}.{snake_case(output)}}}")
        return found

    def resource(self, snapshot: ResourceSnapshot) -> dict[str, Any]:
        arguments = {}
        for key, value in snapshot.inputs.items():
            if key.startswith("__"):
                continue
            converted = _argument(key, value, self.references(snapshot, key))
            if converted is not None:
                arguments[BLOCK_NAMES.get(key, snake_case(key))] = converted
        if snapshot.provider:
            head, separator, _ = snapshot.provider.rpartition("::")
            provider_urn = head if separator else snapshot.provider
            alias = self.provider_aliases.get(provider_urn)
            if alias:
                package = self.by_urn[provider_urn].type[len(PROVIDER_PREFIX) :]
                arguments["provider"] = f"{package}.{alias}"
        return arguments

    def provider(self, snapshot: ResourceSnapshot) -> dict[str, Any]:
        decoded = {key: _decode_provider_input(value) for key, value in snapshot.inputs.items()}
        arguments = _block(decoded, {})
        alias = self.provider_aliases.get(snapshot.urn)
        if alias:
            arguments["alias"] = alias
        return arguments


def to_terraform_json(snapshots: Iterable[ResourceSnapshot]) -> dict[str, Any]:
    """The Terraform JSON document of a stack (``json.dump`` it to a ``.tf.json``)."""
    ordered = list(snapshots)
    converter = _Converter(ordered)
    providers: dict[str, list[dict[str, Any]]] = {}
    resources: dict[str, dict[str, dict[str, Any]]] = {}
    for snapshot in ordered:
        if snapshot.type.startswith(PROVIDER_PREFIX):
            package = snapshot.type[len(PROVIDER_PREFIX) :]
            providers.setdefault(package, []).append(converter.provider(snapshot))
        elif snapshot.type in TERRAFORM_TYPES:
            by_name = resources.setdefault(TERRAFORM_TYPES[snapshot.type], {})
            by_name[terraform_name(snapshot.name)] = converter.resource(snapshot)
    document: dict[str, Any] = {}
    if providers:
        document["provider"] = providers
    document["resource"] = resources
    return document


def resource_count(document: Mapping[str, Any]) -> int:
    return sum(len(by_name) for by_name in document.get("resource", {}).values())
