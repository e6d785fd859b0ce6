"""The `pulumi new` template: its prompts, and the preflight on a program made
from it (a program of the usual shape, resources at the top level, that builds
on the package and has none of this repository's stack keys)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tomllib
from pathlib import Path

import yaml

import bastion_db
from preflight.__main__ import main
from tests.conftest import PROJECT_DIR

TEMPLATE = PROJECT_DIR / "templates" / "bastion-db-python"
VPC_ID = "vpc-0a1b2c3d4e5f60718"  # the fake AWS world's lab VPC


def new_project(folder: Path, name: str, stack: str, answers: dict[str, str]) -> Path:
    """What `pulumi new <template> --name <name> --stack <stack>` leaves: the
    template's files with ${PROJECT} and ${DESCRIPTION} filled in, Pulumi.yaml
    without its template section, and the prompts' answers in the stack file."""
    project = folder / name
    shutil.copytree(TEMPLATE, project)
    for path in project.iterdir():
        if path.is_file():
            text = path.read_text().replace("${PROJECT}", name)
            path.write_text(text.replace("${DESCRIPTION}", f"The {name} database"))
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    del settings["template"]
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    config = {key if ":" in key else f"{name}:{key}": value for key, value in answers.items()}
    (project / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return project


def preflight(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_the_template_asks_for_the_region_the_vpc_and_the_way_in() -> None:
    template = yaml.safe_load((TEMPLATE / "Pulumi.yaml").read_text())["template"]
    assert template["displayName"] and template["description"]
    prompts = template["config"]
    assert {"aws:region", "vpcId", "accessMode", "sshAllowedCidrs"} <= set(prompts)
    assert all(prompt["description"] for prompt in prompts.values())
    assert prompts["accessMode"]["default"] == "ssm"


def test_the_program_depends_on_the_released_package_by_its_tag() -> None:
    pyproject = tomllib.loads((TEMPLATE / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == [f"bastion-db=={bastion_db.__version__}"]
    source = pyproject["tool"]["uv"]["sources"]["bastion-db"]
    assert source["tag"] == f"v{bastion_db.__version__}"  # the tag `pulumi package add` wants too


def test_the_preflight_passes_a_session_manager_program_made_from_it(tmp_path: Path) -> None:
    project = new_project(
        tmp_path, "analytics", "dev", {"aws:region": "us-east-1", "vpcId": VPC_ID}
    )
    code, out, err = preflight("dev", "--project-dir", str(project), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["mandatory"] == 0
    assert result["resources"] > 40


def test_the_preflight_passes_an_ssh_program_and_shows_the_named_network(
    tmp_path: Path,
) -> None:
    project = new_project(
        tmp_path,
        "orders",
        "dev",
        # The network the pack's dev config allows (policies/config/dev.json).
        {"aws:region": "us-east-1", "vpcId": VPC_ID, "accessMode": "ssh",
         "sshAllowedCidrs": "203.0.113.0/24"},
    )  # fmt: skip
    code, out, err = preflight("dev", "--project-dir", str(project))
    assert code == 0, err
    assert "orders-security-groups-bastion-ssh-203-0-113-0-24" in out
    assert '"cidrIpv4": "203.0.113.0/24"' in out or 'cidrIpv4: "203.0.113.0/24"' in out
    # Its provider tags every resource, so the required-tags rule changes nothing.
    assert "0 mandatory, " in out and ", 0 remediation(s)" in out


def test_a_bad_answer_is_refused_by_the_preflight_by_name(tmp_path: Path) -> None:
    project = new_project(
        tmp_path,
        "analytics",
        "dev",
        {"aws:region": "us-east-1", "vpcId": VPC_ID, "accessMode": "vpn"},
    )
    code, _, err = preflight("dev", "--project-dir", str(project))
    assert code == 2
    assert "argument 'access_mode': got 'vpn'; expected one of" in err
    assert "Traceback" not in err
