"""The preflight command as a user runs it: exit codes, messages, JSON, export."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from offline.stack_config import stack_names
from preflight.__main__ import main
from tests.conftest import PROJECT_DIR

BOOTSTRAP = PROJECT_DIR / "bootstrap"


def test_dev_and_prod_stacks_pass(capsys: pytest.CaptureFixture[str]) -> None:
    for stack in ("dev", "prod"):
        assert main([stack]) == 0
        out = capsys.readouterr().out
        assert "Preflight passed: 0 mandatory" in out
        assert "bastiondb:database:Database" in out
        # secrets are masked in the printed outputs
        assert re.search(r"dbMasterPassword:\s+\[secret\]", out)


def test_the_command_itself_prints_everything_before_it_exits() -> None:
    # The real command ends with os._exit, past Python's own flushing.
    command = [sys.executable, "-m", "preflight", "dev", "--json"]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["exitCode"] == 0 and result["resources"] > 20

    bad = subprocess.run(
        [*command, "-c", "dbPort=22"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "dbPort" in bad.stderr and "Traceback" not in bad.stderr


def test_calling_main_leaves_the_callers_garbage_collector_on() -> None:
    assert main(["dev", "--json"]) == 0
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


def test_a_bad_config_value_exits_2_with_its_message_and_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["dev", "-c", "dbPort=22"]) == 2
    err = capsys.readouterr().err
    assert "bastion-db:dbPort" in err and "1150 to 65535" in err
    assert "Traceback" not in err


def test_an_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staging"]) == 2
    assert "Pulumi.staging.yaml" in capsys.readouterr().err


def test_a_bad_policy_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"no-such-policy": "mandatory"}))
    assert main(["dev", "--policy-pack-config", str(bad)]) == 2
    assert "no-such-policy" in capsys.readouterr().err


def test_json_holds_every_violation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mandatory"] == 0
    # dev leaves multi-AZ, deletion protection... off: advisory findings, all listed
    names = {v["policy"] for v in result["violations"]}
    assert {"rds-multi-az", "rds-deletion-protection"} <= names


def test_export_writes_a_deployment_without_secrets(
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
def test_every_stack_file_passes_its_preflight(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Discovered, not listed: a new Pulumi.<stack>.yaml is checked the day it is added."""
    assert main([stack, "--json"]) == 0, capsys.readouterr()
    assert json.loads(capsys.readouterr().out)["mandatory"] == 0
