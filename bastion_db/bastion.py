"""The bastion host: the only way into the private network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.checks.model import AccessMode
from bastion_db.checks.pieces import bastion_settings, name_argument, region_of
from bastion_db.iam import aws_managed_policy_arn, service_assume_role_policy
from bastion_db.session_preferences import session_logging_policy

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"


@dataclass
class BastionArgs:
    """Where the bastion runs and what it needs on board: plain values and
    Inputs, checked as BastionDatabase's bastion_* arguments."""

    # A public subnet (ssh mode) or a private one the agent can get out of (ssm
    # mode), as the network's placement chose
    subnet_id: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    # ssh: a public IPv4 address; ssm: none (Session Manager needs no inbound
    # path at all; FSBP EC2.9)
    access_mode: AccessMode = "ssh"
    # A small burstable type; its architecture picks the image
    instance_type: str = "t3.micro"
    root_volume_gib: int = 8
    # Amazon Linux packages of the database client, best first (EngineSpec.client_packages)
    client_packages: Sequence[str] = ()
    # A pinned image; None means the newest Amazon Linux 2023 when the bastion is
    # first created, kept until an image is pinned here (a deliberate replacement)
    ami_id: str | None = None
    # EC2 key pair for SSH; None in Session Manager mode
    key_name: pulumi.Input[str] | None = None
    # Name of the instance and prefix of its IAM role, e.g. "bastion-db-dev-bastion";
    # unset, the component's name
    name: str | None = None
    # ssm mode: the log group shell sessions are logged to, which the agent writes
    session_log_group_arn: pulumi.Input[str] | None = None
    # Where the instance type must be offered; unset, the program's aws:region
    region: str | None = None


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


def client_user_data(client_packages: tuple[str, ...]) -> str:
    """Cloud-init that installs the database client at every boot, nothing else.

    ``bootcmd`` runs on every boot, unlike a user-data script, which runs on the
    first boot only (https://cloudinit.readthedocs.io/en/latest/reference/modules.html#bootcmd).
    So when an engine upgrade changes the client, the provider updates the user
    data with a stop and start of the same instance (``user_data_replace_on_change``
    is off), and the client follows on that boot: the host keeps its disk and its
    SSH host keys. The first package Amazon Linux has wins.
    """
    candidates = " ".join(client_packages)
    return (
        "#cloud-config\n"
        "bootcmd:\n"
        "  - [sh, -c, 'for p in " + candidates + "; do "
        'dnf install -y "$p" && break; done\']\n'
    )


class Bastion(pulumi.ComponentResource):
    """An Amazon Linux 2023 instance with IMDSv2 required, an encrypted root
    volume and an IAM role that lets Session Manager in: in a public subnet in
    ssh mode, in a private one with no public address in ssm mode."""

    instance: aws.ec2.Instance
    instance_id: pulumi.Output[str]
    public_dns: pulumi.Output[str]

    def __init__(
        self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked first: a bad argument registers nothing.
        settings = bastion_settings(
            args.instance_type, args.root_volume_gib, args.ami_id, region_of(args.region)
        )
        instance_name = name_argument("name", args.name or name)
        super().__init__("bastiondb:compute:Bastion", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)

        image_id: pulumi.Input[str]
        if args.ami_id is None:
            image = amazon_linux_2023(settings.architecture, invoke_opts)
            image_id, image_owner = image.id, image.owner_id
        else:
            pinned = aws.ec2.get_ami_output(
                owners=["amazon"],
                filters=[aws.ec2.GetAmiFilterArgs(name="image-id", values=[args.ami_id])],
                opts=invoke_opts,
            )
            image_id, image_owner = pinned.id, pinned.owner_id

        # The role is the instance's identity: with the SSM core policy it can be
        # reached through Session Manager (the only door in ssm mode, a
        # break-glass one in ssh mode) and patched by Systems Manager.
        role = aws.iam.Role(
            f"{name}-role",
            name_prefix=f"{instance_name}-",
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
        if args.session_log_group_arn is not None:
            aws.iam.RolePolicy(
                f"{name}-session-logs",
                role=role.id,
                policy=pulumi.Output.from_input(args.session_log_group_arn).apply(
                    session_logging_policy
                ),
                opts=child,
            )
        profile = aws.iam.InstanceProfile(
            f"{name}-profile", name_prefix=f"{instance_name}-", role=role.name, opts=child
        )

        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=image_id,
            instance_type=settings.instance_type,
            subnet_id=args.subnet_id,
            # Replace-only in the provider, as subnet_id is: moving a bastion
            # between modes replaces it (README, "Day 2").
            associate_public_ip_address=args.access_mode == "ssh",
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
                volume_size=settings.root_volume_gib,
                delete_on_termination=True,
            ),
            monitoring=True,
            ebs_optimized=True,
            user_data=client_user_data(tuple(args.client_packages)),
            user_data_replace_on_change=False,
            tags={"Name": instance_name, "Role": "bastion"},
            # A new Amazon Linux release must not replace the bastion on the next
            # `up` (new host keys, dropped tunnels): the image it was created with
            # stays until a stack pins bastionAmiId, which replaces it on purpose.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["ami"] if args.ami_id is None else None
            ),
        )
        self.instance_id = self.instance.id
        self.public_dns = self.instance.public_dns
        self.register_outputs(
            {
                "instanceId": self.instance_id,
                "publicDns": self.public_dns,
                # Which image, published by whom: the policy pack checks the owner.
                "amiId": image_id,
                "amiOwnerId": image_owner,
                # The policy pack holds an ssm-mode bastion to no address, no inbound rule.
                "accessMode": args.access_mode,
            }
        )
