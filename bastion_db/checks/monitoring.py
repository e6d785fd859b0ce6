"""Monitoring configuration: who is told about alarms and where the alarm lines sit.

Keys (all optional; their defaults, the same for every profile, are the ones
``Pulumi.yaml`` declares):

- ``alarmEmails``: addresses subscribed to the alarm topic (a list); at least
  one in ``prod``.
- ``alarmCpuPercent``: database CPU above this share is an alarm.
- ``alarmFreeableMemoryPercent``: freeable memory below this share of the
  instance class's memory is an alarm.
- ``alarmFreeableMemoryMib``: freeable memory below this many MiB is an alarm,
  instead of the share above; 0 (the default) sizes it from the class's memory.
  It is how a class whose memory the product does not know gets the alarm.
- ``alarmFreeStoragePercent``: free storage below this share of the allocated
  storage is an alarm (halved when storage autoscaling is on).
- ``alarmConnectionsPercent``: connections above this share of
  ``max_connections`` are an alarm.
- ``alarmReadLatencyMs`` / ``alarmWriteLatencyMs``: p90 latency above this many
  milliseconds is an alarm.
- ``alarmBastionCpuPercent``: bastion CPU above this share is an alarm.
- ``alarmEvaluationPeriods``: consecutive one-minute periods that must all
  breach before a database alarm fires.
- ``alarmReplicaLagSeconds``: a read replica further behind its source than
  this (``ReplicaLag``, seconds) is an alarm. AWS publishes no recommended
  value; 300 s (Pulumi.yaml's default) is the product's choice: a replica five
  minutes behind serves visibly stale reads.

All live in the ``bastion-db:`` namespace. Percentages are numbers from 1 to
100; Pulumi.yaml declares them integers, so a stack gives whole numbers.
``max_connections`` itself is the database's setting
(``bastion-db:dbMaxConnections``), read with the database settings and handed
to the monitoring component from there.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr

from bastion_db.checks.errors import ConfigError
from bastion_db.checks.reader import ConfigReader


@dataclass(frozen=True)
class MonitoringSettings:
    """Thresholds and recipients for the database and bastion alarms."""

    # Addresses subscribed (by e-mail) to the alarm topic, in config order
    alarm_emails: tuple[str, ...]
    cpu_percent: float
    freeable_memory_percent: float
    free_storage_percent: float
    connections_percent: float
    read_latency_ms: int
    write_latency_ms: int
    bastion_cpu_percent: float
    # Consecutive one-minute periods that must all breach before a database alarm
    # fires (the memory alarm watches three times as long, see the component)
    evaluation_periods: int
    # An explicit freeable-memory line in MiB; None sizes it from the class's memory
    freeable_memory_mib: int | None = None
    # How a message names a setting (a stack key of the program, an argument of
    # the package): the reader's own naming, so warnings match the errors.
    setting_name: Callable[[str], str] = field(default=lambda key: key, compare=False, repr=False)
    # Seconds a read replica may lag behind its source (alarmReplicaLagSeconds)
    replica_lag_seconds: int = 300


# Defaults are Pulumi.yaml's (AWS's recommended alarms: CPU > 90 % for 5 of 5
# one-minute periods, freeable memory < 25 %, free storage < 10 %, connections
# > 90 % of the maximum, p90 read/write latency > 20 ms), the same for every
# profile; the reader supplies them. A cheap stack loosens them in its own
# stack file, as Pulumi.dev.yaml does.
PROFILES = ("dev", "prod")

# Profiles whose alarms must reach a person: a topic nobody subscribes to is
# monitoring in name only.
EMAIL_REQUIRED = frozenset({"prod"})

# CloudWatch refuses alarms whose evaluation window (periods x period) exceeds a
# day; the memory alarm uses three times this many one-minute periods.
MAX_EVALUATION_PERIODS = 60
MAX_LATENCY_MS = 10_000
# The most memory any RDS class has: 4 TiB (db.x2iedn.32xlarge, RDS hardware
# table, aws_facts/data/documented.json); a line above it could never clear.
MAX_FREEABLE_MEMORY_MIB = 4 * 1024 * 1024
# A day: CloudWatch's longest evaluation window, and far beyond useful lag.
MAX_REPLICA_LAG_SECONDS = 86_400

# Deliberately narrower than RFC 5322: the addresses SNS and real mail servers
# accept (dot-atom local part, a dotted host name with an alphabetic TLD).
_LOCAL_PART = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
EMAIL = re.compile(rf"^{_LOCAL_PART}@{_DOMAIN}$")


def parse_monitoring(reader: ConfigReader, environment: str) -> MonitoringSettings:
    """Reads the monitoring keys for a ``dev`` or ``prod`` profile, or raises ConfigError."""
    if environment not in PROFILES:
        raise ValueError(
            f"no monitoring settings for profile {environment!r}; known: {', '.join(PROFILES)}"
        )

    emails = _emails(reader)
    if not emails and environment in EMAIL_REQUIRED:
        raise ConfigError(
            reader.full_key("alarmEmails"),
            None,
            f"at least one e-mail address in the {environment} profile, so that alarms reach "
            'someone, e.g. ["oncall@example.com"]',
        )

    return MonitoringSettings(
        alarm_emails=emails,
        cpu_percent=_percent(reader, "alarmCpuPercent"),
        freeable_memory_percent=_percent(reader, "alarmFreeableMemoryPercent"),
        free_storage_percent=_percent(reader, "alarmFreeStoragePercent"),
        connections_percent=_percent(reader, "alarmConnectionsPercent"),
        read_latency_ms=_whole(reader, "alarmReadLatencyMs", 1, MAX_LATENCY_MS, "ms"),
        write_latency_ms=_whole(reader, "alarmWriteLatencyMs", 1, MAX_LATENCY_MS, "ms"),
        bastion_cpu_percent=_percent(reader, "alarmBastionCpuPercent"),
        evaluation_periods=_whole(
            reader, "alarmEvaluationPeriods", 1, MAX_EVALUATION_PERIODS, "one-minute periods"
        ),
        freeable_memory_mib=_freeable_memory_mib(reader),
        setting_name=reader.full_key,
        replica_lag_seconds=_whole(
            reader, "alarmReplicaLagSeconds", 1, MAX_REPLICA_LAG_SECONDS, "seconds"
        ),
    )


def _freeable_memory_mib(reader: ConfigReader) -> int | None:
    key = "alarmFreeableMemoryMib"
    raw = reader.string(key)
    if raw is None or raw == "0":
        return None
    accepted = (
        f"0 (size it from the class's memory) or a whole number of MiB from 1 to "
        f"{MAX_FREEABLE_MEMORY_MIB}"
    )
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(reader.full_key(key), raw, accepted) from None
    if not 1 <= value <= MAX_FREEABLE_MEMORY_MIB:
        raise ConfigError(reader.full_key(key), raw, accepted)
    return value


def _percent(reader: ConfigReader, key: str) -> float:
    accepted = "a number from 1 to 100 (a percentage, without the % sign)"
    raw = reader.string(key)
    if raw is None:
        raise ConfigError(reader.full_key(key), None, accepted)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(reader.full_key(key), raw, accepted) from None
    if not math.isfinite(value) or not 1 <= value <= 100:
        raise ConfigError(reader.full_key(key), raw, accepted)
    return value


def _whole(reader: ConfigReader, key: str, low: int, high: int, unit: str) -> int:
    accepted = f"a whole number from {low} to {high} {unit}"
    raw = reader.string(key)
    if raw is None:
        raise ConfigError(reader.full_key(key), None, accepted)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(reader.full_key(key), raw, accepted) from None
    if not low <= value <= high:
        raise ConfigError(reader.full_key(key), raw, accepted)
    return value


def _emails(reader: ConfigReader) -> tuple[str, ...]:
    key = reader.full_key("alarmEmails")
    seen: set[str] = set()
    emails: list[str] = []
    for address in reader.string_list("alarmEmails"):
        if not is_email_address(address):
            raise ConfigError(
                key, address, "plain e-mail addresses like oncall@example.com (no display names)"
            )
        folded = address.lower()
        if folded in seen:
            raise ConfigError(key, address, "each e-mail address listed once")
        seen.add(folded)
        emails.append(address)
    return tuple(emails)


def is_email_address(value: str) -> bool:
    """True for a bare address SNS can deliver to; display names and comments are refused."""
    if len(value) > 254 or not EMAIL.fullmatch(value):
        return False
    local_part = value.rsplit("@", 1)[0]
    if len(local_part) > 64:
        return False
    # The standard library's parser must read the same single address back, which
    # rules out anything the regex let through that mail software would split.
    name, parsed = parseaddr(value)
    return name == "" and parsed == value
