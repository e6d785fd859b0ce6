"""COVERAGE.md's rule table is written from the pack's own metadata and its
shipped configs, so it cannot drift: a rule, a description, a level or a
knob that changes without the table being rewritten fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.policies.program_stacks import PACK_DIR


def load_rule_table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rule_table", PACK_DIR / "rule_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rule_table() -> ModuleType:
    return load_rule_table()


def test_coverage_md_has_the_current_rule_table(rule_table: ModuleType) -> None:
    text = (PACK_DIR / "COVERAGE.md").read_text()
    assert rule_table.with_current_table(text) == text, (
        "policies/COVERAGE.md is stale: run `python policies/rule_table.py`"
    )


def test_the_table_follows_the_configs(
    rule_table: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dev.json").write_text('{"rds-multi-az": "disabled"}')
    (tmp_path / "qa.json").write_text(
        '{"all": "advisory", "rds-backup-retention": {"minimumDays": 3}}'
    )
    monkeypatch.setattr(rule_table, "CONFIG_DIR", tmp_path)
    table = rule_table.rule_table()
    head = next(line for line in table.splitlines() if line.startswith("| rule "))
    assert head.split(" | ")[4:6] == ["dev", "qa"]
    row = next(line for line in table.splitlines() if line.startswith("| `rds-multi-az` "))
    assert row.split(" | ")[4:6] == ["disabled", "advisory"]
    row = next(line for line in table.splitlines() if line.startswith("| `rds-backup-retention` "))
    assert row.split(" | ")[5] == "advisory (minimumDays=3)"


def test_check_mode_fails_on_a_stale_file(
    rule_table: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "COVERAGE.md"
    stale.write_text(f"intro\n{rule_table.BEGIN}\n| old |\n{rule_table.END}\nrest\n")
    monkeypatch.setattr(rule_table, "COVERAGE", stale)
    assert rule_table.main(["--check"]) == 1
    assert rule_table.main([]) == 0
    assert rule_table.main(["--check"]) == 0
    assert stale.read_text().startswith("intro\n") and stale.read_text().endswith("\nrest\n")
    assert sys.modules.get("rules") is not None  # the pack's own modules made the table
