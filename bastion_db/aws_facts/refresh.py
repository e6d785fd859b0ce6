"""Rebuilds bastion_db/aws_facts/data/cfn_lint_extract.json from the installed cfn-lint,
and data/pg_settings_extract.json from the installed pg-configurator (pg_settings.py).

    python -m bastion_db.aws_facts.refresh           # rewrite the extract
    python -m bastion_db.aws_facts.refresh --check   # exit 1 if it differs from what
                                                     # cfn-lint gives, or offers a class
                                                     # type with no memory entry

cfn-lint (AWS's CloudFormation linter, https://github.com/aws-cloudformation/cfn-lint)
regenerates its data every week from AWS's own APIs: its scripts
`update_schemas_from_aws_api.py` (RDS DescribeDBEngineVersions and
DescribeOrderableDBInstanceOptions, called in us-east-1) and
`update_specs_from_pricing.py` (the AWS Price List API, every region). This module
keeps what bastion-db needs from that data, for `mysql` and `postgres` only, so the
program and the policy pack read a small JSON file at every `pulumi up` instead of
importing cfn-lint. Only this module imports cfn-lint; the runtime never does.

What the data says and does not say (found by reading cfn-lint's generators):

- Engine versions: every version DescribeDBEngineVersions(IncludeAll=True) lists,
  and which of them have Status "deprecated" (RDS no longer creates them).
  cfn-lint adds bare major aliases for PostgreSQL ("16"); they are not versions
  RDS lists and are left out here.
- Orderable classes per version come from us-east-1 only, keyed by the first two
  parts of the version ("16.4", "8.0"), and cfn-lint 1.58.0 merges every engine
  under one key: its `dict.fromkeys(engines, dict())` shares one dict, so "8.0"
  holds Aurora MySQL 8.0's classes too (db.serverless). The per-region lists
  come from the Price List API per engine, and cover Single-AZ and Multi-AZ
  deployments. A class is kept for an engine's major version when it is orderable
  for every offered minor version of that major in us-east-1 and RDS prices it
  for that engine in some region; per region, when that region prices it. That
  intersection removes the cross-engine entries (db.serverless, the Multi-AZ
  cluster-only db.c6gd) and keeps what auto minor upgrades will keep working on.
- EC2 instance types per region come from the Price List API; only the families
  the bastion may use are kept (the whole list is ~25,000 names, too big to read
  at every `up`).
- Memory per instance class is not in cfn-lint's data (nor botocore's): the
  alarms take it from data/documented.json, kept by hand from the RDS hardware
  table. Both modes fail (exit 1) while the extract offers a class type that
  documented.json neither sizes nor lists under ``unknown_types``, so a new type
  is placed on purpose, never silently left without its memory alarms.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bastion_db.aws_facts import pg_settings
from bastion_db.aws_facts.versions import ENGINES, major_of_version, version_sort_key

EXTRACT_PATH = Path(__file__).parent / "data" / "cfn_lint_extract.json"
DOCUMENTED_PATH = Path(__file__).parent / "data" / "documented.json"
REFRESH_COMMAND = "bash scripts/refresh-aws-facts.sh"

# The instance families settings/ lets the bastion use (t3, t3a, t4g nano-medium).
# Widening them there means widening them here and refreshing.
EC2_FAMILIES: tuple[str, ...] = ("t3", "t3a", "t4g")

_RDS_DIR = ("data", "schemas", "extensions", "aws_rds_dbinstance")
_EC2_DIR = ("data", "schemas", "extensions", "aws_ec2_instance")
# cfn-lint writes the version key of an orderable-class entry as ^(A\.B\..+|A\.B)$.
_VERSION_KEY_PATTERN = re.compile(r"^\^\((?P<key>.+)\\\.\.\+\|(?P=key)\)\$$")


class SourceFormatError(Exception):
    """cfn-lint's data no longer has the shape this module was written against."""


def _load(package_root: Path, parts: Iterable[str], name: str) -> Any:
    path = package_root.joinpath(*parts, name)
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _rules(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = schema.get("allOf")
    if not isinstance(rules, list):
        raise SourceFormatError("expected an 'allOf' list of if/then rules")
    return rules


def _engine_of(rule: Mapping[str, Any]) -> str | None:
    engine = rule.get("if", {}).get("properties", {}).get("Engine", {})
    const = engine.get("const") if isinstance(engine, dict) else None
    return const if isinstance(const, str) else None


def _is_full_version(version: str) -> bool:
    # RDS versions always have a dot; cfn-lint's own bare-major aliases do not.
    return "." in version


def engine_versions(schema: Mapping[str, Any], engine: str) -> list[str]:
    """Every version RDS lists for the engine (engine_version.json), ascending."""
    for rule in _rules(schema):
        if _engine_of(rule) == engine:
            versions = rule["then"]["properties"]["EngineVersion"]["enum"]
            return sorted((v for v in versions if _is_full_version(v)), key=version_sort_key)
    raise SourceFormatError(f"no engine versions for {engine!r}")


def deprecated_versions(schema: Mapping[str, Any], engine: str) -> list[str]:
    """The versions RDS marks deprecated (engine_version_deprecated.json), ascending."""
    for rule in _rules(schema):
        if _engine_of(rule) == engine and rule.get("then") is False:
            versions = rule["if"]["properties"]["EngineVersion"]["enum"]
            return sorted((v for v in versions if _is_full_version(v)), key=version_sort_key)
    return []


def orderable_by_version_key(schema: Mapping[str, Any], engine: str) -> dict[str, set[str]]:
    """db_instance_class.json: classes orderable in us-east-1, by "A.B" version key."""
    by_key: dict[str, set[str]] = {}
    for rule in _rules(schema):
        if _engine_of(rule) != engine:
            continue
        pattern = rule["if"]["properties"]["EngineVersion"]["pattern"]
        match = _VERSION_KEY_PATTERN.match(pattern)
        if not match:
            raise SourceFormatError(f"unexpected engine version pattern {pattern!r}")
        key = match["key"].replace("\\.", ".")
        by_key[key] = set(rule["then"]["properties"]["DBInstanceClass"]["enum"])
    return by_key


def priced_by_region(schema: Mapping[str, Any], engine: str) -> dict[str, set[str]]:
    """dbinstanceclass_enum.json: classes RDS prices for the engine, by region.

    cfn-lint writes one rule per deployment option (Single-AZ, Multi-AZ) and its
    allOf requires a class to pass both, so the lists are intersected the same way.
    """
    by_region: dict[str, set[str]] = {}
    for region, region_schema in schema.items():
        lists = [
            set(rule["then"]["properties"]["DBInstanceClass"]["enum"])
            for rule in _rules(region_schema)
            if _engine_of(rule) == engine and rule["if"]["properties"].get("LicenseModel") is False
        ]
        if lists:
            by_region[region] = set.intersection(*lists)
    return by_region


def _version_key(version: str) -> str:
    # The key cfn-lint files a version's orderable classes under.
    return ".".join(version.split(".")[:2])


def classes_by_major(
    available: Iterable[str],
    engine: str,
    orderable: Mapping[str, set[str]],
    priced_anywhere: set[str],
) -> dict[str, list[str]]:
    """Per major: orderable on every offered minor that has orderable data, and priced."""
    per_major: dict[str, list[set[str]]] = defaultdict(list)
    for version in available:
        classes = orderable.get(_version_key(version))
        if classes:
            per_major[major_of_version(engine, version)].append(classes)
    return {
        major: sorted(set.intersection(*sets) & priced_anywhere)
        for major, sets in sorted(per_major.items(), key=lambda item: version_sort_key(item[0]))
    }


def _family(instance_class: str) -> str:
    return instance_class.rsplit(".", 1)[0]


def offered_entries(universe: set[str], priced: set[str]) -> list[str]:
    """A region's offer, written compactly: a family ("db.m5") when every class of the
    engine's universe in that family is priced there, else the single classes."""
    families: dict[str, set[str]] = defaultdict(set)
    for instance_class in universe:
        families[_family(instance_class)].add(instance_class)
    entries: list[str] = []
    for family, members in families.items():
        offered = members & priced
        if offered == members:
            entries.append(family)
        else:
            entries.extend(offered)
    return sorted(entries)


def _cfn_lint_root() -> tuple[Path, str, list[str]]:
    """cfn-lint's folder, release and region list, without starting the linter.

    ``import cfnlint`` loads the whole linter (sympy and networkx among it):
    about 3 s where no bytecode is written, as on this machine. The extract
    reads only data files, and the region table of ``cfnlint/helpers.py``, a
    module of standard-library code (and ``regex``), so that one module is run
    on its own.
    """
    from importlib.metadata import PackageNotFoundError, version

    spec = importlib.util.find_spec("cfnlint")
    try:
        release = version("cfn-lint")
    except PackageNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        raise SystemExit("cfn-lint is not installed; run: bash scripts/setup.sh")
    root = Path(spec.origin).parent
    helpers_spec = importlib.util.spec_from_file_location("_cfn_lint_helpers", root / "helpers.py")
    if helpers_spec is None or helpers_spec.loader is None:
        raise SourceFormatError(f"cfn-lint {release} has no cfnlint/helpers.py")
    helpers = importlib.util.module_from_spec(helpers_spec)
    helpers_spec.loader.exec_module(helpers)
    regions = getattr(helpers, "REGIONS", None)
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise SourceFormatError(f"cfn-lint {release}'s cfnlint/helpers.py has no REGIONS list")
    return root, release, list(regions)


def build_extract() -> dict[str, Any]:
    """The extract, built from the cfn-lint installed in this interpreter."""
    root, cfn_lint_version, regions = _cfn_lint_root()
    versions_schema = _load(root, _RDS_DIR, "engine_version.json")
    deprecated_schema = _load(root, _RDS_DIR, "engine_version_deprecated.json")
    orderable_schema = _load(root, _RDS_DIR, "db_instance_class.json")
    priced_schema = _load(root, _RDS_DIR, "dbinstanceclass_enum.json")
    ec2_schema = _load(root, _EC2_DIR, "instancetype_enum.json")

    known_regions = set(regions)
    ec2_regions = {key for key in ec2_schema if key not in ("description", "all")}
    unknown = (set(priced_schema) | ec2_regions) - known_regions
    if unknown:
        raise SourceFormatError(f"offerings for regions cfn-lint does not list: {sorted(unknown)}")

    engines: dict[str, Any] = {}
    for engine in ENGINES:
        versions = engine_versions(versions_schema, engine)
        deprecated = deprecated_versions(deprecated_schema, engine)
        if not set(deprecated) <= set(versions):
            raise SourceFormatError(f"{engine}: deprecated versions missing from the full list")
        retired = set(deprecated)
        available = [v for v in versions if v not in retired]
        priced = priced_by_region(priced_schema, engine)
        priced_anywhere = set().union(*priced.values())
        by_major = classes_by_major(
            available, engine, orderable_by_version_key(orderable_schema, engine), priced_anywhere
        )
        universe = {c for classes in by_major.values() for c in classes}
        engines[engine] = {
            "versions": versions,
            "deprecated": deprecated,
            "classes_by_major": by_major,
            "offered_in_region": {
                region: offered_entries(universe, priced[region]) for region in sorted(priced)
            },
        }

    return {
        "source": {"package": "cfn-lint", "version": cfn_lint_version},
        "regions": sorted(known_regions),
        "rds": engines,
        "ec2": {
            "families": list(EC2_FAMILIES),
            "instance_types_by_region": {
                region: sorted(
                    t for t in ec2_schema[region]["enum"] if t.split(".")[0] in EC2_FAMILIES
                )
                for region in sorted(ec2_regions)
            },
        },
    }


def class_types_without_memory(extract: Mapping[str, Any]) -> list[str]:
    """Class types the extract offers that documented.json neither sizes nor lists as unknown."""
    memory = json.loads(DOCUMENTED_PATH.read_text(encoding="utf-8"))["instance_class_memory"]
    placed = (
        set(memory["gib_per_vcpu"])
        | set(memory["burstable_gib_by_size"]["types"])
        | set(memory["unknown_types"])
    )
    offered = {
        instance_class.rpartition(".")[0]
        for engine in extract["rds"].values()
        for classes in engine["classes_by_major"].values()
        for instance_class in classes
    }
    return sorted(offered - placed)


def render(extract: Mapping[str, Any]) -> str:
    """The extract as written to disk: sorted keys, one item a line, for readable diffs."""
    return json.dumps(extract, indent=1, sort_keys=True) + "\n"


def _extracts() -> list[tuple[Path, str, str, Callable[[], dict[str, Any]]]]:
    """Each generated data file, the package it comes from, the module that reads
    that package, and how to build it. Read at call time, so a test can point a
    path elsewhere."""
    from bastion_db.aws_facts import major_versions

    return [
        (EXTRACT_PATH, "cfn-lint", "refresh.py", build_extract),
        (
            pg_settings.PG_SETTINGS_PATH,
            pg_settings.PACKAGE,
            "pg_settings.py",
            lambda: pg_settings.build_pg_settings_extract(major_versions("postgres")),
        ),
    ]


def _compare_or_write(path: Path, package: str, wanted: str, check: bool) -> bool:
    """Checks (or rewrites) one extract; False when --check finds it stale."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if check:
        if current != wanted:
            print(
                f"{path} is not what the installed {package} gives; run: {REFRESH_COMMAND}",
                file=sys.stderr,
            )
            return False
        print(f"{path.name} matches the installed {package}")
        return True
    path.write_text(wanted, encoding="utf-8")
    print(f"wrote {path} ({len(wanted.encode())} bytes)")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bastion_db.aws_facts.refresh", description=__doc__
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare; exit 1 if an extract is stale or cfn-lint offers a class type "
        "documented.json does not place",
    )
    args = parser.parse_args(argv)
    status = 0
    for path, package, reader, build in _extracts():
        try:
            extract = build()
            wanted = render(extract)
        except (SourceFormatError, pg_settings.SourceFormatError, KeyError, TypeError) as error:
            print(
                f"{package}'s data changed shape; review bastion_db/aws_facts/{reader}: {error!r}",
                file=sys.stderr,
            )
            return 2
        if package == "cfn-lint":
            unplaced = class_types_without_memory(extract)
            if unplaced:
                print(
                    f"{DOCUMENTED_PATH.name}: RDS offers the class types {', '.join(unplaced)}, "
                    "whose memory it does not record: add each one's memory per vCPU from the "
                    "page named in instance_class_memory to gib_per_vcpu, or list it under "
                    "unknown_types",
                    file=sys.stderr,
                )
                status = 1
        if not _compare_or_write(path, package, wanted, args.check):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
