"""Steps 3 and 4: sign-ins through the open tunnel."""

from __future__ import annotations

from bastion_db.connection import auth_token as auth_token_command
from verify.aws_cli import auth_token, aws_available, managed_master_password
from verify.clients import Client, SignIn
from verify.report import STEP_IAM, STEP_NO_TLS, STEP_TLS, StepResult
from verify.stack_outputs import StackOutputs

# What to change when a sign-in without TLS gets in.
_ENFORCE_TLS = {
    "postgres": "set rds.force_ssl=1 in the parameter group",
    "mysql": "set require_secure_transport=ON in the parameter group",
}


def master_password(outputs: StackOutputs, timeout: float) -> tuple[str | None, str]:
    if outputs.master_password is not None:
        return outputs.master_password, ""
    assert outputs.master_secret_arn is not None  # parse_outputs requires one of them
    answer = managed_master_password(outputs.master_secret_arn, outputs.region, timeout)
    return answer.value, answer.problem


def _encrypted_sign_in(step: str, got: SignIn, user: str, how: str) -> StepResult:
    """A sign-in that must get in, and be encrypted by the server's account."""
    if not got.connected:
        return StepResult(step, "FAIL", f"{user} could not sign in {how}: {got.error}")
    if not got.tls_version:
        return StepResult(
            step, "FAIL", f"{user} signed in {how}, but the server reports the session unencrypted"
        )
    return StepResult(step, "PASS", f"{user} signed in {how}; the server reports {got.tls_version}")


def tls_sign_in(client: Client, password: str) -> StepResult:
    user = client.outputs.master_username
    got = client.sign_in(user, password, tls=True)
    return _encrypted_sign_in(STEP_TLS, got, user, f"with dbClientCommand ({client.flavour})")


def no_tls_refused(client: Client, password: str) -> StepResult:
    user = client.outputs.master_username
    got = client.sign_in(user, password, tls=False)
    if got.connected:
        return StepResult(
            STEP_NO_TLS,
            "FAIL",
            f"the database accepted {user} without TLS; TLS is not enforced: "
            f"{_ENFORCE_TLS[client.outputs.engine]}",
        )
    # The same user and password just got in with TLS: the refusal is the TLS.
    return StepResult(STEP_NO_TLS, "PASS", f"refused (with TLS it got in): {got.error}")


def iam_sign_in(client: Client, iam_user: str | None, timeout: float) -> StepResult:
    outputs = client.outputs
    if outputs.iam_username is None and iam_user is None:
        return StepResult(
            STEP_IAM, "SKIP", "IAM authentication is off (the outputs have no dbIamUsername)"
        )
    user = iam_user or outputs.iam_username
    assert user is not None
    if not aws_available():
        return StepResult(
            STEP_IAM, "SKIP", "the aws CLI is not on PATH; it mints the token (install it)"
        )
    token = auth_token(auth_token_command(outputs.connection, user), timeout)
    if token.value is None:
        return StepResult(STEP_IAM, "FAIL", token.problem)
    got = client.sign_in(user, token.value, tls=True, cleartext=True)
    return _encrypted_sign_in(STEP_IAM, got, user, "with a token from dbAuthTokenCommand")
