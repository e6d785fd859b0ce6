"""BastionDatabase constructed as the provider host constructs it for another
language (inputs by schema name, as plain values), under the SDK's mocks."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest

from bastion_db.checks.errors import ConfigError
from bastion_db.provider import bastion_db_provider
from offline.fake_aws import FakeAws, lab_world
from offline.fake_world import LAB_VPC_ID
from offline.recorder import RecordingMonitor

TOKEN = "bastion-db:index:BastionDatabase"


def construct(inputs: dict[str, Any]) -> tuple[RecordingMonitor, dict[str, Any]]:
    asyncio.set_event_loop(asyncio.new_event_loop())
    provider = bastion_db_provider()
    monitor = RecordingMonitor(FakeAws(lab_world()))
    state: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        result = provider.construct("analytics", TOKEN, inputs, None)
        return pulumi.Output.all(
            result.state["dbHost"], result.state["dbPort"], result.state["dbClientCommand"]
        ).apply(lambda values: state.update(host=values[0], port=values[1], client=values[2]))

    pulumi.runtime.set_all_config({"aws:region": "us-east-1"})
    pulumi.runtime.set_mocks(monitor.mocks, project="consumer", stack="dev", monitor=monitor)
    run()
    return monitor, state


def test_a_vpc_id_and_the_ssh_networks_give_the_whole_product() -> None:
    monitor, state = construct(
        {
            "vpcId": LAB_VPC_ID,
            "sshAllowedCidrs": ["203.0.113.0/24"],
            "alarmEmails": ["dba@example.com"],
        }
    )
    resources = monitor.recorded()
    types = {r.type for r in resources}
    assert TOKEN in types
    assert {"aws:rds/instance:Instance", "aws:ec2/instance:Instance"} <= types
    db = next(r for r in resources if r.type == "aws:rds/instance:Instance")
    # the hardened defaults: prod's guarantees, named from the component
    assert db.inputs["identifier"] == "analytics-prod"
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["multiAz"] is True
    assert db.protect is True
    names = [r.name for r in resources if r.parent and r.parent.endswith("::analytics")]
    assert "analytics-database" in names and "analytics-bastion" in names
    assert state["port"] == 5432 and state["host"]
    assert "sslmode=require" in state["client"]


def test_a_bad_argument_is_refused_by_its_name_before_anything_is_registered() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    provider = bastion_db_provider()
    monitor = RecordingMonitor(FakeAws(lab_world()))

    @pulumi.runtime.test
    def run() -> None:
        provider.construct(
            "analytics",
            TOKEN,
            {
                "vpcId": LAB_VPC_ID,
                "sshAllowedCidrs": ["203.0.113.0/24"],
                "dbInstanceClass": "db.x9.huge",
            },
            None,
        )

    pulumi.runtime.set_all_config({"aws:region": "us-east-1"})
    pulumi.runtime.set_mocks(monitor.mocks, project="consumer", stack="dev", monitor=monitor)
    with pytest.raises(Exception) as raised:
        run()
    error = raised.value.__cause__ if not isinstance(raised.value, ConfigError) else raised.value
    assert "argument 'db_instance_class': got 'db.x9.huge'" in str(raised.value) + str(error)
    assert monitor.recorded() == []
