"""Other CrossGuard packs beside ours: a TypeScript pack installed from npm,
started on @pulumi/pulumi's policy-pack runner as the CLI starts it, and the
folders the preflight cannot run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight.__main__ import main
from tests.conftest import PROJECT_DIR
from tests.policies.program_stacks import PACK_VERSION
from tests.preflight.node_pack_install import (
    InstallError,
    copy_pack,
    installed_modules,
    node_available,
)

NODE_PACK = "preflight-test-node-pack@v1.0.0"
OUR_LABEL = f"bastion-db-guardrails@v{PACK_VERSION}"
OUR_PACK = PROJECT_DIR / "policies"
OUR_DEV_CONFIG = OUR_PACK / "config" / "dev.json"

needs_node = pytest.mark.skipif(
    not node_available(),
    reason="node and npm are not on PATH: Node.js packs cannot be installed or run here "
    "(install Node.js 20 or later with npm to run these tests)",
)


@pytest.fixture(scope="module")
def node_pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The test pack in a temporary copy (the source folder stays clean), its
    node_modules the ones `npm ci` installed from its committed lockfile
    (node_pack_install: once per lockfile, usually in scripts/test.sh's
    background).

    The runner compiles index.ts with the ts-node @pulumi/pulumi vendors
    (7.0.1, as this pack installs no ts-node of its own), whose cache is on by
    default: the first start type-checks and stores the JavaScript, the later
    starts of the same source and settings load it without a type check. Its
    default folder is the shared ``<tmpdir>/ts-node-<hash of $HOME>``, with one
    subfolder per set of compiler settings, which include the tsconfig's path:
    a new one for every test run's copy of the pack, never removed.
    TS_NODE_CACHE_DIRECTORY (read by that ts-node's register()) keeps it in
    this worker's temporary folder instead, shared by this module's starts.
    """
    folder = copy_pack(tmp_path_factory.mktemp("packs") / "node-pack")
    try:
        (folder / "node_modules").symlink_to(installed_modules(), target_is_directory=True)
    except InstallError as error:
        pytest.fail(str(error))
    with pytest.MonkeyPatch.context() as patch:
        # The preflight passes its own environment on to every pack it starts.
        patch.setenv("TS_NODE_CACHE_DIRECTORY", str(tmp_path_factory.mktemp("ts-node-cache")))
        yield folder


def section_of(out: str, pack: str) -> str:
    """The lines the report prints under one pack's heading."""
    lines = out.splitlines()
    start = lines.index(f"    {pack}")
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith("      ")), len(lines)
    )
    return "\n".join(lines[start + 1 : end])


@needs_node
def test_a_node_packs_mandatory_finding_fails_the_preflight_under_its_name(
    node_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dev", "--policy-pack", str(OUR_PACK), "--policy-pack", str(node_pack)])
    out = capsys.readouterr().out
    # Ours alone passes dev (its multi-AZ rule is advisory there); the Node pack's is mandatory.
    assert code == 1, out
    node_findings = section_of(out, NODE_PACK)
    # It has no config/dev.json: the run says its own levels apply.
    assert "Policy config: none." in node_findings
    assert "[mandatory] node-rds-multi-az  (database-instance)" in node_findings
    # The pack got the stack's name from the environment the CLI would give it.
    assert "multiAz is not true in stack dev" in node_findings
    assert "[advisory] node-rds-backup-days" in node_findings
    # ...and the stack's config, from PULUMI_CONFIG.
    assert "(bastion-db:backupRetentionDays is 1)" in node_findings
    # Our pack's findings are in the same report, under its own name.
    ours = section_of(out, OUR_LABEL)
    assert "[advisory] rds-multi-az" in ours and "node-rds" not in ours
    assert "Preflight FAILED: 1 mandatory" in out


@needs_node
def test_json_merges_the_packs_and_says_which_found_what(
    node_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dev", "--json", "--policy-pack", str(OUR_PACK), "--policy-pack", str(node_pack)])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["exitCode"] == 1
    packs = {pack["pack"]: pack["policyConfig"] for pack in result["policyPacks"]}
    assert list(packs) == [OUR_LABEL, NODE_PACK]
    # Each pack has its own policy config: ours its dev.json, the Node pack none (its levels)
    assert packs[OUR_LABEL]["file"] == "policies/config/dev.json"
    assert packs[NODE_PACK]["file"] is None
    assert packs[NODE_PACK]["levels"] == {
        "node-rds-backup-days": "advisory",
        "node-rds-multi-az": "mandatory",
    }
    mandatory = [
        (v["pack"], v["policy"]) for v in result["violations"] if v["level"] == "mandatory"
    ]
    assert mandatory == [("preflight-test-node-pack", "node-rds-multi-az")]
    assert result["mandatory"] == 1
    ours = {v["policy"] for v in result["violations"] if v["pack"] == "bastion-db-guardrails"}
    assert {"rds-multi-az", "rds-deletion-protection"} <= ours


@needs_node
def test_the_exit_code_follows_the_node_packs_finding(
    node_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same stack with the database in two zones: nothing mandatory is left.
    code = main(["dev", "--json", "--policy-pack", str(node_pack), "-c", "dbMultiAz=true"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    assert [v["policy"] for v in result["violations"]] == ["node-rds-backup-days"]


@needs_node
def test_each_pack_gets_its_own_policy_config(
    node_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node_config = tmp_path / "node-pack.json"
    node_config.write_text(
        json.dumps({"node-rds-multi-az": "advisory", "node-rds-backup-days": {"minimumDays": 1}})
    )
    code = main(
        [
            "dev",
            "--json",
            *("--policy-pack", str(OUR_PACK), "--policy-pack-config", str(OUR_DEV_CONFIG)),
            *("--policy-pack", str(node_pack), "--policy-pack-config", str(node_config)),
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    from_node = {
        v["policy"]: v["level"]
        for v in result["violations"]
        if v["pack"] != "bastion-db-guardrails"
    }
    # The level and the knob reached the Node pack: advisory now, and 1 day is enough.
    assert from_node == {"node-rds-multi-az": "advisory"}
    used = [pack["policyConfig"]["file"] for pack in result["policyPacks"]]
    assert used == ["policies/config/dev.json", str(node_config)]


@needs_node
def test_a_node_pack_that_does_not_compile_exits_2_with_the_compiler_message(
    node_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder inside the installed pack finds its node_modules, as Node's resolution does.
    broken = node_pack / "broken"
    broken.mkdir()
    shutil.copy(node_pack / "PulumiPolicy.yaml", broken)
    # A type error, not a syntax error: only the runner's type check (every start)
    # finds it. The pack's own tsconfig, as a user's pack has one: it imports nothing,
    # so it asks for no @types and no DOM, and the check reads little besides the file.
    (broken / "tsconfig.json").write_text(
        json.dumps({"compilerOptions": {"strict": True, "lib": ["es2020"], "types": []}})
    )
    (broken / "index.ts").write_text('const days: number = "seven";\n')
    assert main(["dev", "--policy-pack", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"policy pack {broken} failed to start" in err
    assert "TS2322" in err and "Traceback" not in err


@needs_node
def test_a_node_pack_without_node_modules_exits_2_saying_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_pack(tmp_path / "not-installed")
    assert main(["dev", "--policy-pack", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"--policy-pack {folder}: the pack's dependencies are not installed" in err
    assert f"install them first: cd {folder} && npm ci" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("policy_yaml", "expected"),
    [
        ("runtime: go\n", "runtime 'go' is not one the offline preflight runs"),
        ("description: no runtime\n", "no `runtime:`"),
        ("runtime: [nodejs]\n", "`runtime:` must be a runtime name"),
        ("runtime: {name: nodejs, options: {typescript: 'yes'}}\n", "'typescript' must be a bool"),
        ("runtime: python\nversion: [\n", "cannot be read as YAML"),
    ],
)
def test_a_pack_the_preflight_cannot_run_exits_2_with_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], policy_yaml: str, expected: str
) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text(policy_yaml)
    assert main(["dev", "--policy-pack", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "PulumiPolicy.yaml") in err
    assert expected in err and "Traceback" not in err


def test_policy_configs_pair_with_packs_by_position(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "dev",
            *("--policy-pack", str(OUR_PACK), "--policy-pack", str(OUR_PACK)),
            *("--policy-pack-config", str(OUR_DEV_CONFIG)),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--policy-pack-config given 1 time(s) for 2 policy pack(s)" in err


def test_a_pack_given_twice_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "--policy-pack", str(OUR_PACK), "--policy-pack", str(OUR_PACK)]) == 2
    err = capsys.readouterr().err
    assert f"pack {OUR_LABEL} is already in this run" in err
