"""Through the package too, every bad argument is named in one refusal."""

from __future__ import annotations

import pytest

from bastion_db.args import AccessMode, Profile
from bastion_db.bastion_database import settings_from_args
from bastion_db.checks.errors import ConfigError, ConfigErrors


def test_three_bad_arguments_are_refused_at_once_each_by_its_name() -> None:
    with pytest.raises(ConfigErrors) as raised:
        settings_from_args(
            "analytics",
            {
                "vpc_id": "vpc-123",
                "region": "us-east-1",
                "profile": Profile.DEV,
                "db_port": 80,
                "backup_retention_days": 99,
                "ssh_allowed_cidrs": ["203.0.113.0/24"],
            },
        )
    keys = sorted(str(error.key) for error in raised.value.errors)
    assert keys == ["backup_retention_days", "db_port", "vpc_id"]
    message = str(raised.value)
    assert message.startswith("3 configuration errors:")
    assert "argument 'db_port': got 80" in message
    assert "config key" not in message


def test_good_arguments_give_the_checked_settings() -> None:
    checked = settings_from_args(
        "analytics",
        {
            "vpc_id": "vpc-0123456789abcdef0",
            "region": "us-east-1",
            "access_mode": AccessMode.SSM,
            "alarm_emails": ["oncall@example.com"],
        },
    )
    assert checked.access.mode == "ssm" and checked.name_prefix == "analytics-prod"


def test_a_single_bad_argument_is_one_plain_error() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_args(
            "analytics",
            {
                "vpc_id": "vpc-0123456789abcdef0",
                "region": "us-east-1",
                "profile": Profile.DEV,
                "ssh_allowed_cidrs": ["203.0.113.0/24"],
                "db_port": 1,
            },
        )
    assert not isinstance(raised.value, ConfigErrors)
    assert str(raised.value.key) == "db_port"
