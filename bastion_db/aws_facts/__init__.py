"""What AWS offers and accepts, for the checks made before anything is registered.

Two data files, read once on first use (the program and the policy pack both run
at every `pulumi up`, so this stays standard library only and a few milliseconds):

- `data/cfn_lint_extract.json`: generated from the AWS data cfn-lint ships
  (`SOURCE` names the release); rebuilt by `bash scripts/refresh-aws-facts.sh`,
  never edited by hand. `bastion_db/aws_facts/refresh.py` says what that data is and is not.
- `data/documented.json`: the few facts cfn-lint lacks, each with the AWS page
  it was read from.
- `data/pg_settings_extract.json`: upstream PostgreSQL's settings and their
  context per major, generated from pg-configurator by the same refresh
  (`bastion_db/aws_facts/pg_settings.py` says what it is and is not); read only
  when a stack sets `dbParameters`.

Engines are RDS `Engine` values, `"mysql"` or `"postgres"` (`ENGINES`); any other
raises ValueError, a caller's bug (validate the user's engine against `ENGINES`
first). Regions and classes that the data does not know give empty sets.
"""

from __future__ import annotations

import datetime
import json
import os
from functools import cache
from typing import Any

from bastion_db.aws_facts.versions import ENGINES, major_of_version, version_sort_key

__all__ = [
    "ENGINES",
    "SOURCE",
    "available_engine_versions",
    "citations",
    "database_insights_advanced_min_retention_days",
    "database_insights_advanced_supported",
    "database_insights_modes",
    "deprecated_engine_versions",
    "ec2_families",
    "ec2_instance_types",
    "end_of_standard_support",
    "engine_versions",
    "has_offerings",
    "instance_class_memory_gib",
    "latest_engine_version",
    "major_of",
    "major_versions",
    "orderable_instance_classes",
    "performance_insights_retention_periods",
    "performance_insights_supported",
    "performance_insights_unsupported_classes",
    "postgres_settings",
    "postgres_settings_source",
    "regions",
    "standard_support_major_versions",
]

# "cfn-lint <version>": the release the extract was built from. Read from the
# extract on first access (module __getattr__), so importing stays free.
SOURCE: str

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _read(name: str) -> dict[str, Any]:
    with open(os.path.join(_DATA_DIR, name), encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def _extract() -> dict[str, Any]:
    return _read("cfn_lint_extract.json")


@cache
def _documented() -> dict[str, Any]:
    return _read("documented.json")


@cache
def _pg_settings() -> dict[str, Any]:
    return _read("pg_settings_extract.json")


def __getattr__(name: str) -> str:
    if name == "SOURCE":
        source = _extract()["source"]
        return f"{source['package']} {source['version']}"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _rds(engine: str) -> dict[str, Any]:
    if engine not in ENGINES:
        raise ValueError(f"aws_facts knows the engines {', '.join(ENGINES)}, not {engine!r}")
    rds: dict[str, Any] = _extract()["rds"][engine]
    return rds


@cache
def regions() -> frozenset[str]:
    """Every AWS region name, in every partition (cfn-lint's list)."""
    return frozenset(_extract()["regions"])


@cache
def engine_versions(engine: str) -> tuple[str, ...]:
    """Every full version RDS lists for the engine, deprecated ones included, ascending."""
    return tuple(_rds(engine)["versions"])


@cache
def deprecated_engine_versions(engine: str) -> frozenset[str]:
    """The versions RDS marks deprecated: it no longer creates instances on them."""
    return frozenset(_rds(engine)["deprecated"])


@cache
def available_engine_versions(engine: str) -> tuple[str, ...]:
    """The versions RDS creates instances on today, ascending."""
    retired = deprecated_engine_versions(engine)
    return tuple(v for v in engine_versions(engine) if v not in retired)


@cache
def major_versions(engine: str) -> tuple[str, ...]:
    """Major versions with at least one version RDS creates, ascending.

    This includes majors past their end of standard support that RDS still creates
    under paid Extended Support (PostgreSQL 11 and 12, MySQL 5.7 in cfn-lint
    1.58.0); filter with `end_of_standard_support` to keep only supported ones.
    """
    majors = {major_of_version(engine, v) for v in available_engine_versions(engine)}
    return tuple(sorted(majors, key=version_sort_key))


@cache
def _all_majors(engine: str) -> frozenset[str]:
    return frozenset(major_of_version(engine, v) for v in engine_versions(engine))


def major_of(engine: str, version: str) -> str | None:
    """The major version of a version RDS lists ("16.3" -> "16", "8.0.39" -> "8.0").

    A known major given alone names itself ("16" -> "16"); any other string, such
    as a version RDS never listed, gives None.
    """
    if version in engine_versions(engine):
        return major_of_version(engine, version)
    if version in _all_majors(engine):
        return version
    return None


def latest_engine_version(engine: str, major: str) -> str | None:
    """The newest version of `major` RDS creates, or None if it creates none."""
    versions = [
        v for v in available_engine_versions(engine) if major_of_version(engine, v) == major
    ]
    return versions[-1] if versions else None


@cache
def orderable_instance_classes(
    engine: str, major: str, region: str | None = None
) -> frozenset[str]:
    """DB instance classes RDS offers for `engine` at `major`, in `region` if given.

    A class is listed when it is orderable on every version of that major RDS
    creates (in us-east-1, where cfn-lint asks) and RDS prices it for the engine in
    the region (any region when `region` is None). Empty for an unknown major or a
    region without offering data (see `has_offerings`).
    """
    rds = _rds(engine)
    classes: list[str] = rds["classes_by_major"].get(major, [])
    if region is None:
        return frozenset(classes)
    entries = rds["offered_in_region"].get(region)
    if entries is None:
        return frozenset()
    # An entry is a whole family ("db.t4g") or a single class ("db.t4g.micro").
    offered = set(entries)
    return frozenset(c for c in classes if c in offered or c.rsplit(".", 1)[0] in offered)


def has_offerings(region: str) -> bool:
    """Whether the extract carries EC2 and RDS offerings for the region.

    False for the isolated partitions (us-iso-*, eu-isoe-*, eusc-*), which the
    AWS Price List does not cover: there, skip offering checks rather than refuse.
    """
    extract = _extract()
    return region in extract["ec2"]["instance_types_by_region"] and all(
        region in extract["rds"][engine]["offered_in_region"] for engine in ENGINES
    )


@cache
def ec2_instance_types(region: str) -> frozenset[str]:
    """EC2 instance types of the bastion's families (`ec2_families`) offered in the region."""
    return frozenset(_extract()["ec2"]["instance_types_by_region"].get(region, ()))


def ec2_families() -> tuple[str, ...]:
    """The EC2 families the extract keeps (those the bastion may use)."""
    return tuple(_extract()["ec2"]["families"])


def _vcpus_of_size(size: str) -> int | None:
    # EC2 and RDS name sizes by vCPUs outside the burstable types: large has 2,
    # xlarge 4, Nxlarge 4N (documented.json, instance_class_memory).
    if size == "large":
        return 2
    multiple, _, rest = size.partition("xlarge")
    if rest or not (multiple == "" or (multiple.isdigit() and not multiple.startswith("0"))):
        return None
    return 4 * int(multiple or "1")


def instance_class_memory_gib(instance_class: str) -> int | None:
    """The class's memory in GiB per the RDS hardware table, or None if not known.

    Derived from its type's memory per vCPU, or its size for burstable types
    (documented.json, instance_class_memory); None for a type or size the
    derivation does not cover, such as a type newer than that entry.
    """
    class_type, _, size = instance_class.rpartition(".")
    rule = _documented()["instance_class_memory"]
    burstable = rule["burstable_gib_by_size"]
    if class_type in burstable["types"]:
        gib: int | None = burstable["sizes"].get(size)
        return gib
    per_vcpu: int | None = rule["gib_per_vcpu"].get(class_type)
    vcpus = _vcpus_of_size(size)
    if per_vcpu is None or vcpus is None:
        return None
    return per_vcpu * vcpus


def performance_insights_supported(engine: str, instance_class: str) -> bool:
    """Whether RDS offers Performance Insights on this engine and class.

    Says nothing about whether the class itself is orderable.
    """
    return instance_class not in performance_insights_unsupported_classes(engine)


def performance_insights_unsupported_classes(engine: str) -> frozenset[str]:
    """The DB instance classes on which RDS offers no Performance Insights for
    `engine` (the policy pack carries a copy: scripts/pack_facts.py)."""
    _rds(engine)
    unsupported = _documented()["performance_insights"]["unsupported_instance_classes"]
    return frozenset(unsupported[engine])


@cache
def performance_insights_retention_periods() -> frozenset[int]:
    """The retention periods (days) RDS accepts for Performance Insights."""
    rule = _documented()["performance_insights"]["retention_days"]
    monthly = (months * rule["month_days"] for months in range(1, rule["max_months"] + 1))
    return frozenset({rule["free_tier"], rule["long_term"], *monthly})


def database_insights_modes() -> tuple[str, ...]:
    """The CloudWatch Database Insights modes RDS accepts ("standard", "advanced")."""
    return tuple(_documented()["database_insights"]["modes"])


def database_insights_advanced_supported(engine: str, instance_class: str) -> bool:
    """Advanced mode needs Performance Insights, so it goes where Performance Insights goes."""
    return performance_insights_supported(engine, instance_class)


def database_insights_advanced_min_retention_days() -> int:
    """The Performance Insights retention (days) advanced mode requires at least."""
    days: int = _documented()["database_insights"]["advanced_min_retention_days"]
    return days


def end_of_standard_support(engine: str, major: str) -> datetime.date | None:
    """RDS's end of standard support for the major version, or None if not recorded."""
    _rds(engine)
    day = _documented()["end_of_standard_support"][engine]["majors"].get(major)
    return datetime.date.fromisoformat(day) if day else None


def standard_support_major_versions(engine: str, on: datetime.date) -> tuple[str, ...]:
    """The majors RDS creates that are still in standard support on the given day.

    A major whose end of standard support is not recorded is left out, so a new
    major only appears once its date is in documented.json (a test asks for it).
    """
    return tuple(
        major
        for major in major_versions(engine)
        if (end := end_of_standard_support(engine, major)) is not None and on <= end
    )


@cache
def postgres_settings(major: str) -> dict[str, str] | None:
    """Upstream PostgreSQL's settings of a major, lower-cased name -> context
    (``postmaster``: applied at server start only); None for a major the
    extract lacks. The source package is the extract's ``source``."""
    by_major: dict[str, dict[str, str]] = _pg_settings()["postgres"]
    settings = by_major.get(major)
    if settings is None:
        return None
    return {name.lower(): context for name, context in settings.items()}


def postgres_settings_source() -> str:
    source = _pg_settings()["source"]
    return f"{source['package']} {source['version']}"


def citations() -> dict[str, str]:
    """The AWS page behind each hand-kept fact, for messages that cite their source."""
    documented = _documented()
    pages = {
        "performance_insights": documented["performance_insights"]["unsupported_instance_classes"],
        "performance_insights_retention": documented["performance_insights"]["retention_days"],
        "database_insights": documented["database_insights"],
        "instance_class_memory": documented["instance_class_memory"],
    }
    for engine in ENGINES:
        pages[f"end_of_standard_support:{engine}"] = documented["end_of_standard_support"][engine]
    return {fact: entry["source"] for fact, entry in pages.items()}
