"""The state bucket's stack configuration, read and validated in one place.

Everything is checked before the program registers a single resource, so a
typo in a stack file ends in one :class:`~settings.errors.ConfigError` naming
the key, never in a half-created backend or an error from the S3 API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bastion_db.checks import validate
from bastion_db.checks.errors import ConfigError
from settings.reader import ConfigReader

# Must equal `name:` in bootstrap/Pulumi.yaml: the stack's keys live under it.
PROJECT = "bastion-db-state"

# Old versions of a state file are the way back from a broken update. Under a
# week leaves too little time to notice; over ten years is likelier a typo than
# a retention policy.
NONCURRENT_VERSION_DAYS_DEFAULT = 90
NONCURRENT_VERSION_DAYS_MIN = 7
NONCURRENT_VERSION_DAYS_MAX = 3650

# S3's general purpose bucket naming rules, plus one of ours: no dots. The
# bucket refuses plain HTTP, and a dotted name does not match the wildcard TLS
# certificate of S3's virtual-hosted endpoints. (Without dots a name can't look
# like an IP address either, which S3 forbids.)
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
BUCKET_NAME_RULES = (
    "3 to 63 lowercase letters, digits and hyphens, starting and ending with a "
    "letter or digit (no dots: the bucket is TLS-only), not starting with "
    f"{', '.join(_RESERVED_PREFIXES)} and not ending with {', '.join(_RESERVED_SUFFIXES)}"
)

# The main program's rules (bastion_db/checks/validate.py), so both projects accept the
# same stack names and regions.
REGION_RULE = "an AWS region such as eu-central-1"


@dataclass(frozen=True)
class StateBackendConfig:
    """Validated configuration of one state-bucket stack."""

    # The stack's name, e.g. "state": the Environment tag
    environment: str
    # Globally unique S3 bucket name; the backend URL is s3://<bucket_name>.
    bucket_name: str
    # AWS region the bucket lives in (`aws:region`).
    region: str
    # Days a replaced or deleted state object stays recoverable.
    noncurrent_version_days: int
    # Account-wide guardrails this stack owns (bootstrap/account_settings.py)
    manage_ebs_encryption_by_default: bool = False
    manage_s3_account_public_access_block: bool = False


def check_bucket_name(key: str, value: str) -> str:
    """Returns ``value`` if S3 (and the TLS-only policy) accept it as a bucket name."""
    if (
        _BUCKET_NAME.match(value) is None
        or value.startswith(_RESERVED_PREFIXES)
        or value.endswith(_RESERVED_SUFFIXES)
    ):
        raise ConfigError(key, value, BUCKET_NAME_RULES)
    return value


def check_noncurrent_version_days(key: str, value: int) -> int:
    if not NONCURRENT_VERSION_DAYS_MIN <= value <= NONCURRENT_VERSION_DAYS_MAX:
        raise ConfigError(
            key,
            value,
            f"a whole number of days from {NONCURRENT_VERSION_DAYS_MIN} "
            f"to {NONCURRENT_VERSION_DAYS_MAX}",
        )
    return value


def load_state_backend_config(
    project: ConfigReader, aws: ConfigReader, stack: str
) -> StateBackendConfig:
    """Reads and validates the stack's configuration.

    ``project`` reads the ``bastion-db-state:`` namespace, ``aws`` the ``aws:`` one.
    """
    # Only the Environment tag takes the stack name: any name the CLI accepts.
    environment = validate.matching(
        "stack name", stack, validate.STACK_NAME, validate.STACK_NAME_ACCEPTED
    )
    bucket_name = project.required_string("bucketName", BUCKET_NAME_RULES)
    region = validate.matching(
        aws.full_key("region"),
        aws.required_string("region", REGION_RULE),
        validate.REGION,
        REGION_RULE,
    )
    days = project.integer("noncurrentVersionDays", None)
    if days is None:
        days = NONCURRENT_VERSION_DAYS_DEFAULT
    return StateBackendConfig(
        environment=environment,
        bucket_name=check_bucket_name(project.full_key("bucketName"), bucket_name),
        region=region,
        noncurrent_version_days=check_noncurrent_version_days(
            project.full_key("noncurrentVersionDays"), days
        ),
        manage_ebs_encryption_by_default=project.boolean("manageEbsEncryptionByDefault", False),
        manage_s3_account_public_access_block=project.boolean(
            "manageS3AccountPublicAccessBlock", False
        ),
    )
