"""Mutations and unknown cases for the rules that enforce Security Hub
controls (RDS.20/21/23/25, KMS.4/5, SNS.4, CloudWatch.16, SecretsManager.1/4,
EC2.7, S3.1, confused-deputy bindings), in the same form as ``mutations.py``,
which adds them to its lists.

The program's own event subscriptions and bound service principals are in the
base stack (they came from a real run); the mutations break them. The default
port is still the engine's own: RDS.23 stays advice."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from offline.snapshot import UNKNOWN
from tests.policies.cases import (
    ADVISORY,
    COSTLY,
    MANDATORY,
    NOTHING,
    Change,
    Levels,
    Mutation,
    UnknownCase,
)
from tests.policies.program_stacks import DELETE, FixtureStack, state_bucket_stack

ADVICE = Levels(ADVISORY, ADVISORY)
PROD_ONLY = Levels(ADVISORY, MANDATORY)
ACCOUNT = "123456789012"
ROLE = "database-monitoring-role"
ALARM_KEY = "monitoring-alarms-key"
LOG_GROUP = "database-logs-postgresql"
ROTATION = "database-master-secret-rotation"


def _document(stack: FixtureStack, key: str, prop: str = "policy") -> dict[str, Any]:
    document: dict[str, Any] = json.loads(stack[key].inputs[prop])
    return document


def _set_document(
    stack: FixtureStack, key: str, document: dict[str, Any], prop: str = "policy"
) -> None:
    stack.set(key, **{prop: json.dumps(document)})


def _add_statement(stack: FixtureStack, key: str, statement: dict[str, Any]) -> None:
    document = _document(stack, key)
    document["Statement"].append(statement)
    _set_document(stack, key, document)


# A read replica's source and an instance with blue/green deployments cannot
# have RDS manage their master password (RDS User Guide, "Limitations for
# Secrets Manager integration with Amazon RDS", rds-secrets-manager.html;
# "Limitations and considerations for Amazon RDS blue/green deployments"):
# the rule must take the static one there, and nowhere else.
ELSEWHERE_ARN = "arn:aws:rds:eu-west-1:123456789012:db:a-database-of-another-stack"


def _static_password(stack: FixtureStack) -> None:
    stack.set("db", manageMasterUserPassword=False, password="not-rotated-1")


def _add_replica(stack: FixtureStack, source: Any, *, traced: bool = True) -> None:
    """A read replica of ``source`` (an identifier or ARN), registered beside
    the database, with its dependency on the database recorded when ``traced``;
    it has no master user or password of its own."""
    inputs = {
        key: value
        for key, value in stack["db"].inputs.items()
        if key not in {"username", "password", "manageMasterUserPassword", "dbName"}
    }
    inputs.update(identifier=f"{inputs['identifier']}-replica", replicateSourceDb=source)
    stack.add(
        "replica",
        "aws:rds/instance:Instance",
        "database-replica",
        inputs,
        parent="database",
        deps={"replicateSourceDb": ["db"]} if traced else None,
    )


def _replica_of_db(by: str) -> Change:
    def apply(stack: FixtureStack) -> None:
        _static_password(stack)
        _add_replica(stack, stack["db"].outputs[by])

    return apply


def _then(*changes: Change) -> Change:
    """The changes one after the other."""

    def apply(stack: FixtureStack) -> None:
        for change in changes:
            change(stack)

    return apply


def _sources_unknown(stack: FixtureStack) -> None:
    """The instance subscription's source ids unknown, with no dependency."""
    stack.set_untraced("instance_events", "sourceIds", [UNKNOWN])


def _sources_traced(stack: FixtureStack) -> None:
    """...and their dependency on the database recorded, as a preview has it."""
    snapshot = stack["instance_events"]
    deps = {**snapshot.property_dependencies, "sourceIds": (stack.urn("db"),)}
    stack.snapshots["instance_events"] = replace(snapshot, property_dependencies=deps)


def _role(stack: FixtureStack, service: str, **condition: Any) -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    stack.add(
        "extra_role",
        "aws:iam/role:Role",
        "extra-role",
        {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})},
        parent="database",
    )


def _topic_policy(stack: FixtureStack, **condition: Any) -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["SNS:Publish", "SNS:Subscribe"],
        "Resource": stack["topic"].outputs["arn"],
    }
    if condition:
        statement["Condition"] = condition
    stack.add(
        "topic_policy",
        "aws:sns/topicPolicy:TopicPolicy",
        "monitoring-alarms-policy",
        {
            "arn": stack["topic"].outputs["arn"],
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        },
        parent="monitoring",
        deps={"arn": ["topic"]},
    )


def _public_key_grant(stack: FixtureStack, **condition: Any) -> None:
    statement: dict[str, Any] = {
        "Sid": "Everyone",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    _add_statement(stack, "database-logs-key", statement)


def _account_setting(stack: FixtureStack, type_: str, name: str, **inputs: Any) -> None:
    stack.add(name.replace("-", "_"), type_, name, inputs, parent="state")


EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
ALL_BLOCKED = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


CONTROL_MUTATIONS: tuple[Mutation, ...] = (
    # --- the pack's judgement: a known reference decides -------------------------
    Mutation(
        "parameter-group-named-elsewhere",
        "rds-tls-enforced",
        "parameterGroupName=default.postgres16 while the dependency on the stack's group stays",
        lambda s: s.set("db", parameterGroupName="default.postgres16"),
    ),
    Mutation(
        "subnet-group-named-elsewhere",
        "rds-subnet-group-private",
        "dbSubnetGroupName=default while the dependency on the stack's group stays",
        lambda s: s.set("db", dbSubnetGroupName="default"),
    ),
    Mutation(
        "bastion-group-named-elsewhere",
        "sg-ssh-bastion-only",
        "the bastion names another security group id while its dependency stays",
        lambda s: s.set("instance", vpcSecurityGroupIds=["sg-0feedfacefeedface"]),
    ),
    # --- RDS.25, RDS.23 ----------------------------------------------------------
    Mutation(
        "default-admin-user",
        "rds-custom-admin-username",
        "username=postgres",
        lambda s: s.set("db", username="postgres"),
    ),
    Mutation(
        "default-admin-user-any-case",
        "rds-custom-admin-username",
        "username=Admin",
        lambda s: s.set("db", username="Admin"),
    ),
    Mutation(
        "port-unset",
        "rds-non-default-port",
        "port unset (the engine's 5432)",
        lambda s: s.set("db", port=DELETE),
        levels=ADVICE,
    ),
    Mutation(
        "port-moved",
        "rds-non-default-port",
        "port=6543",
        lambda s: s.set("db", port=6543),
        levels=NOTHING,
    ),
    # --- SecretsManager.1 / .4 -----------------------------------------------------
    Mutation(
        "static-master-password",
        "rds-managed-master-password",
        "manageMasterUserPassword=false with a password",
        _static_password,
        levels=PROD_ONLY,
    ),
    Mutation(
        "replica-source-static-password",
        "rds-managed-master-password",
        "a static password on the source of a read replica named by identifier",
        _replica_of_db("identifier"),
        levels=NOTHING,
    ),
    Mutation(
        "replica-source-by-arn-static-password",
        "rds-managed-master-password",
        "a static password on the source of a read replica named by ARN",
        _replica_of_db("arn"),
        levels=NOTHING,
    ),
    Mutation(
        "sqlserver-replica-source-static-password",
        "rds-managed-master-password",
        "a static password on a SQL Server replica's source (RDS manages it there too)",
        _then(_replica_of_db("identifier"), lambda s: s.set("db", engine="sqlserver-se")),
        levels=PROD_ONLY,
    ),
    Mutation(
        "blue-green-static-password",
        "rds-managed-master-password",
        "a static password with blueGreenUpdate.enabled",
        _then(_static_password, lambda s: s.set("db", blueGreenUpdate={"enabled": True})),
        levels=NOTHING,
    ),
    Mutation(
        "replica-elsewhere-static-password",
        "rds-managed-master-password",
        "a static password; the stack's replica copies another stack's database",
        _then(_static_password, lambda s: _add_replica(s, ELSEWHERE_ARN, traced=False)),
        levels=PROD_ONLY,
    ),
    Mutation(
        "replica-not-judged",
        "rds-managed-master-password",
        "a read replica (no password of its own) beside the managed database",
        lambda s: _add_replica(s, ELSEWHERE_ARN, traced=False),
        levels=NOTHING,
    ),
    Mutation(
        "slow-rotation",
        "secret-rotation-schedule",
        "automaticallyAfterDays=120",
        lambda s: s.set(ROTATION, rotationRules={"automaticallyAfterDays": 120}),
    ),
    Mutation(
        "rotation-by-rate",
        "secret-rotation-schedule",
        "scheduleExpression=rate(30 days)",
        lambda s: s.set(ROTATION, rotationRules={"scheduleExpression": "rate(30 days)"}),
        levels=NOTHING,
    ),
    # --- RDS.20 / RDS.21 -----------------------------------------------------------
    Mutation(
        "event-subscription-backup-only",
        "rds-event-subscriptions",
        "the subscriptions carry only backup events",
        lambda s: s.set("instance_events", eventCategories=["backup"]),
        levels=COSTLY,
    ),
    Mutation(
        "event-subscription-disabled",
        "rds-event-subscriptions",
        "the instance subscription is disabled",
        lambda s: s.set("instance_events", enabled=False),
        levels=COSTLY,
    ),
    Mutation(
        "event-subscription-other-database",
        "rds-event-subscriptions",
        "the instance subscription names another database",
        lambda s: s.set("instance_events", sourceIds=["someone-elses-db"]),
        levels=COSTLY,
    ),
    # --- CloudWatch.16, log encryption, managed groups ------------------------------
    Mutation(
        "short-log-retention",
        "cloudwatch-log-group-retention",
        "retentionInDays=7",
        lambda s: s.set(LOG_GROUP, retentionInDays=7),
    ),
    Mutation(
        "never-expiring-logs",
        "cloudwatch-log-group-retention",
        "retentionInDays unset (never expire)",
        lambda s: s.set(LOG_GROUP, retentionInDays=DELETE),
    ),
    Mutation(
        "unencrypted-log-group",
        "cloudwatch-log-group-encrypted",
        "kmsKeyId removed",
        lambda s: s.set_untraced(LOG_GROUP, "kmsKeyId", DELETE),
    ),
    Mutation(
        "log-group-left-to-rds",
        "rds-log-groups-managed",
        "the postgresql log group is not managed",
        lambda s: s.remove(LOG_GROUP),
    ),
    # --- KMS.4, KMS.5, SNS.4, service principals ------------------------------------
    Mutation(
        "key-not-rotated",
        "kms-key-rotation",
        "enableKeyRotation=false",
        lambda s: s.set("database-logs-key", enableKeyRotation=False),
    ),
    Mutation(
        "asymmetric-key-not-rotated",
        "kms-key-rotation",
        "an RSA signing key without rotation (KMS cannot rotate it)",
        lambda s: s.set(
            "database-logs-key",
            enableKeyRotation=False,
            customerMasterKeySpec="RSA_2048",
            keyUsage="SIGN_VERIFY",
        ),
        levels=NOTHING,
    ),
    Mutation(
        "public-key-policy",
        "kms-key-not-public",
        "a key policy statement lets Principal AWS:* decrypt",
        lambda s: _public_key_grant(s),
    ),
    Mutation(
        "account-bound-star-key-policy",
        "kms-key-not-public",
        "Principal AWS:* conditioned on kms:CallerAccount",
        lambda s: _public_key_grant(s, StringEquals={"kms:CallerAccount": ACCOUNT}),
        levels=NOTHING,
    ),
    Mutation(
        "public-topic-policy",
        "sns-topic-not-public",
        "a topic policy lets anyone publish and subscribe",
        lambda s: _topic_policy(s),
    ),
    Mutation(
        "owner-bound-topic-policy",
        "sns-topic-not-public",
        "Principal * conditioned on AWS:SourceOwner (SNS's default policy)",
        lambda s: _topic_policy(s, StringEquals={"AWS:SourceOwner": ACCOUNT}),
        levels=NOTHING,
    ),
    Mutation(
        "unbound-service-role",
        "service-principals-bound",
        "a role trusting lambda.amazonaws.com with no source condition",
        lambda s: _role(s, "lambda.amazonaws.com"),
        levels=COSTLY,
    ),
    Mutation(
        "ec2-role-exempt",
        "service-principals-bound",
        "a role trusting ec2.amazonaws.com (instance roles are exempt)",
        lambda s: _role(s, "ec2.amazonaws.com"),
        levels=NOTHING,
    ),
    # --- EC2.7, S3.1 (the bootstrap project) ----------------------------------------
    Mutation(
        "ebs-default-encryption-off",
        "ebs-encryption-by-default",
        "EncryptionByDefault enabled=false",
        lambda s: _account_setting(s, EBS_DEFAULT, "ebs-default-encryption", enabled=False),
        base=state_bucket_stack,
    ),
    Mutation(
        "ebs-default-encryption-on",
        "ebs-encryption-by-default",
        "EncryptionByDefault enabled=true",
        lambda s: _account_setting(s, EBS_DEFAULT, "ebs-default-encryption", enabled=True),
        levels=NOTHING,
        base=state_bucket_stack,
    ),
    Mutation(
        "account-block-partial",
        "s3-account-public-access-block",
        "AccountPublicAccessBlock with blockPublicPolicy=false",
        lambda s: _account_setting(
            s, ACCOUNT_BLOCK, "account-public-access", **{**ALL_BLOCKED, "blockPublicPolicy": False}
        ),
        base=state_bucket_stack,
    ),
    Mutation(
        "account-block-complete",
        "s3-account-public-access-block",
        "AccountPublicAccessBlock with all four flags",
        lambda s: _account_setting(s, ACCOUNT_BLOCK, "account-public-access", **ALL_BLOCKED),
        levels=NOTHING,
        base=state_bucket_stack,
    ),
)

CONTROL_UNKNOWN_CASES: tuple[UnknownCase, ...] = (
    UnknownCase(
        "username",
        "rds-custom-admin-username",
        "username unknown",
        lambda s: s.set("db", username=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "port",
        "rds-non-default-port",
        "port unknown",
        lambda s: s.set("db", port=UNKNOWN),
        refused=True,
        levels=ADVICE,
    ),
    UnknownCase(
        "managed-password",
        "rds-managed-master-password",
        "manageMasterUserPassword unknown",
        lambda s: s.set("db", manageMasterUserPassword=UNKNOWN),
        refused=True,
        levels=PROD_ONLY,
    ),
    UnknownCase(
        "replica-source-followed",
        "rds-managed-master-password",
        "a static password; a replica's replicateSourceDb unknown, its dependency recorded",
        _then(_static_password, lambda s: _add_replica(s, UNKNOWN)),
        refused=False,
    ),
    UnknownCase(
        "replica-source-untraced",
        "rds-managed-master-password",
        "a static password; a replica's replicateSourceDb unknown, no dependency recorded",
        _then(_static_password, lambda s: _add_replica(s, UNKNOWN, traced=False)),
        refused=True,
        levels=PROD_ONLY,
    ),
    UnknownCase(
        "blue-green-flag",
        "rds-managed-master-password",
        "a static password; blueGreenUpdate.enabled unknown",
        _then(_static_password, lambda s: s.set("db", blueGreenUpdate={"enabled": UNKNOWN})),
        refused=True,
        levels=PROD_ONLY,
    ),
    UnknownCase(
        "rotation-rules",
        "secret-rotation-schedule",
        "rotationRules unknown",
        lambda s: s.set(ROTATION, rotationRules=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "subscription-sources-untraced",
        "rds-event-subscriptions",
        "the subscription's source ids unknown, no dependency recorded",
        _sources_unknown,
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "subscription-sources-followed",
        "rds-event-subscriptions",
        "the subscription's source ids unknown, their dependency on the database recorded",
        _then(_sources_unknown, _sources_traced),
        refused=False,
    ),
    UnknownCase(
        "log-retention",
        "cloudwatch-log-group-retention",
        "retentionInDays unknown",
        lambda s: s.set(LOG_GROUP, retentionInDays=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "log-key-being-created",
        "cloudwatch-log-group-encrypted",
        "kmsKeyId unknown (a key being created)",
        lambda s: s.set(LOG_GROUP, kmsKeyId=UNKNOWN),
        refused=False,
    ),
    UnknownCase(
        "database-identifier",
        "rds-log-groups-managed",
        "the database identifier unknown",
        lambda s: s.set("db", identifier=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "key-rotation",
        "kms-key-rotation",
        "enableKeyRotation unknown",
        lambda s: s.set("database-logs-key", enableKeyRotation=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "key-policy",
        "kms-key-not-public",
        "the key policy unknown (built from an output)",
        lambda s: s.set("database-logs-key", policy=UNKNOWN),
        refused=True,
    ),
    UnknownCase(
        "topic-policy",
        "sns-topic-not-public",
        "the topic policy unknown",
        _then(_topic_policy, lambda s: s.set("topic_policy", policy=UNKNOWN)),
        refused=True,
    ),
    UnknownCase(
        "trust-policy",
        "service-principals-bound",
        "a trust policy unknown",
        lambda s: s.set(ROLE, assumeRolePolicy=UNKNOWN),
        refused=True,
        levels=COSTLY,
    ),
    UnknownCase(
        "ebs-default-flag",
        "ebs-encryption-by-default",
        "enabled unknown",
        lambda s: _account_setting(s, EBS_DEFAULT, "ebs-default-encryption", enabled=UNKNOWN),
        refused=True,
        base=state_bucket_stack,
    ),
    UnknownCase(
        "account-block-flag",
        "s3-account-public-access-block",
        "restrictPublicBuckets unknown",
        lambda s: _account_setting(
            s,
            ACCOUNT_BLOCK,
            "account-public-access",
            **{**ALL_BLOCKED, "restrictPublicBuckets": UNKNOWN},
        ),
        refused=True,
        base=state_bucket_stack,
    ),
)
