"""The bastion's SSH key pair: generated, or the user's own public key."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls

from bastion_db.checks import validate
from bastion_db.checks.errors import ArgumentName
from bastion_db.checks.pieces import key_algorithm

RSA_BITS = 4096


@dataclass
class SshKeyArgs:
    """What key the bastion trusts."""

    # Name of the EC2 key pair, e.g. "bastion-db-dev-bastion"
    key_name: pulumi.Input[str]
    # ED25519 (default) or RSA (4096 bits) for a generated key
    algorithm: str = "ED25519"
    # The user's own OpenSSH public key; when given, no private key is generated
    public_key: str | None = None


class SshKey(pulumi.ComponentResource):
    """An EC2 key pair whose private half, when generated here, leaves Pulumi
    only as a secret output (``private_key_openssh``); it is never written to
    disk by the program."""

    key_name: pulumi.Output[str]
    private_key_openssh: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: SshKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked first, by the checks of ssh_key_algorithm and ssh_public_key.
        algorithm = key_algorithm(args.algorithm)
        if args.public_key is not None:
            validate.ssh_public_key(ArgumentName("public_key"), args.public_key)
        super().__init__("bastiondb:access:SshKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.public_key is None:
            private_key = tls.PrivateKey(
                f"{name}-private-key",
                algorithm=algorithm,
                rsa_bits=RSA_BITS if algorithm == "RSA" else None,
                opts=child,
            )
            public_key: pulumi.Input[str] = private_key.public_key_openssh
            # The provider already marks it secret; saying so again keeps it secret
            # should that ever change upstream.
            self.private_key_openssh = pulumi.Output.secret(private_key.private_key_openssh)
        else:
            public_key = args.public_key
            self.private_key_openssh = None

        key_pair = aws.ec2.KeyPair(
            f"{name}-key-pair",
            key_name=args.key_name,
            public_key=public_key,
            opts=child,
        )
        self.key_name = key_pair.key_name
        self.register_outputs({"keyName": self.key_name})
