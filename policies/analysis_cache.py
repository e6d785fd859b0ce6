"""Converts each resource's properties once per analyzer call instead of once per policy.

pulumi-policy 1.21's servicer turns a resource's protobuf properties into
Python values (``MessageToDict``, ``deserialize_properties``,
``unknown_checking_proxy``) separately for every policy, and ``AnalyzeStack``
does it for every resource for every stack policy: with 40 policies the same
work is repeated 40 times, and a 1,000-resource stack takes seconds. Within
one ``Analyze`` or ``AnalyzeStack`` call the input never changes and
validators only read it, so the pack memoises those three steps for the
duration of the call. ``Remediate`` is left alone: remediations chain, each
one seeing the previous one's output.

The servicer is an SDK internal; :func:`install` checks that it still looks
as expected and otherwise leaves the SDK untouched (correct, just slower).
Setting ``BASTION_DB_POLICY_NO_CACHE=1`` turns it off, which the tests use to
show both ways give the same findings.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


def install() -> bool:
    """Installs the memo; returns False (and changes nothing) on an unexpected SDK."""
    if os.environ.get("BASTION_DB_POLICY_NO_CACHE") == "1":
        return False
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    needed = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    if servicer is None or not all(hasattr(sdk, name) for name in needed):
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
    servicer.Analyze = _scoped(servicer.Analyze)
    servicer.AnalyzeStack = _scoped(servicer.AnalyzeStack)
    servicer._analysis_cache_installed = True
    return True
