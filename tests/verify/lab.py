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

Everything is the run's own, so two runs on one machine never meet: the
namespaces, the veth pairs in them and the bastion's user are named for the
run (its pid and a random part); the addresses and ports, the same in every
run, belong to the run's namespaces, which the kernel keeps apart; the
processes are found from the run's own children (own_processes.py). What
the machine keeps is steady: sshd's privilege-separation folder, made when
missing and never removed, and the packages (scripts/test-servers.sh).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.verify.own_processes import become_subreaper, end_in_namespaces
from verify.processes import end_group, end_process

CLIENT_ADDRESS = "198.18.10.1"
BASTION_PUBLIC_ADDRESS = "198.18.10.2"
BASTION_PRIVATE_ADDRESS = "198.18.20.1"
DB_ADDRESS = "198.18.20.2"
PUBLIC_SUBNET = "198.18.10.0/24"
PRIVATE_SUBNET = "198.18.20.0/24"

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
    """Until ``ready()``: each ``ready`` first looks for a file the server
    makes when it listens (its log line, its socket), which costs a system
    call, so it can be asked often."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            raise LabError(f"{what} exited {process.returncode}: {log.read_text()[-2000:]}")
        time.sleep(0.01)
    raise LabError(f"{what} not ready within {START_TIMEOUT:g}s: {log.read_text()[-2000:]}")


@dataclass
class Lab:
    """The namespaces, the bastion's sshd and user, and whatever else was
    started in them; ``close`` removes all of it, whatever state it got to."""

    root: Path
    tag: str
    _servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
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

    @property
    def bastion_user(self) -> str:
        """The run's own user on the bastion, in ec2-user's place."""
        return self.tag

    def close(self) -> None:
        # The servers, then whatever else the run started in the namespaces
        # (a tunnel and its sshd session, a verify left behind when killed),
        # so nothing holds the bastion's user or the namespaces.
        for server in self._servers:
            stop(server)
        with contextlib.suppress(OSError):
            end_in_namespaces(
                {os.stat(f"/run/netns/{name}").st_ino for name in self._made_namespaces()}
            )
        self._cleanups.close()

    def _made_namespaces(self) -> list[str]:
        return [name for name in (self.client, self.bastion, self.db) if _namespace_exists(name)]

    def on_close(self, callback: Callable[[], object]) -> None:
        self._cleanups.callback(callback)

    def start(self, namespace: str, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        """A long-running server in ``namespace``, in a process group of its
        own, ended at the close."""
        with log.open("wb") as handle:
            process = subprocess.Popen(
                ["ip", "netns", "exec", namespace, *command],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._servers.append(process)
        return process

    def in_namespace(self, namespace: str, command: list[str]) -> list[str]:
        return ["ip", "netns", "exec", namespace, *command]

    def set_bastion_forwarding(self, on: bool) -> None:
        value = "1" if on else "0"
        run(self.in_namespace(self.bastion, ["sysctl", "-q", "-w", f"net.ipv4.ip_forward={value}"]))


def _namespace_exists(name: str) -> bool:
    return Path("/run/netns", name).exists()


def _end_stale_namespace(namespace: str, grace: float = 10.0) -> None:
    """What a killed run left running in ``namespace``: nothing of this run's
    could have started it, so ``ip netns pids`` is the only way to find it."""
    listed = subprocess.run(
        ["ip", "netns", "pids", namespace], capture_output=True, text=True, check=False
    )
    for pid in listed.stdout.split() if listed.returncode == 0 else []:
        end_process(int(pid), grace)


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """A server and everything in its process group (PostgreSQL's backends)."""
    if process.poll() is None:
        end_group(process.pid, grace)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace)


# Where the lab's folder goes when the machine has room in memory: the
# servers' data (initdb's files, mariadb-install-db's 100 MB redo log) is
# thrown away at the close, yet on a disk its writes and syncs wait on the
# disk, seconds when other work keeps it busy. A small /dev/shm (Docker's
# default is 64 MB) is passed over for the usual temporary folder.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 1024**3


def _lab_parent() -> Path | None:
    """/dev/shm when it is there, writable and roomy; None: the temporary folder."""
    try:
        roomy = shutil.disk_usage(MEMORY_FOLDER).free >= MEMORY_NEEDED
    except OSError:
        return None
    return MEMORY_FOLDER if roomy and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK) else None


@contextlib.contextmanager
def lab() -> Iterator[Lab]:
    _remove_stale_labs()
    tag = f"{_TAG_PREFIX}{os.getpid()}-{secrets.token_hex(2)}"
    # Named for the run, so a later run can tell a killed run's folder by its pid.
    root = Path(tempfile.mkdtemp(prefix=f"{_ROOT_PREFIX}{tag}-", dir=_lab_parent()))
    # The servers run as their own users and must reach their files in here.
    root.chmod(0o755)
    made = Lab(root, tag)
    made.on_close(lambda: shutil.rmtree(root, ignore_errors=True))
    # From here on, what this run's children leave behind stays this run's.
    become_subreaper()
    made.on_close(lambda: become_subreaper(False))
    try:
        _network(made)
        _bastion(made)
        yield made
    finally:
        made.close()


_TAG_PREFIX = "bdv"
# bdv<pid>-<4 hex digits>: the run's namespaces add -client, -bastion, -db.
_STALE_NAMESPACE = re.compile(rf"^({_TAG_PREFIX}(\d+)-[0-9a-f]{{4}})-(client|bastion|db)\b")
# The run's folder: verify-lab-bdv<pid>-<4 hex digits>-<mkdtemp's part>.
_ROOT_PREFIX = "verify-lab-"
_STALE_ROOT = re.compile(rf"^{_ROOT_PREFIX}{_TAG_PREFIX}(\d+)-[0-9a-f]{{4}}-")


def _remove_stale_labs() -> None:
    """Namespaces and users a killed run left (its pid, in their names, is
    gone): a rerun on the same machine starts clean, and a live run's are
    never touched."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    for line in listed.stdout.splitlines():
        found = _STALE_NAMESPACE.match(line)
        if found and not Path(f"/proc/{found.group(2)}").exists():
            namespace = line.split()[0]
            _end_stale_namespace(namespace)
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)
            subprocess.run(["userdel", found.group(1)], capture_output=True, check=False)
    # A folder in memory outlives a killed run until the machine restarts.
    for parent in {Path(tempfile.gettempdir()), MEMORY_FOLDER}:
        for folder in parent.glob(f"{_ROOT_PREFIX}{_TAG_PREFIX}*"):
            found = _STALE_ROOT.match(folder.name)
            if found and not Path(f"/proc/{found.group(1)}").exists():
                shutil.rmtree(folder, ignore_errors=True)


def _network(lab: Lab) -> None:
    for namespace in (lab.client, lab.bastion, lab.db):
        try:
            run(["ip", "netns", "add", namespace])
        except LabError as error:
            raise NamespacesUnavailable(str(error)) from None
        lab.on_close(functools.partial(run, ["ip", "netns", "del", namespace]))
        run(lab.in_namespace(namespace, ["ip", "link", "set", "lo", "up"]))
    links = (
        (lab.client, CLIENT_ADDRESS, lab.bastion, BASTION_PUBLIC_ADDRESS, "public"),
        (lab.bastion, BASTION_PRIVATE_ADDRESS, lab.db, DB_ADDRESS, "private"),
    )
    for left, left_address, right, right_address, name in links:
        # Made in the run's namespaces, never in the machine's own, so the
        # same names in another run's namespaces do not clash.
        left_link, right_link = f"{name}0", f"{name}1"
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
                f"AllowUsers {lab.bastion_user}",
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
    """The run's own user on the bastion, standing for ec2-user (Amazon
    Linux's), removed at the close. Its password field is `*`, not useradd's
    `!`, which sshd without PAM reads as a locked account and refuses even a key."""
    # sshd's privilege-separation folder: the machine's, shared by every run,
    # so made when missing and left in place (/run empties at each boot).
    Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
    _with_account_lock_retries(
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
            lab.bastion_user,
        ]
    )
    lab.on_close(lambda: _with_account_lock_retries(["userdel", lab.bastion_user]))


def _with_account_lock_retries(command: list[str], attempts: int = 10) -> None:
    """useradd and userdel refuse while another holds /etc/passwd's lock
    (another run adding its own user, say): try again a few times."""
    for attempt in range(attempts):
        try:
            run(command)
            return
        except LabError as error:
            if "lock" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.5)
