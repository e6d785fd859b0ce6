"""Lists the DB instance classes RDS offers for an engine, version and region.

    python -m bastion_db.aws_facts.list_classes postgres 16 us-east-1
    python -m bastion_db.aws_facts.list_classes mysql 8.4.5          # any region

The answer is what the stack accepts as ``dbInstanceClass`` (the settings refuse
any other class and point here), read from the same extract of AWS's data. One
line per class type, with the memory the alarms are sized from where it is
known.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from bastion_db import aws_facts
from bastion_db.aws_facts.versions import version_sort_key

# Built from this module's own name, so the hint stays right if the module moves.
COMMAND = f"python -m {__spec__.name if __spec__ else __name__}"


def command_for(engine: str, version: str, region: str | None) -> str:
    """The command that lists the classes for this engine, version and region."""
    return " ".join([COMMAND, engine, version, *([region] if region else [])])


_NAMED_SIZES = ("nano", "micro", "small", "medium", "large")


def _size_order(instance_class: str) -> tuple[int, str]:
    # micro < small < medium < large < xlarge < 2xlarge < ... < 48xlarge, then any other
    size = instance_class.rpartition(".")[2]
    if size in _NAMED_SIZES:
        return _NAMED_SIZES.index(size), size
    multiple, _, rest = size.partition("xlarge")
    if not rest and (multiple == "" or multiple.isdigit()):
        return len(_NAMED_SIZES) + int(multiple or "1"), size
    return 1 << 30, size


def listing(engine: str, version: str, region: str | None) -> list[str]:
    """The lines printed: one per class type, sizes from small to large."""
    major = aws_facts.major_of(engine, version)
    if major is None:
        raise ValueError(f"RDS lists no {engine} version {version!r}")
    scope = region if region and aws_facts.has_offerings(region) else None
    by_type: dict[str, list[str]] = defaultdict(list)
    for instance_class in sorted(
        aws_facts.orderable_instance_classes(engine, major, scope), key=_size_order
    ):
        by_type[instance_class.rpartition(".")[0]].append(instance_class)
    lines = []
    for class_type in sorted(by_type, key=version_sort_key):
        members = by_type[class_type]
        sizes = ", ".join(c.rpartition(".")[2] for c in members)
        memories = [aws_facts.instance_class_memory_gib(c) for c in members]
        known = [m for m in memories if m is not None]
        memory = (
            f"{known[0]}-{known[-1]} GiB"
            if len(known) == len(members)
            else "memory not known: set alarmFreeableMemoryMib and dbMaxConnections"
        )
        lines.append(f"{class_type}: {sizes} ({memory})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("engine", choices=aws_facts.ENGINES)
    parser.add_argument("version", help='a major ("16", "8.4") or a full version')
    parser.add_argument("region", nargs="?", help="an AWS region; any region when left out")
    args = parser.parse_args(argv)
    try:
        lines = listing(args.engine, args.version, args.region)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    where = f" in {args.region}" if args.region else ""
    print(f"RDS offers {args.engine} {args.version}{where} on (source: {aws_facts.SOURCE}):")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
