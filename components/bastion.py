"""The bastion host: the only way into the private network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.iam import aws_managed_policy_arn, service_assume_role_policy
from settings.engines import EngineSpec

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"


@dataclass
class BastionArgs:
    """Where the bastion runs and what it needs on board."""

    # A public subnet of the existing VPC
    subnet_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    instance_type: str
    architecture: Literal["x86_64", "arm64"]
    root_volume_gib: int
    # The engine whose command-line client the user data installs
    engine: EngineSpec
    # EC2 key pair for SSH; None in Session Manager mode
    key_name: pulumi.Input[str] | None
    # Name of the instance and prefix of its IAM role, e.g. "bastion-db-dev-bastion"
    name: str


def amazon_linux_2023(
    architecture: str, opts: pulumi.InvokeOutputOptions
) -> pulumi.Output[aws.ec2.GetAmiResult]:
    """The newest Amazon Linux 2023 image published by Amazon for the architecture."""
    return aws.ec2.get_ami_output(
        most_recent=True,
        owners=["amazon"],
        filters=[
            aws.ec2.GetAmiFilterArgs(
                name="name", values=[f"al2023-ami-2023.*-kernel-*-{architecture}"]
            ),
            aws.ec2.GetAmiFilterArgs(name="architecture", values=[architecture]),
            aws.ec2.GetAmiFilterArgs(name="virtualization-type", values=["hvm"]),
            aws.ec2.GetAmiFilterArgs(name="state", values=["available"]),
        ],
        opts=opts,
    )


def client_user_data(engine: EngineSpec) -> str:
    """Cloud-init script that installs the database client, nothing else."""
    return f"#!/bin/bash\nset -euo pipefail\ndnf install -y {engine.client_package}\n"


class Bastion(pulumi.ComponentResource):
    """An Amazon Linux 2023 instance in a public subnet with IMDSv2 required,
    an encrypted root volume and an IAM role that lets Session Manager in."""

    instance: aws.ec2.Instance
    instance_id: pulumi.Output[str]
    public_dns: pulumi.Output[str]

    def __init__(
        self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:compute:Bastion", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)

        image = amazon_linux_2023(args.architecture, invoke_opts)

        # The role is the instance's identity: with the SSM core policy it can be
        # reached through Session Manager (the only door in ssm mode, a
        # break-glass one in ssh mode) and patched by Systems Manager.
        role = aws.iam.Role(
            f"{name}-role",
            name_prefix=f"{args.name}-",
            description="Bastion host instance role (Session Manager)",
            assume_role_policy=service_assume_role_policy("ec2.amazonaws.com"),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-ssm-core",
            role=role.name,
            policy_arn=aws_managed_policy_arn(SSM_CORE_POLICY, self),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(
            f"{name}-profile", name_prefix=f"{args.name}-", role=role.name, opts=child
        )

        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=image.id,
            instance_type=args.instance_type,
            subnet_id=args.subnet_id,
            associate_public_ip_address=True,
            vpc_security_group_ids=[args.security_group_id],
            key_name=args.key_name,
            iam_instance_profile=profile.name,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # One hop: credentials never reach a container on the host.
                http_put_response_hop_limit=1,
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True,
                volume_type="gp3",
                volume_size=args.root_volume_gib,
                delete_on_termination=True,
            ),
            monitoring=True,
            ebs_optimized=True,
            user_data=client_user_data(args.engine),
            user_data_replace_on_change=True,
            tags={"Name": args.name, "Role": "bastion"},
            opts=child,
        )
        self.instance_id = self.instance.id
        self.public_dns = self.instance.public_dns
        self.register_outputs(
            {
                "instanceId": self.instance_id,
                "publicDns": self.public_dns,
                # Which image, published by whom: the policy pack checks the owner.
                "amiId": image.id,
                "amiOwnerId": image.owner_id,
            }
        )
