"""A bastion host and a private database in an existing VPC, from the
bastion-db package: one BastionDatabase, its connection details as outputs.

The stack's configuration (`pulumi config set ...`) holds the few values the
template asked for; every other argument of BastionDatabaseArgs keeps its
hardened default (docs: the package's docs/package.md). A stack named prod
gets prod's guarantees; any other stack is dev.
"""

from typing import cast

import pulumi

from bastion_db import BastionDatabase, BastionDatabaseArgs
from bastion_db.args import AccessMode, Profile
from bastion_db.aws_provider import tagged_aws_provider

config = pulumi.Config()


def listed(key: str) -> list[str]:
    """A comma-separated value, as `pulumi new` and `pulumi config set` store it."""
    return [item.strip() for item in (config.get(key) or "").split(",") if item.strip()]


project, stack = pulumi.get_project(), pulumi.get_stack()
# Every taggable resource gets Project, Environment and ManagedBy.
aws_provider = tagged_aws_provider(pulumi.Config("aws").require("region"), project, stack)

product = BastionDatabase(
    project,
    BastionDatabaseArgs(
        vpc_id=config.require("vpcId"),
        profile=Profile.PROD if stack == "prod" else Profile.DEV,
        environment=stack,
        # A wrong value is refused by BastionDatabase's own check, by name.
        access_mode=cast(AccessMode, config.get("accessMode") or "ssm"),
        ssh_allowed_cidrs=listed("sshAllowedCidrs"),
        alarm_emails=listed("alarmEmails"),
    ),
    pulumi.ResourceOptions(providers=[aws_provider]),
)

pulumi.export("dbHost", product.db_host)
pulumi.export("dbPort", product.db_port)
pulumi.export("dbClientCommand", product.db_client_command)
pulumi.export("sshTunnelCommand", product.ssh_tunnel_command)
pulumi.export("ssmPortForwardCommand", product.ssm_port_forward_command)
pulumi.export("dbMasterSecretArn", product.db_master_secret_arn)
pulumi.export("dashboardUrl", product.dashboard_url)
