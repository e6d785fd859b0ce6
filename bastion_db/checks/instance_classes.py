"""What a DB instance class gives the database: its memory, and whether it bursts.

Which classes are accepted is RDS's answer, not this module's: the settings
accept any class RDS offers for the engine, version and region
(:func:`aws_facts.orderable_instance_classes`). This module only knows the
hardware the alarms are sized from. Memory comes from :func:`aws_facts.instance_class_memory_gib`
(the RDS hardware table, as a per-type derivation kept in aws_facts/data/documented.json);
a class it does not cover has memory ``None``, and the monitoring component then
leaves out the alarms that need it and says how to size them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion_db import aws_facts

GIB = 1024**3
MIB = 1024**2

# RDS's burstable performance classes are the db.t types ("DB instance class
# types", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html).
BURSTABLE_PREFIX = "db.t"


@dataclass(frozen=True)
class InstanceClassSpec:
    """What one RDS DB instance class gives the database, as far as it is known."""

    # None when the hardware table's derivation does not cover the class
    memory_gib: int | None
    # T classes run on CPU credits: sustained CPU above their baseline costs money
    # (unlimited mode) rather than being throttled.
    burstable: bool

    @property
    def memory_bytes(self) -> int | None:
        return None if self.memory_gib is None else self.memory_gib * GIB


def spec(instance_class: str) -> InstanceClassSpec:
    return InstanceClassSpec(
        memory_gib=aws_facts.instance_class_memory_gib(instance_class),
        burstable=instance_class.startswith(BURSTABLE_PREFIX),
    )


def memory_bytes(instance_class: str) -> int | None:
    """The class's memory in bytes (GiB * 1024^3) as the hardware table states it, or None."""
    return spec(instance_class).memory_bytes


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


def db_instance_class_memory_estimate(total_bytes: int) -> int:
    """A slightly conservative estimate of ``DBInstanceClassMemory`` for a class of this memory."""
    return int(total_bytes - OS_RESERVE_FIXED_BYTES - OS_RESERVE_FRACTION * total_bytes)


def estimated_db_instance_class_memory(instance_class: str) -> int | None:
    """The estimate of RDS's ``DBInstanceClassMemory`` in bytes; None if the memory is unknown."""
    total = memory_bytes(instance_class)
    return None if total is None else db_instance_class_memory_estimate(total)
