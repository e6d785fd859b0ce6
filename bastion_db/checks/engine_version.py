"""The engine-version policy: which versions a stack may ask RDS for, and
whether RDS then keeps the instance on the newest minor by itself.

- A major (``16``, ``8.4``) is the recommended form: automatic minor upgrades
  stay on, and the provider accepts the minor RDS moves the instance to
  (terraform-provider-aws, ``internal/service/rds/instance.go``: with
  ``auto_minor_version_upgrade`` an ``engine_version`` prefix such as ``8.0``
  is compared against ``engine_version_actual`` by prefix).
- A full version (``16.3``) pins the instance: automatic minor upgrades are
  turned off, since otherwise RDS upgrades it to ``16.4`` and the next
  ``pulumi up`` tries to go back to ``16.3``, which RDS refuses (no downgrades).
- A major past its end of standard support is refused unless the stack says it
  accepts RDS Extended Support, which AWS bills per vCPU-hour
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html).

What RDS offers, which versions are deprecated and the support dates come from
:mod:`aws_facts`, not from this module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bastion_db import aws_facts
from bastion_db.checks.engines import EngineSpec
from bastion_db.checks.errors import ConfigError


@dataclass(frozen=True)
class EngineVersion:
    major: str
    # What RDS is asked for: the major itself, or the pinned full version
    requested: str
    auto_minor_version_upgrade: bool


def _supported_majors(engine: EngineSpec, today: datetime.date, extended: bool) -> tuple[str, ...]:
    if extended:
        return aws_facts.major_versions(engine.name)
    return aws_facts.standard_support_major_versions(engine.name, today)


def _past_standard_support(engine: EngineSpec, major: str, today: datetime.date) -> bool:
    ends = aws_facts.end_of_standard_support(engine.name, major)
    return ends is not None and ends < today


def resolve_engine_version(
    key: str,
    engine: EngineSpec,
    value: str | None,
    *,
    extended_support_key: str,
    extended_support: bool,
    today: datetime.date,
) -> EngineVersion:
    """The version a stack runs, or a ConfigError naming what RDS would offer."""
    offered_majors = _supported_majors(engine, today, extended_support)
    accepted = (
        f"a {engine.name} major RDS offers in standard support ("
        + ", ".join(offered_majors)
        + "; automatic minor upgrades on) or one of its full versions (pinned, "
        + "automatic minor upgrades off)"
    )
    if value is None:
        value = engine.default_major_version
        pinned = False
    elif value in aws_facts.major_versions(engine.name):
        pinned = False
    elif value in aws_facts.engine_versions(engine.name):
        pinned = True
        if value in aws_facts.deprecated_engine_versions(engine.name):
            raise ConfigError(
                key, value, f"a version RDS still offers for new instances; {accepted}"
            )
    else:
        raise ConfigError(key, value, accepted)

    major = aws_facts.major_of(engine.name, value)
    if major is None:  # the facts offer a version whose major they do not list
        raise ConfigError(key, value, accepted)
    if _past_standard_support(engine, major, today) and not extended_support:
        ended = aws_facts.end_of_standard_support(engine.name, major)
        raise ConfigError(
            key,
            value,
            f"a major still in standard support ({engine.name} {major} left it on {ended} and "
            f"RDS bills Extended Support for it): {', '.join(offered_majors)}; or "
            f"{extended_support_key}: true to accept the cost",
        )
    return EngineVersion(major=major, requested=value, auto_minor_version_upgrade=not pinned)
