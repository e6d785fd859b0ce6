"""The databases, started in the lab's db namespace with TLS required: a
self-signed certificate made for the run, and no other way in (PostgreSQL:
`hostnossl ... reject`, as RDS's rds.force_ssl=1 does; MariaDB:
require_secure_transport=ON). Each can stop enforcing TLS for a test and
start again."""

from __future__ import annotations

import glob
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.verify.lab import DB_ADDRESS, Lab, LabError, run, wait_until


@dataclass(frozen=True)
class Account:
    user: str
    password: str


def certificate(lab: Lab, owner: str, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for the database's address, its key readable
    by ``owner`` alone (PostgreSQL refuses a key others can read). ECDSA P-384,
    as RDS's rds-ca-ecc384-g1 certificates are
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html):
    its key is made in milliseconds, an RSA key in up to a second."""
    folder = lab.root / name
    folder.mkdir(mode=0o755)
    cert, key = folder / "server.crt", folder / "server.key"
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:secp384r1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=db.verify.test",
            "-addext",
            f"subjectAltName=IP:{DB_ADDRESS}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ]
    )
    key.chmod(0o600)
    shutil.chown(key, owner, owner)
    shutil.chown(cert, owner, owner)
    return cert, key


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version)
    if not found:
        raise LabError("no PostgreSQL server (run scripts/test-servers.sh)")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name)


_HBA_TLS_ONLY = "hostssl all all 0.0.0.0/0 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n"
_HBA_ANY = "host all all 0.0.0.0/0 scram-sha-256\n"


class Postgres:
    port = 5432

    def __init__(self, lab: Lab, database: str, accounts: list[Account]) -> None:
        self._lab = lab
        bin_dir = _postgres_bin()
        self._bin = bin_dir
        self._data = lab.root / "postgres-data"
        self._data.mkdir(mode=0o700)
        shutil.chown(self._data, "postgres", "postgres")
        self._socket = lab.root / "postgres-socket"
        self._socket.mkdir(mode=0o755)
        shutil.chown(self._socket, "postgres", "postgres")
        as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        self._as_postgres = as_postgres
        run(
            [
                *as_postgres,
                str(bin_dir / "initdb"),
                "-D",
                str(self._data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=reject",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            timeout=60,
        )
        cert, key = certificate(lab, "postgres", "postgres-tls")
        with (self._data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{DB_ADDRESS}'\nport = {self.port}\n"
                f"unix_socket_directories = '{self._socket}'\n"
                f"ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\n"
                "password_encryption = 'scram-sha-256'\nfsync = off\n"
            )
        self.enforce_tls(True, reload=False)
        log = lab.root / "postgres.log"
        server = lab.start(
            lab.db, [*as_postgres, str(bin_dir / "postgres"), "-D", str(self._data)], log
        )
        wait_until(self._ready, "postgres", server, log)
        for account in accounts:
            self.sql(f"CREATE ROLE \"{account.user}\" LOGIN PASSWORD :'password'", account.password)
        if database != "postgres":
            self.sql(f'CREATE DATABASE "{database}"')

    def _ready(self) -> bool:
        # The server makes its socket when it starts listening; only then is
        # pg_isready (a process) worth starting.
        if not (self._socket / f".s.PGSQL.{self.port}").exists():
            return False
        probe = subprocess.run(
            [str(self._bin / "pg_isready"), "-q", "-h", str(self._socket), "-p", str(self.port)],
            check=False,
            timeout=10,
        )
        return probe.returncode == 0

    def sql(self, statement: str, password: str = "") -> str:
        """Over the Unix socket, which no network namespace hides."""
        return run(
            [
                *self._as_postgres,
                str(self._bin / "psql"),
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"password={password}",
                "-h",
                str(self._socket),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ],
            input=statement + ";\n",
        )

    def enforce_tls(self, on: bool, reload: bool = True) -> None:
        hba = "local all all trust\n" + (_HBA_TLS_ONLY if on else _HBA_ANY)
        (self._data / "pg_hba.conf").write_text(hba)
        if reload:
            self.sql("SELECT pg_reload_conf()")


class MariaDb:
    port = 3306

    def __init__(self, lab: Lab, database: str, accounts: list[Account]) -> None:
        for program in ("mariadb-install-db", "mariadbd", "mariadb"):
            if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
                raise LabError(f"no {program} (run scripts/test-servers.sh)")
        data = lab.root / "mariadb-data"
        data.mkdir(mode=0o750)
        shutil.chown(data, "mysql", "mysql")
        self._socket = lab.root / "mariadb-socket" / "mysqld.sock"
        self._socket.parent.mkdir(mode=0o755)
        shutil.chown(self._socket.parent, "mysql", "mysql")
        run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={data}",
                "--user=mysql",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            timeout=90,
        )
        cert, key = certificate(lab, "mysql", "mariadb-tls")
        log = lab.root / "mariadb.log"
        server = lab.start(
            lab.db,
            [
                "/usr/sbin/mariadbd",
                "--no-defaults",
                f"--datadir={data}",
                "--user=mysql",
                f"--bind-address={DB_ADDRESS}",
                f"--port={self.port}",
                f"--socket={self._socket}",
                f"--pid-file={self._socket.parent / 'mariadbd.pid'}",
                f"--ssl-cert={cert}",
                f"--ssl-key={key}",
                "--require-secure-transport=ON",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
            ],
            log,
        )
        wait_until(self._ready, "mariadbd", server, log)
        self.sql(f"CREATE DATABASE `{database}`")
        for account in accounts:
            self.sql(
                f"CREATE USER '{account.user}'@'%' IDENTIFIED BY {_literal(account.password)}; "
                f"GRANT ALL ON `{database}`.* TO '{account.user}'@'%'"
            )

    def _ready(self) -> bool:
        if not self._socket.exists():
            return False
        probe = subprocess.run(
            ["mariadb-admin", "--no-defaults", f"--socket={self._socket}", "-u", "root", "ping"],
            capture_output=True,
            check=False,
            timeout=10,
        )
        return probe.returncode == 0

    def sql(self, statement: str) -> str:
        """As root over the Unix socket (unix_socket authentication)."""
        return run(
            ["mariadb", "--no-defaults", f"--socket={self._socket}", "-u", "root", "-e", statement]
        )

    def enforce_tls(self, on: bool) -> None:
        self.sql(f"SET GLOBAL require_secure_transport = {'ON' if on else 'OFF'}")


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
