"""Every AWS Security Hub control (FSBP, and the CIS AWS Foundations
Benchmark controls Security Hub runs) for the resource types this product
makes, with the rule of the pack that enforces it or why none does.

``rule_table.py`` writes COVERAGE.md's control table from this data, with
each enforcing rule's level per environment read from the pack, and a test
checks that every named rule exists, so the table cannot drift from the pack.
Refresh: compare with the "Security Hub CSPM controls for <service>" pages
(the URL of each row) when Security Hub adds controls; the CIS column is each
control's "Related requirements" line (CIS v3.0.0 numbering).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ENFORCED: Final = "enforced"
JUSTIFIED: Final = "justified"
NOT_APPLICABLE: Final = "not applicable"

# Security Hub's page per service, as the control id's prefix names it.
_PAGES = {
    "RDS": "rds",
    "EC2": "ec2",
    "IAM": "iam",
    "KMS": "kms",
    "SNS": "sns",
    "CloudWatch": "cloudwatch",
    "SecretsManager": "secretsmanager",
    "S3": "s3",
}


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    status: str
    rules: tuple[str, ...] = ()
    why: str = ""
    cis: str = ""

    @property
    def url(self) -> str:
        service, _, number = self.id.partition(".")
        number = number.split("-")[0]  # a row of several controls links the first
        page = _PAGES[service]
        return (
            f"https://docs.aws.amazon.com/securityhub/latest/userguide/{page}-controls.html"
            f"#{page}-{number}"
        )


def _e(id_: str, title: str, *rules: str, why: str = "", cis: str = "") -> Control:
    return Control(id_, title, ENFORCED, rules, why, cis)


def _j(id_: str, title: str, why: str, cis: str = "") -> Control:
    return Control(id_, title, JUSTIFIED, (), why, cis)


def _n(id_: str, title: str, why: str, cis: str = "") -> Control:
    return Control(id_, title, NOT_APPLICABLE, (), why, cis)


CLUSTER = "Aurora/Multi-AZ DB clusters: the product makes one RDS instance, no cluster."
ACCOUNT_WIDE = (
    "An account-wide setting or CloudTrail/Config resource no stack of this product owns."
)
RUNTIME = "Judged on the running account (usage, age, status), not on a preview's resources."
NO_TYPE = "The product makes no resource of this type."

CONTROLS: tuple[Control, ...] = (
    # --- RDS -------------------------------------------------------------------------
    _j(
        "RDS.1",
        "RDS snapshots should be private",
        "Snapshots are made by RDS, not declared; "
        "rds-storage-encrypted keeps them encrypted and nothing in the stack shares them.",
    ),
    _e(
        "RDS.2",
        "RDS DB instances should prohibit public access",
        "rds-no-public-access",
        "rds-subnet-group-private",
        cis="2.3.3",
    ),
    _e(
        "RDS.3",
        "RDS DB instances should have encryption at-rest enabled",
        "rds-storage-encrypted",
        cis="2.3.1",
    ),
    _e(
        "RDS.4",
        "RDS cluster snapshots and database snapshots should be encrypted at rest",
        "rds-storage-encrypted",
        why="A snapshot of an encrypted instance is encrypted.",
    ),
    _e(
        "RDS.5",
        "RDS DB instances should be configured with multiple Availability Zones",
        "rds-multi-az",
    ),
    _e(
        "RDS.6",
        "Enhanced monitoring should be configured for RDS DB instances",
        "rds-enhanced-monitoring",
    ),
    _n("RDS.7", "RDS clusters should have deletion protection enabled", CLUSTER),
    _e(
        "RDS.8",
        "RDS DB instances should have deletion protection enabled",
        "rds-deletion-protection",
    ),
    _e(
        "RDS.9",
        "RDS DB instances should publish logs to CloudWatch Logs",
        "rds-log-exports",
        "rds-log-groups-managed",
        why="PostgreSQL: postgresql and upgrade, as RDS.9 asks. MySQL: error and slowquery only; "
        "RDS.9's audit log needs an option group with MARIADB_AUDIT_PLUGIN and its general "
        "log records every statement (volume and cost); the documented exception is in "
        "COVERAGE.md.",
    ),
    _e(
        "RDS.10",
        "IAM authentication should be configured for RDS instances",
        "rds-iam-authentication",
    ),
    _e("RDS.11", "RDS instances should have automatic backups enabled", "rds-backup-retention"),
    _n("RDS.12", "IAM authentication should be configured for RDS clusters", CLUSTER),
    _e(
        "RDS.13",
        "RDS automatic minor version upgrades should be enabled",
        "rds-auto-minor-version-upgrade",
        cis="2.3.2",
    ),
    _n("RDS.14", "Amazon Aurora clusters should have backtracking enabled", CLUSTER),
    _n("RDS.15", "RDS DB clusters should be configured for multiple Availability Zones", CLUSTER),
    _n("RDS.16", "RDS DB clusters should be configured to copy tags to snapshots", CLUSTER),
    _e(
        "RDS.17",
        "RDS DB instances should be configured to copy tags to snapshots",
        "rds-copy-tags-to-snapshot",
    ),
    _e(
        "RDS.18",
        "RDS instances should be deployed in a VPC",
        "rds-subnet-group-private",
        "rds-vpc-security-groups",
    ),
    _n(
        "RDS.19",
        "Existing RDS event notification subscriptions should be configured for "
        "critical cluster events",
        CLUSTER,
    ),
    _e(
        "RDS.20",
        "Existing RDS event notification subscriptions should be configured for "
        "critical database instance events",
        "rds-event-subscriptions",
        why="bastion_db/database_events.py subscribes the alarm topic to the instance's and "
        "its parameter group's events.",
    ),
    _e(
        "RDS.21",
        "An RDS event notifications subscription should be configured for critical "
        "database parameter group events",
        "rds-event-subscriptions",
        why="As RDS.20: a db-parameter-group subscription to the alarm topic satisfies it.",
    ),
    _n(
        "RDS.22",
        "An RDS event notifications subscription should be configured for critical "
        "database security group events",
        "DB security groups are EC2-Classic; rds-vpc-security-groups refuses them.",
    ),
    _e(
        "RDS.23",
        "RDS instances should not use a database engine default port",
        "rds-non-default-port",
        why="Advice: the stacks keep the engine's port (bastion-db:dbPort).",
    ),
    _n("RDS.24", "RDS Database clusters should use a custom administrator username", CLUSTER),
    _e(
        "RDS.25",
        "RDS database instances should use a custom administrator username",
        "rds-custom-admin-username",
    ),
    _j(
        "RDS.26",
        "RDS DB instances should be protected by a backup plan",
        "AWS Backup plans are account-level; rds-backup-retention keeps automated backups.",
    ),
    _n("RDS.27", "RDS DB clusters should be encrypted at rest", CLUSTER),
    _n("RDS.28", "RDS DB clusters should be tagged", CLUSTER),
    _n("RDS.29", "RDS DB cluster snapshots should be tagged", CLUSTER),
    _e("RDS.30", "RDS DB instances should be tagged", "required-tags"),
    _n("RDS.31", "RDS DB security groups should be tagged", "EC2-Classic DB security groups."),
    _e("RDS.32", "RDS DB snapshots should be tagged", "rds-copy-tags-to-snapshot"),
    _e("RDS.33", "RDS DB subnet groups should be tagged", "required-tags"),
    _n("RDS.34", "Aurora MySQL DB clusters should publish audit logs to CloudWatch Logs", CLUSTER),
    _n("RDS.35", "RDS DB clusters should have automatic minor version upgrade enabled", CLUSTER),
    _e(
        "RDS.36",
        "RDS for PostgreSQL DB instances should publish logs to CloudWatch Logs",
        "rds-log-exports",
    ),
    _n("RDS.37", "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs", CLUSTER),
    _e(
        "RDS.38",
        "RDS for PostgreSQL DB instances should be encrypted in transit",
        "rds-tls-enforced",
    ),
    _e("RDS.39", "RDS for MySQL DB instances should be encrypted in transit", "rds-tls-enforced"),
    _n(
        "RDS.40",
        "RDS for SQL Server DB instances should publish logs to CloudWatch Logs",
        "The product runs PostgreSQL or MySQL only.",
    ),
    # --- EC2 (bastion instance, its security groups, key pair, volumes) -------------
    _j(
        "EC2.1",
        "Amazon EBS snapshots should not be publicly restorable",
        "The stacks take no EBS snapshots.",
    ),
    _j(
        "EC2.2",
        "VPC default security groups should not allow inbound or outbound traffic",
        "The VPC is an existing one the product does not manage; rds-vpc-security-groups keeps "
        "the database off the default group.",
        cis="5.4",
    ),
    _e("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest", "ec2-volumes-encrypted"),
    _j("EC2.4", "Stopped EC2 instances should be removed after a specified time period", RUNTIME),
    _j(
        "EC2.6",
        "VPC flow logging should be enabled in all VPCs",
        "The VPC is an existing one the product does not manage.",
        cis="3.7",
    ),
    _e(
        "EC2.7",
        "EBS default encryption should be enabled",
        "ebs-encryption-by-default",
        why="Judged when the bootstrap project declares the account setting; absent, nothing "
        "in a stack shows it.",
        cis="2.2.1",
    ),
    _e(
        "EC2.8",
        "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        "ec2-imdsv2",
        cis="5.6",
    ),
    _e(
        "EC2.9",
        "Amazon EC2 instances should not have a public IPv4 address",
        "ec2-public-ip-bastion-only",
        why="Only the bastion in ssh mode has one; that is what a bastion is for.",
    ),
    _j(
        "EC2.10",
        "Amazon EC2 should be configured to use VPC endpoints that are created for "
        "the Amazon EC2 service",
        "The VPC and its endpoints are not the product's.",
    ),
    _e(
        "EC2.13",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        "sg-no-public-ingress",
        "sg-ssh-bastion-only",
    ),
    _e(
        "EC2.14",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
        "sg-no-public-ingress",
    ),
    _j(
        "EC2.15",
        "Amazon EC2 subnets should not automatically assign public IP addresses",
        "The subnets are the existing VPC's; ec2-public-ip-bastion-only judges the instances.",
    ),
    _n("EC2.16", "Unused Network Access Control Lists should be removed", NO_TYPE),
    _j(
        "EC2.17",
        "Amazon EC2 instances should not use multiple ENIs",
        "The bastion declares one network interface (the instance's own).",
    ),
    _e(
        "EC2.18",
        "Security groups should only allow unrestricted incoming traffic for authorized ports",
        "sg-no-public-ingress",
        "sg-ingress-port-allow-list",
    ),
    _e(
        "EC2.19",
        "Security groups should not allow unrestricted access to ports with high risk",
        "sg-no-public-ingress",
    ),
    _n("EC2.20", "Both VPN tunnels for an AWS Site-to-Site VPN connection should be up", NO_TYPE),
    _n(
        "EC2.21",
        "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
        NO_TYPE,
    ),
    _e("EC2.22", "Unused Amazon EC2 security groups should be removed", "sg-attached"),
    _n(
        "EC2.23",
        "Amazon EC2 Transit Gateways should not automatically accept VPC attachment requests",
        NO_TYPE,
    ),
    _j(
        "EC2.24",
        "Amazon EC2 paravirtual instance types should not be used",
        "ec2-instance-type-allowed admits only current HVM types.",
    ),
    _n(
        "EC2.25",
        "Amazon EC2 launch templates should not assign public IPs to network interfaces",
        NO_TYPE,
    ),
    _j(
        "EC2.28",
        "EBS volumes should be covered by a backup plan",
        "The bastion's root volume holds nothing to restore (its image and user data rebuild it).",
    ),
    _e("EC2.38", "EC2 instances should be tagged", "required-tags"),
    _e("EC2.40", "EC2 security groups should be tagged", "required-tags"),
    _e(
        "EC2.53",
        "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server "
        "administration ports",
        "sg-no-public-ingress",
        cis="5.2",
    ),
    _e(
        "EC2.54",
        "EC2 security groups should not allow ingress from ::/0 to remote server "
        "administration ports",
        "sg-no-public-ingress",
        cis="5.3",
    ),
    _n("EC2.170", "EC2 launch templates should use IMDSv2", NO_TYPE),
    # --- IAM ---------------------------------------------------------------------------
    _j(
        "IAM.1",
        "IAM policies should not allow full '*' administrative privileges",
        "The stacks' policies are the AWS-managed SSM and RDS monitoring policies and one "
        "rds-db:connect grant; no rule parses every IAM policy yet (left for a later rule).",
    ),
    _n(
        "IAM.2",
        "IAM users should not have IAM policies attached",
        "The product makes no IAM users.",
    ),
    _j("IAM.3", "IAM users' access keys should be rotated every 90 days or less", ACCOUNT_WIDE),
    _j("IAM.4", "IAM root user access key should not exist", ACCOUNT_WIDE),
    _j(
        "IAM.5",
        "MFA should be enabled for all IAM users that have a console password",
        ACCOUNT_WIDE,
    ),
    _j("IAM.6", "Hardware MFA should be enabled for the root user", ACCOUNT_WIDE),
    _j("IAM.7", "Password policies for IAM users should have strong configurations", ACCOUNT_WIDE),
    _j("IAM.8", "Unused IAM user credentials should be removed", ACCOUNT_WIDE),
    _j("IAM.9", "MFA should be enabled for the root user", ACCOUNT_WIDE),
    _j(
        "IAM.18",
        "Ensure a support role has been created to manage incidents with AWS Support",
        ACCOUNT_WIDE,
    ),
    _j(
        "IAM.21",
        "IAM customer managed policies that you create should not allow wildcard "
        "actions for services",
        "The one customer policy grants rds-db:connect on one user; "
        "no rule parses IAM policies yet.",
    ),
    _e("IAM.24", "IAM roles should be tagged", "required-tags"),
    # --- KMS ---------------------------------------------------------------------------
    _j(
        "KMS.1",
        "IAM customer managed policies should not allow decryption actions on all KMS keys",
        "The only customer policy grants rds-db:connect.",
    ),
    _n(
        "KMS.2",
        "IAM principals should not have IAM inline policies that allow decryption "
        "actions on all KMS keys",
        "The product's roles have no inline policies.",
    ),
    _j("KMS.3", "AWS KMS keys should not be deleted unintentionally", RUNTIME),
    _e("KMS.4", "AWS KMS key rotation should be enabled", "kms-key-rotation", cis="3.6"),
    _e("KMS.5", "KMS keys should not be publicly accessible", "kms-key-not-public"),
    # --- SNS ---------------------------------------------------------------------------
    _e("SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", "sns-topic-encrypted"),
    _j(
        "SNS.2",
        "Logging of delivery status should be enabled for notification messages sent to a topic",
        "The topic delivers to email, for which SNS logs no delivery status.",
    ),
    _e("SNS.3", "SNS topics should be tagged", "required-tags"),
    _e("SNS.4", "SNS topic access policies should not allow public access", "sns-topic-not-public"),
    # --- CloudWatch --------------------------------------------------------------------
    _j(
        "CloudWatch.1",
        "A log metric filter and alarm should exist for usage of the root user",
        ACCOUNT_WIDE,
        cis="4.3",
    ),
    _j(
        "CloudWatch.2-14",
        "Log metric filters and alarms for CIS events (API calls, console "
        "sign-in, IAM, CloudTrail, KMS, S3, Config, security group, NACL, gateway, route, VPC "
        "changes)",
        ACCOUNT_WIDE,
        cis="4.1-4.15",
    ),
    _e(
        "CloudWatch.15",
        "CloudWatch alarms should have specified actions configured",
        "cloudwatch-alarm-actions",
        "database-alarms",
    ),
    _e(
        "CloudWatch.16",
        "CloudWatch log groups should be retained for a specified time period",
        "cloudwatch-log-group-retention",
        why="Stricter than the control: a never-expiring group is refused (the issue asks for a "
        "set time), and the groups are also KMS-encrypted (cloudwatch-log-group-encrypted).",
    ),
    _e("CloudWatch.17", "CloudWatch alarm actions should be activated", "cloudwatch-alarm-actions"),
    # --- Secrets Manager ---------------------------------------------------------------
    _e(
        "SecretsManager.1",
        "Secrets Manager secrets should have automatic rotation enabled",
        "rds-managed-master-password",
        "secret-rotation-schedule",
        why="RDS rotates its managed master secret (every 7 days unless a SecretRotation sets "
        "the schedule); dev keeps the generated password, so the rule is advice there. A "
        "read replica's source and a blue/green deployment keep a static one: RDS refuses "
        "a managed password on them.",
    ),
    _j(
        "SecretsManager.2",
        "Secrets Manager secrets configured with automatic rotation should rotate successfully",
        RUNTIME,
    ),
    _j("SecretsManager.3", "Remove unused Secrets Manager secrets", RUNTIME),
    _e(
        "SecretsManager.4",
        "Secrets Manager secrets should be rotated within a specified number of days",
        "secret-rotation-schedule",
    ),
    _j(
        "SecretsManager.5",
        "Secrets Manager secrets should be tagged",
        "The master secret is made by RDS; its tags are RDS's.",
    ),
    # --- S3 (bootstrap/'s state bucket) ------------------------------------------------
    _e(
        "S3.1",
        "S3 general purpose buckets should have block public access settings enabled "
        "(account level)",
        "s3-account-public-access-block",
        why="Judged when the bootstrap project declares the account setting.",
        cis="2.1.4",
    ),
    _e(
        "S3.2",
        "S3 general purpose buckets should block public read access",
        "s3-bucket-public-access-block",
    ),
    _e(
        "S3.3",
        "S3 general purpose buckets should block public write access",
        "s3-bucket-public-access-block",
    ),
    _e(
        "S3.5",
        "S3 general purpose buckets should require requests to use SSL",
        "s3-bucket-tls-only",
        cis="2.1.1",
    ),
    _j(
        "S3.6",
        "S3 general purpose bucket policies should restrict access to other AWS accounts",
        "The state bucket's only policy denies plain HTTP; it grants nothing.",
    ),
    _j(
        "S3.7",
        "S3 general purpose buckets should use cross-Region replication",
        "State is small and versioned; replication is a cost choice left to the account.",
    ),
    _e(
        "S3.8",
        "S3 general purpose buckets should block public access",
        "s3-bucket-public-access-block",
    ),
    _j(
        "S3.9",
        "S3 general purpose buckets should have server access logging enabled",
        "Needs a second (log) bucket; CloudTrail data events are the account's choice.",
    ),
    _j(
        "S3.10",
        "S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
        "The bootstrap project sets a lifecycle; no rule checks it yet.",
    ),
    _j(
        "S3.11",
        "S3 general purpose buckets should have event notifications enabled",
        "Nothing consumes state-bucket events.",
    ),
    _j(
        "S3.12",
        "ACLs should not be used to manage user access to S3 general purpose buckets",
        "The bootstrap project sets BucketOwnerEnforced ownership; no rule checks it yet.",
    ),
    _j("S3.13", "S3 general purpose buckets should have Lifecycle configurations", "As S3.10."),
    _e(
        "S3.14", "S3 general purpose buckets should have versioning enabled", "s3-bucket-versioning"
    ),
    _j(
        "S3.15",
        "S3 general purpose buckets should have Object Lock enabled",
        "Object Lock would keep Pulumi from rewriting its own state files.",
    ),
    _e(
        "S3.17",
        "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
        "s3-bucket-encryption",
    ),
    _j(
        "S3.20",
        "S3 general purpose buckets should have MFA delete enabled",
        "Only the root user can turn MFA delete on, through the API: no stack can.",
        cis="2.1.2",
    ),
    _j("S3.22", "S3 general purpose buckets should log object-level write events", ACCOUNT_WIDE),
    _j("S3.23", "S3 general purpose buckets should log object-level read events", ACCOUNT_WIDE),
)
