"""The state project's account-wide guardrails (Security Hub EC2.7 and S3.1):
made only when the stack says it owns them, fully on, and left on when the
stack is destroyed."""

from __future__ import annotations

from pathlib import Path

from bootstrap.program import define_state_backend
from offline.fake_aws import lab_world
from offline.runner import ProgramRun, run_program
from offline.stack_config import load_stack_config

BOOTSTRAP_DIR = Path(__file__).resolve().parents[2] / "bootstrap"
EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
S3_ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"


def state_run(**overrides: str) -> ProgramRun:
    config = load_stack_config(BOOTSTRAP_DIR, "state")
    values = dict(config.values)
    values.update({f"{config.project}:{key}": value for key, value in overrides.items()})

    def program() -> None:
        define_state_backend()

    return run_program(
        program, project=config.project, stack=config.stack, config=values, world=lab_world()
    )


def test_the_example_stack_owns_both_guardrails_and_keeps_them_on_destroy() -> None:
    run = state_run()
    ebs = run.one(EBS_DEFAULT)
    assert ebs.inputs["enabled"] is True
    block = run.one(S3_ACCOUNT_BLOCK)
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block.inputs[flag] is True, flag
    # Deleting either would turn the guardrail off for the whole account.
    assert ebs.retain_on_delete and block.retain_on_delete


def test_a_stack_that_does_not_own_them_leaves_the_account_alone() -> None:
    run = state_run(manageEbsEncryptionByDefault="false", manageS3AccountPublicAccessBlock="false")
    assert run.of_type(EBS_DEFAULT) == [] and run.of_type(S3_ACCOUNT_BLOCK) == []
    only_ebs = state_run(manageS3AccountPublicAccessBlock="false")
    assert len(only_ebs.of_type(EBS_DEFAULT)) == 1 and only_ebs.of_type(S3_ACCOUNT_BLOCK) == []
