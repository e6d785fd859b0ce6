"""The AWS facts the pack judges with, read from ``rds_facts.json`` beside
this module: a copy generated from the program's own facts
(``scripts/pack_facts.py`` in the repository), so the program and the pack
refuse and advise from the same data, and the pack needs nothing outside its
folder."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FACTS_FILE = Path(__file__).resolve().parent / "rds_facts.json"


@cache
def _facts() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
    return loaded


def performance_insights_offered(engine: Any, instance_class: Any) -> bool | None:
    """Whether RDS offers Performance Insights for this engine and class; None
    when the engine is not one the facts know or the values are not plain
    strings."""
    if not isinstance(engine, str) or not isinstance(instance_class, str):
        return None
    unsupported = _facts()["performance_insights_unsupported_instance_classes"].get(engine)
    if unsupported is None:
        return None
    return instance_class not in unsupported
