"""A program outside this repository installs the package from a path and
creates BastionDatabase from a VPC id, under the SDK's mocks and the fake AWS
world.

The install is what a user's `pip install <path>` does: the wheel is built
from pyproject.toml's [build-system], into a fresh virtualenv in a temporary
folder, with uv and its cache (pulumi_aws and the rest are linked from the
cache; offline first, from the index only when the cache lacks something). It
is done once per session.

uv writes no bytecode, and where PYTHONDONTWRITEBYTECODE is set (this suite,
many CI images) the consumer would compile every pulumi_aws module it imports,
more work than the program. The repository's .venv has that bytecode
(scripts/setup.sh) for the same files of the same distributions, so it is
copied beside the consumer's copies; Python checks each against its source's
size and time and compiles afresh what does not match. The install itself, the
package and every dependency, is the consumer's own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import bastion_db
from tests.conftest import PROJECT_DIR
from tests.uv_install import uv_cache_first

# Runs in the temporary folder with the virtualenv's Python. The repository is
# put on the path after site-packages, for offline/ (the fake AWS world) only:
# bastion_db resolves to the installed copy, and the program says which it got.
CONSUMER = """
import json
import sys

sys.path.append({repo!r})

import pulumi
from offline.fake_aws import FakeAws, lab_world
from offline.fake_world import LAB_VPC_ID
from offline.recorder import RecordingMonitor

import bastion_db
from bastion_db import BastionDatabase, BastionDatabaseArgs

monitor = RecordingMonitor(FakeAws(lab_world()))
pulumi.runtime.set_all_config({{"aws:region": "eu-west-1"}})
pulumi.runtime.set_mocks(monitor.mocks, project="analytics", stack="staging", monitor=monitor)
seen = {{}}


@pulumi.runtime.test
def program():
    product = BastionDatabase(
        "analytics",
        BastionDatabaseArgs(
            vpc_id=LAB_VPC_ID,
            access_mode="ssh",
            ssh_allowed_cidrs=["198.51.100.0/24"],
            alarm_emails=["dba@example.com"],
        ),
    )
    return pulumi.Output.all(product.db_host, product.db_port, product.ssh_tunnel_command).apply(
        lambda values: seen.update(host=values[0], port=values[1], tunnel=values[2])
    )


program()
print(json.dumps({{
    "package_file": bastion_db.__file__,
    "version": bastion_db.__version__,
    "outputs": seen,
    "resources": [
        {{"type": r.type, "name": r.name, "parent": r.parent, "inputs": r.inputs}}
        for r in monitor.recorded()
    ],
}}, default=str))
"""


def uv(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(PROJECT_DIR / "scripts" / "uv.sh"), *args],
        cwd=cwd,
        check=check,
        capture_output=True,
        text=True,
        env={**os.environ, "VIRTUAL_ENV": str(cwd / ".venv")},
    )


def site_packages(venv: Path) -> Path:
    (site,) = venv.glob("lib/python3*/site-packages")
    return site


def copy_bytecode(source_site: Path, target_site: Path) -> int:
    """Copies the bytecode ``source_site`` holds for each distribution
    installed at the same version in ``target_site``; returns how many files."""
    copied = 0
    for info in target_site.glob("*.dist-info"):
        if not (source_site / info.name).is_dir():
            continue
        for line in (info / "RECORD").read_text().splitlines():
            path = line.split(",", 1)[0]
            if not path.endswith(".py") or path.startswith(".."):
                continue
            compiled = Path(importlib.util.cache_from_source(str(source_site / path)))
            if compiled.is_file():
                target = Path(importlib.util.cache_from_source(str(target_site / path)))
                target.parent.mkdir(exist_ok=True)
                shutil.copyfile(compiled, target)
                copied += 1
    return copied


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("consumer")
    uv("venv", "--quiet", "--python", sys.executable, str(folder / ".venv"), cwd=folder)
    env = {**os.environ, "VIRTUAL_ENV": str(folder / ".venv")}
    installed = uv_cache_first("pip", "install", "--quiet", str(PROJECT_DIR), cwd=folder, env=env)
    assert installed.returncode == 0, installed.stderr
    copy_bytecode(site_packages(Path(sys.prefix)), site_packages(folder / ".venv"))
    (folder / "__main__.py").write_text(CONSUMER.format(repo=str(PROJECT_DIR)))
    run = subprocess.run(
        [str(folder / ".venv" / "bin" / "python"), "__main__.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    yield {"folder": folder, **json.loads(run.stdout.splitlines()[-1])}


def test_the_program_uses_the_installed_package_not_the_checkout(consumer: dict) -> None:
    assert consumer["package_file"].startswith(str(consumer["folder"] / ".venv"))
    assert consumer["version"] == bastion_db.__version__


def test_the_version_is_one_number_everywhere() -> None:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    provider = tomllib.loads((PROJECT_DIR / "provider" / "pyproject.toml").read_text())["project"]
    assert project["version"] == provider["version"] == bastion_db.__version__


def test_a_vpc_id_and_the_ssh_networks_give_a_bastion_and_a_private_database(
    consumer: dict,
) -> None:
    resources = consumer["resources"]
    by_type = {r["type"]: r for r in resources}
    assert "bastion-db:index:BastionDatabase" in by_type
    database = by_type["aws:rds/instance:Instance"]
    # The hardened defaults, named from the component, in the consumer's region.
    assert database["inputs"]["identifier"] == "analytics-prod"
    assert database["inputs"]["publiclyAccessible"] is False
    assert database["inputs"]["storageEncrypted"] is True
    bastion = by_type["aws:ec2/instance:Instance"]
    assert bastion["inputs"]["metadataOptions"]["httpTokens"] == "required"
    ssh_rules = [
        r
        for r in resources
        if r["type"] == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
        and r["inputs"].get("fromPort") == 22
    ]
    assert [r["inputs"]["cidrIpv4"] for r in ssh_rules] == ["198.51.100.0/24"]
    # Every piece sits under the component, named after it.
    top = [r for r in resources if r["parent"] and r["parent"].endswith("::analytics")]
    assert {"analytics-network", "analytics-bastion", "analytics-database"} <= {
        r["name"] for r in top
    }


def test_the_outputs_say_how_to_connect(consumer: dict) -> None:
    outputs = consumer["outputs"]
    assert outputs["port"] == 5432
    assert outputs["host"]
    assert "ssh" in outputs["tunnel"] and "5432" in outputs["tunnel"]


def test_the_wheel_holds_the_package_and_its_aws_facts_only(consumer: dict) -> None:
    site = Path(consumer["package_file"]).parent.parent
    installed = {p.name for p in site.iterdir()}
    assert "bastion_db" in installed
    assert not {"settings", "offline", "preflight", "policies", "tests"} & installed
    data = site / "bastion_db" / "aws_facts" / "data"
    assert sorted(p.name for p in data.glob("*.json")) == [
        "cfn_lint_extract.json",
        "documented.json",
        # dbParameters is checked against it at run time (pg-configurator itself is dev-only)
        "pg_settings_extract.json",
    ]


def test_the_provider_lock_matches_the_package_it_installs() -> None:
    # provider/uv.lock pins the package's own dependencies too: a pin changed
    # in the root pyproject.toml needs `bash scripts/uv.sh lock --project provider`.
    uv("lock", "--check", "--offline", "--project", str(PROJECT_DIR / "provider"), cwd=PROJECT_DIR)
