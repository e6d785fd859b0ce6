"""The ports ingress may open follow what the stack itself declares: the
database's own port into the database's group from the bastion's group, and
HTTPS into the Session Manager endpoints' group from the bastion's group.
The product's documented modes (a non-default database port, endpoints that
the stack creates) pass; anything else on those ports is still refused."""

from __future__ import annotations

from typing import Any

import pytest

from offline.runner import ProgramRun
from preflight.analyzer import AnalysisReport
from tests.conftest import RunStack, stack_config
from tests.policies.pack_pool import PACKS
from tests.policies.pack_runs import analyzed
from tests.policies.program_stacks import PACK_DIR, FixtureStack

RULE = "sg-ingress-port-allow-list"
NON_DEFAULT_PORT = 6432
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def custom_port_run(run_stack: RunStack) -> ProgramRun:
    return run_stack("prod", dbPort=str(NON_DEFAULT_PORT))


@pytest.fixture(scope="module")
def endpoints_run(run_stack: RunStack) -> ProgramRun:
    return run_stack("prod", ssmVpcEndpoints="create")


def _analyzed(run: ProgramRun, stack: FixtureStack) -> AnalysisReport:
    return PACKS.analyze(
        PACK_DIR,
        stack.resources(),
        PACK_DIR / "config" / f"{run.stack}.json",
        project=run.project,
        stack=run.stack,
        stack_config=stack_config(run.stack),
    )


def _key_of(stack: FixtureStack, name: str) -> str:
    (key,) = (k for k, s in stack.snapshots.items() if s.name == name)
    return key


def _add_ingress(
    stack: FixtureStack, key: str, group: str, port: int, parent: str, **source: Any
) -> None:
    peer = source.pop("peer", None)
    inputs = {
        "securityGroupId": stack.id(group),
        "ipProtocol": "tcp",
        "fromPort": port,
        "toPort": port,
        "description": "added by the test",
        **source,
    }
    deps = {"securityGroupId": [group]}
    if peer is not None:
        inputs["referencedSecurityGroupId"] = stack.id(peer)
        deps["referencedSecurityGroupId"] = [peer]
    stack.add(key, INGRESS, f"test-{key}", inputs, parent=parent, deps=deps)


def test_a_non_default_database_port_opened_from_the_bastion_passes(
    custom_port_run: ProgramRun,
) -> None:
    report = analyzed(custom_port_run)
    assert report.mandatory == ()
    assert report.for_policy(RULE) == ()


def test_session_manager_endpoints_opened_from_the_bastion_pass(endpoints_run: ProgramRun) -> None:
    assert any(r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" for r in endpoints_run.resources)
    report = analyzed(endpoints_run)
    assert report.mandatory == ()
    assert report.for_policy(RULE) == ()


def test_the_database_port_from_anything_but_the_bastions_group_is_refused(
    custom_port_run: ProgramRun,
) -> None:
    stack = FixtureStack.from_run(custom_port_run)
    stack.set("db_rule", referencedSecurityGroupId=None, cidrIpv4="10.0.0.0/16")
    stack.drop_dependency("db_rule", "referencedSecurityGroupId")
    (violation,) = _analyzed(custom_port_run, stack).for_policy(RULE)
    assert violation.enforcement_level == "mandatory"
    assert f"tcp/{NON_DEFAULT_PORT}" in violation.finding
    assert violation.urn == stack.urn("db_rule")


def test_the_database_port_into_another_group_is_refused(custom_port_run: ProgramRun) -> None:
    stack = FixtureStack.from_run(custom_port_run)
    _add_ingress(stack, "stray", "bastion_sg", NON_DEFAULT_PORT, "groups", peer="database_sg")
    (violation,) = _analyzed(custom_port_run, stack).for_policy(RULE)
    assert violation.urn == stack.urn("stray")


def test_https_into_the_database_group_is_refused_though_endpoints_take_it(
    endpoints_run: ProgramRun,
) -> None:
    stack = FixtureStack.from_run(endpoints_run)
    _add_ingress(stack, "https_to_db", "database_sg", 443, "groups", peer="bastion_sg")
    (violation,) = _analyzed(endpoints_run, stack).for_policy(RULE)
    assert "tcp/443" in violation.finding and violation.urn == stack.urn("https_to_db")


def test_the_endpoints_take_https_only_and_only_from_the_bastion(
    endpoints_run: ProgramRun,
) -> None:
    stack = FixtureStack.from_run(endpoints_run)
    group = _key_of(stack, "ssm-endpoints-group")
    https = _key_of(stack, "ssm-endpoints-https-from-bastion")
    stack.set(https, referencedSecurityGroupId=None, cidrIpv4="10.0.0.0/16")
    stack.drop_dependency(https, "referencedSecurityGroupId")
    _add_ingress(stack, "db_port_to_endpoints", group, 5433, "groups", peer="bastion_sg")
    found = {v.urn for v in _analyzed(endpoints_run, stack).for_policy(RULE)}
    assert found == {stack.urn(https), stack.urn("db_port_to_endpoints")}
