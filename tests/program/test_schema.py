"""Pulumi.yaml's config block as the one schema: parsed as the CLI reads it, and
every raw value it refuses refused before a setting is read, with a message
that names the key, the value and what is accepted.

The CLI rules asserted here come from pulumi/pulumi: ValidateConfigValue and
Project.Validate in sdk/go/common/workspace/project.go, mergeConfig and
validateStackConfigValue in sdk/go/common/workspace/config.go."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path

import pulumi
import pytest
import yaml

from bastion_db.checks.errors import ConfigError
from settings import engine_config
from settings import schema as schema_module
from settings.check import check_config
from settings.schema import (
    ConfigSchema,
    ProjectFileError,
    ValueType,
    load_schema,
    parse_integer,
    parse_schema,
    project_schema,
    text_conforms,
)
from tests.conftest import PROJECT_DIR, RunStack, stack_config

SCHEMA = project_schema()


def schema_of(config_block: str, name: str = "demo") -> ConfigSchema:
    return parse_schema(f"name: {name}\nruntime: python\nconfig:\n{config_block}", Path("P.yaml"))


def refusal(config: dict[str, str], schema: ConfigSchema = SCHEMA) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        check_config(schema, config)
    return raised.value


# --- the schema itself ------------------------------------------------------------


def test_every_key_of_the_project_is_typed_and_described() -> None:
    assert SCHEMA.project == "bastion-db"
    # The same keys a plain YAML reader finds, in the file's order.
    written = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    assert list(SCHEMA.declarations) == list(written)
    for declaration in SCHEMA.declarations.values():
        assert declaration.type is not None, declaration.name
        assert declaration.description, declaration.name
    assert [d.name for d in SCHEMA.declarations.values() if d.required] == ["vpcId"]


def test_defaults_are_the_strings_the_cli_hands_the_program() -> None:
    # Scalars as Go's %v prints them, lists as JSON (workspace/config.go, createConfigValue).
    defaults = SCHEMA.defaults()
    assert defaults["bastion-db:dbMultiAz"] == "true"
    assert defaults["bastion-db:dbSkipFinalSnapshot"] == "false"
    assert defaults["bastion-db:bastionRootVolumeGib"] == "8"
    assert defaults["bastion-db:sshAllowedCidrs"] == "[]"
    assert defaults["bastion-db:dbEngineVersion"] == ""
    assert "bastion-db:vpcId" not in defaults


def test_the_schema_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # It runs at every `pulumi up`; how long a read takes is the benchmark's to say.
    parsed: list[Path] = []

    def counting(text: str, file: Path) -> ConfigSchema:
        parsed.append(file)
        return parse_schema(text, file)

    monkeypatch.setattr(schema_module, "parse_schema", counting)
    schema_module._load_cached.cache_clear()
    first = load_schema(PROJECT_DIR)
    assert load_schema(PROJECT_DIR) is first
    assert project_schema() is first
    assert parsed == [(PROJECT_DIR / "Pulumi.yaml").resolve()]


def test_shorthand_values_and_other_namespaces_are_read_as_the_cli_reads_them() -> None:
    schema = schema_of(
        "  replicas: 3\n"
        "  aws:region: eu-west-1\n"
        "  aws:skipMetadataApiCheck:\n    value: false\n"
        "  demo:tier:\n    type: string\n    default: small\n"
    )
    assert schema.declarations["replicas"].type is None
    assert schema.declarations["replicas"].default_text == "3"
    assert schema.declarations["tier"].default_text == "small"
    assert schema.values == {"aws:region": "eu-west-1", "aws:skipMetadataApiCheck": "false"}
    assert schema.defaults()["demo:replicas"] == "3"


def test_stack_config_dir_moves_the_stack_files() -> None:
    schema = parse_schema(
        "name: demo\nruntime: python\nstackConfigDir: stacks\n", Path("/p/P.yaml")
    )
    assert schema.stack_file("dev") == Path("/p/stacks/Pulumi.dev.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [", "not valid YAML"),
        ("- name: demo\n", "expected a mapping"),
        ("runtime: python\n", "expected a project name"),
        ("name: demo\nconfig:\n  - vpcId\n", "'config:' must be a mapping"),
        ("name: demo\nconfig:\n  a:\n    defualt: 1\n", "did you mean 'default'?"),
        ("name: demo\nconfig:\n  a:\n    type: number\n", "type 'number' is not one of"),
        ("name: demo\nconfig:\n  a:\n    type: array\n", "not its items' type"),
        ("name: demo\nconfig:\n  a:\n    type: integer\n    default: ten\n", "'integer'"),
        ("name: demo\nconfig:\n  a:\n    type: boolean\n    default: maybe\n", "'boolean'"),
        ("name: demo\nconfig:\n  a:\n    default: 1\n    value: 2\n", "both 'default' and 'value'"),
        ("name: demo\nconfig:\n  aws:region:\n    type: string\n", "takes a 'value:' only"),
        ("name: demo\nconfig:\n  a:\n    type: string\n    description: [x]\n", "must be text"),
        ("name: demo\nconfig:\n  a:\n    type: array\n    items: string\n", "{type: string}"),
        ("name: demo\nconfig:\n  a: ~\n", "expected a declaration"),
        ("name: demo\nconfig:\n  ? [a]\n  : 1\n", "a list or mapping is used as a key"),
        ("name: demo\nconfig:\n  a: &loop [*loop]\n", "refers to itself"),
    ],
)
def test_a_malformed_project_file_is_refused_by_name(text: str, expected: str) -> None:
    with pytest.raises(ProjectFileError) as raised:
        parse_schema(text, Path("/somewhere/Pulumi.yaml"))
    assert "/somewhere/Pulumi.yaml" in str(raised.value)
    assert expected in str(raised.value)


def test_a_missing_project_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match=r"Pulumi\.yaml: not found"):
        load_schema(tmp_path)


# --- the CLI's type rules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20", 20), ("+5", 5), ("-3", -3), ("007", 7), ("85.5", None), ("ten", None),
     (" 5", None), ("1_000", None), ("0x10", None), ("٣", None), ("", None),
     ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None)],
)  # fmt: skip
def test_integers_are_read_as_go_atoi_reads_them(text: str, expected: int | None) -> None:
    assert parse_integer(text) == expected


@pytest.mark.parametrize(
    ("type_", "text", "accepted"),
    [
        (ValueType("boolean"), "true", True),
        (ValueType("boolean"), "false", True),
        (ValueType("boolean"), "yes", False),
        (ValueType("boolean"), "1", False),
        (ValueType("boolean"), "True", False),
        (ValueType("array", ValueType("string")), '["203.0.113.0/24"]', True),
        (ValueType("array", ValueType("string")), "[]", True),
        (ValueType("array", ValueType("string")), "203.0.113.0/24", False),
        (ValueType("array", ValueType("string")), "a,b", False),
        (ValueType("array", ValueType("string")), "[1]", False),
        (ValueType("array", ValueType("string")), '{"a": "b"}', False),
        # Items are checked by the same rule, so an integer item may be a whole float or text.
        (ValueType("array", ValueType("integer")), '[1, 2.0, "3"]', True),
        (ValueType("array", ValueType("integer")), "[1.5]", False),
        (ValueType("object"), '{"a": 1}', True),
        (ValueType("object"), "[1]", False),
        (ValueType("string"), "anything [at] all", True),
    ],
)
def test_values_are_typed_as_the_cli_types_them(
    type_: ValueType, text: str, accepted: bool
) -> None:
    assert text_conforms(type_, text) is accepted


# --- the check before any setting is read -----------------------------------------


def dev_config(**overrides: str) -> dict[str, str]:
    return stack_config("dev", **overrides)


def test_the_shipped_stacks_pass() -> None:
    for stack in ("dev", "prod"):
        check_config(SCHEMA, stack_config(stack))


def test_an_undeclared_key_is_refused_with_the_key_it_most_likely_meant() -> None:
    error = refusal(dev_config(dbInstanceClas="db.t4g.small"))
    assert error.key == "bastion-db:dbInstanceClas"
    assert error.value == "db.t4g.small"
    assert "did you mean 'bastion-db:dbInstanceClass'?" in str(error)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("vpcID", "vpcId"), ("dbmultiaz", "dbMultiAz"), ("alarmEmail", "alarmEmails"),
     ("sshAllowedCidr", "sshAllowedCidrs"), ("backupRetentionDay", "backupRetentionDays")],
)  # fmt: skip
def test_common_slips_find_their_key(typo: str, meant: str) -> None:
    assert f"did you mean 'bastion-db:{meant}'?" in str(refusal(dev_config(**{typo: "x"})))


def test_an_undeclared_key_far_from_any_says_where_the_keys_are_listed() -> None:
    error = refusal(dev_config(colour="blue"))
    assert error.key == "bastion-db:colour"
    assert "did you mean" not in str(error)
    assert "Configuration keys" in error.accepted


def test_a_declared_key_under_a_misspelt_namespace_is_refused() -> None:
    error = refusal({**dev_config(), "bastiondb:dbPort": "5433"})
    assert error.key == "bastiondb:dbPort"
    assert "did you mean 'bastion-db:dbPort'?" in str(error)


def test_other_namespaces_are_left_alone() -> None:
    check_config(SCHEMA, {**dev_config(), "aws:profile": "x", "pulumi:tags": '{"a":"b"}'})


def test_a_required_key_left_unset_is_refused_with_its_description() -> None:
    config = dev_config()
    del config["bastion-db:vpcId"]
    error = refusal(config)
    assert (error.key, error.value) == ("bastion-db:vpcId", None)
    assert "no default" in error.accepted and "existing VPC" in error.accepted


@pytest.mark.parametrize(
    ("key", "bad", "words"),
    [
        ("alarmCpuPercent", "85.5", "whole number"),
        ("alarmCpuPercent", "ten", "whole number"),
        ("dbAllocatedStorageGib", "20GiB", "whole number"),
        ("dbMultiAz", "yes", "true or false"),
        ("dbMultiAz", "1", "true or false"),
        ("dbDeletionProtection", "True", "true or false"),
        ("sshAllowedCidrs", "203.0.113.0/24", "a list of strings"),
        ("alarmEmails", "oncall@example.com, ops@example.com", "a list of strings"),
        ("publicSubnetIds", "[1, 2]", "a list of strings"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_as_the_cli_refuses_it(
    key: str, bad: str, words: str
) -> None:
    error = refusal(dev_config(**{key: bad}))
    assert (error.key, error.value) == (f"bastion-db:{key}", bad)
    message = str(error)
    assert words in message
    assert f"Pulumi.yaml declares it {SCHEMA.declarations[key].type}" in message


def test_a_secret_value_is_never_shown() -> None:
    config = dev_config(alarmCpuPercent="hunter2")
    with pytest.raises(ConfigError) as raised:
        check_config(SCHEMA, config, is_secret=lambda key: key == "bastion-db:alarmCpuPercent")
    assert "hunter2" not in str(raised.value)
    assert "[secret]" in str(raised.value)


# --- wired into the program -------------------------------------------------------


def test_the_program_refuses_an_undeclared_key_before_registering_anything(
    run_stack: RunStack,
) -> None:
    with pytest.raises(ConfigError, match="did you mean 'bastion-db:dbInstanceClass'"):
        run_stack("dev", dbInstanceClas="db.t4g.small")


def test_the_program_refuses_a_boolean_the_cli_would_refuse(run_stack: RunStack) -> None:
    with pytest.raises(ConfigError, match="bastion-db:dbMultiAz"):
        run_stack("dev", dbMultiAz="yes")


def test_engine_config_sees_the_keys_of_a_real_run_and_of_the_mocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A real run: the language host passes PULUMI_CONFIG and the runner loads it.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"bastion-db:vpcID": "vpc-1"}))
    real = contextvars.Context().run(engine_config)
    assert real == {"bastion-db:vpcID": "vpc-1"}

    # The mocks (and the Automation API): set_all_config, no environment variable.
    monkeypatch.delenv("PULUMI_CONFIG")

    def mocked() -> dict[str, str]:
        pulumi.runtime.set_all_config({"bastion-db:dbPort": "5433"})
        return engine_config()

    assert contextvars.Context().run(mocked) == {"bastion-db:dbPort": "5433"}


def test_a_list_key_given_text_says_how_the_cli_writes_a_list() -> None:
    # `pulumi config set` stores a top-level value as a string, so only --path makes a list.
    error = refusal(dev_config(sshAllowedCidrs="203.0.113.0/24"))
    assert "pulumi config set --path 'sshAllowedCidrs[0]' VALUE" in error.accepted
