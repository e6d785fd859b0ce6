"""The monitoring component: alarms on the database and the bastion, an
encrypted SNS topic that e-mails them, and a dashboard of the same metrics.

The decisions live in the pure modules beside it (``alarms``, ``dashboard``,
``key_policy``); this one only turns them into resources.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from bastion_db.alarm_thresholds import database_thresholds
from bastion_db.checks.arguments import argument_name
from bastion_db.checks.pieces import SettingName, monitoring_settings, region_of
from bastion_db.monitoring.alarms import Target, left_out_alarms, plan_alarms
from bastion_db.monitoring.dashboard import dashboard_body, dashboard_url, physical_name_for
from bastion_db.monitoring.key_policy import alarm_key_policy
from bastion_db.monitoring.metric_alarm import metric_alarm


def subscription_suffix(address: str) -> str:
    """A short, stable name part per address: removing one recipient must not
    rename (and so replace) the others' subscriptions."""
    return hashlib.sha256(address.lower().encode()).hexdigest()[:8]


@dataclass
class DatabaseMonitoringArgs:
    """What the monitoring component watches and how it is told to judge it."""

    # The RDS instance's identifier (the `DBInstanceIdentifier` dimension);
    # pass the instance's output so the alarms depend on it
    db_instance_identifier: pulumi.Input[str]
    # The bastion's EC2 instance id (the `InstanceId` dimension)
    bastion_instance_id: pulumi.Input[str]
    # BastionDatabase's arguments of the same names, checked by the same checks:
    # the alarm_* thresholds, window and e-mails, the database's shape that
    # sizes them (db_engine, db_instance_class, db_allocated_storage_gib,
    # db_max_allocated_storage_gib, db_max_connections...) and the profile
    options: Mapping[str, Any] = field(default_factory=dict)
    # Region the metrics live in (the dashboard and its console URL); unset,
    # the program's aws:region
    region: str | None = None
    # Prefix of the stack's physical names, e.g. "bastion-db-dev": dashboards
    # and key aliases are account-wide, so their names carry it
    name_prefix: str | None = None
    # Dashboard name; the default is "<name prefix>-<component name>"
    dashboard_name: str | None = None
    # Extra tags for the taggable children; the provider's default tags already
    # cover Project/Environment/ManagedBy
    tags: Mapping[str, str] | None = None
    # How a warning spells a setting: the argument by default
    setting_name: SettingName = argument_name


class DatabaseMonitoring(pulumi.ComponentResource):
    """CloudWatch alarms on the database and the bastion, an encrypted SNS topic
    that e-mails them, and a dashboard of the same metrics."""

    topic_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    alarm_names: dict[str, pulumi.Output[str]]
    alarm_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: DatabaseMonitoringArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Checked first: a bad argument registers nothing.
        region = region_of(args.region)
        db, settings = monitoring_settings(args.options, region, args.setting_name)
        super().__init__("bastiondb:monitoring:DatabaseMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags) if args.tags else None
        # Account-wide names (dashboard, key alias) must differ between stacks.
        base = physical_name_for(f"{args.name_prefix}-{name}" if args.name_prefix else name)

        self.thresholds = database_thresholds(
            engine=db.engine.name,
            instance_class=db.instance_class,
            allocated_storage_gib=db.allocated_storage_gib,
            max_allocated_storage_gib=db.max_allocated_storage_gib,
            max_connections_override=db.max_connections,
            settings=settings,
        )
        self.plans = plan_alarms(self.thresholds, settings)
        # A warning, not an error: the class is one RDS offers, and every other
        # alarm still protects the database. Shown at every preview and update.
        for note in left_out_alarms(self.thresholds, settings.setting_name):
            pulumi.log.warn(note, resource=self)

        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        key = aws.kms.Key(
            f"{name}-alarms-key",
            aws.kms.KeyArgs(
                description=f"Encrypts the alarm topic of {base}; usable by CloudWatch alarms",
                enable_key_rotation=True,
                policy=identity.apply(
                    lambda who: alarm_key_policy(who.arn.split(":")[1], who.account_id)
                ),
                tags=tags,
            ),
            child,
        )
        aws.kms.Alias(
            f"{name}-alarms-key-alias",
            aws.kms.AliasArgs(target_key_id=key.key_id, name_prefix=f"alias/{base}-alarms-"),
            child,
        )
        topic = aws.sns.Topic(
            f"{name}-alarms",
            aws.sns.TopicArgs(
                display_name=f"{base} alarms"[:100],
                kms_master_key_id=key.arn,
                tags=tags,
            ),
            child,
        )
        for address in settings.alarm_emails:
            aws.sns.TopicSubscription(
                f"{name}-email-{subscription_suffix(address)}",
                aws.sns.TopicSubscriptionArgs(topic=topic.arn, protocol="email", endpoint=address),
                child,
            )

        dimension_values: dict[Target, pulumi.Input[str]] = {
            "database": args.db_instance_identifier,
            "bastion": args.bastion_instance_id,
        }
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for plan in self.plans:
            self.alarms[plan.key] = metric_alarm(
                f"{name}-{plan.key}", plan, dimension_values[plan.target], topic.arn, child, tags
            )

        board_name = args.dashboard_name or base
        arns = [alarm.arn for alarm in self.alarms.values()]
        thresholds = self.thresholds
        body = pulumi.Output.all(
            args.db_instance_identifier, args.bastion_instance_id, *arns
        ).apply(
            lambda values: json.dumps(
                dashboard_body(
                    region=region,
                    db_instance_identifier=values[0],
                    bastion_instance_id=values[1],
                    thresholds=thresholds,
                    alarm_arns=values[2:],
                ),
                indent=2,
            )
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            aws.cloudwatch.DashboardArgs(dashboard_name=board_name, dashboard_body=body),
            child,
        )

        self.topic_arn = topic.arn
        self.kms_key_arn = key.arn
        self.dashboard_name = dashboard.dashboard_name
        self.dashboard_url = dashboard.dashboard_name.apply(
            lambda board: dashboard_url(region, board)
        )
        self.alarm_names = {key_: alarm.name for key_, alarm in self.alarms.items()}
        self.alarm_arns = {key_: alarm.arn for key_, alarm in self.alarms.items()}
        self.register_outputs(
            {
                "topicArn": self.topic_arn,
                "kmsKeyArn": self.kms_key_arn,
                "dashboardName": self.dashboard_name,
                "dashboardUrl": self.dashboard_url,
                "alarmNames": self.alarm_names,
                "alarmArns": self.alarm_arns,
            }
        )
