"""Where a new database's data comes from: nothing (an empty database, the
default), a DB snapshot, or a point in time of another instance's backups.

It is a choice made once, when the instance is created. The provider replaces
the instance when ``snapshot_identifier`` or ``restore_to_point_in_time``
changes (both ``ForceNew`` in terraform-provider-aws
``internal/service/rds/instance.go``), so the database component tells the
engine to ignore later edits of them (see ``bastion_db/database.py``).

The formats below are RDS's own (API reference):

- a DB snapshot: a manual snapshot's name (CreateDBSnapshot,
  DBSnapshotIdentifier: 1 to 255 letters, digits or hyphens, a letter first, no
  hyphen at the end, no two in a row), an automated one's (``rds:`` and the
  same, e.g. ``rds:bastion-db-prod-2026-11-30-03-05``), or the ARN of a shared
  snapshot, which RestoreDBInstanceFromDBSnapshot requires then
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html);
- the source of a point-in-time restore: an instance identifier
  (SourceDBInstanceIdentifier: 1 to 63 letters, digits or hyphens, same rules),
  its resource id (SourceDbiResourceId, ``db-`` and upper-case letters and
  digits), or the ARN of the automated backups a deleted instance kept
  (SourceDBInstanceAutomatedBackupsArn,
  ``arn:aws:rds:<region>:<account>:auto-backup:ab-...``)
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html);
- the time: ``latest`` (UseLatestRestorableTime) or a UTC time such as
  ``2026-11-30T23:45:00Z`` (RestoreTime, "in Universal Coordinated Time (UTC)
  format"; the provider parses it as RFC 3339, ``verify.ValidUTCTimestamp``).
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

from bastion_db.checks.errors import ConfigError
from bastion_db.checks.model import PointInTimeRestore, RestoreSource, SnapshotRestore
from bastion_db.checks.reader import ConfigReader

_NAME_63 = r"[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,62}"
_NAME_255 = r"[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,254}"
_ARN_PREFIX = r"arn:aws(?:-[a-z]+)*:rds:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}"

SNAPSHOT = re.compile(rf"^(?:{_ARN_PREFIX}:snapshot:)?(?:rds:)?{_NAME_255}$")
SOURCE_INSTANCE = re.compile(rf"^{_NAME_63}$")
SOURCE_RESOURCE_ID = re.compile(r"^db-[A-Z0-9]+$")
SOURCE_AUTOMATED_BACKUPS = re.compile(rf"^{_ARN_PREFIX}:auto-backup:ab-[A-Za-z0-9]+$")
LATEST = "latest"

SNAPSHOT_ACCEPTED = (
    "a DB snapshot's name (letters, digits and single hyphens, a letter first, at most "
    "255; 'rds:<name>' for an automated one) or a shared snapshot's ARN "
    "(arn:aws:rds:<region>:<account>:snapshot:<name>)"
)
SOURCE_ACCEPTED = (
    "the source instance's identifier (letters, digits and single hyphens, a letter "
    "first, at most 63), its resource id (db-ABCDEFGHIJKLMNOPQRSTUVWXY0) or the ARN of "
    "the automated backups it kept (arn:aws:rds:<region>:<account>:auto-backup:ab-...)"
)
TIME_ACCEPTED = "'latest' or a UTC time in the past such as 2026-11-30T23:45:00Z"


def parse_restore(reader: ConfigReader, now: datetime.datetime | None = None) -> RestoreSource:
    """The restore the stack asks for, or None for an empty database."""
    key = reader.full_key
    snapshot = reader.string("dbRestoreFromSnapshot")
    source = reader.string("dbRestoreFromInstance")
    time = reader.string("dbRestoreTime")
    if snapshot is not None and source is not None:
        raise ConfigError(
            key("dbRestoreFromInstance"),
            source,
            f"no value while {key('dbRestoreFromSnapshot')} is set: a database is restored "
            "from a snapshot or from a point in time, not both",
        )
    if snapshot is not None:
        if time is not None:
            raise ConfigError(
                key("dbRestoreTime"),
                time,
                f"no value with {key('dbRestoreFromSnapshot')} (a snapshot has one point in "
                f"time); to restore to a time, set {key('dbRestoreFromInstance')} instead",
            )
        if not SNAPSHOT.fullmatch(snapshot):
            raise ConfigError(key("dbRestoreFromSnapshot"), snapshot, SNAPSHOT_ACCEPTED)
        return SnapshotRestore(snapshot=snapshot)
    if source is None:
        if time is not None:
            raise ConfigError(
                key("dbRestoreTime"),
                time,
                f"no value unless {key('dbRestoreFromInstance')} names the instance to restore",
            )
        return None
    kind: Literal["identifier", "resource-id", "automated-backups-arn"]
    if SOURCE_AUTOMATED_BACKUPS.fullmatch(source):
        kind = "automated-backups-arn"
    elif SOURCE_RESOURCE_ID.fullmatch(source):
        kind = "resource-id"
    elif SOURCE_INSTANCE.fullmatch(source):
        kind = "identifier"
    else:
        raise ConfigError(key("dbRestoreFromInstance"), source, SOURCE_ACCEPTED)
    return PointInTimeRestore(
        source=source,
        source_kind=kind,
        restore_time=_restore_time(key("dbRestoreTime"), time, now),
    )


def _restore_time(key: str, value: str | None, now: datetime.datetime | None) -> str | None:
    """None for the latest restorable time, else the time as RFC 3339 UTC."""
    if value is None:
        # Explicit on purpose: "latest" and a time restore different data.
        raise ConfigError(key, None, TIME_ACCEPTED)
    if value.lower() == LATEST:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(key, value, TIME_ACCEPTED) from None
    if "T" not in value or parsed.utcoffset() != datetime.timedelta(0):
        raise ConfigError(key, value, TIME_ACCEPTED + " (a date and time, in UTC)")
    if parsed > (now or datetime.datetime.now(datetime.UTC)):
        raise ConfigError(key, value, TIME_ACCEPTED + " (RDS restores only to the past)")
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
