"""RDS event notifications to the alarm topic: what CloudWatch metrics cannot
say (a failure, a failover, storage running out, maintenance, a changed
configuration or parameter group) reaches the same people as the alarms.

Two subscriptions, one per source type (an RDS event subscription has one
``SourceType``; CreateEventSubscription,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html),
as Security Hub's RDS.20 (instance events) and RDS.21 (parameter group events)
ask. The topic's default access policy already lets RDS resources of the same
account publish to it (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html);
its KMS key must let RDS use it (bastion_db/monitoring/key_policy.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# Event categories of source type db-instance and db-parameter-group
# (DescribeEventCategories; "Amazon RDS event categories and event messages",
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html).
INSTANCE_EVENT_CATEGORIES = (
    "configuration change",
    "failover",
    "failure",
    "low storage",
    "maintenance",
)
PARAMETER_GROUP_EVENT_CATEGORIES = ("configuration change",)
# Read replicas: the instance categories plus "read replica" (RDS-EVENT-0045
# replication stopped, 0046 resumed, 0057 streaming terminated, 0062 stopped
# manually, 0202 replica creation failed; same page).
REPLICA_EVENT_CATEGORIES = (*INSTANCE_EVENT_CATEGORIES, "read replica")


@dataclass
class DatabaseEventsArgs:
    """Whose events, sent where."""

    topic_arn: pulumi.Input[str]
    db_instance_identifier: pulumi.Input[str]
    parameter_group_name: pulumi.Input[str]
    # Read replicas' identifiers (source ids of type db-instance must be
    # identifiers: CreateEventSubscription, SourceIds); none: no subscription
    replica_identifiers: Sequence[pulumi.Input[str]] = ()


class DatabaseEvents(pulumi.ComponentResource):
    """The database's and its parameter group's RDS events, on the alarm topic."""

    def __init__(
        self, name: str, args: DatabaseEventsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("bastiondb:monitoring:DatabaseEvents", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        instance = aws.rds.EventSubscription(
            f"{name}-instance",
            sns_topic=args.topic_arn,
            source_type="db-instance",
            source_ids=[args.db_instance_identifier],
            event_categories=list(INSTANCE_EVENT_CATEGORIES),
            enabled=True,
            opts=child,
        )
        parameters = aws.rds.EventSubscription(
            f"{name}-parameter-group",
            sns_topic=args.topic_arn,
            source_type="db-parameter-group",
            source_ids=[args.parameter_group_name],
            event_categories=list(PARAMETER_GROUP_EVENT_CATEGORIES),
            enabled=True,
            opts=child,
        )
        outputs = {
            "instanceSubscription": instance.name,
            "parameterGroupSubscription": parameters.name,
        }
        if args.replica_identifiers:
            replicas = aws.rds.EventSubscription(
                f"{name}-replicas",
                sns_topic=args.topic_arn,
                source_type="db-instance",
                source_ids=list(args.replica_identifiers),
                event_categories=list(REPLICA_EVENT_CATEGORIES),
                enabled=True,
                opts=child,
            )
            outputs["replicaSubscription"] = replicas.name
        self.register_outputs(outputs)
