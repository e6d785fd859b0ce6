"""Stack names with `_` and `.`, which the Pulumi CLI accepts, through the
preflight as a user adds one: a copy of dev's stack file under the new name,
in a copy of the repository, checked with dev's policy config."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from bastion_db.checks import validate
from preflight.__main__ import main
from tests.preflight.repo_copy import copy_repository


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
    export = tmp_path / "plan.json"
    argv = [stack, "--project-dir", str(repository), "--export", str(export)]
    argv += ["--policy-pack-config", str(repository / "policies/config/dev.json")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, out.getvalue() + err.getvalue()
    # Shown: the plan lists the outputs, the prefix among them.
    assert f'namePrefix:            "{prefix}"' in out.getvalue()
    resources = json.loads(export.read_text())["deployment"]["resources"]
    database = next(r for r in resources if r["type"] == "aws:rds/instance:Instance")
    assert database["inputs"]["identifier"] == prefix
    assert validate.NAME.fullmatch(prefix)
    # The Environment tag (the provider's default tags) keeps the name as written.
    provider = next(r for r in resources if r["type"] == "pulumi:providers:aws")
    assert json.loads(provider["inputs"]["defaultTags"])["tags"]["Environment"] == stack
