"""What `verify` asks of the AWS CLI: an IAM authentication token, and the
master password when RDS keeps it in Secrets Manager."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class AwsAnswer:
    value: str | None
    # Why there is no value: the CLI is missing, failed, or answered nonsense.
    problem: str


def aws_available() -> bool:
    return shutil.which("aws") is not None


def _run(arguments: list[str], timeout: float) -> AwsAnswer:
    if not aws_available():
        return AwsAnswer(None, "the aws CLI is not on PATH")
    try:
        finished = subprocess.run(
            ["aws", *arguments],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return AwsAnswer(None, f"aws {' '.join(arguments[:2])} gave no answer within {timeout:g}s")
    if finished.returncode != 0:
        lines = [line.strip() for line in finished.stderr.splitlines() if line.strip()]
        message = lines[-1] if lines else f"exit {finished.returncode}"
        return AwsAnswer(None, f"aws {' '.join(arguments[:2])} failed: {message}")
    return AwsAnswer(finished.stdout.strip(), "")


def auth_token(command: list[str], timeout: float) -> AwsAnswer:
    """Runs dbAuthTokenCommand (``command``: `aws rds generate-db-auth-token
    ...`). The token is signed locally with the caller's credentials, good for
    15 minutes, for the real endpoint and port (not the tunnel's),
    https://docs.aws.amazon.com/cli/latest/reference/rds/generate-db-auth-token.html"""
    answer = _run(command[1:], timeout)
    if answer.value == "":
        return AwsAnswer(None, "aws rds generate-db-auth-token printed no token")
    return answer


def managed_master_password(secret_arn: str, region: str, timeout: float) -> AwsAnswer:
    """The password RDS keeps in Secrets Manager (manageMasterUserPassword): a
    JSON secret with "username" and "password", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html"""
    arguments = [
        "secretsmanager",
        "get-secret-value",
        "--secret-id",
        secret_arn,
        "--query",
        "SecretString",
        "--output",
        "text",
        "--region",
        region,
    ]
    answer = _run(arguments, timeout)
    if answer.value is None:
        return answer
    try:
        password = json.loads(answer.value)["password"]
    except (ValueError, KeyError, TypeError):
        return AwsAnswer(None, "the master secret is not JSON with a password")
    return AwsAnswer(str(password), "")
