"""docs/delivery.md's "Adding an environment", done as written in a copy of
the repository: two copied files, and the checks cover the new stack."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import PROJECT_DIR
from tests.preflight.repo_copy import copy_repository, preflight_script


def test_adding_staging_as_the_delivery_doc_says_passes_the_checks(tmp_path: Path) -> None:
    guide = (PROJECT_DIR / "docs" / "delivery.md").read_text()
    section = guide[guide.index("## 6. Adding an environment") :]
    # the two files the guide names, made the way it says (copies of dev's)
    assert "`Pulumi.staging.yaml`" in section and "copy `Pulumi.dev.yaml`" in section
    assert "`policies/config/staging.json`" in section
    repository = copy_repository(tmp_path / "repo")
    shutil.copy(repository / "Pulumi.dev.yaml", repository / "Pulumi.staging.yaml")
    shutil.copy(
        repository / "policies/config/dev.json", repository / "policies/config/staging.json"
    )

    done = preflight_script(repository, "staging", cwd=repository)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Policy config: policies/config/staging\.json \(", done.stdout)

    # The suites' tests that read the stack list (a preflight of every stack file, CI's
    # stack discovery, a policy config per stack) take it in. They are the ones named
    # test_every_stack_*; the rest of those suites does not depend on which stacks
    # exist, and runs where it lives (a copy would only repeat it, for ~20 s); so do
    # dev's and prod's preflights, whose files in the copy are this checkout's.
    suites = ["tests/preflight/test_preflight_cli.py", "tests/workflows"]
    each_stack_file = (
        "tests/preflight/test_preflight_cli.py::test_every_stack_file_passes_its_preflight"
    )
    already_checked = [f"--deselect={each_stack_file}[{stack}]" for stack in ("dev", "prod")]
    python = str(repository / ".venv/bin/python")
    pytest = [python, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "-k", "every_stack"]
    tests = subprocess.run(
        [*pytest, *already_checked, *suites],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    outcomes = re.findall(r"^(PASSED|SKIPPED|XFAIL|XPASS) (tests/\S+)", tests.stdout, re.M)
    assert outcomes and {outcome for outcome, _ in outcomes} == {"PASSED"}, tests.stdout[-3000:]
    ran = {test for _, test in outcomes}
    assert f"{each_stack_file}[staging]" in ran
    assert any(test.startswith("tests/workflows/") for test in ran), ran
