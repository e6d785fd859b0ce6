"""The `connection` output: the facts every printed connection command is
built from, exported as they are, and the commands rebuilt from them word for
word, which is how `verify` builds what it runs."""

from __future__ import annotations

import shlex

import pytest

from bastion_db.connection import (
    Connection,
    auth_token,
    client,
    printed,
    ssh_tunnel,
    ssm_port_forward,
)
from offline.runner import ProgramRun
from tests.conftest import RunStack


def test_dev_exports_the_facts_of_its_ssh_path(dev_run: ProgramRun) -> None:
    outputs = dev_run.outputs
    assert outputs["connection"] == {
        "engine": "postgres",
        "accessMode": "ssh",
        "region": "us-east-1",
        "host": outputs["dbHost"],
        "port": 5432,
        "databaseName": outputs["dbName"],
        "masterUsername": outputs["dbMasterUsername"],
        "bastionInstanceId": outputs["bastionInstanceId"],
        "bastionHost": outputs["bastionPublicDns"],
        "bastionUser": "ec2-user",
        "keyFile": "bastion-db-dev-bastion.pem",
        "iamUsername": outputs["dbIamUsername"],
    }


def test_prod_exports_the_facts_of_its_session_manager_path(prod_run: ProgramRun) -> None:
    facts = prod_run.outputs["connection"]
    assert facts["accessMode"] == "ssm"
    # No public name, no ssh user, no key: Session Manager needs none of them.
    assert not {"bastionHost", "bastionUser", "keyFile"} & set(facts)
    assert facts["bastionInstanceId"] == prod_run.outputs["bastionInstanceId"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_printed_commands_are_built_from_the_facts(
    request: pytest.FixtureRequest, stack: str
) -> None:
    outputs = request.getfixturevalue(f"{stack}_run").outputs
    connection = Connection.from_output(outputs["connection"])
    tunnel_key = "sshTunnelCommand" if connection.mode == "ssh" else "ssmPortForwardCommand"
    tunnel = ssh_tunnel if connection.mode == "ssh" else ssm_port_forward
    assert outputs[tunnel_key] == printed(tunnel(connection))
    assert outputs["dbClientCommand"] == printed(client(connection))
    assert outputs["dbAuthTokenCommand"] == printed(auth_token(connection))
    # And a shell reads each back as the very words verify runs.
    assert shlex.split(outputs[tunnel_key]) == tunnel(connection)
    assert shlex.split(outputs["dbClientCommand"]) == client(connection)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("engine", "oracle", "connection.engine is 'oracle'; expected one of postgres, mysql"),
        ("port", 70000, "connection.port is 70000; expected a port number, 1-65535"),
        ("bastionHost", None, "connection.bastionHost is None; expected a non-empty string"),
    ],
)
def test_facts_read_back_name_the_key_that_is_wrong(
    dev_run: ProgramRun, key: str, value: object, message: str
) -> None:
    facts = {**dev_run.outputs["connection"], key: value}
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        Connection.from_output(facts)


def test_a_connection_string_is_double_quoted_and_json_single_quoted() -> None:
    assert printed(["psql", "host=localhost port=5432"]) == 'psql "host=localhost port=5432"'
    assert printed(["--parameters", '{"a":["b"]}']) == """--parameters '{"a":["b"]}'"""
    assert printed(["echo", "$(id)"]) == "echo '$(id)'"


def test_a_preview_already_shows_the_client_command(run_stack: RunStack) -> None:
    # The endpoint is unknown until the instance exists; the client needs none of it.
    preview = run_stack("dev", preview=True)
    assert preview.outputs["dbClientCommand"] == (
        'psql "host=localhost port=5432 dbname=postgres user=postgres_admin sslmode=require"'
    )
