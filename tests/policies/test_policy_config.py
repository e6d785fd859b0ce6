"""The pack's configuration is built as the CLI builds it, the shipped dev and
prod files give the levels the team agreed on, and a bad configuration is
refused with an error that names the policy, the key and the problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from preflight.analyzer import PolicyPackAnalyzer
from preflight.policy_config import (
    PolicyConfig,
    PolicyConfigError,
    load_policy_config_file,
    reconcile_policy_config,
)
from tests.policies.conftest import Analyze
from tests.policies.program_stacks import PACK_DIR, PACK_VERSION, compliant_stack

# Advisory in dev, mandatory in prod: the hardening that costs money, and the
# database alarms (a dev database nobody is paged for may go unwatched).
RELAXED_IN_DEV = (
    "rds-multi-az",
    "rds-deletion-protection",
    "rds-final-snapshot",
    "database-alarms",
    "rds-iam-authentication",
    "rds-enhanced-monitoring",
    "rds-managed-master-password",
    # dev subscribes and binds as prod does; the rules stay advice there
    "rds-event-subscriptions",
    "service-principals-bound",
)


def rejected(pack: PolicyPackAnalyzer, config: Mapping[str, Any]) -> PolicyConfigError:
    with pytest.raises(PolicyConfigError) as caught:
        pack.configure_from(config)
    return caught.value


def test_unknown_key_is_refused_with_a_suggestion(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"rds-backup-retention": {"minimumDay": 3}})
    assert [(p.policy, p.key) for p in error.problems] == [("rds-backup-retention", "minimumDay")]
    message = str(error)
    assert (
        f"validating policy config: bastion-db-guardrails {PACK_VERSION}  rds-backup-retention: "
        in message
    )
    assert "minimumDay: unknown key; did you mean 'minimumDays'?" in message
    assert "this policy takes: backupWindow, minimumDays" in message


def test_wrong_type_is_refused(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"rds-backup-retention": {"minimumDays": "seven"}})
    assert str(error.problems[0]) == (
        "rds-backup-retention: minimumDays: Invalid type. Expected: integer, given: string"
    )


def test_value_out_of_range_is_refused(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"rds-backup-retention": {"minimumDays": 40}})
    assert error.problems[0].key == "minimumDays"
    assert "40 is greater than the maximum of 35" in error.problems[0].problem


def test_wrong_item_type_names_the_nested_key(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"sg-ssh-bastion-only": {"allowedCidrs": ["10.0.0.0/8", 7]}})
    assert str(error.problems[0]) == (
        "sg-ssh-bastion-only: allowedCidrs.1: Invalid type. Expected: string, given: integer"
    )


def test_unknown_policy_name_is_refused(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"rds-multiaz": "mandatory"})
    assert error.problems[0].policy == "rds-multiaz"
    assert "no such policy in the pack" in str(error)
    assert "did you mean 'rds-multi-az'?" in str(error)
    # and what a name may be, once
    listed = str(error).split("the pack's policies: ")[1]
    assert listed.startswith("bastion-ssm-no-inbound, ") and listed.endswith(", and 'all'")
    assert str(error).count("the pack's policies") == 1


def test_bad_enforcement_level_is_refused(pack: PolicyPackAnalyzer) -> None:
    error = rejected(pack, {"rds-multi-az": "strict"})
    assert "'strict' is not a valid enforcement level" in str(error)
    error = rejected(pack, {"rds-multi-az": {"enforcementLevel": 1}})
    assert error.problems[0].key == "enforcementLevel"


def test_every_problem_is_reported_at_once(pack: PolicyPackAnalyzer) -> None:
    error = rejected(
        pack,
        {
            "rds-backup-retention": {"minimumDays": "seven", "window": "x"},
            "no-such-rule": "advisory",
            "all": {"enforcementLevel": "advisory", "minimumDays": 3},
        },
    )
    assert {(p.policy, p.key) for p in error.problems} == {
        ("rds-backup-retention", "minimumDays"),
        ("rds-backup-retention", "window"),
        ("no-such-rule", ""),
        ("all", "minimumDays"),
    }


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"rds-multi-az": ')
    with pytest.raises(PolicyConfigError) as caught:
        load_policy_config_file(path)
    assert str(path) in str(caught.value)
    assert "not valid JSON" in str(caught.value)


def test_an_empty_file_is_an_error_not_no_config(tmp_path: Path) -> None:
    # Stricter than the CLI, which reads an empty file as no config
    # (pulumi/pulumi pkg/resource/analyzer/config.go, parsePolicyPackConfig);
    # "no settings" is `{}`.
    path = tmp_path / "empty.json"
    path.write_text("\n")
    with pytest.raises(PolicyConfigError, match=r"empty\.json.*\n.*is empty; write \{\}"):
        load_policy_config_file(path)
    (tmp_path / "none.json").write_text("{}")
    assert load_policy_config_file(tmp_path / "none.json") == {}


def test_a_refused_config_is_never_sent(pack: PolicyPackAnalyzer, analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("db", multiAz=False)
    before = analyze(stack.resources())
    rejected(pack, {"rds-multi-az": "disabled", "typo": "advisory"})
    after = pack.analyze(stack.resources())
    assert [v.enforcement_level for v in before.for_policy("rds-multi-az")] == ["mandatory"]
    assert after.for_policy("rds-multi-az") == before.for_policy("rds-multi-az")


# --- the shipped files --------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_config_is_valid(pack: PolicyPackAnalyzer, stack: str) -> None:
    config = pack.configure_from(PACK_DIR / "config" / f"{stack}.json")
    defaults = {p.name: p.enforcement_level for p in pack.info().policies}
    expected = dict(defaults)
    expected.update(
        {name: "advisory" if stack == "dev" else "mandatory" for name in RELAXED_IN_DEV}
    )
    assert {name: c.enforcement_level for name, c in config.items()} == expected


def test_all_sets_every_level_and_a_named_policy_overrides_it(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("db", publiclyAccessible=True, multiAz=False)
    report = analyze(stack.resources(), {"all": "advisory", "rds-no-public-access": "mandatory"})
    assert [v.enforcement_level for v in report.for_policy("rds-no-public-access")] == ["mandatory"]
    assert [v.enforcement_level for v in report.for_policy("rds-multi-az")] == ["advisory"]
    assert report.for_policy("sg-ssh-bastion-only")  # allowedCidrs is back to its default: none
    assert {v.enforcement_level for v in report.violations} == {"advisory", "mandatory"}
    assert report.remediations == ()  # remediate levels became advisory too

    silent = analyze(stack.resources(), {"all": "disabled"})
    assert silent.violations == () and silent.remediations == ()


def test_a_knob_changes_what_a_rule_accepts(analyze: Analyze) -> None:
    stack = compliant_stack()
    stack.set("db", backupRetentionPeriod=3)
    base = {"sg-ssh-bastion-only": {"allowedCidrs": ["203.0.113.0/24"]}}
    strict = analyze(stack.resources(), base)
    relaxed = analyze(stack.resources(), {**base, "rds-backup-retention": {"minimumDays": 3}})
    assert "at least 7 days" in strict.for_policy("rds-backup-retention")[0].finding
    assert relaxed.for_policy("rds-backup-retention") == ()


# --- the reconciliation order, on a pack made up for the purpose -----------------------------


@dataclass(frozen=True)
class FakePolicy:
    name: str
    enforcement_level: str = "advisory"
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required_config: Sequence[str] = ()


POLICIES = (
    FakePolicy(
        "size",
        config_schema={
            "max": {"type": "integer", "default": 10},
            "unit": {"type": "string", "default": "GiB"},
        },
    ),
    FakePolicy("name", "mandatory", {"pattern": {"type": "string"}}, ("pattern",)),
)


def test_defaults_then_initial_config_then_user_config() -> None:
    initial = {
        "size": PolicyConfig("mandatory", {"max": 20}),
        "name": PolicyConfig(None, {"pattern": "a"}),
    }
    user = {"size": PolicyConfig(None, {"unit": "TiB"}), "all": PolicyConfig("disabled")}
    result = reconcile_policy_config(POLICIES, initial, user)
    assert result == {
        # "all" replaces every level; the per-policy entries then only add properties
        "size": PolicyConfig("disabled", {"max": 20, "unit": "TiB"}),
        "name": PolicyConfig("disabled", {"pattern": "a"}),
    }


def test_a_required_property_must_be_given() -> None:
    with pytest.raises(PolicyConfigError) as caught:
        reconcile_policy_config(POLICIES)
    assert [str(p) for p in caught.value.problems] == ["name: pattern: pattern is required"]
