"""The private paths a Session Manager bastion with no way to the internet needs.

What the bastion reaches, at boot and in a session, and the path each takes here:

- instance metadata, the Amazon-provided DNS resolver and Amazon Time Sync:
  link-local addresses inside the VPC, no endpoint
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html);
- ``ssm``, ``ssmmessages``, ``ec2messages``: SSM Agent registers, receives
  sessions and carries their data (interface endpoints; "Improve the security of
  EC2 instances by using VPC endpoints for Systems Manager",
  https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html);
- ``logs``: the agent streams shell sessions to the encrypted log group and
  checks its encryption (DescribeLogGroups) before a session starts (the same
  page, "logs" for CloudWatch Logs);
- ``kms``: not needed. The session document sets no ``kmsKeyId`` (no session
  data encryption), and CloudWatch Logs encrypts the log group with its key
  itself, under the key policy; the instance never calls KMS
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html);
- ``s3``: the database client the user data installs with ``dnf`` comes from the
  Amazon Linux 2023 repositories, which are S3 buckets
  (``al2023-repos-<region>-....s3.dualstack.<region>.amazonaws.com``). An S3
  gateway endpoint on the bastion subnet's route table reaches them, free of
  charge (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html);
  the bastion's group already lets HTTPS out.
- the database: in the VPC, through the security groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from bastion_db.security_groups import HTTPS_PORT
from bastion_db.vpc_endpoint_lookup import endpoint_tag_name

# What SSM Agent calls for Session Manager: ssm (registration, commands),
# ssmmessages (the session's data channel) and ec2messages (the agent's older
# message channel; agents from 3.3.40.0 use ssmmessages instead where it is
# available, but older agents and other Systems Manager tools still need it):
# https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html
SESSION_MANAGER_SERVICES = ("ssm", "ssmmessages", "ec2messages")
# Interface endpoints, private DNS on: Session Manager's and CloudWatch Logs'.
INTERFACE_SERVICES = (*SESSION_MANAGER_SERVICES, "logs")
# Gateway endpoints, a route on the bastion's route table: S3, for dnf.
GATEWAY_SERVICES = ("s3",)


def endpoint_service_name(reverse_dns_prefix: str, region: str, service: str) -> str:
    """``com.amazonaws.<region>.<service>``; the prefix is the partition's
    (``cn.com.amazonaws`` in China), as getPartition reports it."""
    return f"{reverse_dns_prefix}.{region}.{service}"


@dataclass
class SsmEndpointsArgs:
    """Where the endpoints go and who may use them."""

    vpc_id: pulumi.Input[str]
    # One private subnet per availability zone (an endpoint takes at most one per zone)
    subnet_ids: pulumi.Input[list[str]]
    # The bastion's security group: the only source the endpoints admit
    bastion_security_group_id: pulumi.Input[str]
    # The route table of the bastion's subnet: the S3 gateway endpoint's route goes there
    route_table_id: pulumi.Input[str]
    region: str
    # Name prefix for the group, e.g. "bastion-db-prod"
    name_prefix: str


class SsmEndpoints(pulumi.ComponentResource):
    """One interface endpoint per service the bastion calls, private DNS on (so
    the agent's usual host names resolve to them), behind a group admitting
    HTTPS from the bastion's group only; and an S3 gateway endpoint on the
    bastion's route table, for its packages.

    The gateway endpoint keeps the default (full access) policy on purpose: a
    route table can be shared with other subnets, and a gateway endpoint moves
    all their S3 traffic in the region onto itself; a narrower policy would cut
    off what they reached through a NAT gateway before."""

    security_group: aws.ec2.SecurityGroup
    endpoint_ids: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: SsmEndpointsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:network:SsmEndpoints", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-group",
            name_prefix=f"{args.name_prefix}-ssm-endpoints-",
            description="Session Manager endpoints: HTTPS from the bastion only",
            vpc_id=args.vpc_id,
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-https-from-bastion",
            security_group_id=self.security_group.id,
            referenced_security_group_id=args.bastion_security_group_id,
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS from the bastion's Session Manager agent",
            opts=child,
        )

        def service_name(service: str) -> pulumi.Output[str]:
            return partition.reverse_dns_prefix.apply(
                lambda prefix: endpoint_service_name(prefix, args.region, service)
            )

        endpoints = [
            aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=args.vpc_id,
                service_name=service_name(service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=args.subnet_ids,
                security_group_ids=[self.security_group.id],
                tags={"Name": endpoint_tag_name(args.name_prefix, service)},
                opts=child,
            )
            for service in INTERFACE_SERVICES
        ]
        endpoints += [
            aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=args.vpc_id,
                service_name=service_name(service),
                vpc_endpoint_type="Gateway",
                route_table_ids=[args.route_table_id],
                tags={"Name": endpoint_tag_name(args.name_prefix, service)},
                opts=child,
            )
            for service in GATEWAY_SERVICES
        ]
        self.endpoint_ids = pulumi.Output.all(*[endpoint.id for endpoint in endpoints])
        self.register_outputs(
            {"securityGroupId": self.security_group.id, "endpointIds": self.endpoint_ids}
        )
