"""Every rule carries the governance metadata pulumi-policy 1.18 added, and it
reaches the engine: read here over the analyzer protocol (GetAnalyzerInfo), as
the CLI and Pulumi Cloud read it."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from preflight.analyzer import PolicyPackAnalyzer
from tests.policies.program_stacks import PACK_DIR

AWS_DOCS = "https://docs.aws.amazon.com/"


def _controls() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pack_controls", PACK_DIR / "controls.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_rule_has_severity_tags_url_and_fix(pack: PolicyPackAnalyzer) -> None:
    for policy in pack.info().policies:
        assert policy.severity in ("low", "medium", "high", "critical"), policy.name
        assert policy.remediation_steps.strip(), policy.name
        assert policy.url.startswith(AWS_DOCS), policy.name
        assert policy.tags, policy.name


def test_a_rule_names_the_controls_it_enforces_in_its_framework(pack: PolicyPackAnalyzer) -> None:
    controls = _controls().CONTROLS
    for policy in pack.info().policies:
        mapped = [c for c in controls if policy.name in c.rules]
        if not mapped:
            # no Security Hub control: the AWS page the rule rests on, no framework
            assert policy.framework == {}, policy.name
            continue
        assert policy.framework["name"] == "AWS Foundational Security Best Practices"
        assert policy.framework["reference"] == ", ".join(c.id for c in mapped), policy.name
        assert policy.url == mapped[0].url, policy.name
        for control in mapped:
            assert f"fsbp:{control.id}" in policy.tags, policy.name
            if control.cis:
                assert f"cis-3.0:{control.cis}" in policy.tags, policy.name
                assert control.cis in policy.framework["specification"], policy.name


def test_the_public_database_rule_carries_rds_2_and_cis_2_3_3(pack: PolicyPackAnalyzer) -> None:
    policy = pack.info().policy("rds-no-public-access")
    assert policy is not None
    assert policy.framework["reference"] == "RDS.2"
    assert "CIS AWS Foundations Benchmark v3.0.0: 2.3.3" in policy.framework["specification"]
    assert policy.url.endswith("/securityhub/latest/userguide/rds-controls.html#rds-2")
    assert policy.tags[0] == "database"
