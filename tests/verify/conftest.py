"""Fixtures for the real-server tests: the lab (namespaces and sshd), the
databases in it, and stack outputs from the real program pointed at them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bastion_db.connection import BASTION_USER
from offline.runner import ProgramRun
from offline.snapshot import SecretValue
from tests.conftest import PROJECT_DIR, RunStack
from tests.verify.fakes import fake_token, install_fakes
from tests.verify.lab import (
    BASTION_PUBLIC_ADDRESS,
    DB_ADDRESS,
    Lab,
    LabError,
    NamespacesUnavailable,
    lab,
)
from tests.verify.servers import Account, MariaDb, Postgres

# One verify run, every step included, is over in seconds; this only stops a hang.
VERIFY_TIMEOUT = 120.0
# verify's --direct-wait in the lab. Where the database is not reachable the
# bastion drops the packets silently, as a security group does, so step 1
# waits all of it in every test that passes. Where it is reachable (forwarding
# on) the connection is made by the kernels of namespaces on this machine,
# over veth pairs, in well under a millisecond, whatever the load: a
# quarter of a second still leaves a margin of hundreds, where a user's
# default (5 s) is meant for the Internet.
DIRECT_WAIT = "0.25"
NEEDED = ("ip", "/usr/sbin/sshd", "ssh", "ssh-keygen", "openssl", "setpriv", "psql", "mysql")


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root, for network namespaces (ip netns)"
    absent = [name for name in NEEDED if shutil.which(name) is None]
    if absent:
        return f"missing {', '.join(absent)}: run scripts/test-servers.sh (as root)"
    return None


# Module-scoped, as only test_verify_real_servers.py uses them: the lab and
# its servers end with that module, and with them the worker's time as a
# child subreaper (lab.py), so the modules the worker runs next see orphans
# go to init as usual.
@pytest.fixture(scope="module")
def verify_lab() -> Iterator[Lab]:
    reason = _missing()
    if reason is not None:
        pytest.skip(reason)
    try:
        with lab() as made:
            yield made
    except NamespacesUnavailable as error:
        pytest.skip(f"no network namespaces here: {error}")
    except LabError as error:
        pytest.fail(f"the lab did not start: {error}")


def outputs_of(program: ProgramRun) -> dict[str, Any]:
    """What `pulumi stack output --json --show-secrets` would print after this
    run of the real program (on the fake AWS world); a new dict each time."""
    return {
        key: value.value if isinstance(value, SecretValue) else value
        for key, value in program.outputs.items()
    }


def program_outputs(run_stack: RunStack, stack: str = "dev", **config: str) -> dict[str, Any]:
    """The outputs of a run of the real program for ``stack``, by ``run_stack``
    (a new run, or the worker's one run of it from run_stack_once); a new dict."""
    return outputs_of(run_stack(stack, **config))


def stack_outputs(
    run_stack: RunStack, lab: Lab, stack: str = "dev", **config: str
) -> dict[str, Any]:
    """The outputs of a run of the real program, moved to the lab."""
    return moved_to_lab(program_outputs(run_stack, stack, **config), lab)


def moved_to_lab(outputs: dict[str, Any], lab: Lab) -> dict[str, Any]:
    """``outputs`` (changed in place) with the database and the bastion at
    the lab's addresses, the lab's user on the bastion, and the key the lab's
    sshd trusts."""
    # ssm mode's bastion has no public address, so no bastionPublicDns output.
    fake_host, fake_bastion = outputs["dbHost"], outputs.get("bastionPublicDns")
    for key, value in outputs.items():
        if isinstance(value, str):
            value = value.replace(fake_host, DB_ADDRESS)
            if fake_bastion:
                value = value.replace(
                    f"{BASTION_USER}@{fake_bastion}", f"{lab.bastion_user}@{fake_bastion}"
                ).replace(fake_bastion, BASTION_PUBLIC_ADDRESS)
            outputs[key] = value
    # The facts verify builds its commands from, moved the same way.
    connection = dict(outputs["connection"], host=DB_ADDRESS)
    if fake_bastion:
        connection.update(bastionHost=BASTION_PUBLIC_ADDRESS, bastionUser=lab.bastion_user)
    outputs["connection"] = connection
    outputs["dbPort"] = int(outputs["dbPort"])
    if "sshPrivateKey" in outputs:
        outputs["sshPrivateKey"] = (lab.root / "client_key").read_text()
    return outputs


@dataclass(frozen=True)
class Deployed:
    """A database in the lab and the outputs that point at it."""

    outputs: dict[str, Any]
    server: Postgres | MariaDb


def _accounts(outputs: dict[str, Any]) -> list[Account]:
    region = outputs["connection"]["region"]
    iam_user = outputs["dbIamUsername"]
    return [
        Account(outputs["dbMasterUsername"], outputs["dbMasterPassword"]),
        # Stands for the user set up for IAM: its password is the fake aws's token.
        Account(iam_user, fake_token(DB_ADDRESS, outputs["dbPort"], iam_user, region)),
    ]


def _deploy(
    lab: Lab, run_stack: RunStack, engine: str, server: type[Postgres | MariaDb]
) -> Deployed:
    outputs = stack_outputs(run_stack, lab, dbEngine=engine)
    try:
        return Deployed(outputs, server(lab, outputs["dbName"], _accounts(outputs)))
    except LabError as error:
        pytest.fail(f"{server.__name__} did not start: {error}")


@pytest.fixture(scope="module")
def postgres(verify_lab: Lab, run_stack_once: RunStack) -> Deployed:
    return _deploy(verify_lab, run_stack_once, "postgres", Postgres)


@pytest.fixture(scope="module")
def mariadb(verify_lab: Lab, run_stack_once: RunStack) -> Deployed:
    return _deploy(verify_lab, run_stack_once, "mysql", MariaDb)


@pytest.fixture(scope="module")
def prod_outputs(verify_lab: Lab, prod_run: ProgramRun) -> dict[str, Any]:
    """prod's outputs (accessMode ssm, the master password in Secrets
    Manager), moved to the lab, from the session's one run of prod."""
    return moved_to_lab(outputs_of(prod_run), verify_lab)


@dataclass(frozen=True)
class VerifyRun:
    code: int
    stdout: str
    stderr: str

    def line(self, step_number: int) -> str:
        """The table's line for a step."""
        prefix = f"{step_number} "
        return next(line for line in self.stdout.splitlines() if line.startswith(prefix))


@dataclass
class Operator:
    """A user at their laptop in the client namespace: a folder to work in
    and a PATH with the fakes first."""

    lab: Lab
    workdir: Path
    aws: bool = True
    # What the fake `aws secretsmanager get-secret-value` prints.
    master_secret: str = ""

    @property
    def bin_dir(self) -> Path:
        return self.workdir / "bin"

    @property
    def aws_log(self) -> Path:
        return self.workdir / "aws-calls.jsonl"

    def env(self) -> dict[str, str]:
        install_fakes(self.bin_dir, aws=self.aws)
        return {
            # Only the system's tools and the fakes: no other aws CLI.
            "PATH": f"{self.bin_dir}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "PYTHONPATH": str(PROJECT_DIR),
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "FAKE_AWS_LOG": str(self.aws_log),
            "FAKE_AWS_SECRET": self.master_secret,
            "FAKE_PULUMI_SSH_KEY": str(self.lab.root / "client_key"),
            "FAKE_SSM_KEY": str(self.lab.root / "client_key"),
            "FAKE_SSM_BASTION": f"{self.lab.bastion_user}@{BASTION_PUBLIC_ADDRESS}",
        }

    def shell(self, command: str) -> subprocess.CompletedProcess[str]:
        """A printed command, as a user pastes it into a shell."""
        return subprocess.run(
            self.lab.in_namespace(self.lab.client, ["bash", "-c", command]),
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=VERIFY_TIMEOUT,
            check=False,
        )

    def verify(self, outputs: dict[str, Any], *arguments: str) -> VerifyRun:
        """`pulumi stack output --json --show-secrets | python -m verify ...`"""
        command = [sys.executable, "-m", "verify", "--direct-wait", DIRECT_WAIT, "--timeout", "20"]
        finished = subprocess.run(
            self.lab.in_namespace(self.lab.client, [*command, *arguments]),
            cwd=self.workdir,
            env=self.env(),
            input=json.dumps(outputs),
            capture_output=True,
            text=True,
            timeout=VERIFY_TIMEOUT,
            check=False,
        )
        print(finished.stdout, finished.stderr)
        return VerifyRun(finished.returncode, finished.stdout, finished.stderr)


@pytest.fixture
def operator(verify_lab: Lab, tmp_path: Path) -> Operator:
    tmp_path.chmod(0o755)
    return Operator(verify_lab, tmp_path)


@pytest.fixture
def database_reachable_directly(verify_lab: Lab) -> Iterator[None]:
    """The broken security group: the bastion forwards packets, so the client
    reaches the database without the tunnel."""
    verify_lab.set_bastion_forwarding(True)
    try:
        yield
    finally:
        verify_lab.set_bastion_forwarding(False)
