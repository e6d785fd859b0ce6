"""The policy pack's configuration, built the way the Pulumi CLI builds it and
checked as ``pulumi policy validate-config`` checks it.

Order (pulumi/pulumi ``pkg/resource/analyzer/config.go``,
``ReconcilePolicyPackConfig``): each policy's own enforcement level and the
defaults of its config schema, then the pack's ``initialConfig``, then the
user's ``--policy-pack-config`` file; an ``all`` entry sets every policy's
level before the per-policy entries apply.

The checks ``validate-config`` makes (``pkg/cmd/pulumi/policy/policy_validate.go``
reads the file with ``LoadPolicyPackConfigFromFile``; the backend's
``cloudPolicyPack.Validate`` in ``pkg/backend/httpstate/policypack.go`` then
calls ``ValidatePolicyPackConfig``, both in ``config.go``), mirrored here:

- each entry is an enforcement level (a string) or an object; in an object,
  ``enforcementLevel`` must be a string and one of the four levels;
- each policy's properties are validated against its config schema (JSON
  Schema, with gojsonschema there, Draft 7 here): types, ranges, enums, item
  types; a policy with no entry is validated as ``{}``, so a ``required``
  property must be given;
- each problem is reported as ``<policy>: <problem>`` (``validatePolicyPackConfig``),
  all of them at once.

Stricter than the CLI on purpose, because a typo in a guardrail's config
(``minimumDay`` for ``minimumDays``) would otherwise quietly keep the default:
- the CLI validates only the policies the pack has and skips other names, and
  its schemas allow properties they do not list; here an unknown policy name
  or an unknown key is refused, with a did-you-mean and what is accepted;
- the CLI reads an empty file as no config (``parsePolicyPackConfig``:
  "Gracefully allow empty content"); here it is refused (``{}`` says "none");
- a knob named for networks (``allowedCidrs``, any name ending in ``Cidr`` or
  ``Cidrs``) must hold networks in CIDR form: JSON Schema has no format for
  them, and a typo there would silently allow nothing.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jsonschema

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
# The reserved policy name whose enforcement level applies to every policy.
ALL_POLICIES = "all"
LEVEL_KEY = "enforcementLevel"
NO_SUCH_POLICY = "no such policy in the pack"


@dataclass(frozen=True)
class PolicyConfig:
    """One policy's configuration: its enforcement level and its properties.

    ``enforcement_level`` is ``None`` only in a partial config (a file entry
    that sets properties but no level); a reconciled config always has one.
    """

    enforcement_level: str | None
    properties: Mapping[str, Any] = field(default_factory=dict)


class PolicyMetadata(Protocol):
    """What reconciliation needs to know about a policy (``GetAnalyzerInfo``)."""

    @property
    def name(self) -> str: ...
    @property
    def enforcement_level(self) -> str: ...
    @property
    def config_schema(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def required_config(self) -> Sequence[str]: ...


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One thing wrong with the configuration, naming the policy and the key."""

    policy: str
    key: str
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.policy}: {self.key}: {self.problem}"
            if self.key
            else f"{self.policy}: {self.problem}"
        )


class PolicyConfigError(ValueError):
    """The policy pack configuration is invalid; ``problems`` says where and why.

    The message follows the CLI's ``validating policy config: <pack> <version>
    <policy>: <key>: <problem>`` lines, one per problem.
    """

    def __init__(
        self,
        problems: Iterable[ConfigProblem],
        *,
        pack: str = "",
        version: str = "",
        source: str = "",
        policy_names: Sequence[str] = (),
    ) -> None:
        self.problems = tuple(sorted(problems))
        self.pack = pack
        self.version = version
        self.source = source
        where = f" ({source})" if source else ""
        prefix = (
            f"validating policy config: {pack} {version}  "
            if pack
            else "validating policy config: "
        )
        lines = [f"policy pack configuration is invalid{where}:"]
        lines += [f"  {prefix}{problem}" for problem in self.problems]
        if policy_names and any(p.problem.startswith(NO_SUCH_POLICY) for p in self.problems):
            # What the file may name, once, however many names were wrong.
            lines.append(f"  the pack's policies: {', '.join(policy_names)}, and '{ALL_POLICIES}'")
        super().__init__("\n".join(lines))


# --- reading a config document ----------------------------------------------------------


def parse_policy_config(document: Any, source: str = "") -> dict[str, PolicyConfig]:
    """A ``--policy-pack-config`` document: policy name -> level string, or an
    object of properties with an optional ``enforcementLevel``."""
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise PolicyConfigError(
            [ConfigProblem("(file)", "", "must be a JSON object of policy name -> config")],
            source=source,
        )
    result: dict[str, PolicyConfig] = {}
    problems: list[ConfigProblem] = []
    for name, value in document.items():
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                problems.append(ConfigProblem(name, "", _bad_level(value)))
                continue
            result[name] = PolicyConfig(value, {})
        elif isinstance(value, Mapping):
            properties = dict(value)
            level = properties.pop(LEVEL_KEY, None)
            if level is not None and (
                not isinstance(level, str) or level not in ENFORCEMENT_LEVELS
            ):
                problems.append(ConfigProblem(name, LEVEL_KEY, _bad_level(level)))
                continue
            if level is None and not properties:
                continue  # the CLI ignores empty entries
            result[name] = PolicyConfig(level, properties)
        else:
            problems.append(
                ConfigProblem(
                    name, "", f"{value!r} is not a valid value; must be a string or object"
                )
            )
    if problems:
        raise PolicyConfigError(problems, source=source)
    return result


def _bad_level(value: Any) -> str:
    levels = ", ".join(ENFORCEMENT_LEVELS)
    return f"{value!r} is not a valid enforcement level; expected one of {levels}"


def load_policy_config_file(path: str | Path) -> dict[str, PolicyConfig]:
    """Reads a ``--policy-pack-config`` JSON file. An empty file is an error,
    though the CLI reads it as no config: a file that exists but says nothing
    is more likely a mistake than a choice (``{}`` says "the pack's levels")."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyConfigError(
            [ConfigProblem("(file)", "", f"cannot read {path}: {error.strerror}")], source=str(path)
        ) from None
    except UnicodeDecodeError:
        raise PolicyConfigError(
            [ConfigProblem("(file)", "", "not UTF-8 text")], source=str(path)
        ) from None
    if not text.strip():
        raise PolicyConfigError(
            [ConfigProblem("(file)", "", "is empty; write {} for the pack's own levels")],
            source=str(path),
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            [ConfigProblem("(file)", "", f"not valid JSON: {error.msg} at line {error.lineno}")],
            source=str(path),
        ) from None
    return parse_policy_config(document, source=str(path))


# --- reconciling ------------------------------------------------------------------------------


def defaults_of(policies: Iterable[PolicyMetadata]) -> dict[str, PolicyConfig]:
    """Each policy's own level and the ``default`` of every schema property."""
    return {
        policy.name: PolicyConfig(
            policy.enforcement_level,
            {
                key: spec["default"]
                for key, spec in policy.config_schema.items()
                if "default" in spec
            },
        )
        for policy in policies
    }


def _apply(result: dict[str, PolicyConfig], overrides: Mapping[str, PolicyConfig]) -> None:
    everything = overrides.get(ALL_POLICIES)
    if everything is not None and everything.enforcement_level is not None:
        for name, current in result.items():
            result[name] = PolicyConfig(everything.enforcement_level, current.properties)
    for name, given in overrides.items():
        if name == ALL_POLICIES or name not in result:
            continue
        current = result[name]
        result[name] = PolicyConfig(
            given.enforcement_level or current.enforcement_level,
            {**current.properties, **given.properties},
        )


def _unknown_names(
    overrides: Mapping[str, PolicyConfig], known: Sequence[str], origin: str
) -> list[ConfigProblem]:
    problems = []
    for name, given in overrides.items():
        if name == ALL_POLICIES:
            for key in given.properties:
                problems.append(
                    ConfigProblem(name, key, "'all' only takes an enforcementLevel, not properties")
                )
            continue
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(ConfigProblem(name, "", f"{NO_SUCH_POLICY} ({origin}){hint}"))
    return problems


_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return "integer"
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _schema_problems(policy: PolicyMetadata, properties: Mapping[str, Any]) -> list[ConfigProblem]:
    schema = {
        "type": "object",
        "properties": {key: dict(spec) for key, spec in policy.config_schema.items()},
        "required": list(policy.required_config),
        "additionalProperties": False,
    }
    known = sorted(policy.config_schema)
    problems = []
    for error in jsonschema.Draft7Validator(schema).iter_errors(dict(properties)):
        key = ".".join(str(part) for part in error.absolute_path)
        if error.validator == "additionalProperties":
            for extra in sorted(set(properties) - set(known)):
                close = difflib.get_close_matches(extra, known, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                takes = ", ".join(known) if known else "no properties"
                problems.append(
                    ConfigProblem(
                        policy.name, extra, f"unknown key; {hint}this policy takes: {takes}"
                    )
                )
        elif error.validator == "type":
            expected = error.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            problems.append(
                ConfigProblem(
                    policy.name,
                    key,
                    f"Invalid type. Expected: {expected}, given: {_json_type(error.instance)}",
                )
            )
        elif error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in str(error.message) else key
            problems.append(ConfigProblem(policy.name, missing, f"{missing} is required"))
        else:
            problems.append(ConfigProblem(policy.name, key, str(error.message)))
    return problems


def _is_network_knob(key: str) -> bool:
    return key.endswith(("Cidr", "Cidrs", "CIDR", "CIDRs"))


def _network_problems(policy: PolicyMetadata, properties: Mapping[str, Any]) -> list[ConfigProblem]:
    problems = []
    for key, value in properties.items():
        if not _is_network_knob(key):
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue  # the schema reports the wrong type
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                where = f"{key}[{index}]" if isinstance(value, list) else key
                problems.append(
                    ConfigProblem(
                        policy.name,
                        where,
                        f"{item!r} is not a network in CIDR form (e.g. 203.0.113.0/24 or "
                        "2001:db8::/32)",
                    )
                )
    return problems


def reconcile_policy_config(
    policies: Sequence[PolicyMetadata],
    initial_config: Mapping[str, PolicyConfig] | None = None,
    user_config: Mapping[str, PolicyConfig] | None = None,
    *,
    pack_name: str = "",
    pack_version: str = "",
    source: str = "",
) -> dict[str, PolicyConfig]:
    """The configuration to send with ``Configure``: defaults, then the pack's
    initial config, then the user's; raises :class:`PolicyConfigError` listing
    every problem at once."""
    known = sorted(policy.name for policy in policies)
    problems = _unknown_names(initial_config or {}, known, "the pack's initial config")
    problems += _unknown_names(user_config or {}, known, source or "the policy pack config")
    result = defaults_of(policies)
    _apply(result, initial_config or {})
    _apply(result, user_config or {})
    for policy in policies:
        problems += _schema_problems(policy, result[policy.name].properties)
        problems += _network_problems(policy, result[policy.name].properties)
    if problems:
        raise PolicyConfigError(
            problems, pack=pack_name, version=pack_version, source=source, policy_names=known
        )
    return result
