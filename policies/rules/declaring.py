"""How a rule is declared: its metadata and its check side by side.

A rule module makes one :class:`RuleSet` and declares each rule on the
function that checks it::

    @rules.resource(name=..., description=..., severity=..., fix=..., types=(...))
    def multi_az(check: ResourceCheck) -> None:
        require_flag(check, "multiAz", key=stack_key("dbMultiAz"), ...)

``url`` is the AWS page a rule rests on when no Security Hub control maps it
(``governance.py``). ``fix`` becomes the policy's remediation steps (the preflight's ``fix:``
line): how to put it right, which the finding itself does not repeat. A
finding says what is wrong and why it matters, and names where the user
changes it: the stack key (:func:`stack_key`), or the policy config knob
(:func:`policy_knob`) when the fix is there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .governance import governance_of
from .stack_keys import stack_declares_keys, urn_declares_keys
from .stack_view import Node, StackView
from .unknowns import UNKNOWN, PlainProps, plain, unknown_refusal

MANDATORY: Final = EnforcementLevel.MANDATORY
ADVISORY: Final = EnforcementLevel.ADVISORY
REMEDIATE: Final = EnforcementLevel.REMEDIATE

# The project the stack keys belong to when the engine does not say. The CLI
# starts a policy pack with PULUMI_PROJECT and PULUMI_STACK in its environment
# (pulumi/pulumi, pkg/resource/plugin/analyzer_plugin.go, constructEnv), as the
# offline preflight does.
DEFAULT_PROJECT: Final = "bastion-db"
# Where the program's own hardening is fixed: no stack key changes it.
NO_STACK_KEY: Final = "no stack key sets it: the program always does"
# Where a value comes from in a stack that declares no keys (stack_keys.py).
SET_BY_PROGRAM: Final = "as the program sets it"

# Whether the resource or stack being judged declares its stack keys
# (stack_keys.py); set around each check, so messages built inside it know.
_KEYS_DECLARED: ContextVar[bool] = ContextVar("keys_declared", default=False)


def keys_declared() -> bool:
    return _KEYS_DECLARED.get()


def stack_key(name: str) -> str | None:
    """A key of the program's stack configuration, as the user writes it in
    ``Pulumi.<stack>.yaml`` (``bastion-db:dbMultiAz``), when the resource
    judged declares its keys; None otherwise."""
    if not keys_declared():
        return None
    project = os.environ.get("PULUMI_PROJECT") or DEFAULT_PROJECT
    return f"{project}:{name}"


def _stack() -> str:
    return os.environ.get("PULUMI_STACK") or "<stack>"


def stack_file() -> str:
    """The stack file the user edits (``Pulumi.dev.yaml``)."""
    return f"Pulumi.{_stack()}.yaml"


def policy_config_file() -> str:
    """The policy config the preflight and the README use for this stack, when
    the stack is this repository's; else the policy config in general."""
    if not keys_declared():
        return "the policy config (--policy-pack-config)"
    return f"policies/config/{_stack()}.json"


def policy_knob(rule: str, knob: str) -> str:
    """A knob of a rule in the policy config, as the user edits it."""
    return f"{rule}.{knob} in {policy_config_file()}"


def origin(key: str | None) -> str:
    """Where a property's value comes from, for a finding: its stack key, the
    program itself (a declaring stack without a key for it), or, in a stack
    that declares no keys, the program whose value it is."""
    if key:
        return f"stack key {key}"
    return NO_STACK_KEY if keys_declared() else SET_BY_PROGRAM


@dataclass
class ResourceCheck:
    """What a resource rule's check sees: plain properties and a way to report."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    provider_props: Mapping[str, Any]
    config: dict[str, Any]
    report: Callable[[str], None]


@dataclass
class StackCheck:
    """What a stack rule's check sees."""

    view: StackView
    config: dict[str, Any]
    report: Callable[[str, str | None], None]
    # Says the rule could not judge this stack, and why (the SDK's
    # not_applicable: it ends the check, so call it last).
    not_applicable: Callable[[str], None] = lambda reason: None

    def resource(self, node: Node) -> ResourceCheck:
        """One resource of the stack as a resource rule's check sees it, its
        findings reported on that resource: a stack rule whose relationships
        only decide whether a resource is judged reuses the resource helpers."""
        return ResourceCheck(
            type=node.type,
            urn=node.urn,
            name=node.name,
            props=node.props,
            provider_props=node.provider_props,
            config=self.config,
            report=lambda message: self.report(message, node.urn),
        )


def judge(
    report: Callable[[str], None],
    value: Any,
    *,
    what: str,
    claim: str,
    known: str,
    problem: Callable[[Any], str | None],
) -> None:
    """The shape most checks share: a value unknown at preview is refused
    (``what`` it is, the ``claim`` it leaves unproven, how to make it
    ``known``); a wrong one is reported with what ``problem`` says; a right
    one passes."""
    if value is UNKNOWN:
        report(unknown_refusal(what, claim, known))
        return
    found = problem(value)
    if found:
        report(found)


def shown(value: Any) -> str:
    return "not set" if value is None else json.dumps(value)


def require_flag(
    check: ResourceCheck,
    prop: str,
    *,
    key: str | None,
    claim: str,
    why: str,
    wanted: bool = True,
    unset_ok: bool = False,
) -> None:
    """A boolean property that must be ``wanted`` (unset counts when the
    provider's default is the wanted value: ``unset_ok``)."""

    def problem(value: Any) -> str | None:
        if value is wanted or (value is None and unset_ok):
            return None
        return f"{prop} is {shown(value)} ({origin(key)}): {why}."

    judge(
        check.report,
        check.props.get(prop),
        what=f"{prop} ({origin(key)})",
        claim=claim,
        known=f"Set {prop} from a literal or a stack key, not from another resource's output.",
        problem=problem,
    )


def _defaults(schema: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    if not schema:
        return {}
    return {key: spec["default"] for key, spec in schema.items() if "default" in spec}


def _schema(config: Mapping[str, Mapping[str, Any]] | None) -> PolicyConfigSchema | None:
    if not config:
        return None
    return PolicyConfigSchema(properties={k: dict(v) for k, v in config.items()})


def _metadata(
    name: str,
    description: str,
    severity: Severity,
    fix: str,
    level: EnforcementLevel,
    config: Mapping[str, Mapping[str, Any]] | None,
    concern: str,
    url: str | None,
) -> dict[str, Any]:
    """What every policy carries besides its check, as the SDK names it."""
    governance = governance_of(name, concern, url)
    return {
        "name": name,
        "description": description,
        "severity": severity,
        "remediation_steps": fix,
        "enforcement_level": level,
        "config_schema": _schema(config),
        "framework": governance.framework,
        "tags": governance.tags,
        "url": governance.url,
    }


def string_list(description: str, default: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "description": description,
        "default": list(default),
    }


def string_lists_by_name(description: str, default: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "description": description,
        "default": {key: list(values) for key, values in default.items()},
    }


ResourceFn = Callable[[ResourceCheck], None]
StackFn = Callable[[StackCheck], None]
RemediateFn = Callable[[ResourceValidationArgs, dict[str, Any]], Mapping[str, Any] | None]


class RuleSet:
    """The rules of one concern, in the order they are declared."""

    def __init__(self, concern: str) -> None:
        # The rules' first tag: what they are about (database, network...).
        self.concern = concern
        self.policies: list[Policy] = []

    def resource(
        self,
        *,
        name: str,
        description: str,
        severity: Severity,
        fix: str,
        types: Sequence[str],
        level: EnforcementLevel = MANDATORY,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        remediate: RemediateFn | None = None,
        applies: Callable[[str, Mapping[str, Any]], bool] | None = None,
        url: str | None = None,
    ) -> Callable[[ResourceFn], ResourceValidationPolicy]:
        """A rule on one resource at a time (``Analyze``, over its inputs),
        for the resource ``types`` (or those ``applies`` accepts)."""
        defaults = _defaults(config)
        wanted = frozenset(types)

        def selected(args: ResourceValidationArgs) -> bool:
            if applies is not None:
                return applies(args.resource_type, args.props)
            return args.resource_type in wanted

        def declare(check: ResourceFn) -> ResourceValidationPolicy:
            def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
                if not selected(args):
                    return
                provider = args.provider
                declared = _KEYS_DECLARED.set(urn_declares_keys(args.urn))
                try:
                    check(
                        ResourceCheck(
                            type=args.resource_type,
                            urn=args.urn,
                            name=args.name,
                            props=PlainProps(args.props),
                            provider_props=PlainProps(provider.props if provider else None),
                            config={**defaults, **plain(args.get_config())},
                            report=lambda message: report_violation(message, None),
                        )
                    )
                finally:
                    _KEYS_DECLARED.reset(declared)

            remediate_fn = None
            if remediate is not None:
                rewrite = remediate

                def remediate_fn(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
                    if not selected(args):
                        return None
                    return rewrite(args, {**defaults, **plain(args.get_config())})

            policy = ResourceValidationPolicy(
                validate=validate,
                # The SDK also accepts a plain (non-awaitable) result; its annotation
                # does not say so.
                remediate=cast(Any, remediate_fn),
                **_metadata(name, description, severity, fix, level, config, self.concern, url),
            )
            self.policies.append(policy)
            return policy

        return declare

    def stack(
        self,
        *,
        name: str,
        description: str,
        severity: Severity,
        fix: str,
        level: EnforcementLevel = MANDATORY,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        url: str | None = None,
    ) -> Callable[[StackFn], StackValidationPolicy]:
        """A rule over the whole stack (``AnalyzeStack``, over outputs, with
        parents, dependencies and property dependencies)."""
        defaults = _defaults(config)

        def declare(check: StackFn) -> StackValidationPolicy:
            def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
                view = StackView(args.resources)
                declared = _KEYS_DECLARED.set(stack_declares_keys(n.type for n in view.nodes))
                try:
                    check(
                        StackCheck(
                            view=view,
                            config={**defaults, **plain(args.get_config())},
                            report=report_violation,
                            not_applicable=args.not_applicable,
                        )
                    )
                finally:
                    _KEYS_DECLARED.reset(declared)

            policy = StackValidationPolicy(
                validate=validate,
                **_metadata(name, description, severity, fix, level, config, self.concern, url),
            )
            self.policies.append(policy)
            return policy

        return declare
