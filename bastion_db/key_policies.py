"""KMS key policies the components share: the account administers each key
through IAM, and a service, where one must use the key itself, gets a
statement of its own.

The account's root principal is the default key policy
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
it hands the decision to the account's IAM policies and admits nobody outside
the account (Security Hub KMS.5: no ``"Principal": "*"``).
"""

from __future__ import annotations

import json
from typing import Any


def account_administers_key(partition: str, account_id: str) -> dict[str, Any]:
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def key_policy(partition: str, account_id: str, *service_statements: dict[str, Any]) -> str:
    """The account's statement first, then what each service may do with the key."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [account_administers_key(partition, account_id), *service_statements],
        },
        indent=2,
    )
