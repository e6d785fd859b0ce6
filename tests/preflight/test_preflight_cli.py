"""The preflight command as a user runs it: exit codes, messages, JSON, export."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from offline.stack_config import stack_names
from preflight.__main__ import main
from tests.conftest import PROJECT_DIR
from tests.preflight.captured_network import own_stack_file, write_capture
from tests.preflight.repo_copy import copy_repository, preflight_script

BOOTSTRAP = PROJECT_DIR / "bootstrap"


@dataclass(frozen=True)
class Done:
    """What one in-process ``main(argv)`` returned and printed."""

    code: int
    out: str
    err: str


Preflight = Callable[..., Done]


@pytest.fixture(scope="module")
def preflight() -> Preflight:
    """``main(argv)`` in this process, its output captured, each command line
    once per module: the tests that check different things about the same
    run (``dev``, ``prod --json``...) share it instead of each repeating it."""
    done: dict[tuple[str, ...], Done] = {}

    def run(*argv: str) -> Done:
        if argv not in done:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(argv))
            done[argv] = Done(code, out.getvalue(), err.getvalue())
        return done[argv]

    return run


@pytest.fixture(scope="module")
def dev_command() -> subprocess.CompletedProcess[str]:
    """``python -m preflight dev``: the real command, in a process of its own."""
    command = [sys.executable, "-m", "preflight", "dev"]
    return subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


def test_dev_and_prod_stacks_pass(preflight: Preflight) -> None:
    for stack in ("dev", "prod"):
        run = preflight(stack)
        assert run.code == 0, run.err
        out = run.out
        assert "Preflight passed: 0 mandatory" in out
        assert "bastiondb:database:Database" in out
        if stack == "dev":  # secrets are masked in the printed outputs
            assert re.search(r"dbMasterPassword:\s+\[secret\]", out)
        else:  # RDS keeps prod's password in Secrets Manager: the stack has none
            assert not re.search(r"dbMasterPassword:", out) and "dbMasterSecretArn" in out


def test_the_command_itself_prints_everything_before_it_exits(
    dev_command: subprocess.CompletedProcess[str], preflight: Preflight
) -> None:
    # The real command ends with os._exit, past Python's own flushing: all that main()
    # prints in-process, down to the verdict. (--json over the real command:
    # test_a_users_own_stack_file_..., through scripts/preflight.sh.)
    assert dev_command.returncode == 0, dev_command.stderr
    assert dev_command.stdout == preflight("dev").out
    assert dev_command.stdout.splitlines()[-1].startswith("Preflight passed: 0 mandatory")


def test_calling_main_leaves_the_callers_garbage_collector_on(preflight: Preflight) -> None:
    # main() has run in this process by now (here, or in a test before that shares it)
    assert preflight("dev", "--json").code == 0
    assert gc.isenabled()


def test_a_mandatory_violation_fails_with_1_and_names_the_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["dev", "--json", "-c", 'sshAllowedCidrs=["0.0.0.0/0"]', "-c", "allowSshFromAnywhere=true"]
    )
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    mandatory = [v for v in result["violations"] if v["level"] == "mandatory"]
    assert mandatory, result
    assert any("0.0.0.0/0" in v["message"] for v in mandatory)
    # the rules meant for it: no world-open ingress, SSH only from allowed networks
    assert {v["policy"] for v in mandatory} == {"sg-no-public-ingress", "sg-ssh-bastion-only"}
    assert result["exitCode"] == 1


def test_a_bad_config_value_exits_2_with_its_message_and_no_traceback() -> None:
    # The real command: its exit code and stderr, as a script calling it sees them.
    command = [sys.executable, "-m", "preflight", "dev", "-c", "dbPort=22"]
    bad = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "bastion-db:dbPort" in bad.stderr and "1150 to 65535" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stdout == ""


def test_an_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # Not "staging": docs/delivery.md tells users to add exactly that one.
    absent = "no-such-stack"
    assert absent not in stack_names(PROJECT_DIR)
    assert main([absent]) == 2
    assert f"Pulumi.{absent}.yaml" in capsys.readouterr().err


def test_a_bad_policy_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"no-such-policy": "mandatory"}))
    assert main(["dev", "--policy-pack-config", str(bad)]) == 2
    assert "no-such-policy" in capsys.readouterr().err


def test_a_policy_config_the_pack_refuses_stops_the_run_before_any_stack_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.analyzer import PolicyPackAnalyzer

    judged: list[object] = []
    monkeypatch.setattr(PolicyPackAnalyzer, "analyze", lambda self, *a, **k: judged.append(a))
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "rds-backup-retention": {"minimumDay": 3, "backupWindow": 4},
                "rds-multi-azz": "advisory",
            }
        )
    )
    assert main(["dev", "--policy-pack-config", str(bad)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert judged == []
    # the file, each entry and what it accepts
    assert f"policy pack configuration is invalid ({bad}):" in err
    assert (
        "rds-backup-retention: minimumDay: unknown key; did you mean 'minimumDays'? "
        "this policy takes: backupWindow, minimumDays" in err
    )
    assert "rds-backup-retention: backupWindow: Invalid type. Expected: string, given: integer" in (
        err
    )
    assert f"rds-multi-azz: no such policy in the pack ({bad}); did you mean 'rds-multi-az'?" in err
    assert "the pack's policies: " in err and "rds-multi-az, " in err
    assert "Traceback" not in err


def test_json_holds_every_violation(preflight: Preflight) -> None:
    run = preflight("dev", "--json")
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["mandatory"] == 0
    # dev leaves multi-AZ, deletion protection... off: advisory findings, all listed
    names = {v["policy"] for v in result["violations"]}
    assert {"rds-multi-az", "rds-deletion-protection"} <= names


def test_export_writes_a_deployment_without_secrets_where_the_user_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dev.json"
    assert main(["dev", "--export", str(target)]) == 0
    exported = json.loads(target.read_text())
    assert exported["version"] == 3
    assert "BEGIN OPENSSH PRIVATE KEY" not in target.read_text()


def test_the_state_backend_project_is_checked_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["state", "--project-dir", str(BOOTSTRAP), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mandatory"] == 0
    assert result["resources"] >= 7


def test_a_bad_state_bucket_name_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["state", "--project-dir", str(BOOTSTRAP), "-c", "bucketName=Bad_Bucket"]) == 2
    assert "bastion-db-state:bucketName" in capsys.readouterr().err


def test_a_malformed_config_override_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "-c", "dbPort"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


@pytest.mark.parametrize("stack", stack_names(PROJECT_DIR))
def test_every_stack_file_passes_its_preflight(stack: str, preflight: Preflight) -> None:
    """Discovered, not listed: a new Pulumi.<stack>.yaml is checked the day it is added."""
    run = preflight(stack, "--json")
    assert run.code == 0, run
    assert json.loads(run.out)["mandatory"] == 0


# --- every bad input: exit 2, a message naming the flag, file or key, no traceback ---------

BAD_INPUTS = [
    (
        ["dev", "--export", "{tmp}/missing/plan.json"],
        "--export {tmp}/missing/plan.json: the folder {tmp}/missing does not exist",
    ),
    (["dev", "--export", "{tmp}"], "--export {tmp}: is a folder"),
    (["dev", "--policy-pack", "{tmp}"], "--policy-pack {tmp}: not a policy pack"),
    (["dev", "--policy-pack", "{tmp}/nowhere"], "--policy-pack {tmp}/nowhere: no such folder"),
    (
        ["dev", "--policy-pack-config", "{tmp}/missing.json"],
        "--policy-pack-config {tmp}/missing.json: does not exist",
    ),
    (["dev", "--policy-pack-config", "{tmp}"], "--policy-pack-config {tmp}: is a folder"),
    (
        ["dev", "--policy-pack-config", "{tmp}/empty.json"],
        "({tmp}/empty.json):\n  validating policy config: (file): is empty",
    ),
    (
        ["dev", "--policy-pack-config", "{tmp}/broken.json"],
        "({tmp}/broken.json):\n  validating policy config: (file): not valid JSON",
    ),
    (["dev", "--policy-pack-config", "{tmp}/binary.json"], "(file): not UTF-8 text"),
    # read before the program runs: its error, not the program's
    (
        ["s", "--project-dir", "{tmp}/raises", "--policy-pack-config", "{tmp}/broken.json"],
        "({tmp}/broken.json):\n  validating policy config: (file): not valid JSON",
    ),
    (
        ["dev", "--policy-pack-config", "{tmp}/not-a-cidr.json"],
        "sg-ssh-bastion-only: allowedCidrs[0]: 'not-a-cidr' is not a network in CIDR form",
    ),
    (
        ["dev", "--policy-pack-config", "{tmp}/typo.json"],
        "rds-multi-azz: no such policy in the pack ({tmp}/typo.json); did you mean 'rds-multi-az'?",
    ),
    (["dev", "--network", "{tmp}/missing.json"], "--network {tmp}/missing.json: does not exist"),
    (["dev", "--network", "{tmp}/empty.json"], "--network {tmp}/empty.json: is empty"),
    (["dev", "--project-dir", "{tmp}"], "--project-dir {tmp}: no __main__.py"),
    (["dev", "-c", "dbPort"], "--config expects KEY=VALUE, got 'dbPort'"),
    (["dev/../dev"], "stack 'dev/../dev': a stack name may only contain letters"),
    (
        ["listed", "--project-dir", "{tmp}/project"],
        "{tmp}/project/Pulumi.listed.yaml: 'config:' must be a mapping",
    ),
    (
        ["text", "--project-dir", "{tmp}/project"],
        "{tmp}/project/Pulumi.text.yaml: 'config:' must be a mapping",
    ),
    (
        ["s", "--project-dir", "{tmp}/raises"],
        "the program in {tmp}/raises failed: RuntimeError: boom at {tmp}/raises/__main__.py:2",
    ),
    (
        ["s", "--project-dir", "{tmp}/unparsable"],
        "the program in {tmp}/unparsable cannot be loaded: SyntaxError:",
    ),
    (["dev", "-c", "vpcId=vpc-xyz"], "config key 'bastion-db:vpcId': got 'vpc-xyz'"),
    (["dev", "--no-such-flag"], "unrecognized arguments: --no-such-flag (see --help)"),
    ([], "the following arguments are required: stack (see --help)"),
]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bad files and projects the cases name; only read, so made once for all."""
    tmp_path = tmp_path_factory.mktemp("bad-inputs")
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "broken.json").write_text('{"rds-multi-az": ')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "not-a-cidr.json").write_text(
        json.dumps({"sg-ssh-bastion-only": {"allowedCidrs": ["not-a-cidr"]}})
    )
    (tmp_path / "typo.json").write_text(json.dumps({"rds-multi-azz": "advisory"}))
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: mine\nruntime: python\n")
    (project / "__main__.py").write_text("def main() -> None: ...\n")
    (project / "Pulumi.listed.yaml").write_text("config:\n  - aws:region\n")
    (project / "Pulumi.text.yaml").write_text("config: aws:region=us-east-1\n")
    for name, program in (
        ("raises", "def main() -> None:\n    raise RuntimeError('boom')\n"),
        ("unparsable", "def main(:\n"),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (tmp_path / name / "Pulumi.s.yaml").write_text("config: {}\n")
        (tmp_path / name / "__main__.py").write_text(program)
    return tmp_path


@pytest.mark.parametrize(("argv", "message"), BAD_INPUTS)
def test_a_bad_input_exits_2_naming_it_in_text_and_in_json(
    argv: list[str], message: str, bad_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [arg.format(tmp=bad_files) for arg in argv]
    expected = message.format(tmp=bad_files)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert expected in err and "Traceback" not in err
    assert out == ""
    # --json: exactly one JSON document on stdout, the error in it
    assert main([*argv, "--json"]) == 2
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert expected in document["error"] and document["exitCode"] == 2


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for line in ("0  no mandatory", "1  at least one mandatory", "2  a configuration error"):
        assert line in out
    assert "describe-route-tables" in out  # how to capture --network


# --- steady, readable output ------------------------------------------------------------


def test_the_same_input_prints_the_same_bytes(
    preflight: Preflight,
    dev_command: subprocess.CompletedProcess[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The module's shared run (made earlier, or first in this process), another one
    # now, and the command in a process of its own (another hash seed).
    runs = [preflight("dev").out]
    assert main(["dev"]) == 0
    runs.append(capsys.readouterr().out)
    runs.append(dev_command.stdout)
    assert len(set(runs)) == 1 and "Preflight passed" in runs[0]
    assert main(["prod", "--json"]) == 0
    assert capsys.readouterr().out == preflight("prod", "--json").out


@pytest.mark.parametrize(
    "argv", [["dev", "-c", 'sshAllowedCidrs=["198.51.100.0/24", "2001:db8::/32"]'], ["prod"]]
)
def test_the_plan_fits_100_columns_and_its_counts_agree(
    argv: list[str], preflight: Preflight
) -> None:
    run = preflight(*argv)
    assert run.code in (0, 1), run.err
    lines = run.out.splitlines()
    assert max(len(line) for line in lines) <= 100
    total = next(int(line.split()[1]) for line in lines if line.endswith(" to create"))
    start = lines.index(next(line for line in lines if line.endswith(" to create"))) + 1
    per_type = []
    for line in lines[start:]:
        if not line.strip():
            break
        per_type.append(int(line.split()[0]))
    assert total == sum(per_type) and "pulumi:pulumi:Stack" in "\n".join(lines[start:])


def test_inputs_are_aligned_under_their_resources_type(preflight: Preflight) -> None:
    run = preflight("dev")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    checked = 0
    for number, line in enumerate(lines):
        if line.startswith(" +   ") and ("aws:rds:Instance" in line or "aws:ec2:Instance" in line):
            type_column = line.index("aws:")
            for detail in lines[number + 1 : number + 4]:
                key_column = len(detail) - len(detail.lstrip(" │"))
                assert key_column == type_column + 3, (line, detail)
                checked += 1
    assert checked == 6


# --- the policy config: which one, and where to change it ---------------------------------


def test_the_run_says_which_policy_config_it_used(preflight: Preflight) -> None:
    run = preflight("dev")
    assert run.code == 0, run.err
    assert re.search(r"Policy config: \S*policies/config/dev\.json \(\d+ mandatory", run.out)
    run = preflight("dev", "--json")
    assert run.code == 0, run.err
    used = json.loads(run.out)["policyConfig"]
    assert used["file"].endswith("policies/config/dev.json")
    assert used["levels"]["rds-multi-az"] == "advisory"


def test_without_a_policy_config_the_run_says_so_and_which_levels_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PROJECT_DIR / "policies", pack, ignore=shutil.ignore_patterns("config"))
    code = main(["dev", "--policy-pack", str(pack)])
    out = capsys.readouterr().out
    assert f"Policy config: none. {pack}/config/dev.json does not exist, so every policy" in (
        " ".join(out.split())
    )
    assert re.search(r"runs at the pack's own level \(\d+ mandatory", " ".join(out.split()))
    # the pack's own levels make dev's opt-outs (multi-AZ off...) mandatory failures
    assert code == 1
    assert main(["dev", "--policy-pack", str(pack), "--json"]) == 1
    used = json.loads(capsys.readouterr().out)
    assert used["policyConfig"]["file"] is None
    assert used["policyConfig"]["levels"]["rds-multi-az"] == "mandatory"


def test_own_ssh_network_refused_by_the_pack_names_the_policy_config_file_and_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["dev", "--json", "-c", 'sshAllowedCidrs=["198.51.100.0/24"]']) == 1
    refused = [
        v for v in json.loads(capsys.readouterr().out)["violations"] if v["level"] == "mandatory"
    ]
    assert [v["policy"] for v in refused] == ["sg-ssh-bastion-only"]
    assert refused[0]["policyConfig"]["file"].endswith("policies/config/dev.json")
    assert refused[0]["policyConfig"]["keys"] == ["allowedCidrs"]
    assert main(["dev", "-c", 'sshAllowedCidrs=["198.51.100.0/24"]']) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert 'edit policies/config/dev.json, entry "sg-ssh-bastion-only" (allowedCidrs)' in out


# --- a user's own stack, run from their own folder ----------------------------------------


def test_a_users_own_stack_file_with_a_captured_network_passes_from_another_folder(
    tmp_path: Path,
) -> None:
    """Done when: own VPC id, own region and CIDRs, own network; relative paths are theirs."""
    repository = copy_repository(tmp_path / "repo")
    own_stack_file(repository, "team", (PROJECT_DIR / "Pulumi.dev.yaml").read_text())
    policy = json.loads((PROJECT_DIR / "policies/config/dev.json").read_text())
    policy["sg-ssh-bastion-only"]["allowedCidrs"] = ["198.51.100.0/24"]
    (repository / "policies/config/team.json").write_text(json.dumps(policy))
    work = tmp_path / "work"
    work.mkdir()
    write_capture(work / "network.json")
    (work / "components").mkdir()  # a folder of the user's that must not shadow ours

    # Every path relative to their folder: the network, the export, a policy config of
    # their own (one run: each script run costs most of a second)
    (work / "mine.json").write_text(json.dumps(policy))
    done = preflight_script(
        repository,
        "team",
        *("--network", "network.json", "--export", "plan.json"),
        *("--policy-pack-config", "mine.json"),
        cwd=work,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Preflight passed: 0 mandatory" in done.stdout
    assert "Network: your VPC, captured in network.json" in done.stdout
    assert "Policy config: mine.json (--policy-pack-config)" in done.stdout
    exported = json.loads((work / "plan.json").read_text())
    assert exported["deployment"]["resources"][0]["urn"].startswith("urn:pulumi:team::")
    assert not (repository / "plan.json").exists()

    # Without a capture, their VPC id (in their region) gets the lab's layout, and
    # without --policy-pack-config their stack's own file in the repository applies
    # (dev's would refuse their SSH network). --json over the script: stdout is the one
    # document (the set-up writes elsewhere); with --network too, test_network_capture
    # shows the document in-process.
    done = preflight_script(repository, "team", "--json", cwd=work)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["exitCode"] == 0 and result["network"] is None
    assert result["policyConfig"]["file"] == str(repository / "policies/config/team.json")
