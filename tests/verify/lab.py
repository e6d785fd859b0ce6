"""A VPC in miniature, on this machine: three network namespaces the test
makes and removes, joined by veth pairs.

    client  --(public subnet)--  bastion  --(private subnet)--  db
    verify runs here             sshd                            PostgreSQL, MariaDB

The client namespace has routes to both subnets, as a laptop has a route to
any address, but the bastion does not forward packets (ip_forward=0): the
database is reachable only by what runs on the bastion, as a security group
that admits only the bastion makes it. Turning forwarding on is the broken
security group. No namespace has a default route or any link to the
machine's own network, so nothing the tests send can leave these three.

The addresses are from 198.18.0.0/15, which RFC 2544 sets aside for
benchmark networks in a lab (RFC 6890: not globally reachable).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CLIENT_ADDRESS = "198.18.10.1"
BASTION_PUBLIC_ADDRESS = "198.18.10.2"
BASTION_PRIVATE_ADDRESS = "198.18.20.1"
DB_ADDRESS = "198.18.20.2"
PUBLIC_SUBNET = "198.18.10.0/24"
PRIVATE_SUBNET = "198.18.20.0/24"

# The user the printed sshTunnelCommand signs in as (components/outputs.py).
BASTION_USER = "ec2-user"

START_TIMEOUT = 30.0


class LabError(Exception):
    """A part of the lab did not start; the message says which and why."""


class NamespacesUnavailable(LabError):
    """This machine lets no one make network namespaces (a container
    without CAP_SYS_ADMIN, say): the tests skip, saying so."""


def run(command: list[str], timeout: float = START_TIMEOUT, **kwargs: object) -> str:
    """A set-up command that must work; its output, or a LabError saying why."""
    try:
        finished = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(command)}: no answer within {timeout:g}s") from None
    if finished.returncode != 0:
        raise LabError(f"{' '.join(command)} exited {finished.returncode}: {finished.stderr}")
    return str(finished.stdout)


def wait_until(
    ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            raise LabError(f"{what} exited {process.returncode}: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise LabError(f"{what} not ready within {START_TIMEOUT:g}s: {log.read_text()[-2000:]}")


@dataclass
class Lab:
    """The namespaces, the bastion's sshd, and whatever else was started in
    them; ``close`` removes all of it, whatever state it got to."""

    root: Path
    tag: str
    _cleanups: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def client(self) -> str:
        return f"{self.tag}-client"

    @property
    def bastion(self) -> str:
        return f"{self.tag}-bastion"

    @property
    def db(self) -> str:
        return f"{self.tag}-db"

    def close(self) -> None:
        # First whatever still runs in the namespaces, started by us or not
        # (a tunnel's sshd session, a client verify left behind when killed),
        # so nothing holds the bastion user or the namespaces.
        for namespace in (self.client, self.bastion, self.db):
            _end_namespace_processes(namespace)
        self._cleanups.close()

    def on_close(self, callback: Callable[[], object]) -> None:
        self._cleanups.callback(callback)

    def start(self, namespace: str, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        """A long-running server in ``namespace``, ended at the close."""
        with log.open("wb") as handle:
            process = subprocess.Popen(
                ["ip", "netns", "exec", namespace, *command],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.on_close(lambda: stop(process))
        return process

    def in_namespace(self, namespace: str, command: list[str]) -> list[str]:
        return ["ip", "netns", "exec", namespace, *command]

    def set_bastion_forwarding(self, on: bool) -> None:
        value = "1" if on else "0"
        run(self.in_namespace(self.bastion, ["sysctl", "-q", "-w", f"net.ipv4.ip_forward={value}"]))


def _end_namespace_processes(namespace: str, grace: float = 10.0) -> None:
    def pids() -> list[int]:
        listed = subprocess.run(
            ["ip", "netns", "pids", namespace], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in listed.stdout.split()] if listed.returncode == 0 else []

    for number in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)
        deadline = time.monotonic() + grace
        while pids() and time.monotonic() < deadline:
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)


@contextlib.contextmanager
def lab() -> Iterator[Lab]:
    root = Path(tempfile.mkdtemp(prefix="verify-lab-"))
    # The servers run as their own users and must reach their files in here.
    root.chmod(0o755)
    _remove_stale_labs()
    made = Lab(root, f"{_TAG_PREFIX}{os.getpid()}")
    made.on_close(lambda: shutil.rmtree(root, ignore_errors=True))
    try:
        _network(made)
        _bastion(made)
        yield made
    finally:
        made.close()


_TAG_PREFIX = "bdv"
_STALE = re.compile(rf"^{_TAG_PREFIX}(\d+)-(client|bastion|db)\b")


def _remove_stale_labs() -> None:
    """Namespaces a killed run left (its pid, in the name, is gone): a rerun
    on the same machine starts clean."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    for line in listed.stdout.splitlines():
        found = _STALE.match(line)
        if found and not Path(f"/proc/{found.group(1)}").exists():
            namespace = line.split()[0]
            _end_namespace_processes(namespace)
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)


def _network(lab: Lab) -> None:
    for namespace in (lab.client, lab.bastion, lab.db):
        try:
            run(["ip", "netns", "add", namespace])
        except LabError as error:
            raise NamespacesUnavailable(str(error)) from None
        lab.on_close(functools.partial(run, ["ip", "netns", "del", namespace]))
        run(lab.in_namespace(namespace, ["ip", "link", "set", "lo", "up"]))
    links = (
        (lab.client, CLIENT_ADDRESS, lab.bastion, BASTION_PUBLIC_ADDRESS, "p"),
        (lab.bastion, BASTION_PRIVATE_ADDRESS, lab.db, DB_ADDRESS, "q"),
    )
    for left, left_address, right, right_address, name in links:
        left_link, right_link = f"{lab.tag}{name}0", f"{lab.tag}{name}1"
        run(
            [
                "ip",
                "link",
                "add",
                left_link,
                "netns",
                left,
                "type",
                "veth",
                "peer",
                "name",
                right_link,
                "netns",
                right,
            ]
        )
        for namespace, link, address in (
            (left, left_link, left_address),
            (right, right_link, right_address),
        ):
            run(lab.in_namespace(namespace, ["ip", "addr", "add", f"{address}/24", "dev", link]))
            run(lab.in_namespace(namespace, ["ip", "link", "set", link, "up"]))
    run(
        lab.in_namespace(
            lab.client, ["ip", "route", "add", PRIVATE_SUBNET, "via", BASTION_PUBLIC_ADDRESS]
        )
    )
    run(
        lab.in_namespace(
            lab.db, ["ip", "route", "add", PUBLIC_SUBNET, "via", BASTION_PRIVATE_ADDRESS]
        )
    )
    lab.set_bastion_forwarding(False)


def _bastion(lab: Lab) -> None:
    _bastion_user(lab)
    config_dir = lab.root / "sshd"
    config_dir.mkdir(mode=0o755)
    host_key = config_dir / "host_ed25519"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)])
    client_key = lab.root / "client_key"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "verify-test", "-f", str(client_key)])
    authorized = config_dir / "authorized_keys"
    shutil.copy(client_key.with_suffix(".pub"), authorized)
    authorized.chmod(0o644)
    config = config_dir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"ListenAddress {BASTION_PUBLIC_ADDRESS}",
                "Port 22",
                f"HostKey {host_key}",
                f"PidFile {config_dir / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                # The lab's files are root's, under /tmp; a real bastion's are not.
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                f"AllowUsers {BASTION_USER}",
                # What a tunnel needs and nothing more.
                "AllowTcpForwarding local",
                "PermitTTY no",
                "X11Forwarding no",
                "",
            ]
        )
    )
    log = lab.root / "sshd.log"
    sshd = lab.start(lab.bastion, ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], log)
    wait_until(
        lambda: f"Server listening on {BASTION_PUBLIC_ADDRESS}" in log.read_text(),
        "sshd",
        sshd,
        log,
    )


def _bastion_user(lab: Lab) -> None:
    """ec2-user, as on Amazon Linux, made when this machine has none (as
    scripts/test-servers.sh makes it). Its password field is `*`, not
    useradd's `!`, which sshd without PAM reads as a locked account and
    refuses even a key. Like the packages, it stays: the machine is left as
    scripts/test-servers.sh would leave it (docs/testing.md)."""
    privilege_separation = Path("/run/sshd")
    if not privilege_separation.exists():
        privilege_separation.mkdir(mode=0o755, parents=True)
    try:
        pwd.getpwnam(BASTION_USER)
    except KeyError:
        run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--password",
                "*",
                BASTION_USER,
            ]
        )
