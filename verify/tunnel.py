"""Step 2: open the tunnel (ssh) or port forward (ssm) the stack prints, and
close it again whatever happens.

The command is built from the `connection` output's facts by the code that
builds the printed one (bastion_db/connection.py), so it is the printed
command, with only these changes, each needed to run it unattended and clean
up after it:
- ssh: `-o ExitOnForwardFailure=yes` (exit, not carry on, when the local port
  cannot be bound), `-o BatchMode=yes` (never prompt), `-o ConnectTimeout`,
  `-o StrictHostKeyChecking=accept-new` with a known_hosts file of our own (the
  bastion's host key is trusted on first use, as a first connection by hand
  would, and the user's own known_hosts is not touched), `-o LogLevel=ERROR`,
  and a control socket (`-o ControlMaster=yes -o ControlPath=...`) through
  which `ssh -O exit` closes the backgrounded (`-f`) tunnel; `-i KEY` names a
  copy of the sshPrivateKey output when KEY is not in the current folder;
  `--local-port` is the local port of `-L`.
- ssm: `--local-port` is localPortNumber in `--parameters`; the command runs
  in its own process group, which is ended at the close. The AWS CLI hands
  the session to the `session-manager-plugin` program,
  https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Protocol

from bastion_db.connection import Connection, ssh_tunnel, ssm_port_forward
from verify.local_port import answering
from verify.processes import end_group, end_process, reap
from verify.report import STEP_TUNNEL, StepResult
from verify.stack_outputs import BadInput, StackOutputs


class Tunnel(Protocol):
    local_port: int

    def open(self, timeout: float) -> StepResult: ...

    def close(self) -> None: ...


def tunnel_for(outputs: StackOutputs, workdir: Path, local_port: int | None) -> Tunnel:
    if outputs.mode == "ssh":
        return SshTunnel(outputs, workdir, local_port)
    return SsmPortForward(outputs, workdir, local_port)


def _port_in_use(port: int) -> StepResult | None:
    taken = answering(port)
    if not taken:
        return None
    return StepResult(
        STEP_TUNNEL,
        "FAIL",
        f"local port {port} already answers on {', '.join(taken)} before the tunnel "
        "opened (a local database server?); the client would talk to it instead: "
        "stop it, or pass --local-port",
    )


def _last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "no message"


def _wait_for_port(port: int, deadline: float, alive: subprocess.Popen[bytes] | None) -> bool:
    while time.monotonic() < deadline:
        if answering(port):
            return True
        if alive is not None and alive.poll() is not None:
            return False
        # A refused loopback connection costs microseconds: poll often.
        time.sleep(0.05)
    return False


class SshTunnel:
    def __init__(self, outputs: StackOutputs, workdir: Path, local_port: int | None) -> None:
        self._workdir = workdir
        self._control = workdir / "control"
        self._log = workdir / "ssh.log"
        connection = _with_key_here(outputs, workdir)
        self.local_port = connection.port if local_port is None else local_port
        words = ssh_tunnel(connection, self.local_port)
        self.destination = f"{connection.bastion_user}@{connection.bastion_host}"
        options = {
            "ExitOnForwardFailure": "yes",
            "BatchMode": "yes",
            "StrictHostKeyChecking": "accept-new",
            "UserKnownHostsFile": str(workdir / "known_hosts"),
            "LogLevel": "ERROR",
            "ControlMaster": "yes",
            "ControlPath": str(self._control),
        }
        added = [part for key, value in options.items() for part in ("-o", f"{key}={value}")]
        self.command = [words[0], *added, *words[1:]]
        self._pid: int | None = None

    def open(self, timeout: float) -> StepResult:
        busy = _port_in_use(self.local_port)
        if busy is not None:
            return busy
        if shutil.which(self.command[0]) is None:
            return StepResult(STEP_TUNNEL, "FAIL", "ssh is not on PATH (install openssh-client)")
        command = [*self.command[:1], "-o", f"ConnectTimeout={max(1, int(timeout))}"]
        command += self.command[1:]
        with self._log.open("wb") as log:
            try:
                finished = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return StepResult(
                    STEP_TUNNEL, "FAIL", f"ssh did not finish setting up within {timeout:g}s"
                )
        self._pid = self._master_pid()
        if finished.returncode != 0:
            return StepResult(
                STEP_TUNNEL,
                "FAIL",
                f"ssh to {self.destination} exited {finished.returncode}: {_last_line(self._log)}",
            )
        if not _wait_for_port(self.local_port, time.monotonic() + timeout, None):
            return StepResult(
                STEP_TUNNEL,
                "FAIL",
                f"ssh started, but local port {self.local_port} does not answer",
            )
        return StepResult(
            STEP_TUNNEL,
            "PASS",
            f"sshTunnelCommand via {self.destination}: local port {self.local_port} answers",
        )

    def _master_pid(self) -> int | None:
        if not self._control.exists():
            return None
        check = self._control_command("check")
        found = re.search(r"pid=(\d+)", check.stderr + check.stdout)
        return int(found.group(1)) if found else None

    def _control_command(self, operation: str) -> subprocess.CompletedProcess[str]:
        command = [self.command[0], "-S", str(self._control), "-O", operation, self.destination]
        try:
            return subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(command, 255, "", "timed out")

    def close(self) -> None:
        if self._control.exists():
            self._control_command("exit")
        if self._pid is not None:
            end_process(self._pid)
            # Adopted by verify (adopt_orphans) once ssh backgrounded it.
            reap(self._pid)
            self._pid = None


def _with_key_here(outputs: StackOutputs, workdir: Path) -> Connection:
    """The facts, with the key file as printed when it exists here (written by
    writeSshKeyCommand), else a private copy of the sshPrivateKey output."""
    connection = outputs.connection
    if connection.key_file is None or Path(connection.key_file).expanduser().exists():
        return connection
    if outputs.ssh_private_key is None:
        raise BadInput(
            f"sshTunnelCommand names the key {connection.key_file}, which is not here, and "
            "the outputs have no sshPrivateKey: run writeSshKeyCommand first, here"
        )
    key = workdir / "bastion-key"
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(outputs.ssh_private_key.rstrip("\n") + "\n")
    return dataclasses.replace(connection, key_file=str(key))


class SsmPortForward:
    def __init__(self, outputs: StackOutputs, workdir: Path, local_port: int | None) -> None:
        self._log = workdir / "ssm.log"
        connection = outputs.connection
        self.local_port = connection.port if local_port is None else local_port
        self.command = ssm_port_forward(connection, self.local_port)
        self._process: subprocess.Popen[bytes] | None = None

    def open(self, timeout: float) -> StepResult:
        busy = _port_in_use(self.local_port)
        if busy is not None:
            return busy
        # aws hands the session to the plugin; without it, it prints a hint and exits.
        for program, needed in (
            ("aws", "the AWS CLI"),
            ("session-manager-plugin", "the Session Manager plugin for the AWS CLI"),
        ):
            if shutil.which(program) is None:
                return StepResult(
                    STEP_TUNNEL,
                    "FAIL",
                    f"{program} is not on PATH: ssm port forwarding needs {needed}",
                )
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if _wait_for_port(self.local_port, time.monotonic() + timeout, self._process):
            return StepResult(
                STEP_TUNNEL,
                "PASS",
                f"ssmPortForwardCommand: local port {self.local_port} answers",
            )
        code = self._process.poll()
        if code is not None:
            return StepResult(
                STEP_TUNNEL, "FAIL", f"aws ssm start-session exited {code}: {_last_line(self._log)}"
            )
        return StepResult(
            STEP_TUNNEL,
            "FAIL",
            f"local port {self.local_port} did not answer within {timeout:g}s",
        )

    def close(self) -> None:
        if self._process is None:
            return
        # The whole group: aws may have exited and left its plugin running.
        end_group(self._process.pid)
        # Reaped, so no zombie of ours is left either.
        self._process.wait(5)
        self._process = None
