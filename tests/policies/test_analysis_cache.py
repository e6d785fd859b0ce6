"""The pack's analysis cache (conversions once per call, only the rules that can
apply, stack resources built once) changes speed, never findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.version import VERSION as SDK_VERSION

from offline.runner import ProgramRun
from offline.snapshot import ResourceSnapshot
from preflight.analyzer import AnalysisReport, PolicyPackAnalyzer
from tests.policies.mutations import MUTATIONS, UNKNOWN_CASES, Mutation, UnknownCase
from tests.policies.pack_runs import analyzed, write_pack
from tests.policies.stack_fixture import (
    PACK_DIR,
    PROJECT,
    STACK,
    FixtureStack,
    compliant_stack,
    fixture_config,
    state_bucket_stack,
)

Outcome = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def outcome(report: AnalysisReport) -> Outcome:
    violations = sorted(
        (v.policy_name, v.urn or "", v.enforcement_level, v.severity, v.message)
        for v in report.violations
    )
    remediations = sorted(
        (r.policy_name, r.urn, repr(r.properties), r.diagnostic) for r in report.remediations
    )
    return violations, remediations


def findings(run: ProgramRun) -> list[tuple[str, str | None, str, str]]:
    report = analyzed(run)
    return sorted((v.policy_name, v.urn, v.enforcement_level, v.message) for v in report.violations)


def test_cache_gives_the_same_findings_as_the_sdk_alone(
    dev_run: ProgramRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = findings(dev_run)
    monkeypatch.setenv("BASTION_DB_POLICY_NO_CACHE", "1")
    uncached = findings(dev_run)
    assert cached == uncached
    assert cached  # dev has advisory findings, so the comparison means something


def everything_at_once(
    cases: Iterable[Mutation | UnknownCase], base: Callable[[], FixtureStack]
) -> list[ResourceSnapshot]:
    """One stack with every change meant for ``base`` made to it, in turn, so
    that every rule has something to report, remediate or refuse as unknown.
    A change that an earlier one made impossible (it removed what this one
    edits) is left out; nearly all apply."""
    stack = base()
    meant = [case for case in cases if case.base is base]
    applied = 0
    for case in meant:
        try:
            case.apply(stack)
        except (KeyError, TypeError):
            continue
        applied += 1
    assert applied >= 0.6 * len(meant), (applied, len(meant))
    return stack.resources()


STACKS = {
    "every-mutation": lambda: everything_at_once(MUTATIONS, compliant_stack),
    "every-unknown": lambda: everything_at_once(UNKNOWN_CASES, compliant_stack),
    "every-bucket-mutation": lambda: everything_at_once(MUTATIONS, state_bucket_stack),
    "every-bucket-unknown": lambda: everything_at_once(UNKNOWN_CASES, state_bucket_stack),
    "compliant": lambda: compliant_stack().resources(),
}


@pytest.fixture(scope="module")
def sdk_alone() -> Iterator[PolicyPackAnalyzer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BASTION_DB_POLICY_NO_CACHE", "1")
        analyzer = PolicyPackAnalyzer(PACK_DIR, project=PROJECT, stack=STACK)
        analyzer.start()
    try:
        yield analyzer
    finally:
        analyzer.close()


def analyze(pack: PolicyPackAnalyzer, resources: Sequence[ResourceSnapshot]) -> Outcome:
    pack.configure_from(fixture_config())
    return outcome(pack.analyze(resources))


@pytest.mark.parametrize("name", sorted(STACKS))
def test_every_kind_of_finding_is_the_same_with_and_without_the_cache(
    name: str, pack: PolicyPackAnalyzer, sdk_alone: PolicyPackAnalyzer
) -> None:
    resources = STACKS[name]()
    cached = analyze(pack, resources)
    assert cached == analyze(sdk_alone, resources)
    violations, _ = cached
    assert bool(violations) == (name != "compliant")


def test_the_combined_stacks_cover_resource_stack_and_unknown_findings(
    pack: PolicyPackAnalyzer,
) -> None:
    # What makes the comparison above mean something: each path of the cache
    # (Analyze, AnalyzeStack, unknowns, remediations) has findings to compare.
    violations, _ = analyze(pack, STACKS["every-mutation"]())
    stack_rules = {p.name for p in pack.info().policies if p.policy_type == "stack"}
    found = {v[0] for v in violations}
    assert found & stack_rules and found - stack_rules
    unknown, remediated = analyze(pack, STACKS["every-unknown"]())
    assert any("unknown" in v[4] for v in unknown)
    assert remediated or any(r for r in analyze(pack, STACKS["every-mutation"]())[1])


INSTALL_PROBE = """
import json, sys
import pulumi_policy.policy as sdk
sdk.VERSION = sys.argv[1]
original = sdk._PolicyAnalyzerServicer.AnalyzeStack
import analysis_cache
installed = analysis_cache.install()
servicer = sdk._PolicyAnalyzerServicer
print(json.dumps({
    "installed": installed,
    "stack_fast_path": getattr(servicer.AnalyzeStack, "__wrapped__", None)
    is analysis_cache._analyze_stack,
    "stack_untouched": servicer.AnalyzeStack is original,
}))
"""


def probe(*args: str, **env: str) -> Any:
    """What a probe printed as JSON, run in a fresh interpreter in the pack's
    folder: installing the cache patches the SDK for the whole process."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=PACK_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def probe_install(sdk_version: str, **env: str) -> dict[str, bool]:
    """What install() did."""
    result: dict[str, bool] = probe("-c", INSTALL_PROBE, sdk_version, **env)
    return result


def test_the_stack_fast_path_runs_only_on_the_sdk_version_it_reproduces() -> None:
    assert probe_install(SDK_VERSION) == {
        "installed": True,
        "stack_fast_path": True,
        "stack_untouched": False,
    }
    # On another release the SDK's own AnalyzeStack runs (with the memo only).
    assert probe_install("1.22.0") == {
        "installed": True,
        "stack_fast_path": False,
        "stack_untouched": False,
    }


def test_the_cache_can_be_turned_off() -> None:
    assert probe_install("1.21.0", BASTION_DB_POLICY_NO_CACHE="1") == {
        "installed": False,
        "stack_fast_path": False,
        "stack_untouched": True,
    }


SETTINGS_PACK = """
import sys
sys.path.insert(0, {policies!r})
import pulumi
from analysis_cache import install
from pulumi_policy import PolicyPack, ResourceValidationPolicy

assert install()


def check(args, report_violation):
    seen = [pulumi.get_project(), pulumi.get_stack(), pulumi.Config("bastion-db").get("owner")]
    report_violation(" ".join(str(value) for value in seen))


PolicyPack("settings", [ResourceValidationPolicy("settings", "Reports what it sees.", check)])
"""


def test_every_server_thread_still_sees_the_stack_settings(tmp_path: Path) -> None:
    # A policy that reads the stack's names and config through pulumi's
    # runtime must see them with the cache installed too, whichever of the
    # server's threads answers (the calls below are pipelined, so several do).
    folder = write_pack(tmp_path / "settings", SETTINGS_PACK.format(policies=str(PACK_DIR)))
    resources = compliant_stack().resources() * 5
    with PolicyPackAnalyzer(
        folder, project="bastion-db", stack="prod", stack_config={"bastion-db:owner": "data-team"}
    ) as settings_pack:
        settings_pack.configure_from(None)
        report = settings_pack.analyze(resources)
    messages = {v.finding for v in report.violations}
    assert len(report.violations) == len(resources)
    assert messages == {"bastion-db prod data-team"}


def servicer_answers(mode: str) -> dict[str, Any]:
    result: dict[str, Any] = probe(str(Path(__file__).with_name("servicer_probe.py")), mode)
    return result


def test_the_servicer_answers_every_request_exactly_as_the_sdk_alone() -> None:
    # Whole responses, not just what a report keeps: levels, diagnostics for
    # unknowns, not-applicable entries, links, config, tags, remediations.
    sdk_alone = servicer_answers("sdk")
    cached = servicer_answers("cached")
    assert (sdk_alone["installed"], cached["installed"]) == (False, True)
    assert cached["answers"] == sdk_alone["answers"]
    text = json.dumps(cached["answers"])
    for sign in ("notApplicable", "can't be known during preview", "MANDATORY", "urn::missing"):
        assert sign in text, sign
