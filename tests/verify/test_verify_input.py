"""Bad input to `python -m verify` gets one clear line and exit 2, before
anything is opened or sent; never a traceback."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from offline.runner import ProgramRun
from tests.conftest import PROJECT_DIR
from tests.verify.conftest import outputs_of


def run_verify(stdin: str | int, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m verify`, given ``stdin`` as text, or as a file descriptor."""
    given: dict[str, Any] = {"stdin": stdin} if isinstance(stdin, int) else {"input": stdin}
    return subprocess.run(
        [sys.executable, "-m", "verify", *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        **given,
    )


@pytest.fixture(scope="module")
def dev_outputs(dev_run: ProgramRun) -> dict[str, Any]:
    return outputs_of(dev_run)


def assert_bad_input(finished: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert "Traceback" not in finished.stderr
    assert finished.stdout == ""  # no table: nothing ran
    for phrase in phrases:
        assert phrase in finished.stderr


def test_not_json() -> None:
    assert_bad_input(run_verify("Current stack is dev:\n"), "not JSON", "--show-secrets")


def test_not_an_object() -> None:
    assert_bad_input(run_verify("[1, 2]"), "not a JSON object")


def test_secrets_hidden(dev_outputs: dict[str, Any]) -> None:
    hidden = dict(dev_outputs, dbMasterPassword="[secret]")
    assert_bad_input(run_verify(json.dumps(hidden)), "dbMasterPassword is hidden", "--show-secrets")


def with_connection(outputs: dict[str, Any], **facts: Any) -> str:
    """The outputs as JSON, with ``facts`` changed in the connection output."""
    return json.dumps(dict(outputs, connection=dict(outputs["connection"], **facts)))


def test_no_connection_output(dev_outputs: dict[str, Any]) -> None:
    missing = {key: value for key, value in dev_outputs.items() if key != "connection"}
    assert_bad_input(run_verify(json.dumps(missing)), "no connection object", "`pulumi up`")


def test_missing_fact(dev_outputs: dict[str, Any]) -> None:
    facts = {k: v for k, v in dev_outputs["connection"].items() if k != "host"}
    changed = json.dumps(dict(dev_outputs, connection=facts))
    assert_bad_input(run_verify(changed), "connection.host is None", "non-empty string")


def test_ssh_mode_without_its_bastion(dev_outputs: dict[str, Any]) -> None:
    changed = with_connection(dev_outputs, bastionHost="")
    assert_bad_input(run_verify(changed), "connection.bastionHost is ''")


def test_unknown_engine(dev_outputs: dict[str, Any]) -> None:
    changed = with_connection(dev_outputs, engine="sqlserver")
    assert_bad_input(run_verify(changed), "'sqlserver'", "postgres, mysql")


def test_unknown_access_mode(dev_outputs: dict[str, Any]) -> None:
    changed = with_connection(dev_outputs, accessMode="vpn")
    assert_bad_input(run_verify(changed), "connection.accessMode is 'vpn'", "ssh, ssm")


def test_port_out_of_range(dev_outputs: dict[str, Any]) -> None:
    changed = with_connection(dev_outputs, port=70000)
    assert_bad_input(run_verify(changed), "connection.port is 70000", "1-65535")


def test_key_neither_here_nor_in_outputs(dev_outputs: dict[str, Any]) -> None:
    without_key = {k: v for k, v in dev_outputs.items() if k != "sshPrivateKey"}
    assert_bad_input(
        run_verify(json.dumps(without_key)), "bastion-db-dev-bastion.pem", "writeSshKeyCommand"
    )


def test_missing_outputs_file(tmp_path: Path) -> None:
    assert_bad_input(run_verify("", "--outputs", str(tmp_path / "nope.json")), "nope.json")


@pytest.mark.parametrize(
    ("option", "value"), [("--local-port", "http"), ("--local-port", "0"), ("--timeout", "-1")]
)
def test_bad_options(option: str, value: str) -> None:
    finished = run_verify("{}", option, value)
    assert finished.returncode == 2
    assert option in finished.stderr and "Traceback" not in finished.stderr


def test_wrapper_runs_verify_in_the_callers_folder(tmp_path: Path) -> None:
    """scripts/verify.sh: set-up on stderr, then verify, relative paths from
    where it was called (the key file, --outputs)."""
    (tmp_path / "outputs.json").write_text("not json")
    finished = subprocess.run(
        ["bash", str(PROJECT_DIR / "scripts" / "verify.sh"), "--outputs", "outputs.json"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert_bad_input(finished, "the outputs are not JSON")


def test_nothing_piped_in() -> None:
    """Run at a terminal with neither a pipe nor --outputs: say how, do not wait."""
    leader, follower = os.openpty()
    try:
        finished = run_verify(follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert_bad_input(finished, "no outputs", "pulumi stack output --json --show-secrets")


@pytest.mark.parametrize(
    ("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"]
)
def test_interrupted_while_waiting_for_the_outputs(number: signal.Signals, code: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "verify"],
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_reading_stdin(process.pid)
        process.send_signal(number)
        _, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code
    assert errors == "verify: interrupted\n"


# Linux's syscall tables: arch/x86/entry/syscalls/syscall_64.tbl,
# include/uapi/asm-generic/unistd.h (arm64).
_READ_SYSCALL = {"x86_64": 0, "aarch64": 63}


def wait_until_reading_stdin(pid: int, timeout: float = 30) -> None:
    """Until the process sits in read(0, ...): Linux's /proc/PID/syscall
    gives the syscall number and its first argument."""
    read = _READ_SYSCALL.get(platform.machine())
    if read is None:
        pytest.skip(f"read's syscall number on {platform.machine()} is not known here")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/syscall").read_text().startswith(f"{read} 0x0 "):
                return
        time.sleep(0.05)
    pytest.fail("verify never got to reading its standard input")
