"""The program's AWS facts (bastion_db/aws_facts/), where the pack can reach them.

Inside the project they are one folder up (policies/__main__.py puts it on the
path). A pack published or copied on its own has none: the answer is then
None, "not known", and a rule falls back to judging without the fact.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

facts: ModuleType | None
try:
    from bastion_db import aws_facts as facts
except ImportError:  # the pack alone, outside the project
    facts = None


def performance_insights_offered(engine: Any, instance_class: Any) -> bool | None:
    """Whether RDS offers Performance Insights for this engine and class; None
    when the facts are out of reach or the values are not plain strings."""
    if facts is None or not isinstance(engine, str) or not isinstance(instance_class, str):
        return None
    if engine not in facts.ENGINES:
        return None
    offered: bool = facts.performance_insights_supported(engine, instance_class)
    return offered
