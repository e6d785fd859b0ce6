"""How verify builds its commands from the connection output, as the printed
ones are built, and its direct probe, on their own (loopback only; the real
runs are in test_verify_real_servers.py)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bastion_db.connection import auth_token as auth_token_command
from offline.runner import ProgramRun
from tests.conftest import RunStack
from tests.verify.conftest import outputs_of, program_outputs
from verify.aws_cli import auth_token
from verify.clients import Client, detect_flavour
from verify.direct import probe_direct
from verify.stack_outputs import StackOutputs, parse_outputs
from verify.tunnel import SshTunnel, SsmPortForward


@pytest.fixture(scope="module")
def dev(dev_run: ProgramRun) -> dict[str, Any]:
    return outputs_of(dev_run)


def parsed(outputs: dict[str, Any], **changes: Any) -> StackOutputs:
    return parse_outputs(json.dumps(dict(outputs, **changes)))


def test_ssh_tunnel_keeps_the_printed_command_and_adds_only_the_documented_options(
    dev: dict[str, Any], tmp_path: Path
) -> None:
    tunnel = SshTunnel(parsed(dev), tmp_path, local_port=15432)
    printed = shlex.split(dev["sshTunnelCommand"])
    options = dict(
        tunnel.command[i + 1].split("=", 1) for i, word in enumerate(tunnel.command) if word == "-o"
    )
    assert options == {
        "ExitOnForwardFailure": "yes",
        "BatchMode": "yes",
        "StrictHostKeyChecking": "accept-new",
        "UserKnownHostsFile": str(tmp_path / "known_hosts"),
        "LogLevel": "ERROR",
        "ControlMaster": "yes",
        "ControlPath": str(tmp_path / "control"),
    }
    added = ("-o", *(f"{k}={v}" for k, v in options.items()))
    rest = [w for w in tunnel.command if w not in added]
    key = tmp_path / "bastion-key"
    forward = printed[printed.index("-L") + 1].replace("5432:", "15432:", 1)
    # The printed command's own options (it asks for ExitOnForwardFailure too) are
    # among those verify sets; every other word is the printed one.
    expected = [
        {"bastion-db-dev-bastion.pem": str(key)}.get(word, word)
        for word in printed
        if word not in added
    ]
    expected[expected.index("-L") + 1] = forward
    assert rest == expected
    # Not in the current folder: a private copy of the sshPrivateKey output.
    assert key.read_text().strip() == dev["sshPrivateKey"].strip()
    assert key.stat().st_mode & 0o777 == 0o600
    assert tunnel.local_port == 15432


def test_ssh_tunnel_uses_the_key_file_writeSshKeyCommand_wrote(
    dev: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bastion-db-dev-bastion.pem").write_text("key")
    tunnel = SshTunnel(parsed(dev), tmp_path, local_port=None)
    assert tunnel.command[tunnel.command.index("-i") + 1] == "bastion-db-dev-bastion.pem"
    assert tunnel.local_port == 5432


def test_ssh_tunnel_with_the_users_own_key_names_none(run_stack: RunStack, tmp_path: Path) -> None:
    """With sshPublicKey set, ssh finds the key itself (agent, ~/.ssh): no -i added."""
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    own = program_outputs(run_stack, sshPublicKey=key.with_suffix(".pub").read_text().strip())
    assert "sshPrivateKey" not in own
    tunnel = SshTunnel(parsed(own), tmp_path, local_port=None)
    assert "-i" not in tunnel.command
    assert tunnel.command[-1] == shlex.split(own["sshTunnelCommand"])[-1]


def test_ssm_forward_changes_only_the_local_port(prod_run: ProgramRun, tmp_path: Path) -> None:
    prod = outputs_of(prod_run)
    printed = shlex.split(prod["ssmPortForwardCommand"])
    assert SsmPortForward(parsed(prod), tmp_path, None).command == printed
    moved = SsmPortForward(parsed(prod), tmp_path, 25432)
    index = printed.index("--parameters") + 1
    assert moved.command[:index] == printed[:index]
    parameters = json.loads(moved.command[index])
    assert parameters == dict(json.loads(printed[index]), localPortNumber=["25432"])


@pytest.fixture
def fake_mysql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    yield bin_dir / "mysql"


def mysql_client(outputs: StackOutputs, version: str, program: Path, tmp_path: Path) -> Client:
    program.write_text(f"#!/bin/sh\necho '{version}'\n")
    program.chmod(0o755)
    flavour, _ = detect_flavour(outputs)
    assert flavour is not None
    return Client(flavour, outputs, 13306, tmp_path, 10)


@pytest.mark.parametrize(
    ("version", "tls", "no_tls"),
    [
        (
            "mysql  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)",
            ["--ssl-mode=REQUIRED"],
            ["--ssl-mode=DISABLED"],
        ),
        (
            "mysql  Ver 15.1 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)",
            ["--ssl", "--skip-ssl-verify-server-cert"],
            ["--skip-ssl"],
        ),
    ],
)
def test_mysql_tls_flags_follow_the_installed_client(
    run_stack_once: RunStack,
    fake_mysql: Path,
    tmp_path: Path,
    version: str,
    tls: list[str],
    no_tls: list[str],
) -> None:
    outputs = parsed(program_outputs(run_stack_once, dbEngine="mysql"))
    client = mysql_client(outputs, version, fake_mysql, tmp_path)
    with_tls, _ = client._mysql("db_admin", "pw", tls=True, cleartext=False)
    without, _ = client._mysql("db_admin", "pw", tls=False, cleartext=False)
    for flag in tls:
        assert flag in with_tls
    for flag in no_tls:
        assert flag in without
    assert not any("ssl-mode" in w for w in with_tls if w not in tls)
    # The prompt (-p) is gone, the option file is first, the port is the tunnel's.
    assert "-p" not in with_tls
    assert with_tls[1] == f"--defaults-extra-file={tmp_path / 'client.cnf'}"
    assert with_tls[with_tls.index("-P") + 1] == "13306"
    assert with_tls[-1] == outputs.connection.database_name


def test_psql_signs_in_at_the_tunnels_port_as_the_chosen_user(
    dev: dict[str, Any], tmp_path: Path
) -> None:
    outputs = parsed(dev)
    client = Client("psql", outputs, 15432, tmp_path, 10)
    with_tls, env = client._psql("app_iam", "pw", tls=True)
    without, _ = client._psql("app_iam", "pw", tls=False)
    printed = shlex.split(dev["dbClientCommand"])[1]
    assert with_tls[-1] == printed.replace("port=5432", "port=15432").replace(
        "user=postgres_admin", "user=app_iam"
    )
    assert without[-1] == with_tls[-1].replace("sslmode=require", "sslmode=disable")
    # Never a prompt: the password from the environment.
    assert "-w" in with_tls and env["PGPASSWORD"] == "pw"


def test_direct_probe_fails_when_something_accepts() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = probe_direct("127.0.0.1", port, 2)
    assert result.verdict == "FAIL"
    assert "accepted a TCP connection directly" in result.detail


def test_direct_probe_passes_when_refused() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = probe_direct("127.0.0.1", port, 2)
    assert result.verdict == "PASS"
    assert "ECONNREFUSED" in result.detail


def test_direct_probe_passes_when_the_name_does_not_resolve() -> None:
    result = probe_direct("db.invalid", 5432, 2)
    assert result.verdict == "PASS"
    assert "does not resolve" in result.detail


def test_token_comes_from_the_printed_command_for_the_chosen_user(
    dev: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--iam-user changes only --username of the printed dbAuthTokenCommand."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    echo = bin_dir / "aws"
    echo.write_text('#!/bin/sh\necho "$@"\n')
    echo.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    outputs = parsed(dev)

    answer = auth_token(auth_token_command(outputs.connection, "reporting"), 10)

    expected = shlex.split(dev["dbAuthTokenCommand"])[1:]
    expected[expected.index("--username") + 1] = "reporting"
    assert answer.value == " ".join(expected)
