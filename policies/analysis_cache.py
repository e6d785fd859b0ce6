"""Converts each resource's properties once per analyzer call instead of once
per policy, and runs only the rules that can apply to a resource's type.

pulumi-policy 1.21's servicer turns a resource's protobuf properties into
Python values (``MessageToDict``, ``deserialize_properties``,
``unknown_checking_proxy``) separately for every policy, and ``AnalyzeStack``
does it for every resource for every stack policy: with 40 policies the same
work is repeated 40 times, and a 1,000-resource stack takes seconds. Within
one ``Analyze`` or ``AnalyzeStack`` call the input never changes and
validators only read it, so the pack memoises those three steps for the
duration of the call. ``Remediate`` is left alone: remediations chain, each
one seeing the previous one's output.

``AnalyzeStack`` builds the stack's ``PolicyResource`` objects (with their
parents and dependencies linked) anew for each stack policy; on the version it
was checked against, the pack builds them once per call and hands the same
resources to every stack rule, which only read them (:func:`_analyze_stack`).

``Analyze`` also hands every resource to every resource policy, although most
rules look at one or two types and return at once for any other. A policy
that states its ``resource_types`` (see ``rules.common.ResourceRule``) is left
out of the calls for other types: the SDK's own ``Analyze`` runs unchanged on
a per-call copy of the servicer that lists only the policies that can apply.

The servicer is an SDK internal; :func:`install` checks that it still looks
as expected and otherwise leaves the SDK untouched (correct, just slower).
Setting ``BASTION_DB_POLICY_NO_CACHE=1`` turns it off, which the tests use to
show both ways give the same findings.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, cast

import pulumi.runtime
import pulumi_policy.policy as sdk

_state = threading.local()


def _memoised(convert: Callable[[Any], Any]) -> Callable[..., Any]:
    def cached(value: Any, *args: Any, **kwargs: Any) -> Any:
        memo: dict[Any, tuple[Any, Any]] | None = getattr(_state, "memo", None)
        if memo is None or args or kwargs:
            return convert(value, *args, **kwargs)
        key = (id(convert), id(value))
        hit = memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        result = convert(value)
        # Holding `value` keeps its id from being reused while the call lasts.
        memo[key] = (value, result)
        return result

    return cached


class _JsonFormat:
    """``json_format`` as the servicer sees it, with ``MessageToDict`` memoised."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.MessageToDict = _memoised(real.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def _one_call() -> Iterator[None]:
    _state.memo = {}
    try:
        yield
    finally:
        _state.memo = None


def _scoped(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: Any, request: Any, context: Any) -> Any:
        with _one_call():
            return method(self, request, context)

    return run


def _per_resource(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Memoises a servicer helper that reads only ``request``, per resource URN."""

    def cached(self: Any, request: Any) -> Any:
        memo: dict[Any, tuple[Any, Any]] | None = getattr(_state, "memo", None)
        if memo is None:
            return method(self, request)
        key = (method.__name__, request.urn)
        hit = memo.get(key)
        if hit is None:
            hit = (request, method(self, request))
            memo[key] = hit
        return hit[1]

    return cached


# The servicer's (name-mangled) list of policies.
_POLICIES = "_PolicyAnalyzerServicer__policies"


def _applicable(policies: list[Any], resource_type: str) -> list[Any]:
    """The policies whose Analyze answer for ``resource_type`` can be anything
    but empty. A policy without validation stays: the SDK reports it as not
    applicable on every call, whatever the type."""
    return [
        policy
        for policy in policies
        if getattr(policy, "resource_types", None) is None
        or resource_type in policy.resource_types
        or not policy.has_validation()
    ]


def _only_applicable_policies(method: Callable[..., Any]) -> Callable[..., Any]:
    by_type: dict[tuple[int, str], tuple[list[Any], list[Any]]] = {}

    def run(self: Any, request: Any, context: Any) -> Any:
        policies = getattr(self, _POLICIES, None)
        if not isinstance(policies, list):
            return method(self, request, context)
        key = (id(policies), request.type)
        hit = by_type.get(key)
        if hit is None or hit[0] is not policies:
            # Holding `policies` keeps its id from being reused.
            hit = (policies, _applicable(policies, request.type))
            by_type[key] = hit
        # A copy per call: the servicer answers calls on several threads.
        view = copy.copy(self)
        setattr(view, _POLICIES, hit[1])
        return method(view, request, context)

    return run


# The pulumi-policy release whose AnalyzeStack _analyze_stack reproduces.
_ANALYZE_STACK_CHECKED_ON = "1.21.0"


def _stack_resources(servicer: Any, request: Any) -> list[Any]:
    """The SDK's PolicyResource objects for one AnalyzeStack request, linked to
    their parents and dependencies as pulumi-policy 1.21.0 links them."""
    resources = []
    links = []
    by_urn: dict[str, Any] = {}
    for r in request.resources:
        props = sdk.unknown_checking_proxy(
            sdk.deserialize_properties(sdk.json_format.MessageToDict(r.properties))
        )
        resource = sdk.PolicyResource(
            r.type,
            props,
            r.urn,
            r.name,
            servicer._get_resource_options(r),
            servicer._get_provider_resource(r),
            None,
            [],
            {},
        )
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        resources.append(resource)
        links.append((resource, r.parent, list(r.dependencies), property_dependencies))
        by_urn[resource.urn] = resource
    for resource, parent, dependencies, property_dependencies in links:
        if parent in by_urn:  # a protobuf string: "" when there is none
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return resources


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21.0's ``AnalyzeStack``, but with the resources built
    once per call instead of once per stack policy."""
    self._configure_runtime_settings()
    level_of = self._get_enforcement_level
    response = sdk.proto.AnalyzeResponse()
    resources: list[Any] | None = None
    for policy in getattr(self, _POLICIES):
        enforcement_level = level_of(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(
            policy, sdk.StackValidationPolicy
        ):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            # Stack policies cannot remediate; the SDK reports them as mandatory.
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, enforcement_level, policy.severity
        )
        if resources is None:
            resources = _stack_resources(self, request)
        args = sdk.StackValidationArgs(
            # Each policy gets its own list, as from the SDK; the resources in
            # it are shared, so stack rules must only read them (ours do).
            list(resources),
            self._get_policy_config(policy.name),
            self._PolicyAnalyzerServicer__stack_tags,
        )
        try:
            result = policy.validate(args, report_violation)
            if sdk.isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(
                    asyncio.Task(cast(Coroutine[Any, Any, Any], result), loop=loop)
                )
                loop.close()
        except sdk.UnknownValueError as error:
            name = self._PolicyAnalyzerServicer__policy_pack_name
            pack_version = self._PolicyAnalyzerServicer__policy_pack_version
            response.diagnostics.append(
                sdk.proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=name,
                    policyPackVersion=pack_version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{name}@v{pack_version}' during preview: {error.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
                )
            )
        except sdk._NotApplicableError as error:
            response.not_applicable.append(
                sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
            )
    return response


def install() -> bool:
    """Installs the memo; returns False (and changes nothing) on an unexpected SDK."""
    if os.environ.get("BASTION_DB_POLICY_NO_CACHE") == "1":
        return False
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    needed = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    if servicer is None or not all(hasattr(sdk, name) for name in needed):
        return False
    if _POLICIES not in getattr(servicer, "__annotations__", {}):
        return False
    if getattr(servicer, "_analysis_cache_installed", False):
        return True
    # Every call re-reads the signature of pulumi.runtime.Settings and re-parses
    # the stack config from the environment; neither changes while the pack runs.
    if hasattr(sdk, "signature"):
        sdk.signature = functools.lru_cache(maxsize=64)(sdk.signature)
    if hasattr(pulumi.runtime, "get_config_env"):
        parsed = pulumi.runtime.get_config_env()
        pulumi.runtime.get_config_env = lambda: dict(parsed)
    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk.deserialize_properties = _memoised(sdk.deserialize_properties)
    sdk.unknown_checking_proxy = _memoised(sdk.unknown_checking_proxy)
    servicer._get_resource_options = _per_resource(servicer._get_resource_options)
    servicer._get_provider_resource = _per_resource(servicer._get_provider_resource)
    servicer.Analyze = _only_applicable_policies(_scoped(servicer.Analyze))
    if getattr(sdk, "VERSION", None) == _ANALYZE_STACK_CHECKED_ON:
        servicer.AnalyzeStack = _scoped(_analyze_stack)
    else:
        servicer.AnalyzeStack = _scoped(servicer.AnalyzeStack)
    servicer._analysis_cache_installed = True
    return True
