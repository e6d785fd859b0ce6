"""The options a user can choose: engine, key type, own key, access mode, password mode."""

from __future__ import annotations

from offline.runner import ProgramRun
from offline.snapshot import SecretValue
from tests.conftest import RunStack
from tests.program.types import (
    DB_INSTANCE,
    DB_PARAMETER_GROUP,
    INGRESS,
    INSTANCE,
    KEY_PAIR,
    PASSWORD,
    TLS_KEY,
)

ED25519_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq5ZbrWTx4b3q6UQzYF8x3q9XlSbOMXs0xHB0tQ5cnZ me@laptop"
)


def test_mysql_gets_its_port_family_tls_parameter_logs_and_client(
    run_stack_once: RunStack,
) -> None:
    run = run_stack_once("dev", dbEngine="mysql")
    db = run.one(DB_INSTANCE).inputs
    assert db["engine"] == "mysql"
    assert db["engineVersion"] == "8.4"
    assert db["port"] == 3306
    assert db["dbName"] == "appdb"
    assert db["username"] == "db_admin"
    assert db["enabledCloudwatchLogsExports"] == ["error", "slowquery"]
    parameters = run.one(DB_PARAMETER_GROUP).inputs
    assert parameters["family"] == "mysql8.4"
    names = {p["name"]: p["value"] for p in parameters["parameters"]}
    assert names["require_secure_transport"] == "1"
    database_rule = next(r for r in run.of_type(INGRESS) if "database" in r.name)
    assert database_rule.inputs["fromPort"] == 3306
    assert "for p in mariadb105;" in run.one(INSTANCE).inputs["userData"]
    assert run.outputs["dbClientCommand"] == (
        "mysql --ssl-mode=REQUIRED -h 127.0.0.1 -P 3306 -u db_admin -p appdb"
    )
    assert "3306:" in run.outputs["sshTunnelCommand"]


def test_generated_key_is_ed25519_by_default_and_rsa_4096_on_request(
    run_stack: RunStack, dev_run: ProgramRun
) -> None:
    ed = dev_run.one(TLS_KEY).inputs
    assert ed["algorithm"] == "ED25519"
    rsa = run_stack("dev", sshKeyAlgorithm="RSA").one(TLS_KEY).inputs
    assert rsa["algorithm"] == "RSA"
    assert rsa["rsaBits"] == 4096


def test_key_pair_registers_the_generated_public_key(dev_run: ProgramRun) -> None:
    run = dev_run
    key_pair = run.one(KEY_PAIR)
    assert key_pair.property_dependencies["publicKey"] == (run.one(TLS_KEY).urn,)
    assert key_pair.inputs["keyName"] == "bastion-db-dev-bastion"
    assert run.one(INSTANCE).inputs["keyName"] == "bastion-db-dev-bastion"


def test_users_own_public_key_means_no_private_key_anywhere(run_stack: RunStack) -> None:
    run = run_stack("dev", sshPublicKey=ED25519_KEY)
    assert run.of_type(TLS_KEY) == []
    assert run.one(KEY_PAIR).inputs["publicKey"] == " ".join(ED25519_KEY.split()[:2])
    assert "sshPrivateKey" not in run.outputs
    # ...and no .pem: the tunnel leaves the key to ssh (agent, ~/.ssh), as the user set it up
    assert "writeSshKeyCommand" not in run.outputs
    tunnel = run.outputs["sshTunnelCommand"]
    assert tunnel.startswith("ssh -N -f -o ExitOnForwardFailure=yes -L 5432:")
    assert ".pem" not in tunnel


def test_ssm_mode_in_dev_has_no_ssh_rule_and_no_key(run_stack: RunStack) -> None:
    run = run_stack("dev", accessMode="ssm", sshAllowedCidrs="[]")
    assert [r for r in run.of_type(INGRESS) if r.inputs["fromPort"] == 22] == []
    assert run.of_type(KEY_PAIR) == []
    assert run.outputs["ssmPortForwardCommand"].startswith(
        "aws ssm start-session --region us-east-1"
    )


def test_secrets_manager_mode_generates_no_password(run_stack: RunStack) -> None:
    run = run_stack("dev", dbPasswordMode="secrets-manager")
    assert run.of_type(PASSWORD) == []
    db = run.one(DB_INSTANCE).inputs
    assert db["manageMasterUserPassword"] is True
    assert "password" not in db
    assert "dbMasterPassword" not in run.outputs
    assert run.outputs["dbMasterSecretArn"].startswith("arn:aws:secretsmanager:")


def test_arm_bastion_gets_an_arm_image(run_stack: RunStack) -> None:
    run = run_stack("dev", bastionInstanceType="t4g.micro")
    assert run.one(INSTANCE).inputs["instanceType"] == "t4g.micro"
    assert run.one(INSTANCE).inputs["ami"].startswith("ami-")


def test_max_connections_lands_in_the_parameter_group(run_stack: RunStack) -> None:
    run = run_stack("dev", dbMaxConnections="250")
    parameters = run.one(DB_PARAMETER_GROUP).inputs["parameters"]
    assert {
        "name": "max_connections",
        "value": "250",
        "applyMethod": "pending-reboot",
    } in parameters


def test_password_output_is_secret_in_every_mode(run_stack_once: RunStack) -> None:
    run = run_stack_once("dev", dbEngine="mysql")
    assert isinstance(run.outputs["dbMasterPassword"], SecretValue)
    assert isinstance(run.outputs["dbConnectionUri"], SecretValue)
    assert run.outputs["dbConnectionUri"].value.startswith("mysql://db_admin:")
