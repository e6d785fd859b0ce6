"""How the workflows run, beyond what they run (test_delivery_workflows.py):

- stack discovery accepts exactly the stack names the program accepts
  (bastion_db/checks/validate.py's STACK_NAME, the CLI's rule), so a file the program
  would refuse fails the pull request at discovery, not halfway through a matrix;
- each environment deploys one update at a time, and never waits for another
  environment: merges keep reaching dev while prod waits for its reviewer;
- every job that installs the project does it with the uv that
  scripts/uv.sh pins, its package cache keyed on uv.lock, and the checks
  keep mypy's cache.
"""

from __future__ import annotations

import copy
import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bastion_db.checks.validate import STACK_NAME
from tests.workflows.test_delivery_workflows import (
    REPO,
    Workflows,
    jobs,
    load_workflows,
    pushes_to_main,
    run_discovery,
    script_calls,
    steps,
    up_jobs,
)

UV_SCRIPT = REPO / "scripts" / "uv.sh"

# --- stack names ----------------------------------------------------------------

_DISCOVERY_TEST = re.compile(r"\[\[\s*\$stack\s*=~\s*(\S+)\s*\]\]")


def discovery(workflows: Workflows) -> tuple[dict[str, Any], str, str]:
    """(workflow, job id, output) of the step that lists the stacks for the matrices."""
    for file, job_id, job in jobs(workflows):
        for output, value in (job.get("outputs") or {}).items():
            if output == "stacks":
                assert "steps." in str(value)
                return workflows[file], job_id, output
    raise AssertionError("no job computes the stack list")


def discovery_pattern(workflows: Workflows) -> str:
    workflow, job_id, _ = discovery(workflows)
    scripts = " ".join(str(s.get("run", "")) for s in steps(workflow["jobs"][job_id]))
    found = _DISCOVERY_TEST.findall(scripts)
    assert len(found) == 1, "the discovery step tests stack names with one [[ =~ ]]"
    return str(found[0])


def discovered(workflows: Workflows, stack: str, root: Path) -> bool:
    """Whether the discovery step accepts a stack file named Pulumi.<stack>.yaml."""
    for old in root.glob("Pulumi.*.yaml"):
        old.unlink()
    (root / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    workflow, job_id, output = discovery(workflows)
    try:
        return run_discovery(workflow, job_id, output, root) == [stack]
    except subprocess.CalledProcessError:
        return False


# Names on each side of every part of the rule (first character, inner
# characters, last character, length), and one that would reach a shell.
STACK_NAMES = [
    "dev",
    "prod",
    "staging",
    "eu-west-1",
    "dev2",
    "ab",
    "a",
    "Dev",
    "dev_2",
    "dev.2",
    "2dev",
    "-dev",
    "dev-",
    "dev$(id)",
    "dev--2",
]


@pytest.fixture(scope="module")
def workflows() -> Workflows:
    return load_workflows()


# Every string of up to five characters over an alphabet that reaches each
# branch of either rule: 9,330 names.
ALPHABET = "a1-A_."


def names_judged_otherwise(pattern: str) -> list[str]:
    """Short names the workflow's rule and the program's STACK_NAME disagree on.

    POSIX extended regular expressions as bash uses them match, in the subset
    the rule uses (classes, groups, ?, +, *, anchors), as Python's re does.
    """
    workflow_rule = re.compile(pattern)
    return [
        name
        for length in range(1, 6)
        for name in map("".join, itertools.product(ALPHABET, repeat=length))
        if bool(workflow_rule.fullmatch(name)) != bool(STACK_NAME.fullmatch(name))
    ]


def test_discovery_rule_accepts_the_same_names_as_the_programs_rule(workflows: Workflows) -> None:
    assert names_judged_otherwise(discovery_pattern(workflows)) == []


@pytest.mark.parametrize(
    "other", [r"^[A-Za-z0-9_-]+$", r"^[a-z][a-z0-9-]*[a-z0-9]$", r"^[a-z](-?[a-z0-9])+$"]
)
def test_the_rule_comparison_catches_a_rule_the_program_disagrees_with(other: str) -> None:
    assert names_judged_otherwise(other) != []


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_discovery_accepts_a_stack_name_exactly_when_the_program_does(
    workflows: Workflows, tmp_path: Path, stack: str
) -> None:
    assert discovered(workflows, stack, tmp_path) == bool(STACK_NAME.fullmatch(stack))


# --- concurrency -----------------------------------------------------------------

_PER_RUN = re.compile(r"github\.(sha|run_id|run_number|run_attempt)")


def concurrency_of(holder: dict[str, Any]) -> dict[str, Any] | None:
    value = holder.get("concurrency")
    if value is None:
        return None
    return {"group": value} if isinstance(value, str) else dict(value)


def concurrency_problems(workflows: Workflows) -> list[str]:
    """One update per environment at a time, never cancelled; environments independent."""
    problems: list[str] = []
    groups: dict[str, str] = {}
    for stack, places in up_jobs(workflows).items():
        for file, job_id, job, _step in places:
            if concurrency_of(workflows[file]) is not None and pushes_to_main(workflows[file]):
                problems.append(
                    f"{file}: a workflow-wide concurrency group holds every later run, "
                    f"{stack}'s deployment included, until the previous run ends"
                )
            own = concurrency_of(job)
            if own is None:
                problems.append(f"{file}:{job_id}: deploys {stack} without a concurrency group")
                continue
            group = str(own.get("group", ""))
            if _PER_RUN.search(group):
                problems.append(f"{file}:{job_id}: group {group!r} differs on every run")
            if own.get("cancel-in-progress") not in (False, "false"):
                problems.append(f"{file}:{job_id}: a newer run may cancel {stack}'s update")
            groups[stack] = group
    if len(set(groups.values())) != len(groups):
        problems.append(f"environments share a concurrency group: {groups}")
    return problems


def test_each_environment_deploys_alone_and_none_waits_for_another(workflows: Workflows) -> None:
    assert concurrency_problems(workflows) == []


def up_job(workflows: Workflows, stack: str) -> dict[str, Any]:
    [(_file, _job_id, job, _step)] = up_jobs(workflows)[stack]
    return job


@pytest.mark.parametrize(
    "breakage", ["workflow-wide", "shared", "missing", "cancelling", "per run"]
)
def test_concurrency_check_catches_a_deployment_that_blocks_or_cancels(
    workflows: Workflows, breakage: str
) -> None:
    broken = copy.deepcopy(workflows)
    dev, prod = up_job(broken, "dev"), up_job(broken, "prod")
    if breakage == "workflow-wide":
        for workflow in broken.values():
            if pushes_to_main(workflow):
                workflow["concurrency"] = {"group": "deploy", "cancel-in-progress": False}
    elif breakage == "shared":
        prod["concurrency"] = copy.deepcopy(dev["concurrency"])
    elif breakage == "missing":
        prod.pop("concurrency")
    elif breakage == "cancelling":
        dev["concurrency"]["cancel-in-progress"] = True
    else:
        dev["concurrency"]["group"] = "deploy-${{ github.sha }}"
    assert concurrency_problems(broken) != []


# --- installs ----------------------------------------------------------------------


def pinned_uv_version(script: Path = UV_SCRIPT) -> str:
    match = re.search(r"^UV_VERSION=(\S+)$", script.read_text(), re.MULTILINE)
    assert match, "scripts/uv.sh pins no uv version"
    return match.group(1)


def is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def install_problems(workflows: Workflows, uv_version: str) -> list[str]:
    """Jobs that set up the project get the pinned uv with its cache, before they need it."""
    problems: list[str] = []
    for file, job_id, job in jobs(workflows):
        uv_seen = mypy_cache_seen = False
        for step in steps(job):
            uses = str(step.get("uses", ""))
            args = step.get("with") or {}
            if uses.startswith("astral-sh/setup-uv@"):
                uv_seen = True
                if str(args.get("version")) != uv_version:
                    problems.append(
                        f"{file}:{job_id}: uv {args.get('version')!r}, not the pinned {uv_version}"
                    )
                if not is_true(args.get("enable-cache")):
                    problems.append(f"{file}:{job_id}: uv's package cache is off")
                if "uv.lock" not in str(args.get("cache-dependency-glob", "")):
                    problems.append(f"{file}:{job_id}: uv's cache is not keyed on uv.lock")
            if uses.startswith("actions/cache@") and ".mypy_cache" in str(args.get("path", "")):
                mypy_cache_seen = "uv.lock" in str(args.get("key", ""))
            scripts = {script for script, _ in script_calls(str(step.get("run", "")))}
            if scripts and not uv_seen:
                problems.append(f"{file}:{job_id}: runs {sorted(scripts)} before setting up uv")
            if "scripts/test.sh" in scripts and not mypy_cache_seen:
                problems.append(f"{file}:{job_id}: the checks start with a cold mypy cache")
    return problems


def test_every_install_uses_the_pinned_uv_and_its_cache(workflows: Workflows) -> None:
    assert install_problems(workflows, pinned_uv_version()) == []


def setup_uv_steps(workflows: Workflows) -> list[dict[str, Any]]:
    return [
        step
        for _file, _job_id, job in jobs(workflows)
        for step in steps(job)
        if str(step.get("uses", "")).startswith("astral-sh/setup-uv@")
    ]


@pytest.mark.parametrize("breakage", ["no uv", "other version", "no cache", "cache key"])
def test_install_check_catches_a_job_without_the_pinned_cached_uv(
    workflows: Workflows, breakage: str
) -> None:
    broken = copy.deepcopy(workflows)
    if breakage == "no uv":
        for _file, _job_id, job in jobs(broken):
            job["steps"] = [
                s for s in steps(job) if not str(s.get("uses", "")).startswith("astral-sh/")
            ]
    else:
        step = setup_uv_steps(broken)[0]
        key = {"other version": "version", "no cache": "enable-cache"}.get(
            breakage, "cache-dependency-glob"
        )
        step["with"][key] = {"other version": "0.1.0", "no cache": False}.get(
            breakage, "requirements.txt"
        )
    assert install_problems(broken, pinned_uv_version()) != []
