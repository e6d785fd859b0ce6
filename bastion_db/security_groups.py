"""The two security groups: SSH into the bastion, the database port only from it."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.checks.model import AccessMode, IpNetwork
from bastion_db.checks.pieces import name_argument, ssh_networks

SSH_PORT = 22
HTTPS_PORT = 443


@dataclass
class SecurityGroupsArgs:
    """Who may reach the bastion, and on which port the database listens."""

    vpc_id: pulumi.Input[str]
    # "ssh": inbound SSH from ssh_allowed_cidrs; "ssm": no inbound rule at all
    access_mode: AccessMode = "ssh"
    # Networks in CIDR form, e.g. "203.0.113.0/24"
    ssh_allowed_cidrs: Sequence[str] = ()
    # The only way 0.0.0.0/0 or ::/0 is accepted in ssh_allowed_cidrs
    allow_ssh_from_anywhere: bool = False
    database_port: int = 5432
    # Name prefix for the groups, e.g. "bastion-db-dev"; unset, the component's name
    name_prefix: str | None = None


class SecurityGroups(pulumi.ComponentResource):
    """``bastion`` admits SSH only from the named networks and may only speak
    HTTPS (packages, Session Manager) and the database port to the database's
    group; ``database`` admits its port only from ``bastion`` and sends nothing."""

    bastion: aws.ec2.SecurityGroup
    database: aws.ec2.SecurityGroup

    def __init__(
        self, name: str, args: SecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked first: a bad argument registers nothing.
        networks = ssh_networks(args.ssh_allowed_cidrs, args.allow_ssh_from_anywhere)
        prefix = name_argument("name_prefix", args.name_prefix or name)
        super().__init__("bastiondb:network:SecurityGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        # No inline rules: every rule is its own resource, so adding one never
        # rewrites the others, and the AWS provider removes the default
        # allow-all egress rule when a group is created.
        self.bastion = aws.ec2.SecurityGroup(
            f"{name}-bastion",
            name_prefix=f"{prefix}-bastion-",
            description="Bastion host: SSH from named networks only",
            vpc_id=args.vpc_id,
            opts=child,
        )
        self.database = aws.ec2.SecurityGroup(
            f"{name}-database",
            name_prefix=f"{prefix}-database-",
            description="Database: its port from the bastion only, no egress",
            vpc_id=args.vpc_id,
            opts=child,
        )

        if args.access_mode == "ssh":
            for network in networks:
                self._ssh_ingress(name, network, child)

        aws.vpc.SecurityGroupIngressRule(
            f"{name}-database-from-bastion",
            security_group_id=self.database.id,
            referenced_security_group_id=self.bastion.id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            description="Database port from the bastion host only",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-bastion-https-out",
            security_group_id=self.bastion.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS for OS packages and the Session Manager agent",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-bastion-to-database",
            security_group_id=self.bastion.id,
            referenced_security_group_id=self.database.id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            description="Tunnelled database connections to the database group",
            opts=child,
        )
        self.register_outputs(
            {"bastionSecurityGroupId": self.bastion.id, "databaseSecurityGroupId": self.database.id}
        )

    def _ssh_ingress(self, name: str, network: IpNetwork, opts: pulumi.ResourceOptions) -> None:
        ingress_from_network(
            f"{name}-bastion-ssh",
            self.bastion.id,
            network,
            SSH_PORT,
            f"SSH to the bastion from {network}",
            opts,
        )


def ingress_from_network(
    name: str,
    group_id: pulumi.Input[str],
    network: IpNetwork,
    port: int,
    description: str,
    opts: pulumi.ResourceOptions,
) -> aws.vpc.SecurityGroupIngressRule:
    """One rule admitting ``port`` from ``network``, named '<name>-<network>'.

    The logical name carries the network, so adding or removing one network
    never replaces the rules of the others."""
    slug = str(network).replace(".", "-").replace(":", "-").replace("/", "-")
    is_v4 = isinstance(network, ipaddress.IPv4Network)
    return aws.vpc.SecurityGroupIngressRule(
        f"{name}-{slug}",
        security_group_id=group_id,
        cidr_ipv4=str(network) if is_v4 else None,
        cidr_ipv6=None if is_v4 else str(network),
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        opts=opts,
    )
