"""A pack client for suites that analyze hundreds of near-copies of one stack.

The mutation suite changes one or two resources of the compliant stack per
case, and analyzes the whole stack each time, as the preview does. Every other
resource's ``Remediate`` and ``Analyze`` request is then byte for byte one the
pack has already answered under the same configuration, and a resource policy
sees nothing but its request: the answer can only be the same. Reusing it
leaves a case the one or two calls its change made new, of about a hundred.
``AnalyzeStack`` is always sent, since every stack differs. The answers
are those given under one configuration: a ``Configure`` with any other
clears them (one with the same, as the suites send before each analysis,
keeps them).
(``test_answer_reuse.py`` shows the reports are the same with and without.)

:func:`alone` is the suite's other shortcut, for a stack policy: the SDK
gives each stack policy its own copy of the resources and only its own
config, so the others can be disabled while it answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from preflight.analyzer import PolicyPackAnalyzer
from preflight.policy_config import PolicyConfig

# Calls whose answer depends on the one resource in the request alone.
PER_RESOURCE = frozenset({"Remediate", "Analyze"})


class AnswerReusingAnalyzer(PolicyPackAnalyzer):
    """A :class:`PolicyPackAnalyzer` that sends a per-resource request only
    the first time it sees it under the current configuration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answers: dict[tuple[str, bytes], Any] = {}
        # The configuration the answers were given under
        self._answered_under: dict[str, PolicyConfig] | None = None
        self.reused = 0

    def configure(self, config: Mapping[str, PolicyConfig]) -> None:
        # Another configuration can give other answers to the same request.
        if dict(config) != self._answered_under:
            self._answers.clear()
            self._answered_under = None
        super().configure(config)
        self._answered_under = dict(config)

    def _send(self, method: str, request: Any) -> Any:
        if method not in PER_RESOURCE:
            return super()._send(method, request)
        key = (method, request.SerializeToString(deterministic=True))
        known = self._answers.get(key)
        if known is not None:
            self.reused += 1
            answered: Future[Any] = Future()
            answered.set_result(known)
            return answered
        return _Pending(key, super()._send(method, request))

    def _result(self, method: str, future: Any) -> Any:
        if isinstance(future, _Pending):
            answer = super()._result(method, future.call)
            self._answers[future.key] = answer
            return answer
        return super()._result(method, future)


class _Pending:
    """A call on its way, and the request it will be the answer to."""

    def __init__(self, key: tuple[str, bytes], call: Any) -> None:
        self.key = key
        self.call = call


def alone(config: Mapping[str, PolicyConfig], rule: str) -> dict[str, PolicyConfig]:
    """``config`` with every policy but ``rule`` disabled; ``rule`` keeps its
    level and properties."""
    return {
        name: policy if name == rule else replace(policy, enforcement_level="disabled")
        for name, policy in config.items()
    }
