"""The extract is exactly what the pinned cfn-lint gives, and says which release that was."""

from __future__ import annotations

import importlib.util
import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from bastion_db.aws_facts import pg_settings, refresh

PROJECT_DIR = Path(__file__).resolve().parents[2]


def pinned_cfn_lint() -> str:
    text = (PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^\s*"cfn-lint==(\S+)",$', text, re.MULTILINE)
    assert match, 'pyproject.toml must pin cfn-lint ("cfn-lint==X.Y.Z")'
    return match[1]


def test_extract_is_what_the_installed_cfn_lint_gives() -> None:
    committed = refresh.EXTRACT_PATH.read_text(encoding="utf-8")
    rebuilt = refresh.render(refresh.build_extract())
    assert committed == rebuilt, (
        "bastion_db/aws_facts/data/cfn_lint_extract.json is stale for "
        f"cfn-lint {version('cfn-lint')}; "
        f"run: {refresh.REFRESH_COMMAND}"
    )


def test_extract_records_the_pinned_release() -> None:
    from bastion_db import aws_facts

    pin = pinned_cfn_lint()
    installed = version("cfn-lint")
    assert installed == pin, (
        f"cfn-lint {installed} is installed, {pin} pinned; run: bash scripts/setup.sh"
    )
    recorded = aws_facts.SOURCE
    assert recorded == f"cfn-lint {pin}", (
        f"the extract was built from {recorded}, the pin is {pin}; run: {refresh.REFRESH_COMMAND}"
    )


def test_check_mode_names_the_command_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "cfn_lint_extract.json"
    stale.write_text('{"source": {"package": "cfn-lint", "version": "0.0.1"}}\n')
    monkeypatch.setattr(refresh, "EXTRACT_PATH", stale)
    # The other extract is written to the test's folder too, never into the package.
    current_pg = tmp_path / "pg_settings_extract.json"
    current_pg.write_text(pg_settings.PG_SETTINGS_PATH.read_text(encoding="utf-8"))
    monkeypatch.setattr(pg_settings, "PG_SETTINGS_PATH", current_pg)

    assert refresh.main(["--check"]) == 1
    assert refresh.REFRESH_COMMAND in capsys.readouterr().err

    assert refresh.main([]) == 0
    assert refresh.main(["--check"]) == 0
    assert stale.read_text() == refresh.EXTRACT_PATH.read_text()


def test_a_change_of_shape_in_cfn_lint_data_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def changed_shape() -> dict[str, object]:
        raise refresh.SourceFormatError("unexpected engine version pattern '^16$'")

    monkeypatch.setattr(refresh, "build_extract", changed_shape)
    assert refresh.main(["--check"]) == 2
    assert "review bastion_db/aws_facts/refresh.py" in capsys.readouterr().err


def test_a_missing_cfn_lint_names_the_set_up_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name == "cfnlint" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(SystemExit, match=r"cfn-lint is not installed; run: bash scripts/setup.sh"):
        refresh.main(["--check"])


def test_a_cfn_lint_without_its_region_table_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # cfn-lint's own folder, but a helpers.py that no longer defines REGIONS
    fake = tmp_path / "cfnlint"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "helpers.py").write_text("AVAILABILITY_ZONES = {}\n")
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        if name == "cfnlint":
            return importlib.util.spec_from_file_location("cfnlint", fake / "__init__.py")
        return real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert refresh.main(["--check"]) == 2
    err = capsys.readouterr().err
    assert "cfnlint/helpers.py has no REGIONS list" in err
    assert "review bastion_db/aws_facts/refresh.py" in err and "Traceback" not in err


def test_a_version_key_cfn_lint_never_wrote_is_refused() -> None:
    schema = {
        "allOf": [
            {
                "if": {
                    "properties": {
                        "Engine": {"const": "postgres"},
                        "EngineVersion": {"pattern": "^16$"},
                    }
                },
                "then": {"properties": {"DBInstanceClass": {"enum": ["db.t4g.micro"]}}},
            }
        ]
    }
    with pytest.raises(refresh.SourceFormatError, match="pattern"):
        refresh.orderable_by_version_key(schema, "postgres")


def test_a_region_writes_whole_families_and_single_classes_of_partial_ones() -> None:
    universe = {"db.t4g.micro", "db.t4g.small", "db.m5.large", "db.m5.xlarge", "db.r5.large"}
    priced = {"db.t4g.micro", "db.t4g.small", "db.m5.large", "db.x1.large"}
    assert refresh.offered_entries(universe, priced) == ["db.m5.large", "db.t4g"]


def test_every_class_type_the_extract_offers_has_a_memory_entry() -> None:
    committed = json.loads(refresh.EXTRACT_PATH.read_text(encoding="utf-8"))
    assert refresh.class_types_without_memory(committed) == []


def test_check_mode_fails_on_a_class_type_with_no_memory_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    documented = json.loads(refresh.DOCUMENTED_PATH.read_text(encoding="utf-8"))
    documented["instance_class_memory"]["unknown_types"].remove("db.m9g")
    without_m9g = tmp_path / "documented.json"
    without_m9g.write_text(json.dumps(documented), encoding="utf-8")
    monkeypatch.setattr(refresh, "DOCUMENTED_PATH", without_m9g)

    assert refresh.main(["--check"]) == 1
    error = capsys.readouterr().err
    assert "db.m9g" in error and "gib_per_vcpu" in error and "unknown_types" in error
