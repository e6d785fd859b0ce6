"""Customer-managed KMS keys for the database's storage, Performance Insights
data and master secret, one key per use the stack turns on.

Each key rotates its material yearly (``enable_key_rotation``; Security Hub
KMS.4) and its policy admits the account alone: the account's root principal,
which hands the decision to the account's IAM policies (the default key
policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html),
and nobody outside it (KMS.5: no ``"Principal": "*"``). No service principal
is needed: RDS, Performance Insights and Secrets Manager use a customer-managed
key on behalf of the principal that creates or modifies the instance (through
grants and ``kms:ViaService``; the user "must have permissions to perform
kms:Decrypt, kms:GenerateDataKey, kms:CreateGrant",
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-permissions),
so nothing here trusts a service that aws:SourceAccount / aws:SourceArn
would have to bind.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.checks.model import DatabaseKeySettings
from bastion_db.key_policies import key_policy

# A storage key outlives the stack when the database's data does. A kept final
# snapshot or kept automated backups are encrypted with it, and "after the
# waiting period ends, AWS KMS deletes the KMS key ... data encrypted under the
# KMS key becomes unrecoverable" (KMS Developer Guide, "Deleting AWS KMS keys",
# https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html):
# the snapshot could never be restored. So `destroy` leaves that key in the
# account (retainOnDelete); its alias goes, so a new stack of the same name can
# make its own, and a restore finds the key through the snapshot's KmsKeyId.
# The Performance Insights and master-secret keys go with the stack: RDS
# deletes that data and that secret with the instance.

# The longest waiting period KMS allows before a scheduled deletion
# (ScheduleKeyDeletion, PendingWindowInDays: 7 to 30): a key deleted by mistake
# can be restored for a month, and data it encrypted is not lost meanwhile.
DELETION_WINDOW_DAYS = 30

PURPOSES = {
    "storage": "the storage, snapshots and automated backups",
    "performance-insights": "the Performance Insights data",
    "master-secret": "the Secrets Manager secret of the master user",
}


@dataclass
class DatabaseKeysArgs:
    """Which keys to create, for which instance."""

    # RDS instance identifier, e.g. "bastion-db-prod"; names the keys' aliases
    identifier: str
    keys: DatabaseKeySettings
    # A final snapshot or automated backups outlive the instance: keep the storage key
    keep_storage_key: bool = False


class DatabaseKeys(pulumi.ComponentResource):
    """Zero to three KMS keys; an ARN is None where the AWS managed key is used."""

    storage_key_arn: pulumi.Output[str] | None
    performance_insights_key_arn: pulumi.Output[str] | None
    master_secret_key_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DatabaseKeysArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:database:DatabaseKeys", name, None, opts)
        wanted = {
            "storage": args.keys.storage,
            "performance-insights": args.keys.performance_insights,
            "master-secret": args.keys.master_secret,
        }
        arns: dict[str, pulumi.Output[str]] = {}
        identity = (
            aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            if any(wanted.values())
            else None
        )
        for purpose, on in wanted.items():
            if not on or identity is None:
                continue
            keep = purpose == "storage" and args.keep_storage_key
            arns[purpose] = self._key(name, purpose, args.identifier, identity, keep)
        self.storage_key_arn = arns.get("storage")
        self.performance_insights_key_arn = arns.get("performance-insights")
        self.master_secret_key_arn = arns.get("master-secret")
        self.register_outputs({f"{purpose}KeyArn": arn for purpose, arn in arns.items()})

    def _key(
        self,
        name: str,
        purpose: str,
        identifier: str,
        identity: pulumi.Output[aws.GetCallerIdentityResult],
        keep: bool,
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        # Logical names follow the purpose, so turning one key on or off never
        # renames (and so replaces) another.
        key = aws.kms.Key(
            f"{name}-{purpose}",
            description=f"Encrypts {PURPOSES[purpose]} of RDS instance {identifier}",
            enable_key_rotation=True,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=identity.apply(lambda who: key_policy(who.arn.split(":")[1], who.account_id)),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=keep),
        )
        aws.kms.Alias(
            f"{name}-{purpose}-alias",
            name=f"alias/{identifier}-{purpose}",
            target_key_id=key.arn,  # TargetKeyId takes a key's id or its ARN
            opts=child,
        )
        return key.arn
