"""The offline stack reader hands the program what the CLI would: Pulumi.yaml's
defaults, the stack file's values as written, and a clear StackFileError
naming the file for a project or stack file the CLI could not read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bastion_db.checks.errors import ConfigError
from offline.stack_config import SECRET_PLACEHOLDER, StackFileError, load_stack_config
from preflight.__main__ import main
from settings.check import check_config
from settings.schema import load_schema, project_schema
from tests.conftest import PROJECT_DIR

DEMO_PROJECT = """\
name: demo
runtime: python
config:
  size:
    type: integer
    default: 8
  fast:
    type: boolean
    default: true
  names:
    type: array
    items: {type: string}
    default: []
  label:
    type: string
  aws:region:
    value: eu-west-1
"""


def project(tmp_path: Path, stack_file: str, project_file: str = DEMO_PROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_file)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_file)
    return tmp_path


def values(tmp_path: Path, stack_file: str) -> dict[str, str]:
    return load_stack_config(project(tmp_path, stack_file), "dev").values


def test_a_stack_that_sets_nothing_gets_exactly_the_schemas_defaults(tmp_path: Path) -> None:
    loaded = values(tmp_path, "config: {}\n")
    assert loaded == load_schema(tmp_path).defaults()
    assert loaded == {
        "demo:size": "8",
        "demo:fast": "true",
        "demo:names": "[]",
        "aws:region": "eu-west-1",
    }


def test_the_shipped_stacks_get_every_default_they_do_not_override() -> None:
    schema = project_schema()
    for stack in ("dev", "prod"):
        written = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
        loaded = load_stack_config(PROJECT_DIR, stack).values
        for key, default in schema.defaults().items():
            if key not in written:
                assert loaded[key] == default, (stack, key)
        assert set(loaded) == set(schema.defaults()) | set(written)
        check_config(schema, loaded)


def test_an_empty_stack_file_sets_nothing(tmp_path: Path) -> None:
    assert values(tmp_path, "") == load_schema(tmp_path).defaults()


@pytest.mark.parametrize(
    ("written", "engine"),
    [
        # Scalars reach the program as written, whatever YAML 1.1 would make of them.
        ("yes", "yes"),
        ("True", "True"),
        ("007", "007"),
        ("0x10", "0x10"),
        ("'5'", "5"),
        ("~", ""),
        ("85.5", "85.5"),
        # Lists and mappings as JSON.
        ("[a, b]", '["a","b"]'),
        ("[5, yes, '5']", '[5,true,"5"]'),
        ("{b: 1, a: x}", '{"a":"x","b":1}'),
        ("[2024-01-31]", '["2024-01-31"]'),
    ],
)
def test_values_reach_the_program_as_the_cli_passes_them(
    tmp_path: Path, written: str, engine: str
) -> None:
    assert values(tmp_path, f"config:\n  demo:label: {written}\n")["demo:label"] == engine


def test_a_boolean_written_as_yes_is_refused_as_the_cli_refuses_it(tmp_path: Path) -> None:
    # PyYAML would have read `yes` as true and let it through.
    loaded = values(tmp_path, "config:\n  demo:label: x\n  demo:fast: yes\n")
    with pytest.raises(ConfigError) as raised:
        check_config(load_schema(tmp_path), loaded)
    assert (raised.value.key, raised.value.value) == ("demo:fast", "yes")
    assert "true or false" in str(raised.value)


@pytest.mark.parametrize(
    ("stack_file", "expected"),
    [
        ("config:\n  - demo:size\n", "it is a list"),
        ("config: demo:size=8\n", "it is a single value"),
        ("- config\n", "expected a mapping at the top level"),
        ("config: [\n", "not valid YAML"),
        ("config:\n  ? [a, b]\n  : 1\n", "plain name"),
        (
            "config:\n  demo:label:\n    ? [a]\n    : 1\n",
            "demo:label: a list or mapping is used as a key",
        ),
        ("config:\n  demo:names: &loop [*loop]\n", "demo:names: a value refers to itself"),
        ("config:\n  demo:tags: &loop {a: [*loop]}\n", "demo:tags: a value refers to itself"),
    ],
)
def test_a_malformed_stack_file_is_refused_by_name(
    tmp_path: Path, stack_file: str, expected: str
) -> None:
    with pytest.raises(StackFileError) as raised:
        values(tmp_path, stack_file)
    message = str(raised.value)
    assert "Pulumi.dev.yaml" in message and expected in message
    if "config:" in expected:
        assert "must be a mapping of keys to values" in message


def test_a_value_used_twice_through_an_alias_is_no_loop(tmp_path: Path) -> None:
    read = values(tmp_path, "config:\n  demo:names: [&x [1, 2], *x]\n")
    assert json.loads(read["demo:names"]) == [[1, 2], [1, 2]]


def test_a_malformed_project_config_block_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as raised:
        load_stack_config(project(tmp_path, "", "name: demo\nconfig:\n  - size\n"), "dev")
    assert str(tmp_path / "Pulumi.yaml") in str(raised.value)
    assert "'config:' must be a mapping" in str(raised.value)


def test_stack_files_are_looked_for_where_stack_config_dir_says(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(DEMO_PROJECT + "stackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  demo:size: 9\n")
    assert load_stack_config(tmp_path, "dev").values["demo:size"] == "9"


def test_an_encrypted_value_is_a_placeholder_that_says_how_to_stand_in(tmp_path: Path) -> None:
    config = load_stack_config(
        project(
            tmp_path,
            "config:\n  demo:label: x\n"
            "  demo:size:\n    secure: v1:abc\n"
            "  demo:names:\n    - secure: v1:def\n",
        ),
        "dev",
    )
    assert config.secret_keys == ("demo:size", "demo:names")
    assert config.values["demo:size"].startswith(SECRET_PLACEHOLDER)
    assert "v1:abc" not in json.dumps(config.values)
    with pytest.raises(ConfigError) as raised:
        check_config(load_schema(tmp_path), config.values)
    assert raised.value.key == "demo:size"
    assert "pass a stand-in with -c demo:size=VALUE" in str(raised.value)


def project_copy(tmp_path: Path, stack: str, stack_file: str) -> Path:
    """The real program and Pulumi.yaml in a folder of their own, with one stack file."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(PROJECT_DIR / name, tmp_path / name)
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_file)
    return tmp_path


def test_the_preflight_says_how_to_stand_in_for_an_encrypted_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The prod stack with its e-mail list encrypted, as `pulumi config set --secret` writes it.
    prod = (PROJECT_DIR / "Pulumi.prod.yaml").read_text()
    encrypted = prod.replace(
        "  bastion-db:alarmEmails:\n    - dba-oncall@example.com\n",
        "  bastion-db:alarmEmails:\n    secure: v1:Zm9vYmFy\n",
    )
    assert encrypted != prod
    command = [
        "prod",
        "--project-dir",
        str(project_copy(tmp_path, "prod", encrypted)),
        "--policy-pack-config",
        str(PROJECT_DIR / "policies" / "config" / "prod.json"),
    ]
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "bastion-db:alarmEmails" in err
    assert "-c bastion-db:alarmEmails=VALUE" in err
    assert "Traceback" not in err
    assert main([*command, "--json", "-c", 'alarmEmails=["oncall@example.com"]']) == 0


def test_the_preflight_refuses_a_typo_with_exit_2_and_the_key_it_meant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["dev", "-c", "dbInstanceClas=db.t4g.small"]) == 2
    err = capsys.readouterr().err
    assert "bastion-db:dbInstanceClas" in err
    assert "did you mean 'bastion-db:dbInstanceClass'?" in err
    assert "Traceback" not in err


def test_the_preflight_refuses_a_malformed_stack_file_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project_copy(tmp_path, "listed", "config:\n  - bastion-db:vpcId\n")
    assert main(["listed", "--project-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Pulumi.listed.yaml" in err and "must be a mapping" in err
    assert "Traceback" not in err


def test_the_preflight_refuses_a_malformed_project_file_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project_copy(tmp_path, "dev", (PROJECT_DIR / "Pulumi.dev.yaml").read_text())
    (folder / "Pulumi.yaml").write_text("name: bastion-db\nruntime: python\nconfig: [vpcId]\n")
    assert main(["dev", "--project-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder / "Pulumi.yaml") in err and "'config:' must be a mapping" in err
    assert "Traceback" not in err


def test_a_key_declared_secret_but_written_in_plain_text_is_refused(tmp_path: Path) -> None:
    declared = DEMO_PROJECT + "  token:\n    type: string\n    secret: true\n"
    folder = project(tmp_path, "config:\n  demo:label: x\n  demo:token: hunter2\n", declared)
    with pytest.raises(StackFileError) as raised:
        load_stack_config(folder, "dev")
    assert "demo:token must be encrypted" in str(raised.value)
    assert "pulumi config set --secret token" in str(raised.value)
    assert "hunter2" not in str(raised.value)
    (folder / "Pulumi.dev.yaml").write_text(
        "config:\n  demo:label: x\n  demo:token:\n    secure: v1:abc\n"
    )
    assert load_stack_config(folder, "dev").secret_keys == ("demo:token",)
