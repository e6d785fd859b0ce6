"""Builds bastion_db/aws_facts/data/pg_settings_extract.json from the installed pg-configurator.

pg-configurator (https://github.com/O2eg/pg_configurator, MIT licence, pinned in
pyproject.toml's dev group) ships ``pg_settings_history/settings_pg_<major>.csv``:
upstream PostgreSQL's ``pg_settings`` view as a fresh server of each major
reports it, taken from the official PostgreSQL Docker images (with
``pg_stat_statements`` and ``auto_explain`` loaded). The extract keeps, for the
majors RDS offers (aws_facts), each setting's name and ``context``.

What it says and does not say:

- ``context`` is upstream's: ``postmaster`` settings take effect only at server
  start ("Changes to these settings only take effect when the server is
  restarted", https://www.postgresql.org/docs/current/view-pg-settings.html);
  RDS calls those "static" and the rest "dynamic". RDS's own table agrees for
  the settings the product uses (``max_connections`` and
  ``shared_preload_libraries`` static; ``ssl``, ``log_statement``,
  ``log_min_duration_statement``, ``log_connections`` dynamic:
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html).
- It is upstream only: no ``rds.*`` setting (the product keeps those by hand,
  bastion_db/checks/parameters.py), and RDS decides which upstream settings a
  customer may modify; the only full list is ``describe-engine-default-parameters``
  with an AWS account.

Only this module and the refresh read pg-configurator; the program reads the JSON.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from typing import Any

from bastion_db.aws_facts.versions import version_sort_key

PG_SETTINGS_PATH = Path(__file__).parent / "data" / "pg_settings_extract.json"
PACKAGE = "pg-configurator"
_COLUMNS = ("name", "context")


class SourceFormatError(Exception):
    """pg-configurator's data no longer has the shape this module was written against."""


def _settings_dir() -> tuple[Path, str]:
    """pg-configurator's snapshot folder and release, without importing the package."""
    from importlib.metadata import PackageNotFoundError, version

    spec = importlib.util.find_spec("pg_configurator")
    try:
        release = version(PACKAGE)
    except PackageNotFoundError:
        spec = None
    if spec is None or spec.origin is None:
        raise SystemExit(f"{PACKAGE} is not installed; run: bash scripts/setup.sh --dev")
    return Path(spec.origin).parent / "pg_settings_history", release


def read_snapshot(path: Path) -> dict[str, str]:
    """Setting name -> upstream context, from one ``settings_pg_<major>.csv``."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not set(_COLUMNS) <= set(reader.fieldnames):
            raise SourceFormatError(f"{path.name}: expected columns {_COLUMNS}")
        settings = {row["name"]: row["context"] for row in reader}
    if not settings:
        raise SourceFormatError(f"{path.name} lists no settings")
    return dict(sorted(settings.items()))


def build_pg_settings_extract(majors: tuple[str, ...]) -> dict[str, Any]:
    """The extract for these PostgreSQL majors, from the installed pg-configurator."""
    folder, release = _settings_dir()
    by_major: dict[str, dict[str, str]] = {}
    for major in sorted(majors, key=version_sort_key):
        path = folder / f"settings_pg_{major.replace('.', '_')}.csv"
        if not path.exists():
            raise SourceFormatError(
                f"{PACKAGE} {release} has no snapshot for PostgreSQL {major}: bump the pin"
            )
        by_major[major] = read_snapshot(path)
    return {
        "source": {"package": PACKAGE, "version": release, "licence": "MIT"},
        "postgres": by_major,
    }
