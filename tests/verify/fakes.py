"""Stand-ins for the two CLIs this machine has no account for, put first on
PATH: `aws` (a token the test database accepts; the master secret; an ssm
port forward done with ssh through the lab's bastion) and `pulumi` (the one output
writeSshKeyCommand reads). Each records its arguments, so a test can check
that verify ran the printed command as printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

FAKE_AWS = r"""#!{python}
import json, os, sys

arguments = sys.argv[1:]
with open(os.environ["FAKE_AWS_LOG"], "a") as log:
    log.write(json.dumps(arguments) + "\n")

TOKEN = {token!r}


def option(name):
    return arguments[arguments.index(name) + 1] if name in arguments else ""


if arguments[:2] == ["rds", "generate-db-auth-token"]:
    # Computed from what was asked, so a wrong host, port, user or region
    # gives a token the test database refuses.
    print(TOKEN.format(
        host=option("--hostname"), port=option("--port"), user=option("--username"),
        region=option("--region"),
    ))
    sys.exit(0)
if arguments[:2] == ["secretsmanager", "get-secret-value"] and os.environ["FAKE_AWS_SECRET"]:
    print(os.environ["FAKE_AWS_SECRET"])  # --query SecretString --output text
    sys.exit(0)
if arguments[:2] == ["ssm", "start-session"]:
    parameters = json.loads(option("--parameters"))
    forward = "{{}}:{{}}:{{}}".format(
        parameters["localPortNumber"][0], parameters["host"][0], parameters["portNumber"][0]
    )
    os.execvp("ssh", [
        "ssh", "-N", "-L", forward, "-i", os.environ["FAKE_SSM_KEY"], "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", os.environ["FAKE_SSM_BASTION"],
    ])
print("fake aws: not faked: " + " ".join(arguments), file=sys.stderr)
sys.exit(2)
"""

FAKE_PULUMI = r"""#!{python}
import os, sys

if sys.argv[1:] == ["stack", "output", "sshPrivateKey", "--show-secrets"]:
    sys.stdout.write(open(os.environ["FAKE_PULUMI_SSH_KEY"]).read())
    sys.exit(0)
print("fake pulumi: not faked: " + " ".join(sys.argv[1:]), file=sys.stderr)
sys.exit(2)
"""


# The shape of a real token: a presigned URL without its scheme.
TOKEN_TEMPLATE = (
    "{host}:{port}/?Action=connect&DBUser={user}&X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAFAKE%2F20260101%2F{region}%2Frds-db%2Faws4_request"
    "&X-Amz-Expires=900&X-Amz-Signature=fake"
)


def fake_token(host: str, port: int, user: str, region: str) -> str:
    return TOKEN_TEMPLATE.format(host=host, port=port, user=user, region=region)


def install_fakes(bin_dir: Path, aws: bool = True) -> None:
    bin_dir.mkdir(exist_ok=True)
    scripts = {"pulumi": FAKE_PULUMI.format(python=sys.executable)}
    if aws:
        scripts["aws"] = FAKE_AWS.format(python=sys.executable, token=TOKEN_TEMPLATE)
        scripts["session-manager-plugin"] = "#!/bin/sh\nexit 0\n"
    for name, text in scripts.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(0o755)


def aws_calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]
