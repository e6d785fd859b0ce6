"""Monitoring configuration: defaults per profile and one clear error per bad value."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bastion_db.checks.errors import ConfigError
from bastion_db.checks.monitoring import MonitoringSettings, is_email_address, parse_monitoring
from settings.reader import ConfigReader
from tests.monitoring.profiles import stack_thresholds

ONCALL = "oncall@example.com"


def reader(**values: str) -> ConfigReader:
    return ConfigReader(values.get, "bastion-db")


def parse(profile: str = "dev", **values: str) -> MonitoringSettings:
    return parse_monitoring(reader(**values), profile)


def test_dev_stack_file_is_looser_than_the_recommended_defaults() -> None:
    # Pulumi.yaml's defaults (what the CLI applies when a key is unset) are the
    # recommended alarms for every profile; the dev stack file loosens them.
    assert parse("dev") == replace(parse("prod", alarmEmails=ONCALL), alarm_emails=())
    dev = stack_thresholds("dev")
    prod = stack_thresholds("prod")
    assert dev.alarm_emails == ()
    assert prod.alarm_emails == ("dba-oncall@example.com",)
    assert dev.cpu_percent > prod.cpu_percent
    assert dev.connections_percent > prod.connections_percent
    assert dev.freeable_memory_percent < prod.freeable_memory_percent
    assert dev.read_latency_ms > prod.read_latency_ms
    assert dev.evaluation_periods > prod.evaluation_periods


def test_prod_defaults_follow_aws_recommended_alarms() -> None:
    prod = parse("prod", alarmEmails=ONCALL)
    assert (prod.cpu_percent, prod.evaluation_periods) == (90, 5)
    assert prod.freeable_memory_percent == 25
    assert prod.free_storage_percent == 10
    assert prod.connections_percent == 90
    assert (prod.read_latency_ms, prod.write_latency_ms) == (20, 20)


def test_every_key_is_read() -> None:
    settings = parse(
        "prod",
        alarmEmails='["a@example.com", "b@example.org"]',
        alarmCpuPercent="80",
        alarmFreeableMemoryPercent="30",
        alarmFreeStoragePercent="15.5",
        alarmConnectionsPercent="85",
        alarmReadLatencyMs="25",
        alarmWriteLatencyMs="40",
        alarmBastionCpuPercent="70",
        alarmEvaluationPeriods="3",
        alarmFreeableMemoryMib="2048",
        alarmReplicaLagSeconds="120",
    )
    assert settings == MonitoringSettings(
        alarm_emails=("a@example.com", "b@example.org"),
        cpu_percent=80,
        freeable_memory_percent=30,
        free_storage_percent=15.5,
        connections_percent=85,
        read_latency_ms=25,
        write_latency_ms=40,
        bastion_cpu_percent=70,
        evaluation_periods=3,
        freeable_memory_mib=2048,
        replica_lag_seconds=120,
    )


PERCENT_KEYS = [
    "alarmCpuPercent",
    "alarmFreeableMemoryPercent",
    "alarmFreeStoragePercent",
    "alarmConnectionsPercent",
    "alarmBastionCpuPercent",
]


@pytest.mark.parametrize("key", PERCENT_KEYS)
@pytest.mark.parametrize("bad", ["0", "101", "ninety", "-5", "100.01", "0.5", "nan", "inf", "90%"])
def test_percentages_outside_1_to_100_or_not_numbers_are_refused(key: str, bad: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse("dev", **{key: bad})
    assert error.value.key == f"bastion-db:{key}"
    assert error.value.value == bad
    assert "from 1 to 100" in error.value.accepted
    assert f"bastion-db:{key}" in str(error.value) and repr(bad) in str(error.value)


@pytest.mark.parametrize("key", PERCENT_KEYS)
@pytest.mark.parametrize(("raw", "expected"), [("1", 1.0), ("100", 100.0), ("92.5", 92.5)])
def test_percentage_bounds_are_inclusive(key: str, raw: str, expected: float) -> None:
    settings = parse("dev", **{key: raw})
    field = {
        "alarmCpuPercent": settings.cpu_percent,
        "alarmFreeableMemoryPercent": settings.freeable_memory_percent,
        "alarmFreeStoragePercent": settings.free_storage_percent,
        "alarmConnectionsPercent": settings.connections_percent,
        "alarmBastionCpuPercent": settings.bastion_cpu_percent,
    }[key]
    assert field == expected


@pytest.mark.parametrize(
    ("key", "bad", "accepted"),
    [
        ("alarmReadLatencyMs", "0", "from 1 to 10000 ms"),
        ("alarmReadLatencyMs", "10001", "from 1 to 10000 ms"),
        ("alarmWriteLatencyMs", "fast", "from 1 to 10000 ms"),
        ("alarmWriteLatencyMs", "20.5", "from 1 to 10000 ms"),
        ("alarmEvaluationPeriods", "0", "from 1 to 60"),
        ("alarmEvaluationPeriods", "61", "from 1 to 60"),
        ("alarmEvaluationPeriods", "five", "from 1 to 60"),
        ("alarmFreeableMemoryMib", "-1", "MiB from 1 to 4194304"),
        ("alarmFreeableMemoryMib", "4194305", "MiB from 1 to 4194304"),
        ("alarmFreeableMemoryMib", "2GiB", "MiB from 1 to 4194304"),
    ],
)
def test_whole_number_keys_are_range_checked(key: str, bad: str, accepted: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse("dev", **{key: bad})
    assert error.value.key == f"bastion-db:{key}"
    assert error.value.value == bad
    assert accepted in error.value.accepted


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-email",
        "oncall@localhost",
        "oncall@example",
        "Alice <alice@example.com>",
        "alice@@example.com",
        "al ice@example.com",
        ".alice@example.com",
        "alice.@example.com",
        "al..ice@example.com",
        "alice@-example.com",
        "alice@example-.com",
        "alice@example..com",
        "alice@example.c",
        "alice@exa_mple.com",
        "(comment)alice@example.com",
        "",
    ],
)
def test_bad_email_addresses_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse("dev", alarmEmails=f'["{ONCALL}", "{bad}"]')
    assert error.value.key == "bastion-db:alarmEmails"
    assert error.value.value == bad
    assert "e-mail addresses" in error.value.accepted


@pytest.mark.parametrize(
    "good",
    ["oncall@example.com", "first.last+db-alarms@mail.example.co.uk", "ops_team@x.io", "A1@B2.de"],
)
def test_ordinary_addresses_pass(good: str) -> None:
    assert is_email_address(good)
    assert parse("dev", alarmEmails=good).alarm_emails == (good,)


def test_comma_separated_string_is_a_list() -> None:
    assert parse("dev", alarmEmails="a@example.com, b@example.com").alarm_emails == (
        "a@example.com",
        "b@example.com",
    )


def test_the_same_address_twice_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        parse("dev", alarmEmails='["ops@example.com", "OPS@example.com"]')
    assert error.value.value == "OPS@example.com"
    assert "once" in error.value.accepted


def test_a_list_of_non_strings_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        parse("dev", alarmEmails="[1, 2]")
    assert error.value.key == "bastion-db:alarmEmails"


def test_prod_without_any_recipient_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        parse("prod")
    assert error.value.key == "bastion-db:alarmEmails"
    assert error.value.value is None
    assert "at least one e-mail address in the prod profile" in error.value.accepted


def test_unknown_profile_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="staging"):
        parse("staging")


def test_an_explicit_freeable_memory_line_is_off_by_default_and_at_zero() -> None:
    assert parse("dev").freeable_memory_mib is None
    assert parse("dev", alarmFreeableMemoryMib="0").freeable_memory_mib is None
    assert stack_thresholds("prod").freeable_memory_mib is None
