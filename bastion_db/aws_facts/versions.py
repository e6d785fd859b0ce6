"""How RDS engine version strings are ordered and which major version they belong to.

Pure string rules, shared by the runtime lookups and the refresh script, so the
extract and its readers can never disagree on what "major" means.
"""

from __future__ import annotations

# The engines the extract carries, as RDS names them (the `Engine` API value).
ENGINES: tuple[str, ...] = ("mysql", "postgres")


def version_sort_key(version: str) -> tuple[tuple[tuple[int, str], ...], int, str]:
    """Orders versions the way their numbers read: 16.9 < 16.10 < 16.10-rds.20260101.

    RDS appends "-rds.<date>" to rebuilt releases of a minor version (e.g.
    "8.0.46-rds.20260624"); such a build sorts after the plain release and by date.
    Parts that are not numbers sort by their text, after any number.
    """
    base, dash, suffix = version.partition("-")
    parts = tuple(
        (int(part), "") if part.isdigit() else (1 << 30, part) for part in base.split(".")
    )
    return parts, 1 if dash else 0, suffix


def major_of_version(engine: str, version: str) -> str:
    """The RDS major version a version string names (not checked against any list).

    MySQL: "X.Y" is the major ("MySQL on Amazon RDS versions":
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html).
    PostgreSQL: from 10 on the first number is the major, before 10 the first two
    ("9.6"), as PostgreSQL numbers its releases
    (https://www.postgresql.org/support/versioning/) and RDS follows.
    """
    base = version.partition("-")[0]
    parts = base.split(".")
    if engine == "postgres":
        first = parts[0]
        if first.isdigit() and int(first) >= 10:
            return first
        return ".".join(parts[:2])
    return ".".join(parts[:2])
