"""The dev and prod stacks, run from their real stack files against the lab's VPC."""

from __future__ import annotations

import json
import re

import pytest

from offline.fake_aws import is_taggable, lab_vpc
from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot, SecretValue
from tests.conftest import RunStack
from tests.program.types import (
    DB_INSTANCE,
    DB_PARAMETER_GROUP,
    DB_SUBNET_GROUP,
    EGRESS,
    INGRESS,
    INSTANCE,
    NETWORK,
    PASSWORD,
    PROVIDER,
    SECURITY_GROUP,
    TLS_KEY,
)

PRIVATE_SUBNETS = [s.id for s in lab_vpc().subnets if not s.map_public_ip_on_launch]
PUBLIC_SUBNETS = [s.id for s in lab_vpc().subnets if s.map_public_ip_on_launch]


def group(run: ProgramRun, suffix: str) -> ResourceSnapshot:
    return next(r for r in run.of_type(SECURITY_GROUP) if r.name.endswith(suffix))


def rules_of(run: ProgramRun, type_token: str, group_urn: str) -> list[ResourceSnapshot]:
    """Rules attached to a group, followed by property dependency as the engine sees it."""
    return [
        rule
        for rule in run.of_type(type_token)
        if rule.property_dependencies.get("securityGroupId") == (group_urn,)
    ]


@pytest.fixture(params=["dev", "prod"])
def any_run(
    request: pytest.FixtureRequest, dev_run: ProgramRun, prod_run: ProgramRun
) -> ProgramRun:
    return dev_run if request.param == "dev" else prod_run


def test_database_lives_in_the_private_subnets_only(any_run: ProgramRun) -> None:
    subnet_group = any_run.one(DB_SUBNET_GROUP)
    assert subnet_group.inputs["subnetIds"] == PRIVATE_SUBNETS
    network = any_run.one(NETWORK)
    assert network.outputs["privateSubnetIds"] == PRIVATE_SUBNETS
    assert network.outputs["publicSubnetIds"] == PUBLIC_SUBNETS
    database = any_run.one(DB_INSTANCE)
    assert database.property_dependencies["dbSubnetGroupName"] == (subnet_group.urn,)


def test_database_is_private_encrypted_and_kept_current(any_run: ProgramRun) -> None:
    db = any_run.one(DB_INSTANCE).inputs
    assert db["publiclyAccessible"] is False
    assert db["storageEncrypted"] is True
    assert db["storageType"] == "gp3"
    assert db["autoMinorVersionUpgrade"] is True
    assert db["copyTagsToSnapshot"] is True
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert db["iamDatabaseAuthenticationEnabled"] is True


def test_database_port_is_open_only_to_the_bastion_group(any_run: ProgramRun) -> None:
    bastion_sg, database_sg = group(any_run, "-bastion"), group(any_run, "-database")
    rules = rules_of(any_run, INGRESS, database_sg.urn)
    assert len(rules) == 1
    rule = rules[0]
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 5432
    assert rule.inputs["ipProtocol"] == "tcp"
    assert rule.property_dependencies["referencedSecurityGroupId"] == (bastion_sg.urn,)
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
    database = any_run.one(DB_INSTANCE)
    assert database.property_dependencies["vpcSecurityGroupIds"] == (database_sg.urn,)
    # The database sends nothing anywhere.
    assert rules_of(any_run, EGRESS, database_sg.urn) == []


def test_every_group_and_rule_is_described(any_run: ProgramRun) -> None:
    for resource in (
        any_run.of_type(SECURITY_GROUP) + any_run.of_type(INGRESS) + any_run.of_type(EGRESS)
    ):
        assert resource.inputs.get("description"), resource.name


def test_bastion_egress_is_https_and_the_database_port_only(any_run: ProgramRun) -> None:
    bastion_sg, database_sg = group(any_run, "-bastion"), group(any_run, "-database")
    egress = rules_of(any_run, EGRESS, bastion_sg.urn)
    ports = sorted(
        (r.inputs["fromPort"], r.inputs["toPort"], r.inputs["ipProtocol"]) for r in egress
    )
    assert ports == [(443, 443, "tcp"), (5432, 5432, "tcp")]
    to_database = next(r for r in egress if r.inputs["fromPort"] == 5432)
    assert to_database.property_dependencies["referencedSecurityGroupId"] == (database_sg.urn,)


def test_dev_admits_ssh_only_from_its_named_network(dev_run: ProgramRun) -> None:
    bastion_sg = group(dev_run, "-bastion")
    ssh = [r for r in rules_of(dev_run, INGRESS, bastion_sg.urn) if r.inputs["fromPort"] <= 22]
    assert [(r.inputs["cidrIpv4"], r.inputs["fromPort"], r.inputs["toPort"]) for r in ssh] == [
        ("203.0.113.0/24", 22, 22)
    ]
    # Nothing else anywhere admits SSH.
    others = [
        r
        for r in dev_run.of_type(INGRESS)
        if r not in ssh and r.inputs["fromPort"] <= 22 <= r.inputs["toPort"]
    ]
    assert others == []


def test_prod_uses_session_manager_with_no_inbound_rule_to_the_bastion(
    prod_run: ProgramRun,
) -> None:
    bastion_sg = group(prod_run, "-bastion")
    assert rules_of(prod_run, INGRESS, bastion_sg.urn) == []
    assert "keyName" not in prod_run.one(INSTANCE).inputs
    assert prod_run.of_type(TLS_KEY) == []
    assert "AWS-StartPortForwardingSessionToRemoteHost" in prod_run.outputs["ssmPortForwardCommand"]
    assert "sshTunnelCommand" not in prod_run.outputs


def test_bastion_is_hardened(any_run: ProgramRun) -> None:
    bastion = any_run.one(INSTANCE)
    inputs = bastion.inputs
    assert inputs["metadataOptions"]["httpTokens"] == "required"
    assert inputs["rootBlockDevice"]["encrypted"] is True
    assert inputs["rootBlockDevice"]["volumeType"] == "gp3"
    # Where it goes and whether it is public: tests/program/test_session_manager.py
    assert inputs["iamInstanceProfile"]
    assert inputs["tags"]["Role"] == "bastion"
    assert "for p in postgresql16 " in inputs["userData"]


def test_secrets_never_leave_as_plain_text(dev_run: ProgramRun) -> None:
    for name in ("dbMasterPassword", "dbConnectionUri", "sshPrivateKey"):
        assert isinstance(dev_run.outputs[name], SecretValue), name
    password = dev_run.one(PASSWORD)
    assert isinstance(password.outputs["result"], SecretValue)
    assert isinstance(dev_run.one(DB_INSTANCE).inputs["password"], SecretValue)
    key = dev_run.one(TLS_KEY)
    assert isinstance(key.outputs["privateKeyOpenssh"], SecretValue)
    assert isinstance(key.outputs["privateKeyPem"], SecretValue)
    # Nothing public carries the password in the clear.
    secret = dev_run.outputs["dbMasterPassword"].value
    for name, value in dev_run.outputs.items():
        if not isinstance(value, SecretValue):
            assert secret not in str(value), name


def test_prod_is_hardened_and_protected(prod_run: ProgramRun) -> None:
    database = prod_run.one(DB_INSTANCE)
    db = database.inputs
    assert db["multiAz"] is True
    assert db["backupRetentionPeriod"] >= 7
    assert db["deletionProtection"] is True
    assert db["skipFinalSnapshot"] is False
    assert re.fullmatch(r"bastion-db-prod-final-[0-9a-f]{8}", db["finalSnapshotIdentifier"])
    assert db["monitoringInterval"] == 60
    assert database.protect is True


def test_dev_is_cheap_and_disposable(dev_run: ProgramRun) -> None:
    database = dev_run.one(DB_INSTANCE)
    db = database.inputs
    assert db["multiAz"] is False
    assert db["skipFinalSnapshot"] is True
    assert db["deletionProtection"] is False
    assert database.protect is False


def test_tags_are_set_once_on_the_provider_and_reach_every_resource(any_run: ProgramRun) -> None:
    provider = any_run.one(PROVIDER)
    assert '"Project":"bastion-db"' in provider.inputs["defaultTags"].replace(" ", "")
    aws_resources = [r for r in any_run.resources if r.custom and r.type.startswith("aws:")]
    for resource in aws_resources:
        assert resource.provider and resource.provider.startswith(provider.urn), resource.name
    tagged = [r for r in aws_resources if is_taggable(r.type)]
    # the instance, groups, rules, database and its groups, roles, key, topic, alarms...
    assert len(tagged) >= 15
    for resource in tagged:
        tags = resource.outputs["tagsAll"]
        assert tags["Project"] == "bastion-db", resource.name
        assert tags["Environment"] == any_run.stack, resource.name
        assert tags["ManagedBy"] == "pulumi", resource.name


def test_tls_is_forced_by_the_parameter_group(any_run: ProgramRun) -> None:
    parameters = any_run.one(DB_PARAMETER_GROUP).inputs
    assert parameters["family"] == "postgres16"
    assert {"name": "rds.force_ssl", "value": "1"} in [
        {k: p[k] for k in ("name", "value")} for p in parameters["parameters"]
    ]


def test_every_child_is_parented_to_its_component(any_run: ProgramRun) -> None:
    components = {r.urn: r for r in any_run.resources if not r.custom}
    for resource in any_run.resources:
        if resource.custom and resource.type != PROVIDER:
            assert resource.parent in components, resource.name


def test_outputs_cover_what_the_lab_exported_and_how_to_connect(dev_run: ProgramRun) -> None:
    outputs = dev_run.outputs
    for name in (
        "project",
        "bastionPublicDns",
        "dbHost",
        "dbPort",
        "dbMasterUsername",
        "dbMasterPassword",
        "bastionInstanceId",
        "sshTunnelCommand",
        "dbClientCommand",
        "sshPrivateKey",
        "writeSshKeyCommand",
    ):
        assert name in outputs, name
    host = outputs["dbHost"]
    assert outputs["sshTunnelCommand"] == (
        f"ssh -i bastion-db-dev-bastion.pem -N -f -o ExitOnForwardFailure=yes -L 5432:{host}:5432 "
        f"ec2-user@{outputs['bastionPublicDns']}"
    )
    assert outputs["dbClientCommand"].startswith('psql "host=localhost port=5432')
    assert "chmod 0400" in outputs["writeSshKeyCommand"]


def test_two_runs_register_the_same_graph(run_stack: RunStack, dev_run: ProgramRun) -> None:
    again = run_stack("dev")

    def graph(run: ProgramRun) -> list[tuple[object, ...]]:
        return sorted(
            (
                r.urn,
                r.parent,
                # the SDK sends dependencies in no fixed order
                tuple(sorted(r.dependencies)),
                tuple(sorted((k, tuple(sorted(v))) for k, v in r.property_dependencies.items())),
                repr(r.inputs),
            )
            for r in run.resources
        )

    assert graph(again) == graph(dev_run)


# Renaming any of these makes Pulumi replace it; for the database that means an
# empty one. Change this list only together with an alias or a migration plan.
STATEFUL_URNS = {
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:Database$aws:rds/instance:Instance::database-instance",
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:Database$aws:rds/subnetGroup:SubnetGroup::database-subnets",
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:Database$aws:rds/parameterGroup:ParameterGroup::database-parameters",
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:Database$random:index/randomPassword:RandomPassword::database-master-password",
    "urn:pulumi:{stack}::bastion-db::bastiondb:access:SshKey$tls:index/privateKey:PrivateKey::ssh-key-private-key",
    "urn:pulumi:{stack}::bastion-db::bastiondb:access:SshKey$aws:ec2/keyPair:KeyPair::ssh-key-key-pair",
    "urn:pulumi:{stack}::bastion-db::bastiondb:compute:Bastion$aws:ec2/instance:Instance::bastion-instance",
    # (the SDK's mocks qualify a type by its parent's type only)
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:DatabaseLogGroups$aws:cloudwatch/logGroup:LogGroup::database-logs-postgresql",
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:DatabaseLogGroups$aws:cloudwatch/logGroup:LogGroup::database-logs-upgrade",
    "urn:pulumi:{stack}::bastion-db::bastiondb:database:DatabaseLogGroups$aws:kms/key:Key::database-logs-key",
}


def test_stateful_resources_keep_their_names(dev_run: ProgramRun, prod_run: ProgramRun) -> None:
    dev_urns = {r.urn for r in dev_run.resources}
    for urn in STATEFUL_URNS:
        assert urn.format(stack="dev") in dev_urns
    prod_urns = {r.urn for r in prod_run.resources}
    for urn in STATEFUL_URNS:
        # prod has no key pair (it uses Session Manager) and no generated
        # password (RDS keeps it in Secrets Manager)
        if "SshKey" not in urn and "randomPassword" not in urn:
            assert urn.format(stack="prod") in prod_urns
    assert dev_run.one(DB_INSTANCE).inputs["identifier"] == "bastion-db-dev"
    assert prod_run.one(DB_INSTANCE).inputs["identifier"] == "bastion-db-prod"


def test_roles_trust_only_their_service_and_attach_aws_managed_policies(
    prod_run: ProgramRun,
) -> None:
    roles = {r.name: r for r in prod_run.of_type("aws:iam/role:Role")}
    trusted = {
        name: json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]
        for name, role in roles.items()
    }
    assert trusted == {
        "bastion-role": "ec2.amazonaws.com",
        "database-monitoring-role": "monitoring.rds.amazonaws.com",
    }
    attached = sorted(
        a.inputs["policyArn"]
        for a in prod_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    ]
