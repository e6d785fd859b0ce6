"""Session Manager preferences: sessions end when idle or too long, and shell
sessions are logged to an encrypted CloudWatch log group.

Preferences live in a Session document (type ``Session``, ``sessionType``
``Standard_Stream``; schema at
https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-schema.html).
The account's default one, ``SSM-SessionManagerRunShell``, is one per account and
region and applies to every session started without ``--document-name``; a team
may well own it already. So the stack always makes its own shell document,
``<prefix>-shell``, bounded and logged, the one shell document the operator
policy lets people use on this bastion.

What the limits bound: a document's preferences apply to the sessions started
with it. Port forwarding through AWS's ``AWS-StartPortForwardingSessionToRemoteHost``
carries none of its own and follows the account's preferences, the default
document (or, where none was ever saved, AWS's defaults: a 20-minute idle
timeout and no maximum duration,
https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-timeout.html).
So ``ssmIdleTimeoutMinutes`` and ``ssmMaxSessionMinutes`` bound the database
port forwards only with ``ssmManageSessionPreferences``, which writes them into
the default document. That document holds the limits only, no logging: it is
the account's, stays in the account when the stack is destroyed
(``retainOnDelete``), and so must not name the stack's log group, which goes.

Port forwarding sessions are never logged: Session Manager cannot log port
forwarding or SSH sessions, whose data it does not see
(https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.checks.model import SessionSettings
from bastion_db.database_logs import log_groups_key_policy

DEFAULT_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell"


def session_log_group_name(name_prefix: str) -> str:
    return f"/ssm/sessions/{name_prefix}"


def shell_document_name(name_prefix: str) -> str:
    return f"{name_prefix}-shell"


def preferences_content(log_group_name: str | None, session: SessionSettings) -> str:
    """A Session document's content: log to CloudWatch, refusing to start a
    session when the group is not encrypted (``cloudWatchEncryptionEnabled``),
    streaming as the session runs; idle timeout and maximum duration in minutes,
    as strings, as the schema has them. With no group: the limits alone."""
    description = (
        "Shell sessions on the bastion: bounded, logged, encrypted"
        if log_group_name
        else "Account session preferences: idle timeout and maximum duration"
    )
    return json.dumps(
        {
            "schemaVersion": "1.0",
            "description": description,
            "sessionType": "Standard_Stream",
            "inputs": {
                "s3BucketName": "",
                "s3KeyPrefix": "",
                "s3EncryptionEnabled": True,
                "cloudWatchLogGroupName": log_group_name or "",
                "cloudWatchEncryptionEnabled": True,
                "cloudWatchStreamingEnabled": bool(log_group_name),
                "kmsKeyId": "",
                "runAsEnabled": False,
                "runAsDefaultUser": "",
                "idleSessionTimeout": str(session.idle_timeout_minutes),
                "maxSessionDuration": str(session.max_session_minutes),
                "shellProfile": {"windows": "", "linux": ""},
            },
        },
        indent=2,
    )


def session_logging_policy(log_group_arn: str) -> str:
    """What the agent on the bastion needs to log sessions to the group: create
    streams and put events in it, and describe groups and streams, which it does
    to find the group and check its encryption (instance profile permissions for
    CloudWatch logging,
    https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html).
    No KMS permission: CloudWatch Logs encrypts with the key itself, which its key
    policy allows (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)."""
    every_group = log_group_arn.split(":log-group:")[0] + ":log-group:*"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteSessionLogs",
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"],
                },
                {
                    "Sid": "FindTheGroupAndItsEncryption",
                    "Effect": "Allow",
                    "Action": "logs:DescribeLogGroups",
                    "Resource": every_group,
                },
            ],
        },
        indent=2,
    )


@dataclass
class SessionPreferencesArgs:
    """How sessions are bounded and kept."""

    session: SessionSettings
    region: str
    # Name prefix, e.g. "bastion-db-prod"
    name_prefix: str


class SessionPreferences(pulumi.ComponentResource):
    """The log group (with its own KMS key) and the Session documents."""

    log_group_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    shell_document_name: pulumi.Output[str]
    # The documents the operator policy may start shell sessions with
    shell_document_names: list[pulumi.Output[str]]
    # The account's default preferences document, when the stack writes it
    account_document_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: SessionPreferencesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:access:SessionPreferences", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        group_name = session_log_group_name(args.name_prefix)
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the Session Manager session logs of {args.name_prefix}",
            enable_key_rotation=True,
            policy=identity.apply(
                lambda who: log_groups_key_policy(
                    who.arn.split(":")[1], args.region, who.account_id, group_name
                )
            ),
            opts=child,
        )
        group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=group_name,
            retention_in_days=args.session.log_retention_days,
            kms_key_id=key.arn,
            opts=child,
        )
        content = preferences_content(group_name, args.session)
        # The document names the group; it is created after the group so a
        # session never starts with nowhere to log.
        after_group = pulumi.ResourceOptions(parent=self, depends_on=[group])
        shell = aws.ssm.Document(
            f"{name}-shell",
            name=shell_document_name(args.name_prefix),
            document_type="Session",
            document_format="JSON",
            content=content,
            opts=after_group,
        )
        self.shell_document_names = [shell.name]
        self.account_document_name = None
        if args.session.manage_session_preferences:
            # One per account and region, read by every session that names no
            # document and by AWS's port forwarding documents: one stack's
            # `destroy` must not take the account's preferences away from the
            # others (nor back to AWS's defaults), so it stays in the account.
            default = aws.ssm.Document(
                f"{name}-default",
                name=DEFAULT_PREFERENCES_DOCUMENT,
                document_type="Session",
                document_format="JSON",
                content=preferences_content(None, args.session),
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
            self.account_document_name = default.name
        self.log_group_arn = group.arn
        self.log_group_name = group.name
        self.shell_document_name = shell.name
        self.register_outputs(
            {
                "logGroupName": group.name,
                "logGroupArn": group.arn,
                "kmsKeyArn": key.arn,
                "shellDocumentNames": self.shell_document_names,
                "accountDocumentName": self.account_document_name,
            }
        )
