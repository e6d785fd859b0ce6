"""RDS backup and maintenance windows: their formats, lengths and overlap.

RDS's own rules (CreateDBInstance, PreferredBackupWindow and
PreferredMaintenanceWindow,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html):
the backup window is ``hh24:mi-hh24:mi`` in UTC, at least 30 minutes, and must
not overlap the maintenance window; the maintenance window is
``ddd:hh24:mi-ddd:hh24:mi`` (Mon..Sun) in UTC, at least 30 minutes. The
provider checks the formats (terraform-provider-aws,
``internal/verify/validate.go``: ``ValidOnceADayWindowFormat`` and
``ValidOnceAWeekWindowFormat``) and stores the maintenance window lower-cased,
so it is normalised that way here: a differently-cased value would show a
diff on every preview.
"""

from __future__ import annotations

import re

from bastion_db.checks.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MIN_WINDOW_MINUTES = 30

_TIME = r"([01][0-9]|2[0-3]):([0-5][0-9])"
_DAILY = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")


def _length(start: int, end: int, period: int) -> int:
    """Minutes from start to end, wrapping past the end of the period (a window
    may run past midnight, or from Sunday into Monday)."""
    return (end - start) % period or period


def _minutes(start: int, end: int, period: int) -> set[int]:
    return {(start + offset) % period for offset in range(_length(start, end, period))}


def backup_window(key: str, value: str) -> tuple[str, set[int]]:
    """The window as RDS takes it, and the minutes of the week it covers (every day)."""
    match = _DAILY.fullmatch(value)
    if not match:
        raise ConfigError(key, value, "a daily UTC window hh24:mi-hh24:mi, e.g. 03:00-03:30")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if _length(start, end, MINUTES_PER_DAY) < MIN_WINDOW_MINUTES:
        raise ConfigError(key, value, f"a window of at least {MIN_WINDOW_MINUTES} minutes")
    daily = _minutes(start, end, MINUTES_PER_DAY)
    weekly = {day * MINUTES_PER_DAY + minute for day in range(7) for minute in daily}
    return value, weekly


def maintenance_window(key: str, value: str) -> tuple[str, set[int]]:
    """The window lower-cased, as the provider stores it, and the minutes it covers."""
    lowered = value.lower()
    match = _WEEKLY.fullmatch(lowered)
    if not match:
        raise ConfigError(
            key, value, "a weekly UTC window ddd:hh24:mi-ddd:hh24:mi, e.g. sun:04:00-sun:04:30"
        )
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * MINUTES_PER_DAY + int(h1) * 60 + int(m1)
    end = DAYS.index(d2) * MINUTES_PER_DAY + int(h2) * 60 + int(m2)
    if _length(start, end, MINUTES_PER_WEEK) < MIN_WINDOW_MINUTES:
        raise ConfigError(key, value, f"a window of at least {MIN_WINDOW_MINUTES} minutes")
    return lowered, _minutes(start, end, MINUTES_PER_WEEK)


def windows(
    backup_key: str, backup: str, maintenance_key: str, maintenance: str
) -> tuple[str, str]:
    """Both windows, checked apart and against each other."""
    backup_value, backup_minutes = backup_window(backup_key, backup)
    maintenance_value, maintenance_minutes = maintenance_window(maintenance_key, maintenance)
    if backup_minutes & maintenance_minutes:
        raise ConfigError(
            maintenance_key,
            maintenance,
            f"a window that does not overlap {backup_key} ({backup} every day)",
        )
    return backup_value, maintenance_value
