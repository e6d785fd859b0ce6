"""The state-backend project accepts exactly the regions and stack names the
main program accepts: both read the rules from bastion_db/checks/validate.py."""

from __future__ import annotations

import pytest

from bastion_db.checks import validate
from bastion_db.checks.errors import ConfigError
from bootstrap.state_config import PROJECT, StateBackendConfig, load_state_backend_config
from settings.reader import ConfigReader


def load(region: str | None = "eu-central-1", stack: str = "state") -> StateBackendConfig:
    values = {"bucketName": "acme-bastion-db-state"}
    return load_state_backend_config(
        ConfigReader(values.get, PROJECT),
        ConfigReader({"region": region}.get, "aws"),
        stack,
    )


REGIONS = [
    "eu-central-1",
    "us-east-1",
    "ap-southeast-2",
    "us-gov-west-1",
    "us-iso-east-1",
    "cn-north-1",
    "Frankfurt",
    "eu-central",
    "EU-CENTRAL-1",
    "eu-central-1a",
    "eu--1",
]


@pytest.mark.parametrize("region", REGIONS)
def test_a_region_is_accepted_exactly_when_the_main_program_accepts_it(region: str) -> None:
    if validate.REGION.fullmatch(region):
        assert load(region=region).region == region
    else:
        with pytest.raises(ConfigError) as raised:
            load(region=region)
        assert raised.value.key == "aws:region"
        assert region in str(raised.value)


STACKS = ["state", "state-eu", "State", "my_state", "state.eu", "-state", "st--ate", "st/ate", "s$"]


@pytest.mark.parametrize("stack", STACKS)
def test_a_stack_name_is_accepted_exactly_when_the_main_program_accepts_it(stack: str) -> None:
    if validate.STACK_NAME.fullmatch(stack):
        assert load(stack=stack).environment == stack
    else:
        with pytest.raises(ConfigError) as raised:
            load(stack=stack)
        assert raised.value.key == "stack name"
        assert validate.STACK_NAME_ACCEPTED in str(raised.value)
