"""A stack file with several mistakes is refused once, naming every one of them,
before anything is registered."""

from __future__ import annotations

import json

import pytest

from bastion_db.checks.every_error import check_every_error
from preflight.__main__ import main
from settings import STAND_INS, ConfigError, ConfigErrors
from settings.schema import project_schema
from tests.conftest import RunStack

FOUR_MISTAKES = {
    "dbInstanceClas": "db.t4g.micro",  # a typo of a key
    "dbInstanceClass": "db.foo.large",  # a class RDS does not offer
    "backupRetentionDays": "99",  # out of RDS's range
    "dbPort": "80",  # below RDS's range
}


def test_four_mistakes_are_refused_in_one_run_each_named(run_stack: RunStack) -> None:
    with pytest.raises(ConfigErrors) as raised:
        run_stack("dev", **FOUR_MISTAKES)
    keys = sorted(error.key for error in raised.value.errors)
    assert keys == sorted(f"bastion-db:{key}" for key in FOUR_MISTAKES)
    message = str(raised.value)
    assert message.startswith("4 configuration errors:")
    assert "did you mean 'bastion-db:dbInstanceClass'" in message
    assert "'db.foo.large'" in message and "99" in message and "1150 to 65535" in message


def test_one_mistake_is_still_one_plain_error(run_stack: RunStack) -> None:
    with pytest.raises(ConfigError) as raised:
        run_stack("dev", dbPort="80")
    assert not isinstance(raised.value, ConfigErrors)
    assert raised.value.key == "bastion-db:dbPort"


def test_a_key_without_a_default_is_reported_once_beside_the_others(run_stack: RunStack) -> None:
    # vpcId has no default: once refused it reads as a well-formed stand-in,
    # so the search goes on to the other keys.
    with pytest.raises(ConfigErrors) as raised:
        run_stack("dev", dbPort="80", vpcId="vpc-123")
    keys = [error.key for error in raised.value.errors]
    assert sorted(keys) == ["bastion-db:dbPort", "bastion-db:vpcId"]
    assert len(keys) == len(set(keys))


def test_the_preflight_lists_every_error_in_text_and_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    overrides = [item for key, value in FOUR_MISTAKES.items() for item in ("-c", f"{key}={value}")]
    assert main(["dev", "--json", *overrides]) == 2
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["exitCode"] == 2
    assert len(document["errors"]) == 4
    for key in FOUR_MISTAKES:
        assert any(f"'bastion-db:{key}'" in line for line in document["errors"])
    assert captured.err.startswith("error: 4 configuration errors:")
    assert "Traceback" not in captured.err


def test_the_search_stops_on_an_error_it_cannot_unset() -> None:
    calls: list[frozenset[str]] = []

    def check(unset: frozenset[str]) -> str:
        calls.append(unset)
        if "a" not in unset:
            raise ConfigError("ns:a", 1, "two")
        raise ConfigError("stack name", "x y", "a stack name")

    with pytest.raises(ConfigErrors) as raised:
        check_every_error(check, lambda key: key.removeprefix("ns:") if ":" in key else None)
    assert [error.key for error in raised.value.errors] == ["ns:a", "stack name"]
    assert calls == [frozenset(), frozenset({"a"})]


def test_a_key_refused_again_after_unsetting_ends_the_search() -> None:
    def check(unset: frozenset[str]) -> str:
        raise ConfigError("ns:a", None, "a value")

    with pytest.raises(ConfigError) as raised:
        check_every_error(check, lambda key: key.removeprefix("ns:"))
    # Reported once, not once per round.
    assert not isinstance(raised.value, ConfigErrors)


def test_a_clean_configuration_passes_through() -> None:
    assert check_every_error(lambda unset: "settings", lambda key: key) == "settings"


def test_every_key_without_a_default_has_a_stand_in() -> None:
    required = [name for name, d in project_schema().declarations.items() if d.required]
    assert required and all(name in STAND_INS for name in required)
