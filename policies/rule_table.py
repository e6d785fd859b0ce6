"""Writes the rule table of ``COVERAGE.md`` from the pack's own metadata.

``python policies/rule_table.py`` rewrites the table between its markers:
each rule's name (linking its Security Hub control or AWS page), what it
checks (its description), kind, severity, its level in each environment of
``config/*.json`` (with the knobs that file sets), its knobs with their
defaults, the FSBP and CIS controls of its framework, its tags and its fix
(remediation steps). ``--check`` only says whether the file is
current (exit 1 when not); the test suite runs the same comparison.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parent
COVERAGE = PACK_DIR / "COVERAGE.md"
CONFIG_DIR = PACK_DIR / "config"
BEGIN = "<!-- rule table: written by `python policies/rule_table.py` from the pack; do not edit -->"
END = "<!-- end of rule table -->"
CONTROLS_BEGIN = (
    "<!-- control table: written by `python policies/rule_table.py` from policies/controls.py; "
    "do not edit -->"
)
CONTROLS_END = "<!-- end of control table -->"


def _policies() -> Sequence[Any]:
    """The pack's policies, imported the way the pack imports them."""
    if str(PACK_DIR) not in sys.path:
        sys.path.insert(0, str(PACK_DIR))
    policies: Sequence[Any] = importlib.import_module("rules").all_policies()
    return policies


def _level_name(level: Any) -> str:
    return str(getattr(level, "value", level))


def _environments() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text() or "{}")
        for path in sorted(CONFIG_DIR.glob("*.json"))
    }


def _cell_for(policy: Any, config: Mapping[str, Any]) -> str:
    """The rule's level in one environment, and the knobs that environment sets."""
    level = _level_name(policy.enforcement_level)
    every = config.get("all")
    if isinstance(every, str):
        level = every
    elif isinstance(every, dict) and "enforcementLevel" in every:
        level = str(every["enforcementLevel"])
    entry = config.get(policy.name)
    knobs: dict[str, Any] = {}
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, dict):
        level = str(entry.get("enforcementLevel", level))
        knobs = {key: value for key, value in entry.items() if key != "enforcementLevel"}
    if not knobs:
        return level
    shown = ", ".join(f"{key}={json.dumps(value)}" for key, value in knobs.items())
    return f"{level} ({shown})"


def _knobs(policy: Any) -> str:
    schema = policy.config_schema.properties if policy.config_schema else {}
    if not schema:
        return "-"
    return "<br>".join(
        f"`{key}` = `{json.dumps(spec.get('default'))}`" for key, spec in schema.items()
    )


def _kind(policy: Any) -> str:
    return "stack" if type(policy).__name__ == "StackValidationPolicy" else "resource"


def rule_table() -> str:
    """The table, markers included."""
    environments = _environments()
    head = [
        "rule",
        "what it checks",
        "kind",
        "severity",
        *environments,
        "knobs (default)",
        "controls",
        "tags",
        "fix",
    ]
    policies = _policies()  # puts the pack's folder on sys.path
    governance = importlib.import_module("rules.governance")
    lines = [
        BEGIN,
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for policy in policies:
        cells = [
            f"[`{policy.name}`]({policy.url})",
            policy.description.replace("|", "\\|"),
            _kind(policy),
            _level_name(policy.severity),
            *(_cell_for(policy, config) for config in environments.values()),
            _knobs(policy),
            governance.frameworks_cell(policy.framework, policy.tags or []),
            ", ".join(f"`{tag}`" for tag in policy.tags or []),
            (policy.remediation_steps or "-").replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(END)
    return "\n".join(lines)


def _controls() -> Sequence[Any]:
    if str(PACK_DIR) not in sys.path:
        sys.path.insert(0, str(PACK_DIR))
    controls: Sequence[Any] = importlib.import_module("controls").CONTROLS
    return controls


def _levels(policy: Any, config: Mapping[str, Any]) -> str:
    return _cell_for(policy, config).split(" (")[0]


def control_table() -> str:
    """Every Security Hub control for the product's resource types, markers included."""
    environments = _environments()
    by_name = {policy.name: policy for policy in _policies()}
    head = ["control", "title", "CIS v3.0", "status", "rules", *environments, "note"]
    lines = [CONTROLS_BEGIN, "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    counts: dict[str, int] = {}
    for control in _controls():
        counts[control.status] = counts.get(control.status, 0) + 1
        missing = [name for name in control.rules if name not in by_name]
        if missing:
            raise SystemExit(f"controls.py: {control.id} names no rule {', '.join(missing)}")
        levels = [
            " / ".join(sorted({_levels(by_name[name], config) for name in control.rules})) or "-"
            for config in environments.values()
        ]
        cells = [
            f"[{control.id}]({control.url})",
            control.title,
            control.cis or "-",
            control.status,
            ", ".join(f"`{name}`" for name in control.rules) or "-",
            *levels,
            (control.why or "-").replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    total = ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("enforced", "justified", "not applicable")
    )
    lines += ["", f"{sum(counts.values())} controls: {total}.", CONTROLS_END]
    return "\n".join(lines)


def _replaced(text: str, begin: str, end: str, table: str) -> str:
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise SystemExit(f"{COVERAGE}: the markers {begin!r} / {end!r} are missing")
    return text[:start] + table + text[stop + len(end) :]


def with_current_table(text: str) -> str:
    """``text`` (COVERAGE.md) with its rule and control tables replaced by the current ones."""
    text = _replaced(text, BEGIN, END, rule_table())
    if CONTROLS_BEGIN in text:
        text = _replaced(text, CONTROLS_BEGIN, CONTROLS_END, control_table())
    return text


def main(argv: Sequence[str]) -> int:
    text = COVERAGE.read_text()
    current = with_current_table(text)
    if "--check" in argv:
        if current != text:
            print(f"{COVERAGE} is stale: run `python policies/rule_table.py`", file=sys.stderr)
            return 1
        return 0
    COVERAGE.write_text(current)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
