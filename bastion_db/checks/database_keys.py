"""Which of the database's data is encrypted with a customer-managed KMS key the
stack creates, rather than with the AWS managed keys (``aws/rds``,
``aws/secretsmanager``): its storage, its Performance Insights data, its master
secret. Each is ``aws-managed`` (the default) or ``customer-managed``.

When each choice can be made, from AWS and the provider:

- storage: only when the instance is created. ``kms_key_id`` is ``ForceNew``
  (terraform-provider-aws ``internal/service/rds/instance.go``), and RDS cannot
  re-encrypt an instance in place. A restore does not take a key either: the
  provider sends none to RestoreDBInstanceFromDBSnapshot or
  RestoreDBInstanceToPointInTime, so the new instance keeps its source's key
  and the stack's key would then differ from it on every later ``up``
  (a replacement). Hence refused with a restore;
- the master secret: when RDS starts managing the password; "After RDS is
  managing the database credentials for a DB instance, you can't change the KMS
  key that is used to encrypt the secret"
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html);
- Performance Insights: when it is turned on (``performance_insights_kms_key_id``
  is sent with ``EnablePerformanceInsights``; instance.go).
"""

from __future__ import annotations

from bastion_db.checks import validate
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import DatabaseKeySettings, PasswordMode
from bastion_db.checks.reader import ConfigReader

KEY_CHOICES = ("aws-managed", "customer-managed")


def parse_database_keys(
    reader: ConfigReader,
    *,
    password_mode: PasswordMode,
    performance_insights: bool,
    restoring: bool,
) -> DatabaseKeySettings:
    key = reader.full_key

    def own(name: str) -> bool:
        value = validate.one_of(key(name), reader.string(name) or "", KEY_CHOICES)
        return value == "customer-managed"

    storage, insights, secret = (
        own("dbStorageKmsKey"),
        own("dbPerformanceInsightsKmsKey"),
        own("dbMasterSecretKmsKey"),
    )
    if storage and restoring:
        raise ConfigError(
            key("dbStorageKmsKey"),
            "customer-managed",
            "'aws-managed' with a restore: the restored database keeps its source's key. "
            "To move the data to your own key, copy the snapshot with it "
            "(aws rds copy-db-snapshot --kms-key-id ...) and restore from the copy",
        )
    if insights and not performance_insights:
        raise ConfigError(
            key("dbPerformanceInsightsKmsKey"),
            "customer-managed",
            f"'aws-managed' unless {key('dbPerformanceInsights')} is true",
        )
    if secret and password_mode != "secrets-manager":
        raise ConfigError(
            key("dbMasterSecretKmsKey"),
            "customer-managed",
            f"'aws-managed' unless {key('dbPasswordMode')} is 'secrets-manager' "
            "(there is no secret to encrypt)",
        )
    return DatabaseKeySettings(storage=storage, performance_insights=insights, master_secret=secret)
