"""The RDS instance classes the product allows, with the hardware each one has.

This table is the single source of truth for two jobs: the settings loader
uses :data:`ALLOWED_INSTANCE_CLASSES` as the allow-list for ``dbInstanceClass``,
and the monitoring component sizes its alarms from :func:`memory_bytes`
(freeable memory, the engines' default ``max_connections``).

Figures are from the Amazon RDS User Guide, "Hardware specifications for DB
instance classes" (Concepts.DBInstanceClass.Summary). Within each family every
size step doubles both vCPUs and memory; the burstable families keep 2 vCPUs
up to ``large``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class InstanceClassSpec:
    """What one RDS DB instance class gives the database."""

    vcpus: int
    memory_gib: int
    # T classes run on CPU credits: sustained CPU above their baseline costs money
    # (unlimited mode) rather than being throttled.
    burstable: bool

    @property
    def memory_bytes(self) -> int:
        return self.memory_gib * GIB


def _family(
    family: str, sizes: tuple[tuple[str, int, int], ...], *, burstable: bool
) -> dict[str, InstanceClassSpec]:
    return {
        f"db.{family}.{size}": InstanceClassSpec(vcpus, memory_gib, burstable)
        for size, vcpus, memory_gib in sizes
    }


_BURSTABLE_SIZES = (
    ("micro", 2, 1),
    ("small", 2, 2),
    ("medium", 2, 4),
    ("large", 2, 8),
    ("xlarge", 4, 16),
    ("2xlarge", 8, 32),
)
_GENERAL_PURPOSE_SIZES = (
    ("large", 2, 8),
    ("xlarge", 4, 16),
    ("2xlarge", 8, 32),
    ("4xlarge", 16, 64),
)
_MEMORY_OPTIMIZED_SIZES = (
    ("large", 2, 16),
    ("xlarge", 4, 32),
    ("2xlarge", 8, 64),
    ("4xlarge", 16, 128),
)

INSTANCE_CLASSES: MappingProxyType[str, InstanceClassSpec] = MappingProxyType(
    {
        **_family("t3", _BURSTABLE_SIZES, burstable=True),
        **_family("t4g", _BURSTABLE_SIZES, burstable=True),
        **_family("m6g", _GENERAL_PURPOSE_SIZES, burstable=False),
        **_family("m7g", _GENERAL_PURPOSE_SIZES, burstable=False),
        **_family("m6i", _GENERAL_PURPOSE_SIZES, burstable=False),
        **_family("r6g", _MEMORY_OPTIMIZED_SIZES, burstable=False),
        **_family("r7g", _MEMORY_OPTIMIZED_SIZES, burstable=False),
    }
)

ALLOWED_INSTANCE_CLASSES: frozenset[str] = frozenset(INSTANCE_CLASSES)


class UnknownInstanceClassError(ValueError):
    """An instance class outside the product's table (settings should have refused it)."""

    def __init__(self, instance_class: str) -> None:
        self.instance_class = instance_class
        super().__init__(
            f"unknown RDS instance class {instance_class!r}; allowed: "
            + ", ".join(sorted(ALLOWED_INSTANCE_CLASSES))
        )


def spec(instance_class: str) -> InstanceClassSpec:
    try:
        return INSTANCE_CLASSES[instance_class]
    except KeyError:
        raise UnknownInstanceClassError(instance_class) from None


def memory_bytes(instance_class: str) -> int:
    """The class's memory in bytes (GiB * 1024^3), as the hardware table states it."""
    return spec(instance_class).memory_bytes


def vcpus(instance_class: str) -> int:
    return spec(instance_class).vcpus


# RDS parameter formulas use DBInstanceClassMemory, which is the class memory
# minus what the operating system and the RDS agents keep for themselves, so it
# is always below the table's figure. AWS does not publish the reserve. Defaults
# reported by `SHOW max_connections` (e.g. MySQL db.t2.micro 66, PostgreSQL
# db.t2.small 198, db.t2.medium 413, db.t2.large 856, db.r4.large 1660) put it
# between about 230 MiB on 1 GiB classes and about 530 MiB on 15 GiB ones. The
# estimate below is fitted to sit slightly above every one of those reserves,
# so a limit computed from it is a little low, never high: an alarm at 90 % of
# it fires a little early instead of sitting above the real limit and never
# firing at all.
OS_RESERVE_FIXED_BYTES = 256 * MIB
OS_RESERVE_FRACTION = 0.03


def estimated_db_instance_class_memory(instance_class: str) -> int:
    """A slightly conservative estimate of RDS's ``DBInstanceClassMemory`` in bytes."""
    total = memory_bytes(instance_class)
    return int(total - OS_RESERVE_FIXED_BYTES - OS_RESERVE_FRACTION * total)
