"""Steps 3 and 4: sign-ins through the open tunnel."""

from __future__ import annotations

from verify.aws_cli import auth_token, aws_available, managed_master_password
from verify.clients import Client
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


def tls_sign_in(client: Client, password: str) -> StepResult:
    user = client.outputs.master_username
    got = client.sign_in(user, password, tls=True)
    if not got.connected:
        return StepResult(STEP_TLS, "FAIL", f"{user} could not sign in: {got.error}")
    if not got.tls_version:
        return StepResult(
            STEP_TLS, "FAIL", f"{user} signed in, but the server reports the session unencrypted"
        )
    return StepResult(
        STEP_TLS,
        "PASS",
        f"{user} signed in with dbClientCommand ({client.flavour}); "
        f"the server reports {got.tls_version}",
    )


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
    if outputs.iam_authentication is None:
        return StepResult(
            STEP_IAM,
            "SKIP",
            "the outputs do not say whether IAM authentication is on (no dbIamAuthentication)",
        )
    if not outputs.iam_authentication:
        return StepResult(STEP_IAM, "SKIP", "IAM authentication is off (dbIamAuthentication)")
    if iam_user is None:
        grant = "GRANT rds_iam" if outputs.engine == "postgres" else "AWSAuthenticationPlugin"
        return StepResult(
            STEP_IAM,
            "SKIP",
            f"IAM authentication is on: pass --iam-user, a database user set up for it ({grant})",
        )
    if not aws_available():
        return StepResult(
            STEP_IAM, "SKIP", "the aws CLI is not on PATH; it mints the token (install it)"
        )
    token = auth_token(outputs.db_host, outputs.db_port, iam_user, outputs.region, timeout)
    if token.value is None:
        return StepResult(STEP_IAM, "FAIL", token.problem)
    got = client.sign_in(iam_user, token.value, tls=True, cleartext=True)
    if not got.connected:
        return StepResult(STEP_IAM, "FAIL", f"{iam_user} with a token: {got.error}")
    if not got.tls_version:
        return StepResult(
            STEP_IAM, "FAIL", f"{iam_user} signed in, but the session is not encrypted"
        )
    return StepResult(
        STEP_IAM,
        "PASS",
        f"{iam_user} signed in with a token from aws rds generate-db-auth-token "
        f"({got.tls_version})",
    )
