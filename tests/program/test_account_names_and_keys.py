"""Names that are one per account and region, names AWS reserves, and the
resources a stack's `destroy` must leave in the account."""

from __future__ import annotations

from typing import Any

import pytest

from bastion_db.checks.errors import ConfigError
from offline.runner import ProgramRun
from tests.conftest import RunStack
from tests.program.test_settings import settings_for

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
DOCUMENT = "aws:ssm/document:Document"
# Inputs that set a physical name (or its start) the account holds one of
NAME_INPUTS = (
    "name",
    "namePrefix",
    "identifier",
    "keyName",
    "dashboardName",
    "finalSnapshotIdentifier",
)
# One per account and region by design, shared on purpose (owned by one stack
# only, with ssmManageSessionPreferences, and never deleted by it).
ACCOUNT_WIDE = {"SSM-SessionManagerRunShell"}
CUSTOMER_KEYS = {
    "dbStorageKmsKey": "customer-managed",
    "dbPerformanceInsightsKmsKey": "customer-managed",
    "dbMasterSecretKmsKey": "customer-managed",
}


def physical_names(run: ProgramRun) -> dict[str, str]:
    names: dict[str, str] = {}
    for resource in run.resources:
        for key in NAME_INPUTS:
            value: Any = resource.inputs.get(key)
            if isinstance(value, str) and value:
                names[value] = f"{resource.name}.{key}"
    return names


@pytest.mark.parametrize("project", ["aws-tools", "awsome", "amazonia", "amzn-db"])
def test_a_project_name_aws_reserves_for_documents_is_refused_in_ssm_mode(project: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for("prod", projectName=project)
    message = str(raised.value)
    assert "bastion-db:projectName" in message and project in message
    assert "aws, amazon, amzn" in message and "-shell" in message


def test_ssh_mode_makes_no_document_and_takes_such_a_name() -> None:
    assert settings_for("dev", projectName="aws-tools").project == "aws-tools"


def test_a_second_stack_in_the_account_shares_no_name_with_the_first(
    run_stack: RunStack,
) -> None:
    overrides = {**CUSTOMER_KEYS, "ssmManageSessionPreferences": "true"}
    first = physical_names(run_stack("prod", **overrides))
    second = physical_names(run_stack("prod", projectName="other-db", **overrides))
    assert set(first) & set(second) == ACCOUNT_WIDE
    # Every other name starts with the stack's own prefix (or, for log groups
    # and aliases, holds it after the service's path).
    for name, where in first.items():
        if name not in ACCOUNT_WIDE:
            assert "bastion-db-prod" in name, where


def test_no_kms_alias_uses_the_prefix_aws_reserves(run_stack: RunStack) -> None:
    # CreateAlias: "The AliasName value must ... cannot begin with alias/aws/"
    # (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).
    run = run_stack(
        "prod",
        projectName="aws",
        accessMode="ssh",
        sshAllowedCidrs='["203.0.113.0/24"]',
        **CUSTOMER_KEYS,
    )
    for alias in run.of_type(KMS_ALIAS):
        name = alias.inputs.get("name") or alias.inputs["namePrefix"]
        assert name.startswith("alias/") and not name.startswith("alias/aws/")


def keys_by_use(run: ProgramRun) -> dict[str, Any]:
    return {
        key.name.removeprefix("database-keys-"): key
        for key in run.of_type(KMS_KEY)
        if key.name.startswith("database-keys-")
    }


def test_a_storage_key_outlives_a_kept_final_snapshot(run_stack_once: RunStack) -> None:
    run = run_stack_once("prod", **CUSTOMER_KEYS)
    keys = keys_by_use(run)
    assert keys["storage"].retain_on_delete is True
    # RDS deletes Performance Insights data and its own secret with the instance.
    assert keys["performance-insights"].retain_on_delete is False
    assert keys["master-secret"].retain_on_delete is False
    # The alias goes, so a new stack of the same name can make its own.
    assert all(alias.retain_on_delete is False for alias in run.of_type(KMS_ALIAS))


def test_a_storage_key_outlives_kept_automated_backups(run_stack: RunStack) -> None:
    # prod keeps its automated backups (delete_automated_backups off) even
    # without a final snapshot.
    run = run_stack("prod", dbStorageKmsKey="customer-managed", dbSkipFinalSnapshot="true")
    assert keys_by_use(run)["storage"].retain_on_delete is True


def test_a_storage_key_goes_with_a_database_that_leaves_nothing(run_stack: RunStack) -> None:
    # dev: no final snapshot, automated backups deleted with the instance.
    run = run_stack("dev", dbStorageKmsKey="customer-managed")
    assert keys_by_use(run)["storage"].retain_on_delete is False
    kept = run_stack("dev", dbStorageKmsKey="customer-managed", dbSkipFinalSnapshot="false")
    assert keys_by_use(kept)["storage"].retain_on_delete is True
