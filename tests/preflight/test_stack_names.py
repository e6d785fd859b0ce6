"""Stack names with `_` and `.`, which the Pulumi CLI accepts, through the
preflight as a user adds one: a copy of dev's stack file and policy config
under the new name, in a copy of the repository."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from settings import validate
from tests.preflight.repo_copy import copy_repository, preflight_script


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repository(tmp_path_factory.mktemp("stack-names") / "repo")


@pytest.mark.parametrize(
    ("stack", "prefix"), [("team_lab", "bastion-db-team-lab"), ("lab.v2", "bastion-db-lab-v2")]
)
def test_a_stack_named_as_the_cli_allows_passes_with_a_derived_prefix(
    repository: Path, tmp_path: Path, stack: str, prefix: str
) -> None:
    shutil.copy(repository / "Pulumi.dev.yaml", repository / f"Pulumi.{stack}.yaml")
    shutil.copy(
        repository / "policies/config/dev.json", repository / f"policies/config/{stack}.json"
    )
    export = tmp_path / "plan.json"
    done = preflight_script(repository, stack, "--export", str(export), cwd=repository)
    assert done.returncode == 0, done.stdout + done.stderr
    # Shown: the plan lists the outputs, the prefix among them.
    assert f'namePrefix:            "{prefix}"' in done.stdout
    resources = json.loads(export.read_text())["deployment"]["resources"]
    database = next(r for r in resources if r["type"] == "aws:rds/instance:Instance")
    assert database["inputs"]["identifier"] == prefix
    assert validate.NAME.fullmatch(prefix)
    # The Environment tag (the provider's default tags) keeps the name as written.
    provider = next(r for r in resources if r["type"] == "pulumi:providers:aws")
    assert json.loads(provider["inputs"]["defaultTags"])["tags"]["Environment"] == stack
