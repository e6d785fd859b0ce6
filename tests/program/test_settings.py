"""Every bad configuration value ends in one ConfigError naming the key, the
value and what is accepted, before a single resource is registered."""

from __future__ import annotations

import json

import pulumi
import pytest

from settings import ConfigError, ConfigReader, load_settings
from settings.schema import project_schema
from tests.conftest import RunStack, stack_config

RSA_2048 = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDBl1Rg8Y3dmqGxB2z1i6hQ0RM5Fb0ERZ9HG2gAkTUrRTm6Rk7m"
    "/0Vc/1RAe1Hzl3XbEkBYxfZmvN4q0Uj3pDlR0r5JBzQ4hSRmY5dkBv1kPKPbyzYhGUS6E4PqDfgH1Ji8tS8HZ9sh"
    "7GZTBl3ubIJaNIMA6ypVuTtsb4mf2mDK5PvYg3X1HGnAFoVG7KkBOwHEX5D7cxo2iw6d2pn1kB/pmClvbD9UdG"
    "kt0Ws1WcdjrwL58LcZPXdvnJn3Z1RTTl8o4yNUr6+ECk6IZM1MaXjZ5Z2kgrHLVUv6tYRcFlzzU8UdA0SFxwmG"
    "Jq8rmh+6JnUZ5AWAWXrvDXdTDF0IB8Kv user@host"
)


def settings_for(stack: str = "dev", **overrides: str):
    values = stack_config(stack, **overrides)
    return load_settings(
        ConfigReader(lambda key: values.get(f"bastion-db:{key}"), "bastion-db"),
        project="bastion-db",
        stack=stack,
        aws_region=values.get("aws:region"),
    )


BAD_VALUES = [
    # (stack, key, value, words the message must contain)
    ("dev", "vpcId", "vpc-123", "vpc-0123456789abcdef0"),
    ("dev", "vpcId", "", "existing VPC"),
    ("dev", "publicSubnetIds", '["subnet-zz"]', "subnet ids"),
    ("dev", "privateSubnetTags", '["Tier"]', "Tier=private"),
    ("dev", "sshAllowedCidrs", '["10.0.0.300/32"]', "CIDR"),
    ("dev", "sshAllowedCidrs", '["10.0.0.5/24"]', "10.0.0.0/24"),
    ("dev", "sshAllowedCidrs", '["0.0.0.0/0"]', "allowSshFromAnywhere"),
    ("dev", "sshAllowedCidrs", '["::/0"]', "allowSshFromAnywhere"),
    ("dev", "sshAllowedCidrs", "[]", "at least one CIDR"),
    ("dev", "accessMode", "telnet", "'ssh', 'ssm'"),
    ("dev", "sshKeyAlgorithm", "DSA", "'ED25519', 'RSA'"),
    ("dev", "sshPublicKey", "not a key", "OpenSSH public key"),
    ("dev", "sshPublicKey", RSA_2048, "4096 bits"),
    ("dev", "bastionInstanceType", "m5.24xlarge", "t3.micro"),
    ("dev", "bastionRootVolumeGib", "4", "8 to 100"),
    ("dev", "dbEngine", "oracle", "'postgres'"),
    ("dev", "dbEngineVersion", "9.6", "14, 15, 16, 17, 18"),
    ("dev", "dbEngineVersion", "16.x", "14, 15, 16, 17, 18"),
    ("dev", "dbInstanceClass", "db.x1e.32xlarge", "RDS offers for postgres 16 in us-east-1"),
    ("dev", "dbAllocatedStorageGib", "5", "20 to 65536"),
    ("dev", "dbAllocatedStorageGib", "lots", "whole number"),
    ("dev", "dbMaxAllocatedStorageGib", "10", "22 to 65536"),
    ("dev", "dbName", "1db", "a letter"),
    ("dev", "dbUsername", "rdsadmin", "does not reserve"),
    ("dev", "dbPort", "80", "1150 to 65535"),
    ("dev", "dbPort", "70000", "1150 to 65535"),
    ("dev", "dbPasswordMode", "plain", "'random', 'secrets-manager'"),
    ("dev", "backupRetentionDays", "36", "0 to 35"),
    ("dev", "backupRetentionDays", "-1", "0 to 35"),
    ("dev", "dbMultiAz", "maybe", "true or false"),
    ("dev", "dbEnhancedMonitoringInterval", "7", "0, 1, 5"),
    ("dev", "profile", "staging", "'dev', 'prod'"),
    ("dev", "projectName", "Bad_Name", "lower-case"),
    ("prod", "backupRetentionDays", "3", "at least 7"),
    ("prod", "sshAllowedCidrs", '["203.0.113.0/24"]', "accessMode 'ssm'"),
    ("dev", "alarmCpuPercent", "0", "1"),
    ("dev", "alarmCpuPercent", "101", "100"),
    ("dev", "alarmEmails", '["not-an-address"]', "e-mail"),
]


@pytest.mark.parametrize(("stack", "key", "value", "expected"), BAD_VALUES)
def test_bad_value_names_key_value_and_what_is_accepted(
    stack: str, key: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for(stack, **{key: value})
    message = str(raised.value)
    assert f"bastion-db:{key}" in message
    assert expected in message


def test_ssh_from_anywhere_needs_an_explicit_opt_in_and_never_in_prod() -> None:
    opened = settings_for("dev", sshAllowedCidrs='["0.0.0.0/0"]', allowSshFromAnywhere="true")
    assert [str(c) for c in opened.access.ssh_allowed_cidrs] == ["0.0.0.0/0"]
    with pytest.raises(ConfigError, match="never open to the whole internet"):
        settings_for(
            "prod",
            accessMode="ssh",
            sshAllowedCidrs='["0.0.0.0/0"]',
            allowSshFromAnywhere="true",
        )


def test_missing_region_is_named() -> None:
    with pytest.raises(ConfigError, match="aws:region"):
        settings_for("dev", **{"aws:region": ""})


def test_config_error_is_a_run_error_so_pulumi_prints_no_traceback() -> None:
    assert issubclass(ConfigError, pulumi.RunError)


def test_bad_config_fails_before_any_resource_is_registered(
    run_stack: RunStack, registered_types: list[str]
) -> None:
    from offline.fake_aws import lab_world

    with pytest.raises(ConfigError, match="bastion-db:dbPort"):
        run_stack("dev", world=lab_world(), dbPort="22")
    # The stack itself is registered by the runtime before the program starts.
    assert registered_types == ["pulumi:pulumi:Stack"]


def test_a_stack_that_sets_no_optional_key_gets_what_the_cli_would_fill_in() -> None:
    """The CLI fills in Pulumi.yaml's defaults before the program runs; a reader that is
    handed nothing must come to the same settings, or a stack run offline (or by a test)
    with a missing key would get different infrastructure."""
    minimal = {"vpcId": "vpc-0a1b2c3d4e5f60718", "sshAllowedCidrs": '["203.0.113.0/24"]'}
    filled_in = {key.split(":", 1)[1]: value for key, value in project_schema().defaults().items()}

    def load(values: dict[str, str]):
        return load_settings(
            ConfigReader(values.get, "bastion-db"),
            project="bastion-db",
            stack="dev",
            aws_region="us-east-1",
        )

    assert load({**filled_in, **minimal}) == load(minimal)


def test_the_reader_supplies_each_declared_default_when_the_caller_gives_none() -> None:
    reader = ConfigReader(lambda key: None, "bastion-db")
    for name, declaration in project_schema().declarations.items():
        assert declaration.type is not None
        default = declaration.default_text
        kind = declaration.type.name
        if kind == "boolean":
            assert reader.boolean(name) is (default == "true"), name
        elif kind == "integer":
            assert reader.integer(name) == (None if default is None else int(default)), name
        elif kind == "array":
            assert reader.string_list(name) == json.loads(default or "[]"), name
        else:
            assert reader.string(name) == (default or None), name
    # A caller's own default still wins, and a blank value reads as the default.
    assert reader.integer("dbPort", 5432) == 5432
    blank = ConfigReader(lambda key: "  ", "bastion-db")
    assert blank.string("accessMode") == "ssh"
    assert blank.boolean("dbMultiAz") is True


def test_a_reader_of_another_project_has_no_defaults_of_this_one() -> None:
    other = ConfigReader(lambda key: None, "bastion-db-state")
    assert other.string("accessMode") is None
    assert other.integer("dbAllocatedStorageGib") is None


def test_every_key_the_loader_reads_is_declared_in_pulumi_yaml() -> None:
    declared = set(project_schema().declarations)
    read: list[str] = []
    values = stack_config("dev")

    def lookup(key: str) -> str | None:
        read.append(key)
        return values.get(f"bastion-db:{key}")

    load_settings(
        ConfigReader(lookup, "bastion-db"),
        project="bastion-db",
        stack="dev",
        aws_region="us-east-1",
    )
    assert set(read) <= declared, set(read) - declared
