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
    row = next(line for line in table.splitlines() if line.startswith("| [`rds-multi-az`]("))
    assert row.split(" | ")[4:6] == ["disabled", "advisory"]
    row = next(
        line for line in table.splitlines() if line.startswith("| [`rds-backup-retention`](")
    )
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


def test_the_control_table_names_only_rules_of_the_pack(rule_table: ModuleType) -> None:
    table = rule_table.control_table()
    names = {policy.name for policy in rule_table._policies()}
    controls = rule_table._controls()
    for control in controls:
        assert set(control.rules) <= names, control.id
        assert (control.status == "enforced") == bool(control.rules), control.id
        assert control.status == "enforced" or control.why, f"{control.id} says not why"
    # The controls the issue names each have their enforcing rule.
    by_id = {control.id: control for control in controls}
    for wanted, rule in {
        "RDS.20": "rds-event-subscriptions",
        "RDS.21": "rds-event-subscriptions",
        "RDS.23": "rds-non-default-port",
        "RDS.25": "rds-custom-admin-username",
        "KMS.4": "kms-key-rotation",
        "KMS.5": "kms-key-not-public",
        "SNS.4": "sns-topic-not-public",
        "CloudWatch.16": "cloudwatch-log-group-retention",
        "SecretsManager.4": "secret-rotation-schedule",
        "EC2.7": "ebs-encryption-by-default",
        "S3.1": "s3-account-public-access-block",
    }.items():
        assert rule in by_id[wanted].rules, wanted
    assert f"{len(controls)} controls:" in table


def test_a_control_naming_a_missing_rule_stops_the_table(
    rule_table: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    control = rule_table._controls()[0]
    broken = type(control)(control.id, control.title, "enforced", ("no-such-rule",))
    monkeypatch.setattr(rule_table, "_controls", lambda: [broken])
    with pytest.raises(SystemExit, match="no-such-rule"):
        rule_table.control_table()
