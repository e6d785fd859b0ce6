"""Runs dbClientCommand through the tunnel, with and without TLS.

The command is built from the `connection` output's facts by the code that
builds the printed one (bastion_db/connection.py), and differs only so it
runs unattended and reports what it got: the password comes from the
environment (psql) or an option file (mysql) instead of a prompt; one query
asks the server whether this session is encrypted; the port is the tunnel's
local port; the user is the IAM user for the IAM sign-in; and the TLS flags
are the ones the installed client takes.

MySQL's own client (`mysql --ssl-mode=REQUIRED`, the printed form) and
MariaDB's (`--ssl`, `--skip-ssl`, `--ssl-verify-server-cert`) spell TLS
differently, and neither takes the other's flags: MySQL 8.0 removed --ssl
and --ssl-verify-server-cert (https://dev.mysql.com/worklog/task/?id=9091),
MariaDB's client has no --ssl-mode ("unknown variable", 10.11). Which one
`mysql` is comes from `mysql --version`. MariaDB's --ssl makes TLS required,
the client refusing a server without it (MDEV-7937,
https://github.com/MariaDB/server/commit/4ef7497).

An IAM token is sent as is (mysql_clear_password), which MySQL's client
allows only with --enable-cleartext-plugin; MariaDB's accepts the option and
needs no such step, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.AWSCLI.html
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bastion_db.connection import client, mysql_target, psql_conninfo
from verify.stack_outputs import StackOutputs

Flavour = Literal["psql", "mysql", "mariadb"]

# Whether this very session is encrypted, asked of the server: proof that does
# not rest on the client's flags.
POSTGRES_TLS_QUERY = (
    "SELECT ssl, coalesce(version, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
)
MYSQL_TLS_QUERY = "SHOW SESSION STATUS LIKE 'Ssl_version'"


@dataclass(frozen=True)
class SignIn:
    connected: bool
    # The TLS version the server reports for the session; "" when unencrypted.
    tls_version: str
    # The client's last error line when it did not connect.
    error: str


@dataclass(frozen=True)
class Client:
    flavour: Flavour
    outputs: StackOutputs
    local_port: int
    workdir: Path
    timeout: float

    def sign_in(self, user: str, password: str, tls: bool, cleartext: bool = False) -> SignIn:
        """One sign-in through the tunnel; ``cleartext`` lets the mysql client
        send the password as is, as an IAM token must be (the server's
        AWSAuthenticationPlugin asks for mysql_clear_password)."""
        if self.flavour == "psql":
            command, env = self._psql(user, password, tls)
        else:
            command, env = self._mysql(user, password, tls, cleartext)
        try:
            finished = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=env,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return SignIn(False, "", f"{command[0]} gave no answer within {self.timeout:g}s")
        finally:
            option_file = self.workdir / "client.cnf"
            option_file.unlink(missing_ok=True)
        if finished.returncode != 0:
            lines = [line.strip() for line in finished.stderr.splitlines() if line.strip()]
            return SignIn(False, "", lines[-1] if lines else f"exit {finished.returncode}")
        return SignIn(True, self._tls_version(finished.stdout), "")

    def _tls_version(self, stdout: str) -> str:
        line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
        if self.flavour == "psql":
            ssl, _, version = line.partition("|")
            return version.strip() or "TLS" if ssl.strip() == "t" else ""
        _, _, version = line.partition("\t")
        return version.strip()

    def _psql(self, user: str, password: str, tls: bool) -> tuple[list[str], dict[str, str]]:
        connection = self.outputs.connection
        sslmode = "require" if tls else "disable"
        conninfo = psql_conninfo(connection, user, self.local_port, sslmode)
        # -X: no ~/.psqlrc; -w: never prompt; -At: the bare value.
        program = client(connection)[0]
        command = [program, "-X", "-w", "-A", "-t", "-c", POSTGRES_TLS_QUERY, conninfo]
        env = dict(os.environ)
        env["PGPASSWORD"] = password
        env["PGCONNECT_TIMEOUT"] = str(max(2, int(self.timeout)))
        return command, env

    def _mysql(
        self, user: str, password: str, tls: bool, cleartext: bool
    ) -> tuple[list[str], dict[str, str]]:
        connection = self.outputs.connection
        # A password on the command line shows in `ps`: an option file only we
        # can read instead. It must be the first option.
        option_file = self.workdir / "client.cnf"
        descriptor = os.open(option_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"[client]\npassword={_option_value(password)}\n")
        command = [client(connection)[0], f"--defaults-extra-file={option_file}"]
        # The printed command's --ssl-mode=REQUIRED, or none at all.
        command += mysql_tls_flags(self.flavour, "REQUIRED" if tls else "DISABLED")
        if cleartext:
            command.append("--enable-cleartext-plugin")
        command += [
            "--batch",
            "--skip-column-names",
            f"--connect-timeout={max(2, int(self.timeout))}",
            "-e",
            MYSQL_TLS_QUERY,
            *mysql_target(connection, user, self.local_port),
            connection.database_name,
        ]
        return command, dict(os.environ)


def mysql_tls_flags(flavour: Flavour, mode: str) -> list[str]:
    """MySQL's --ssl-mode values in the installed client's own spelling."""
    if flavour == "mysql":
        return [f"--ssl-mode={mode}"]
    if mode == "DISABLED":
        return ["--skip-ssl"]
    if mode in ("VERIFY_CA", "VERIFY_IDENTITY"):
        return ["--ssl", "--ssl-verify-server-cert"]
    # REQUIRED (and PREFERRED, which verify treats as required): encrypt,
    # without checking the certificate, as --ssl-mode=REQUIRED does. (MariaDB
    # 11.4 and later clients verify by default; the printed command does not
    # ask for it, so neither does this.)
    return ["--ssl", "--skip-ssl-verify-server-cert"]


def detect_flavour(outputs: StackOutputs) -> tuple[Flavour | None, str]:
    """Which client the printed command's program is here, or why none."""
    program = client(outputs.connection)[0]
    if outputs.engine == "postgres":
        found = shutil.which(program)
        return ("psql", found) if found else (None, f"{program} is not on PATH (install it)")
    found = shutil.which(program)
    if found is None:
        return None, f"{program} is not on PATH (install mysql-client or mariadb-client)"
    try:
        version = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"`{program} --version` failed: {error}"
    return ("mariadb" if "mariadb" in version.lower() else "mysql"), version.strip()


def _option_value(value: str) -> str:
    """A value for a MySQL option file: quoted, with its escapes."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
