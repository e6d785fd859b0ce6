"""`verify` against real servers: sshd as the bastion, PostgreSQL and MariaDB
with TLS required, the database reachable only through the bastion (see
lab.py). Each test runs verify as a user would, in the lab's client
namespace, and reads its table."""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest

from tests.conftest import RunStack
from tests.verify.conftest import (
    DIRECT_WAIT,
    VERIFY_TIMEOUT,
    Deployed,
    Operator,
    VerifyRun,
    stack_outputs,
)
from tests.verify.fakes import aws_calls
from tests.verify.lab import DB_ADDRESS, Lab
from tests.verify.own_processes import tunnels_left


def assert_all_pass(run: VerifyRun) -> None:
    assert run.code == 0, run.stdout + run.stderr
    for step in range(1, 6):
        assert " PASS " in run.line(step), run.line(step)
    assert tunnels_left() == []


def test_postgres_passes_every_step_with_the_printed_commands(
    postgres: Deployed, operator: Operator
) -> None:
    # The key as the user writes it: the printed writeSshKeyCommand, in a shell.
    written = operator.shell(postgres.outputs["writeSshKeyCommand"])
    assert written.returncode == 0, written.stderr
    key = operator.workdir / "bastion-db-dev-bastion.pem"
    assert key.stat().st_mode & 0o777 == 0o400

    run = operator.verify(postgres.outputs)

    assert_all_pass(run)
    assert "psql" in run.line(3) and "TLSv1" in run.line(3)
    assert "no encryption" in run.line(4)
    assert f"{DB_ADDRESS} port 5432 not reachable" in run.line(1)
    # The token came from the printed dbAuthTokenCommand, as printed.
    [token_call] = aws_calls(operator.aws_log)
    assert ["aws", *token_call] == shlex.split(postgres.outputs["dbAuthTokenCommand"])
    assert "dbAuthTokenCommand" in run.line(5)


def test_mysql_passes_every_step_against_mariadb(mariadb: Deployed, operator: Operator) -> None:
    # No key file here: verify uses a private copy of the sshPrivateKey output.
    run = operator.verify(mariadb.outputs)

    assert_all_pass(run)
    assert "(mariadb)" in run.line(3) and "TLSv1" in run.line(3)
    # MariaDB 10.11 words it as a denial; test_fails_when_the_database_does_not_enforce_tls
    # shows it is TLS enforcement that denies.
    assert "refused (with TLS it got in): ERROR" in run.line(4)


@pytest.mark.parametrize("engine", ["postgres", "mariadb"])
def test_fails_when_the_database_is_reachable_directly(
    request: pytest.FixtureRequest,
    operator: Operator,
    database_reachable_directly: None,
    engine: str,
) -> None:
    deployed: Deployed = request.getfixturevalue(engine)
    run = operator.verify(deployed.outputs)

    assert run.code == 1
    assert " FAIL " in run.line(1)
    assert (
        f"{DB_ADDRESS} port {deployed.outputs['dbPort']} accepted a TCP connection directly "
        "from here" in run.line(1)
    )
    # The rest still runs and says what it found.
    assert " PASS " in run.line(2) and " PASS " in run.line(3)
    assert tunnels_left() == []


@pytest.mark.parametrize(
    ("engine", "user", "remedy"),
    [
        ("postgres", "postgres_admin", "rds.force_ssl=1"),
        ("mariadb", "db_admin", "require_secure_transport=ON"),
    ],
)
def test_fails_when_the_database_does_not_enforce_tls(
    request: pytest.FixtureRequest, operator: Operator, engine: str, user: str, remedy: str
) -> None:
    deployed: Deployed = request.getfixturevalue(engine)
    deployed.server.enforce_tls(False)
    try:
        run = operator.verify(deployed.outputs)
    finally:
        deployed.server.enforce_tls(True)

    assert run.code == 1
    assert " FAIL " in run.line(4)
    assert f"accepted {user} without TLS" in run.line(4) and remedy in run.line(4)
    assert " PASS " in run.line(3)
    assert tunnels_left() == []


def test_ssm_mode_runs_the_printed_port_forward(
    postgres: Deployed, prod_outputs: dict[str, Any], operator: Operator
) -> None:
    outputs = prod_outputs
    assert "sshTunnelCommand" not in outputs
    # prod keeps the master password in Secrets Manager, not in the stack.
    assert "dbMasterPassword" not in outputs
    operator.master_secret = json.dumps(
        {"username": outputs["dbMasterUsername"], "password": postgres.outputs["dbMasterPassword"]}
    )

    run = operator.verify(outputs)

    assert_all_pass(run)
    assert "ssmPortForwardCommand" in run.line(2)
    secret_call = next(call for call in aws_calls(operator.aws_log) if call[0] == "secretsmanager")
    assert secret_call[secret_call.index("--secret-id") + 1] == outputs["dbMasterSecretArn"]
    # The fake aws (which forwards through the lab's bastion) got exactly the
    # printed command's arguments.
    start_session = next(call for call in aws_calls(operator.aws_log) if call[0] == "ssm")
    assert ["aws", *start_session] == shlex.split(outputs["ssmPortForwardCommand"])


def test_ssm_mode_without_the_aws_cli_fails_at_the_tunnel(
    postgres: Deployed, prod_outputs: dict[str, Any], operator: Operator
) -> None:
    operator.aws = False
    run = operator.verify(prod_outputs)

    assert run.code == 1
    assert " FAIL " in run.line(2) and "aws is not on PATH" in run.line(2)
    assert " SKIP " in run.line(3) and "no tunnel" in run.line(3)


def test_iam_step_is_skipped_without_the_aws_cli(postgres: Deployed, operator: Operator) -> None:
    operator.aws = False
    run = operator.verify(postgres.outputs)

    assert run.code == 0
    assert " SKIP " in run.line(5) and "aws CLI is not on PATH" in run.line(5)


def test_iam_step_is_skipped_when_iam_authentication_is_off(
    postgres: Deployed, verify_lab: Lab, run_stack_once: RunStack, operator: Operator
) -> None:
    outputs = stack_outputs(run_stack_once, verify_lab, dbIamAuthentication="false")
    assert "dbIamUsername" not in outputs

    run = operator.verify(outputs)

    assert run.code == 0
    assert " SKIP " in run.line(5) and "IAM authentication is off" in run.line(5)
    assert aws_calls(operator.aws_log) == []


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_closes_the_tunnel(
    postgres: Deployed, operator: Operator, number: signal.Signals
) -> None:
    # A psql that hangs, so the signal lands while the tunnel is open.
    env = operator.env()
    hanging = operator.bin_dir / "psql"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(0o755)
    process = subprocess.Popen(
        operator.lab.in_namespace(
            operator.lab.client, [sys.executable, "-m", "verify", "--direct-wait", DIRECT_WAIT]
        ),
        cwd=operator.workdir,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(VERIFY_TIMEOUT, process.kill)
    watchdog.start()
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(postgres.outputs))
        process.stdin.close()
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.startswith("2 "):
                break
        assert " PASS " in seen[-1], seen
        assert tunnels_left() != []
        process.send_signal(number)
        rest = process.stdout.read()
        process.wait(30)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()

    assert process.returncode == (130 if number == signal.SIGINT else 143), rest
    assert re.search(r"^3 +client signs in with TLS +SKIP +interrupted$", rest, re.MULTILINE)
    assert "verify: INTERRUPTED" in rest
    assert tunnels_left() == []
