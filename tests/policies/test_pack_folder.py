"""The policy pack is a folder of its own: its dependencies pinned and locked
beside it at the repository's versions, its AWS facts a generated copy of the
program's, nothing imported from outside it; copied alone and installed from
its own lock, it starts as the CLI starts a Python pack and judges the dev and
prod stacks exactly as it does inside the repository."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from offline.runner import ProgramRun
from preflight.pack_launch import PackProject, pack_python
from tests.conftest import PROJECT_DIR
from tests.policies.pack_runs import analyzed
from tests.policies.program_stacks import PACK_DIR
from tests.uv_install import uv_cache_first


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "pack_facts", PROJECT_DIR / "scripts" / "pack_facts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pack_facts = _load_generator()
# What the pack may import besides its own modules.
SDKS = frozenset({"pulumi", "pulumi_policy"})


def _locked_versions(lock: Path) -> dict[str, str]:
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    return {p["name"]: p["version"] for p in packages if "version" in p}


def test_the_packs_facts_are_the_programs() -> None:
    """Refresh: .venv/bin/python scripts/pack_facts.py (scripts/refresh-aws-facts.sh runs it)."""
    assert pack_facts.PACK_FACTS.read_text(encoding="utf-8") == pack_facts.rendered(), (
        "policies/rules/rds_facts.json is stale: run .venv/bin/python scripts/pack_facts.py"
    )


def test_the_packs_lock_holds_the_root_locks_versions() -> None:
    pack = _locked_versions(PACK_DIR / "uv.lock")
    root = _locked_versions(PROJECT_DIR / "uv.lock")
    project = tomllib.loads((PACK_DIR / "pyproject.toml").read_text())["project"]
    pack.pop(project["name"])
    assert {"pulumi", "pulumi-policy"} <= set(pack)
    drifted = {name: (version, root.get(name)) for name, version in pack.items()}
    assert {n: v for n, v in drifted.items() if v[0] != v[1]} == {}, (
        "policies/uv.lock differs from uv.lock; relock the pack from the root's versions: "
        "cp uv.lock policies/uv.lock && cd policies && bash ../scripts/uv.sh lock"
    )
    assert PackProject.load(PACK_DIR).settings["version"] == project["version"]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_pack_imports_nothing_from_outside_its_folder() -> None:
    own = {p.stem for p in PACK_DIR.glob("*.py")} | {
        p.name for p in PACK_DIR.iterdir() if (p / "__init__.py").is_file()
    }
    for path in PACK_DIR.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        outside = _imported_modules(path) - own - SDKS - sys.stdlib_module_names
        assert outside == set(), f"{path.relative_to(PROJECT_DIR)} imports {outside}"


def _copy_alone(destination: Path) -> Path:
    """The pack's files as git has them, without anything installed or cached."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "."],
        cwd=PACK_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACK_DIR / name, target)
    return destination


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack copied alone and installed as the CLI's `toolchain: uv` does
    (`uv sync` in its folder, into the .venv beside its uv.lock), from the
    uv cache when it holds the locked wheels."""
    copy = _copy_alone(tmp_path_factory.mktemp("published") / "guardrails")
    env = {
        **os.environ,
        "UV_PYTHON": getattr(sys, "_base_executable", sys.executable),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    env.pop("VIRTUAL_ENV", None)
    done = uv_cache_first("sync", "--locked", "--quiet", cwd=copy, env=env)
    assert done.returncode == 0, done.stderr
    return copy


def _verdicts(run: ProgramRun, pack_dir: Path) -> list[tuple[str, str, str, str | None]]:
    report = analyzed(run, pack_dir)
    return sorted((v.policy_name, v.enforcement_level, v.message, v.urn) for v in report.violations)


def test_the_copy_runs_on_its_own_environment(installed_copy: Path) -> None:
    python = pack_python(PackProject.load(installed_copy))
    assert python == str(installed_copy / ".venv" / "bin" / "python")
    assert not (PACK_DIR / ".venv").exists() or PACK_DIR not in Path(python).parents


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_copy_alone_judges_like_the_pack_in_the_repository(
    installed_copy: Path, stack: str, dev_run: ProgramRun, prod_run: ProgramRun
) -> None:
    run = dev_run if stack == "dev" else prod_run
    inside = _verdicts(run, PACK_DIR)
    assert inside, "the stack should have some advice to compare"
    assert _verdicts(run, installed_copy) == inside
