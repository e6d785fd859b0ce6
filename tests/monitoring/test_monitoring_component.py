"""The monitoring component under the SDK's mocks, against the shared fake AWS
world (``offline/``): what it really registers.

Every test asserts on the record returned by ``run_program`` after the program
and all its registrations finished, never inside an ``apply``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from bastion_db.checks import instance_classes
from bastion_db.checks.pieces import MONITORING_OPTIONS
from bastion_db.monitoring import DatabaseMonitoring, DatabaseMonitoringArgs
from bastion_db.monitoring.dashboard import physical_name_for
from offline.fake_aws import ACCOUNT_ID, lab_world
from offline.runner import ProgramRun, run_program
from offline.snapshot import UNKNOWN, ResourceSnapshot
from tests.monitoring.profiles import STACK_ARGUMENTS

GIB = 1024**3
COMPONENT_TYPE = "bastiondb:monitoring:DatabaseMonitoring"
ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"
NAME = "monitoring"
# Dashboards are account-wide: the default name carries project and stack
DEFAULT_DASHBOARD = "bastion-db-dev-monitoring"
EMAILS = ("oncall@example.com", "dba@example.org")
# What the component exposes to its callers, exported by every test program.
EXPOSED = (
    "topic_arn",
    "kms_key_arn",
    "dashboard_name",
    "dashboard_url",
    "alarm_names",
    "alarm_arns",
)


@dataclass(frozen=True)
class Case:
    """A database shape and the alarm lines it must get (worked out by hand)."""

    id: str
    profile: str
    engine: str
    instance_class: str
    storage_gib: int
    max_storage_gib: int | None
    max_connections: int | None
    cpu: float
    freeable_memory_bytes: int
    free_storage_bytes: int
    connections: int
    latency_seconds: float
    periods: int
    bastion_cpu: float


CASES = [
    # 1 GiB class: 10 % of 1 GiB; default PostgreSQL limit 81, 95 % -> 76
    Case("dev-postgres-t4g-micro", "dev", "postgres", "db.t4g.micro", 20, None, None,
         95, int(GIB * 0.10), 2 * GIB, 76, 0.05, 10, 95),
    # 2 GiB class: MySQL limit 144, 95 % -> 136; 10 % of 50 GiB
    Case("dev-mysql-t3-small", "dev", "mysql", "db.t3.small", 50, None, None,
         95, int(2 * GIB * 0.10), 5 * GIB, 136, 0.05, 10, 95),
    # 8 GiB class: 25 % = 2 GiB; MySQL limit 640, 90 % -> 576; autoscaling halves 10 GiB
    Case("prod-mysql-m6g-large-autoscaling", "prod", "mysql", "db.m6g.large", 100, 500, None,
         90, 2 * GIB, 5 * GIB, 576, 0.02, 5, 80),
    # 32 GiB class: 25 % = 8 GiB; the parameter group's 2000 connections, 90 % -> 1800
    Case("prod-postgres-r6g-xlarge-override", "prod", "postgres", "db.r6g.xlarge", 200, None, 2000,
         90, 8 * GIB, 20 * GIB, 1800, 0.02, 5, 80),
    # A class the old hand table refused: 16 GiB, 25 % = 4 GiB; PostgreSQL limit
    # (16 GiB - 256 MiB - 3 %) // 9531392 = 1720, 90 % -> 1548
    Case("prod-postgres-r6i-large", "prod", "postgres", "db.r6i.large", 100, None, None,
         90, 4 * GIB, 10 * GIB, 1548, 0.02, 5, 80),
]  # fmt: skip


def options_for(case: Case, emails: tuple[str, ...] = EMAILS, **more: Any) -> dict[str, Any]:
    """The stack's arguments with the case's engine, size, limit and e-mails."""
    stack = STACK_ARGUMENTS[case.profile]
    return {
        **{key: value for key, value in stack.items() if key in MONITORING_OPTIONS},
        "db_engine": case.engine,
        # The engine's default version (a case may change the stack's engine).
        "db_engine_version": None,
        "db_instance_class": case.instance_class,
        "db_allocated_storage_gib": case.storage_gib,
        "db_max_allocated_storage_gib": case.max_storage_gib or 0,
        "db_max_connections": case.max_connections or 0,
        "alarm_emails": list(emails),
        **more,
    }


def monitoring_program(
    case: Case,
    *,
    emails: tuple[str, ...] = EMAILS,
    dashboard_name: str | None = None,
    tags: Mapping[str, str] | None = None,
    stack: str = "dev",
    name_prefix: str | None = None,
    options: Mapping[str, Any] | None = None,
    region: str = "eu-west-1",
) -> Run:
    def program() -> None:
        # Stand-ins for the database and bastion components' resources, so the
        # alarms' dimensions come from real outputs with real dependencies.
        database = aws.rds.Instance(
            "db",
            aws.rds.InstanceArgs(
                engine=case.engine,
                instance_class=case.instance_class,
                allocated_storage=case.storage_gib,
            ),
        )
        bastion = aws.ec2.Instance(
            "bastion", aws.ec2.InstanceArgs(ami="ami-0123456789abcdef0", instance_type="t3.micro")
        )
        monitoring = DatabaseMonitoring(
            NAME,
            DatabaseMonitoringArgs(
                db_instance_identifier=database.identifier,
                bastion_instance_id=bastion.id,
                options=options or options_for(case, emails),
                region=region,
                name_prefix=name_prefix or f"bastion-db-{stack}",
                dashboard_name=dashboard_name,
                tags=tags,
            ),
        )
        for attribute in EXPOSED:
            pulumi.export(attribute, getattr(monitoring, attribute))

    return run(program, stack=stack)


@dataclass(frozen=True)
class Run:
    """A finished run: every registration, and the exported values, all known."""

    program: ProgramRun
    values: dict[str, Any]

    @property
    def registrations(self) -> list[ResourceSnapshot]:
        return self.program.resources

    def of_type(self, type_: str) -> list[ResourceSnapshot]:
        return self.program.of_type(type_)

    def named(self, name: str) -> ResourceSnapshot:
        matches = [r for r in self.registrations if r.name == name]
        assert len(matches) == 1, f"expected one resource named {name!r}, found {len(matches)}"
        return matches[0]


def run(program: Callable[[], None], *, stack: str = "dev") -> Run:
    """Runs ``program`` on the shared fake world; every value it exports must be known."""
    finished = run_program(program, project="bastion-db", stack=stack, config={}, world=lab_world())
    unresolved = [key for key, value in finished.outputs.items() if value is UNKNOWN]
    if unresolved:
        raise AssertionError(f"outputs never resolved (unknown?): {unresolved}")
    return Run(finished, dict(finished.outputs))


def depends_on(registration: ResourceSnapshot, prop: str) -> set[str]:
    """URNs the property's value came from."""
    return set(registration.property_dependencies.get(prop, ()))


@pytest.fixture(scope="module", params=CASES, ids=[case.id for case in CASES])
def case_run(request: pytest.FixtureRequest) -> tuple[Case, Run]:
    case: Case = request.param
    return case, monitoring_program(case)


def watched(run: Run) -> tuple[str, str]:
    """The database identifier and bastion instance id the fake world gave the stand-ins."""
    return run.named("db").outputs["identifier"], run.named("bastion").id or ""


def expected_alarms(case: Case, run: Run) -> dict[str, dict[str, Any]]:
    """Each alarm's expected inputs, in the engine's camelCase property names."""
    db_identifier, bastion_id = watched(run)

    def database(
        metric: str,
        comparison: str,
        threshold: float,
        *,
        statistic: str | None = "Average",
        extended: str | None = None,
        periods: int = case.periods,
    ) -> dict[str, Any]:
        return {
            "namespace": "AWS/RDS",
            "metricName": metric,
            "dimensions": {"DBInstanceIdentifier": db_identifier},
            "statistic": statistic,
            "extendedStatistic": extended,
            "period": 60,
            "evaluationPeriods": periods,
            "datapointsToAlarm": periods,
            "comparisonOperator": comparison,
            "threshold": threshold,
            "treatMissingData": "missing",
        }

    # A burstable (T) class is also watched for its CPU credits.
    credits = (
        {
            "db-cpu-credits": {
                **database("CPUCreditBalance", "LessThanThreshold", 10, statistic="Minimum"),
                "period": 300,
                "evaluationPeriods": 3,
                "datapointsToAlarm": 3,
            }
        }
        if instance_classes.spec(case.instance_class).burstable
        else {}
    )
    return credits | {
        "db-cpu": database("CPUUtilization", "GreaterThanThreshold", case.cpu),
        "db-freeable-memory": database(
            "FreeableMemory", "LessThanThreshold", case.freeable_memory_bytes,
            periods=case.periods * 3,
        ),
        "db-free-storage": database(
            "FreeStorageSpace", "LessThanThreshold", case.free_storage_bytes, statistic="Minimum"
        ),
        "db-connections": database("DatabaseConnections", "GreaterThanThreshold", case.connections),
        "db-read-latency": database(
            "ReadLatency", "GreaterThanThreshold", case.latency_seconds, statistic=None,
            extended="p90",
        ),
        "db-write-latency": database(
            "WriteLatency", "GreaterThanThreshold", case.latency_seconds, statistic=None,
            extended="p90",
        ),
        "bastion-status-check": {
            "namespace": "AWS/EC2",
            "metricName": "StatusCheckFailed",
            "dimensions": {"InstanceId": bastion_id},
            "statistic": "Maximum",
            "extendedStatistic": None,
            "period": 60,
            "evaluationPeriods": 2,
            "datapointsToAlarm": 2,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "threshold": 1,
            "treatMissingData": "breaching",
        },
        "bastion-cpu": {
            "namespace": "AWS/EC2",
            "metricName": "CPUUtilization",
            "dimensions": {"InstanceId": bastion_id},
            "statistic": "Average",
            "extendedStatistic": None,
            "period": 300,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "comparisonOperator": "GreaterThanThreshold",
            "threshold": case.bastion_cpu,
            "treatMissingData": "missing",
        },
    }  # fmt: skip


def alarm(run: Run, key: str) -> ResourceSnapshot:
    return run.named(f"{NAME}-{key}")


def topic_arn(run: Run) -> str:
    arn = run.values["topic_arn"]
    assert isinstance(arn, str) and arn.startswith("arn:aws:sns:")
    return arn


def test_exactly_the_planned_alarms_exist(case_run: tuple[Case, Run]) -> None:
    case, run = case_run
    names = sorted(r.name for r in run.of_type(ALARM_TYPE))
    assert names == sorted(f"{NAME}-{key}" for key in expected_alarms(case, run))


@pytest.mark.parametrize(
    "key",
    [
        "db-cpu",
        "db-freeable-memory",
        "db-free-storage",
        "db-connections",
        "db-read-latency",
        "db-write-latency",
        "bastion-status-check",
        "bastion-cpu",
    ],
)
def test_alarm_metric_window_comparison_and_threshold(case_run: tuple[Case, Run], key: str) -> None:
    case, run = case_run
    inputs = alarm(run, key).inputs
    for prop, expected in expected_alarms(case, run)[key].items():
        actual = inputs.get(prop)
        if isinstance(expected, float | int) and not isinstance(expected, bool):
            assert actual == pytest.approx(expected), f"{key}.{prop}"
        else:
            assert actual == expected, f"{key}.{prop}"


def test_every_alarm_notifies_the_topic_on_alarm_and_ok(case_run: tuple[Case, Run]) -> None:
    case, run = case_run
    arn = topic_arn(run)
    alarms = run.of_type(ALARM_TYPE)
    assert len(alarms) == len(expected_alarms(case, run))
    for registration in alarms:
        assert registration.inputs["actionsEnabled"] is True, registration.name
        assert registration.inputs["alarmActions"] == [arn], registration.name
        assert registration.inputs["okActions"] == [arn], registration.name
        assert registration.inputs["alarmDescription"], registration.name


def test_only_the_database_cpu_alarm_reports_missing_data(
    case_run: tuple[Case, Run],
) -> None:
    _, run = case_run
    arn = topic_arn(run)
    notifying = {
        r.name: r.inputs.get("insufficientDataActions")
        for r in run.of_type(ALARM_TYPE)
        if r.inputs.get("insufficientDataActions")
    }
    assert notifying == {f"{NAME}-db-cpu": [arn]}


def test_a_stopped_database_can_never_read_as_ok(case_run: tuple[Case, Run]) -> None:
    _, run = case_run
    for registration in run.of_type(ALARM_TYPE):
        assert registration.inputs["treatMissingData"] not in ("notBreaching", "ignore")


def test_alarm_dimensions_depend_on_the_real_instances(case_run: tuple[Case, Run]) -> None:
    _, run = case_run
    database_urn = run.named("db").urn
    bastion_urn = run.named("bastion").urn
    for registration in run.of_type(ALARM_TYPE):
        expected = bastion_urn if registration.name.startswith(f"{NAME}-bastion") else database_urn
        assert registration.property_dependencies["dimensions"] == (expected,), registration.name


def test_percentile_alarms_do_not_flap_on_a_handful_of_samples(
    case_run: tuple[Case, Run],
) -> None:
    _, run = case_run
    for key in ("db-read-latency", "db-write-latency"):
        assert alarm(run, key).inputs["evaluateLowSampleCountPercentiles"] == "ignore"
    assert "evaluateLowSampleCountPercentiles" not in alarm(run, "db-cpu").inputs


def test_topic_is_encrypted_with_a_key_cloudwatch_may_use(
    case_run: tuple[Case, Run],
) -> None:
    _, run = case_run
    [key] = run.of_type("aws:kms/key:Key")
    [topic] = run.of_type("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == run.values["kms_key_arn"]
    assert topic.inputs["kmsMasterKeyId"] != "alias/aws/sns"
    assert key.inputs["enableKeyRotation"] is True
    policy = json.loads(key.inputs["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    cloudwatch = statements["CloudWatchAlarmsPublishToEncryptedTopic"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(cloudwatch["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    account = statements["AccountAdministersKey"]
    assert account["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    [alias] = run.of_type("aws:kms/alias:Alias")
    assert alias.inputs["namePrefix"] == f"alias/{DEFAULT_DASHBOARD}-alarms-"


@pytest.mark.xfail(
    strict=True,
    reason="the shared fake AWS world (offline/fake_aws.py) gives aws:kms/key:Key no keyId "
    "output yet, so the alias's targetKeyId is never registered; AWS always returns one",
)
def test_the_alias_points_at_the_topic_key(case_run: tuple[Case, Run]) -> None:
    _, run = case_run
    [key] = run.of_type("aws:kms/key:Key")
    [alias] = run.of_type("aws:kms/alias:Alias")
    assert depends_on(alias, "targetKeyId") == {key.urn}


def test_each_address_gets_an_email_subscription(case_run: tuple[Case, Run]) -> None:
    _, run = case_run
    arn = topic_arn(run)
    subscriptions = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(s.inputs["endpoint"] for s in subscriptions) == sorted(EMAILS)
    for subscription in subscriptions:
        assert subscription.inputs["protocol"] == "email"
        assert subscription.inputs["topic"] == arn


def test_children_are_parented_to_the_component(case_run: tuple[Case, Run]) -> None:
    case, run = case_run
    [component] = run.of_type(COMPONENT_TYPE)
    children = [r for r in run.registrations if r.name not in ("db", "bastion", NAME)]
    alarms = len(expected_alarms(case, run))
    assert len(children) == 1 + 1 + 1 + len(EMAILS) + alarms + 1  # key, alias, topic, subs, board
    for child in children:
        assert child.parent == component.urn, child.name


def test_dashboard_body_is_json_naming_the_real_instances(
    case_run: tuple[Case, Run],
) -> None:
    case, run = case_run
    [dashboard] = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    widgets = body["widgets"]
    graphs = [w for w in widgets if w["type"] == "metric"]
    series = [metric for widget in graphs for metric in widget["properties"]["metrics"]]
    rds = {m[1] for m in series if m[0] == "AWS/RDS"}
    ec2 = {m[1] for m in series if m[0] == "AWS/EC2"}
    assert rds == {
        "CPUUtilization", "FreeStorageSpace", "DatabaseConnections", "FreeableMemory",
        "ReadIOPS", "WriteIOPS", "ReadLatency", "WriteLatency",
    }  # fmt: skip
    assert {"StatusCheckFailed", "CPUUtilization"} <= ec2
    for metric in series:
        dimension, value = metric[2], metric[3]
        if metric[0] == "AWS/RDS":
            assert (dimension, value) == ("DBInstanceIdentifier", watched(run)[0])
        else:
            assert (dimension, value) == ("InstanceId", watched(run)[1])
    assert all(widget["properties"]["region"] == "eu-west-1" for widget in graphs)
    [alarm_widget] = [w for w in widgets if w["type"] == "alarm"]
    assert sorted(alarm_widget["properties"]["alarms"]) == sorted(run.values["alarm_arns"].values())
    connections = next(w for w in graphs if w["properties"]["title"] == "Database connections")
    lines = {a["label"]: a["value"] for a in connections["properties"]["annotations"]["horizontal"]}
    assert lines["alarm"] == case.connections
    # Widgets sit on a grid without overlapping
    cells = {(w["x"], w["y"]) for w in widgets}
    assert len(cells) == len(widgets)
    assert depends_on(dashboard, "dashboardBody") >= {
        run.named("db").urn,
        run.named("bastion").urn,
    }


def test_outputs_are_exposed_and_registered(case_run: tuple[Case, Run]) -> None:
    case, run = case_run
    assert run.values["dashboard_name"] == DEFAULT_DASHBOARD
    assert run.values["dashboard_url"] == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home"
        f"?region=eu-west-1#dashboards:name={DEFAULT_DASHBOARD}"
    )
    assert (
        set(run.values["alarm_names"])
        == set(run.values["alarm_arns"])
        == set(expected_alarms(case, run))
    )
    # Each ARN is its own alarm's (the names come from the provider's autonaming,
    # which mocks do not do).
    assert run.values["alarm_arns"] == {
        key: alarm(run, key).outputs["arn"] for key in run.values["alarm_arns"]
    }
    [component] = run.of_type(COMPONENT_TYPE)
    registered = component.outputs
    assert registered["topicArn"] == run.values["topic_arn"]
    assert registered["dashboardUrl"] == run.values["dashboard_url"]
    assert registered["alarmArns"] == run.values["alarm_arns"]
    assert registered["alarmNames"] == run.values["alarm_names"]


def test_explicit_dashboard_name_and_tags() -> None:
    run = monitoring_program(CASES[0], dashboard_name="team_db-board", tags={"Owner": "dba"})
    assert run.values["dashboard_name"] == "team_db-board"
    assert run.values["dashboard_url"].endswith("#dashboards:name=team_db-board")
    for type_ in (ALARM_TYPE, "aws:sns/topic:Topic", "aws:kms/key:Key"):
        for registration in run.of_type(type_):
            assert registration.inputs["tags"] == {"Owner": "dba"}, registration.name


def test_default_dashboard_names_differ_between_stacks() -> None:
    prod = monitoring_program(CASES[2], stack="prod")
    assert prod.values["dashboard_name"] == "bastion-db-prod-monitoring"
    assert physical_name_for("my project/db.prod") == "my-project-db-prod"


def test_account_wide_names_follow_the_stacks_name_prefix() -> None:
    # The prefix carries bastion-db:projectName, which the Pulumi project name ignores.
    run = monitoring_program(CASES[0], name_prefix="payments-dev")
    assert run.values["dashboard_name"] == "payments-dev-monitoring"
    [alias] = run.of_type("aws:kms/alias:Alias")
    assert alias.inputs["namePrefix"] == "alias/payments-dev-monitoring-alarms-"
    [topic] = run.of_type("aws:sns/topic:Topic")
    assert topic.inputs["displayName"] == "payments-dev-monitoring alarms"


def test_without_tags_no_child_sets_its_own() -> None:
    run = monitoring_program(CASES[0])
    assert all("tags" not in r.inputs for r in run.registrations)


def test_removing_a_recipient_keeps_the_other_subscriptions_names() -> None:
    both = monitoring_program(CASES[0], emails=EMAILS)
    one = monitoring_program(CASES[0], emails=EMAILS[1:])

    def names(run: Run) -> dict[str, str]:
        return {
            r.inputs["endpoint"]: r.name
            for r in run.of_type("aws:sns/topicSubscription:TopicSubscription")
        }

    assert names(one) == {EMAILS[1]: names(both)[EMAILS[1]]}


def test_no_recipients_still_gives_a_topic_others_can_subscribe_to() -> None:
    run = monitoring_program(CASES[0], emails=())
    assert run.of_type("aws:sns/topicSubscription:TopicSubscription") == []
    assert len(run.of_type("aws:sns/topic:Topic")) == 1
    assert run.values["topic_arn"].startswith("arn:aws:sns:")


def test_the_harness_surfaces_failures_inside_apply() -> None:
    def program() -> None:
        topic = aws.sns.Topic("t")

        def explode(arn: str) -> str:
            raise AssertionError(f"seen {arn}")

        pulumi.export("checked", topic.arn.apply(explode))

    with pytest.raises(AssertionError, match="seen arn:aws:sns:"):
        run(program)


def test_the_harness_refuses_outputs_that_never_resolve() -> None:
    def program() -> None:
        pulumi.export("never", pulumi.Output.from_input(None).apply(lambda _: pulumi.UNKNOWN))

    with pytest.raises(AssertionError, match="never resolved"):
        run(program)


# --- A class RDS offers whose memory bastion-db does not know -----------------------


# db.m9g.large is offered in us-east-1 (aws_facts), not in eu-west-1.
UNSIZED_REGION = "us-east-1"
UNSIZED = Case("prod-postgres-m9g-large-unsized", "prod", "postgres", "db.m9g.large", 100, None,
               None, 90, 0, 10 * GIB, 0, 0.02, 5, 80)  # fmt: skip
MEMORY_ALARMS = {"db-freeable-memory", "db-connections"}


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_class_of_unknown_memory_deploys_without_the_alarms_that_need_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert instance_classes.memory_bytes(UNSIZED.instance_class) is None
    with caplog.at_level(logging.WARNING):
        run = monitoring_program(UNSIZED, region=UNSIZED_REGION)
    keys = {r.name.removeprefix(f"{NAME}-") for r in run.of_type(ALARM_TYPE)}
    assert keys == set(expected_alarms(UNSIZED, run)) - MEMORY_ALARMS
    assert set(run.values["alarm_arns"]) == keys
    memory, connections = warnings_of(caplog)
    assert memory.startswith("Alarm 'db-freeable-memory' (FreeableMemory) is left out: ")
    assert "db.m9g.large" in memory and "Set alarm_freeable_memory_mib" in memory
    assert connections.startswith("Alarm 'db-connections' (DatabaseConnections) is left out: ")
    assert "Set db_max_connections" in connections
    [dashboard] = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    graphs = {
        w["properties"]["title"]: w["properties"]
        for w in json.loads(dashboard.inputs["dashboardBody"])["widgets"]
        if w["type"] == "metric"
    }
    # The metrics are still graphed, without lines nobody could size.
    assert "annotations" not in graphs["Database freeable memory (bytes)"]
    assert "annotations" not in graphs["Database connections"]


def test_the_keys_the_warnings_name_bring_the_alarms_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sized = replace(UNSIZED, max_connections=1000)
    options = options_for(sized, alarm_freeable_memory_mib=1536)
    with caplog.at_level(logging.WARNING):
        run = monitoring_program(sized, options=options, region=UNSIZED_REGION)
    assert warnings_of(caplog) == []
    assert alarm(run, "db-freeable-memory").inputs["threshold"] == 1536 * 1024**2
    assert alarm(run, "db-connections").inputs["threshold"] == 900
