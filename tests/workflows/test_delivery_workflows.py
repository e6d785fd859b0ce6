"""What the CI/CD workflows under .github/workflows promise, read from their YAML.

- every stack file Pulumi.<stack>.yaml at the repository root is preflighted and
  previewed, with the policy pack and that stack's own policy config, on every
  pull request (the stack list is computed by a workflow step, which these
  tests run, so a new stack file is covered the day it is added);
- `pulumi up` runs only on a push to main; prod's deployment needs dev's and
  waits in the protected `production` environment;
- every action is pinned to an exact version; write permissions are granted
  per job, never to a whole workflow;
- the commands the workflows run are the ones README.md documents.

Each check is a function returning the problems it found; the tests run it on
the real workflows (expecting none) and on broken copies (expecting some).
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO / ".github" / "workflows"
POLICY_PACK = "policies"
PROD_ENVIRONMENT = "production"

Workflows = dict[str, dict[str, Any]]


# --- reading workflows -------------------------------------------------------


def load_workflows(directory: Path = WORKFLOWS_DIR) -> Workflows:
    files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    return {path.name: yaml.safe_load(path.read_text()) for path in files}


def stacks_in(root: Path = REPO) -> list[str]:
    """The stacks of the main project: one per Pulumi.<stack>.yaml at the root."""
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on:` key as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def runs_on_pull_requests(workflow: dict[str, Any]) -> bool:
    return bool({"pull_request", "pull_request_target"} & set(triggers(workflow)))


def pushes_to_main(workflow: dict[str, Any]) -> bool:
    push = triggers(workflow).get("push", False)
    if push is False:
        return False
    branches = (push or {}).get("branches")
    return branches is None or "main" in branches


def jobs(workflows: Workflows) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for file, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            yield file, job_id, job


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def pulumi_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@")]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_MATRIX_STACK = re.compile(r"\$\{\{\s*matrix\.stack\s*\}\}")
_ENV_REF = re.compile(r"\$\{\{\s*env\.(\w+)\s*\}\}")
_FROM_NEEDS = re.compile(r"^\$\{\{\s*fromJSON\(\s*needs\.([\w-]+)\.outputs\.([\w-]+)\s*\)\s*\}\}$")
_STEP_OUTPUT = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")


def render(value: Any, stack: str | None, env: dict[str, Any]) -> str:
    """A `with:` value as the runner would pass it for one matrix entry."""
    text = str(value)
    if stack is not None:
        text = _MATRIX_STACK.sub(stack, text)
    return _ENV_REF.sub(lambda m: str(env.get(m.group(1), "")), text)


def run_discovery(workflow: dict[str, Any], job_id: str, output: str, cwd: Path) -> list[str]:
    """Runs, in ``cwd``, the step that computes ``needs.<job_id>.outputs.<output>``."""
    job = workflow["jobs"][job_id]
    match = _STEP_OUTPUT.match(str(job["outputs"][output]))
    assert match, f"{job_id}.outputs.{output} is not a step output"
    step_id, step_output = match.groups()
    [step] = [s for s in steps(job) if s.get("id") == step_id]
    script = step["run"]
    assert "${{" not in script, "the discovery step must run without GitHub expressions"
    with tempfile.TemporaryDirectory() as scratch:
        github_output = Path(scratch) / "github_output"
        github_output.write_text("")
        # The runner's own invocation of a `run:` script.
        subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env={**os.environ, "GITHUB_OUTPUT": str(github_output)},
            check=True,
            capture_output=True,
            text=True,
        )
        written = github_output.read_text()
    values = dict(line.split("=", 1) for line in written.splitlines() if "=" in line)
    return list(yaml.safe_load(values[step_output]))


def matrix_stacks(workflow: dict[str, Any], job: dict[str, Any], cwd: Path) -> list[str] | None:
    """The stacks a job's matrix expands to, computing them as the workflow would."""
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    entries = matrix.get("stack")
    if isinstance(entries, list):
        return [str(e) for e in entries]
    match = _FROM_NEEDS.match(str(entries or ""))
    if not match:
        return None
    needed_job, output = match.groups()
    if needed_job not in as_list(job.get("needs")):
        return None
    return run_discovery(workflow, needed_job, output, cwd)


def stacks_of_step(
    workflow: dict[str, Any], job: dict[str, Any], stack_name: str, cwd: Path
) -> list[str]:
    if _MATRIX_STACK.fullmatch(stack_name.strip()):
        return matrix_stacks(workflow, job, cwd) or []
    return [stack_name]


# --- checks ------------------------------------------------------------------


def preview_problems(workflows: Workflows, stacks: list[str], root: Path = REPO) -> list[str]:
    """Every stack previewed on pull requests with the policy pack and its own config."""
    problems: list[str] = []
    previewed: set[str] = set()
    for file, job_id, job in jobs(workflows):
        workflow = workflows[file]
        if not runs_on_pull_requests(workflow):
            continue
        env = workflow.get("env") or {}
        for step in pulumi_steps(job):
            args = step.get("with") or {}
            if args.get("command") != "preview":
                continue
            covered = stacks_of_step(workflow, job, str(args.get("stack-name", "")), root)
            if not covered:
                problems.append(f"{file}:{job_id}: cannot tell which stacks it previews")
            for stack in covered:
                if render(args.get("stack-name"), stack, env) != stack:
                    problems.append(f"{file}:{job_id}: stack-name is not {stack}")
                if render(args.get("policyPacks", ""), stack, env).split() != [POLICY_PACK]:
                    problems.append(f"{file}:{job_id}: {stack} previewed without the policy pack")
                config = render(args.get("policyPackConfigs", ""), stack, env)
                if config != f"policies/config/{stack}.json":
                    problems.append(f"{file}:{job_id}: {stack} previewed with config {config!r}")
                previewed.add(stack)
    problems += [
        f"stack {s} is never previewed on a pull request" for s in stacks if s not in previewed
    ]
    return problems


def preflight_problems(workflows: Workflows, stacks: list[str], root: Path = REPO) -> list[str]:
    """Every stack preflighted on pull requests, one matrix entry per stack."""
    problems: list[str] = []
    preflighted: set[str] = set()
    for file, job_id, job in jobs(workflows):
        workflow = workflows[file]
        if not runs_on_pull_requests(workflow):
            continue
        for step in steps(job):
            step_env = {**(job.get("env") or {}), **(step.get("env") or {})}
            for script, args in script_calls(str(step.get("run", ""))):
                if script != "scripts/preflight.sh":
                    continue
                if "--project-dir" in args:
                    # Another project (bootstrap/): not one of the main stacks.
                    continue
                covered = None
                if len(args) == 1 and is_matrix_stack(args[0], step_env):
                    covered = matrix_stacks(workflow, job, root)
                if covered is None:
                    problems.append(f"{file}:{job_id}: preflight is not run per discovered stack")
                    continue
                preflighted.update(covered)
    problems += [
        f"stack {s} is never preflighted on a pull request" for s in stacks if s not in preflighted
    ]
    return problems


def is_matrix_stack(argument: str, env: dict[str, Any]) -> bool:
    """Whether a shell argument is the matrix's stack, directly or through an env variable."""
    if _MATRIX_STACK.fullmatch(argument.strip()):
        return True
    variable = re.fullmatch(r"\$\{?(\w+)\}?", argument)
    if variable is None:
        return False
    return _MATRIX_STACK.fullmatch(str(env.get(variable.group(1), ""))) is not None


def up_jobs(
    workflows: Workflows,
) -> dict[str, list[tuple[str, str, dict[str, Any], dict[str, Any]]]]:
    """stack -> [(file, job id, job, step)] for every `pulumi up` step."""
    found: dict[str, list[tuple[str, str, dict[str, Any], dict[str, Any]]]] = {}
    for file, job_id, job in jobs(workflows):
        for step in pulumi_steps(job):
            args = step.get("with") or {}
            if args.get("command") in ("up", "update"):
                found.setdefault(str(args.get("stack-name")), []).append((file, job_id, job, step))
    return found


def environment_name(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        return environment.get("name")
    return environment


def deployment_problems(workflows: Workflows) -> list[str]:
    """dev deploys on a push to main; prod only after dev, behind the approval gate."""
    problems: list[str] = []
    deployments = up_jobs(workflows)
    for stack, places in deployments.items():
        for file, job_id, _job, _step in places:
            if runs_on_pull_requests(workflows[file]) or not pushes_to_main(workflows[file]):
                problems.append(f"{file}:{job_id}: deploys {stack} other than on a push to main")
    if len(deployments.get("dev", [])) != 1 or len(deployments.get("prod", [])) != 1:
        return [*problems, "expected exactly one `pulumi up` of dev and one of prod"]
    [(dev_file, dev_job_id, dev_job, dev_step)] = deployments["dev"]
    [(prod_file, prod_job_id, prod_job, prod_step)] = deployments["prod"]
    if prod_file != dev_file:
        problems.append(
            "prod is deployed by another workflow than dev, so it cannot need dev's job"
        )
    if dev_job_id not in as_list(prod_job.get("needs")):
        problems.append(f"{prod_job_id} does not need {dev_job_id}")
    if environment_name(prod_job) != PROD_ENVIRONMENT:
        problems.append(f"{prod_job_id} is not in the {PROD_ENVIRONMENT} environment")
    # A status function makes a job run even when the jobs it needs failed.
    if re.search(r"\b(always|failure|cancelled)\s*\(", str(prod_job.get("if", ""))):
        problems.append(f"{prod_job_id} can run although {dev_job_id} failed")
    for name, job, step in ((dev_job_id, dev_job, dev_step), (prod_job_id, prod_job, prod_step)):
        if job.get("continue-on-error") or step.get("continue-on-error"):
            problems.append(f"{name}: a failed deployment would not stop the pipeline")
    for stack, step in (("dev", dev_step), ("prod", prod_step)):
        args = step.get("with") or {}
        if args.get("policyPacks") != POLICY_PACK:
            problems.append(f"{stack} is deployed without the policy pack")
        if args.get("policyPackConfigs") != f"policies/config/{stack}.json":
            problems.append(f"{stack} is deployed with another stack's policy config")
    return problems


_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def pinning_problems(workflows: Workflows) -> list[str]:
    """Every action and reusable workflow at an exact release or a commit, never a branch."""
    problems: list[str] = []
    for file, job_id, job in jobs(workflows):
        uses = [job.get("uses"), *(s.get("uses") for s in steps(job))]
        for reference in (str(u) for u in uses if u):
            if reference.startswith("./"):
                continue
            if reference.startswith("docker://"):
                if "@sha256:" not in reference:
                    problems.append(f"{file}:{job_id}: {reference} is not pinned to a digest")
                continue
            _, _, ref = reference.partition("@")
            if not (_EXACT_VERSION.match(ref) or _COMMIT.match(ref)):
                problems.append(f"{file}:{job_id}: {reference} is not pinned to an exact version")
    return problems


def permission_problems(workflows: Workflows) -> list[str]:
    """Workflows default to read-only; write scopes only on the jobs that use them."""
    problems: list[str] = []
    for file, workflow in workflows.items():
        default = workflow.get("permissions")
        if not isinstance(default, dict) or any(v != "read" for v in default.values()):
            problems.append(f"{file}: top-level permissions must exist and be read-only")
    for file, job_id, job in jobs(workflows):
        granted = job.get("permissions") or {}
        if granted == "write-all" or not isinstance(granted, dict):
            problems.append(f"{file}:{job_id}: permissions must be a map of scopes")
            continue
        uses = " ".join(str(s.get("uses", "")) for s in steps(job))
        comments = any((s.get("with") or {}).get("comment-on-pr") for s in steps(job))
        if granted.get("id-token") == "write" and "configure-aws-credentials" not in uses:
            problems.append(f"{file}:{job_id}: id-token write without an AWS role to assume")
        if granted.get("pull-requests") == "write" and not comments:
            problems.append(f"{file}:{job_id}: pull-requests write without a PR comment")
    return problems


def locked_version(package: str, lock: Path = REPO / "uv.lock") -> str:
    """The version of ``package`` that uv.lock installs."""
    [version] = [
        entry["version"]
        for entry in tomllib.loads(lock.read_text())["package"]
        if entry["name"] == package
    ]
    return str(version)


def pulumi_cli_problems(workflows: Workflows, lock: Path = REPO / "uv.lock") -> list[str]:
    """The Pulumi CLI every workflow installs is the SDK version uv.lock installs."""
    pinned = locked_version("pulumi", lock)
    problems: list[str] = []
    for file, job_id, job in jobs(workflows):
        env = {**(workflows[file].get("env") or {}), **(job.get("env") or {})}
        for step in pulumi_steps(job):
            version = render((step.get("with") or {}).get("pulumi-version", ""), None, env)
            if version != pinned:
                problems.append(f"{file}:{job_id}: installs Pulumi CLI {version!r}, not {pinned}")
    return problems


# --- commands and the README --------------------------------------------------

_SCRIPT_CALL = re.compile(r"\bbash\s+(scripts/[\w./-]+\.sh)\b([^\n;&|#]*)")
_SCRIPT_MENTION = re.compile(r"(?<![\w/])(?:\./)?scripts/[\w./-]+\.sh")


def script_calls(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """`bash scripts/x.sh args` calls in a shell text, arguments unquoted."""
    return [(m.group(1), tuple(shlex.split(m.group(2)))) for m in _SCRIPT_CALL.finditer(text)]


def is_variable(argument: str) -> bool:
    return "$" in argument or (argument.startswith("<") and argument.endswith(">"))


def fenced_code(markdown: str) -> str:
    """The text of every fenced code block, prompts (`$ `) removed."""
    blocks = re.findall(r"^(```|~~~)[^\n]*\n(.*?)^\1\s*$", markdown, re.MULTILINE | re.DOTALL)
    lines = "\n".join(body for _, body in blocks).splitlines()
    return "\n".join(line.strip().removeprefix("$ ") for line in lines)


def command_problems(workflows: Workflows, readme: str) -> list[str]:
    """Each script the workflows run is run the way the README's code blocks show."""
    documented = script_calls(fenced_code(readme))
    problems: list[str] = []
    ran: set[str] = set()
    for file, job_id, job in jobs(workflows):
        for step in steps(job):
            text = str(step.get("run", ""))
            calls = script_calls(text)
            if len(_SCRIPT_MENTION.findall(text)) != len(calls):
                problems.append(f"{file}:{job_id}: runs a script other than as `bash scripts/...`")
            for script, args in calls:
                ran.add(script)
                if not any(
                    script == doc_script
                    and len(args) == len(doc_args)
                    and all(
                        a == d or (is_variable(a) and is_variable(d))
                        for a, d in zip(args, doc_args, strict=True)
                    )
                    for doc_script, doc_args in documented
                ):
                    shown = " ".join(("bash", script, *args))
                    problems.append(f"{file}:{job_id}: `{shown}` is not a README command")
    for script in ("scripts/test.sh", "scripts/preflight.sh"):
        if script not in ran:
            problems.append(f"no workflow runs {script}")
    return problems


# --- the tests -----------------------------------------------------------------


@pytest.fixture(scope="module")
def workflows() -> Workflows:
    found = load_workflows()
    assert found, "no workflow under .github/workflows"
    return found


@pytest.fixture(scope="module")
def stacks() -> list[str]:
    found = stacks_in()
    if not found and not (REPO / "Pulumi.yaml").exists():
        pytest.skip("the main Pulumi project is not in the repository yet")
    assert found, "Pulumi.yaml has no Pulumi.<stack>.yaml beside it"
    return found


def test_every_stack_is_previewed_with_the_policy_pack_and_its_own_config(
    workflows: Workflows, stacks: list[str]
) -> None:
    assert preview_problems(workflows, stacks) == []


def test_every_stack_is_preflighted_on_pull_requests(
    workflows: Workflows, stacks: list[str]
) -> None:
    assert preflight_problems(workflows, stacks) == []


def test_every_stack_has_its_policy_config(stacks: list[str]) -> None:
    missing = [s for s in stacks if not (REPO / "policies" / "config" / f"{s}.json").is_file()]
    assert missing == []


def test_a_new_stack_file_is_previewed_and_preflighted_the_day_it_is_added(
    workflows: Workflows, tmp_path: Path
) -> None:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"):
        (tmp_path / name).write_text("config: {}\n")
    assert stacks_in(tmp_path) == ["dev", "prod", "staging"]
    assert preview_problems(workflows, ["dev", "prod", "staging"], root=tmp_path) == []
    assert preflight_problems(workflows, ["dev", "prod", "staging"], root=tmp_path) == []


def test_stack_discovery_refuses_a_file_name_that_is_not_a_stack_name(
    workflows: Workflows, tmp_path: Path
) -> None:
    (tmp_path / "Pulumi.$(id).yaml").write_text("config: {}\n")
    with pytest.raises(subprocess.CalledProcessError):
        preview_problems(workflows, [], root=tmp_path)


def test_prod_deploys_only_after_dev_and_behind_the_approval_gate(workflows: Workflows) -> None:
    assert deployment_problems(workflows) == []


def test_every_action_is_pinned_to_an_exact_version(workflows: Workflows) -> None:
    assert pinning_problems(workflows) == []


def test_write_permissions_are_granted_per_job_and_only_where_used(workflows: Workflows) -> None:
    assert permission_problems(workflows) == []


def test_workflows_install_the_pulumi_cli_that_the_lock_pins(workflows: Workflows) -> None:
    assert pulumi_cli_problems(workflows) == []


def test_workflows_run_the_commands_the_readme_documents(workflows: Workflows) -> None:
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    assert command_problems(workflows, readme.read_text()) == []


# --- the checks catch what they are for ----------------------------------------


def job_with_step(workflows: Workflows, command: str, stack: str | None = None) -> dict[str, Any]:
    for _file, _job_id, job in jobs(workflows):
        for step in pulumi_steps(job):
            args = step.get("with") or {}
            if args.get("command") == command and stack in (None, args.get("stack-name")):
                return job
    raise AssertionError(f"no job runs pulumi {command} {stack or ''}")


def pulumi_args(job: dict[str, Any]) -> dict[str, Any]:
    [step] = pulumi_steps(job)
    return step.setdefault("with", {})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("policyPacks", None),
        ("policyPackConfigs", None),
        ("policyPackConfigs", "policies/config/dev.json"),
        ("stack-name", "dev"),
    ],
)
def test_preview_check_catches_a_stack_previewed_without_its_policy(
    workflows: Workflows, tmp_path: Path, key: str, value: str | None
) -> None:
    for name in ("Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        (tmp_path / name).write_text("config: {}\n")
    broken = copy.deepcopy(workflows)
    args = pulumi_args(job_with_step(broken, "preview"))
    if value is None:
        args.pop(key)
    else:
        args[key] = value
    assert preview_problems(broken, ["dev", "prod"], root=tmp_path) != []


def test_preview_check_catches_a_stack_left_out(workflows: Workflows, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert preview_problems(workflows, ["dev", "prod"], root=tmp_path) != []


@pytest.mark.parametrize(
    "breakage", ["no needs", "other environment", "no environment", "always", "continue"]
)
def test_deployment_check_catches_a_prod_without_its_gate(
    workflows: Workflows, breakage: str
) -> None:
    broken = copy.deepcopy(workflows)
    prod = job_with_step(broken, "up", "prod")
    if breakage == "no needs":
        prod["needs"] = []
    elif breakage == "other environment":
        prod["environment"] = {"name": "staging"}
    elif breakage == "no environment":
        prod.pop("environment")
    elif breakage == "always":
        prod["if"] = "always()"
    else:
        job_with_step(broken, "up", "dev")["continue-on-error"] = True
    assert deployment_problems(broken) != []


def test_deployment_check_catches_an_up_on_pull_requests(workflows: Workflows) -> None:
    broken = copy.deepcopy(workflows)
    pulumi_args(job_with_step(broken, "preview"))["command"] = "up"
    assert deployment_problems(broken) != []


@pytest.mark.parametrize("ref", ["main", "v7", "v7.0", "", "a1b2c3"])
def test_pinning_check_catches_a_moving_reference(workflows: Workflows, ref: str) -> None:
    broken = copy.deepcopy(workflows)
    [step] = pulumi_steps(job_with_step(broken, "preview"))
    step["uses"] = f"pulumi/actions@{ref}" if ref else "pulumi/actions"
    assert pinning_problems(broken) != []


def test_permission_check_catches_a_write_default(workflows: Workflows) -> None:
    broken = copy.deepcopy(workflows)
    next(iter(broken.values()))["permissions"] = {"contents": "write"}
    assert permission_problems(broken) != []


README_EXAMPLE = """\
# Example

```sh
bash scripts/setup.sh
bash scripts/test.sh
$ bash scripts/preflight.sh <stack>
bash scripts/preflight.sh state --project-dir bootstrap
```
"""


def test_command_check_accepts_the_readme_form_of_each_command(workflows: Workflows) -> None:
    assert command_problems(workflows, README_EXAMPLE) == []


@pytest.mark.parametrize(
    "run",
    [
        "bash scripts/lint.sh",
        'bash scripts/preflight.sh --fast "$STACK"',
        "./scripts/test.sh",
    ],
)
def test_command_check_catches_an_undocumented_command(workflows: Workflows, run: str) -> None:
    broken = copy.deepcopy(workflows)
    job = job_with_step(broken, "preview")
    job["steps"].append({"run": run})
    assert command_problems(broken, README_EXAMPLE) != []


def test_command_check_only_reads_code_blocks(workflows: Workflows) -> None:
    prose_only = "Run bash scripts/test.sh and bash scripts/preflight.sh <stack>.\n"
    assert command_problems(workflows, prose_only) != []


def test_the_state_backend_project_is_preflighted_on_pull_requests(workflows: Workflows) -> None:
    calls = [
        args
        for file, _, job in jobs(workflows)
        if runs_on_pull_requests(workflows[file])
        for step in steps(job)
        for script, args in script_calls(str(step.get("run", "")))
        if script == "scripts/preflight.sh"
    ]
    assert ["state", "--project-dir", "bootstrap"] in [list(a) for a in calls]
