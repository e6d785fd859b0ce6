"""Prints the policy packs' findings the way ``pulumi preview`` groups them,
in a stable order, within 100 columns, and says which policy config decided
their levels and where to change it."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.findings import AnalysisReport, Violation
from preflight.inputs import PolicyConfigChoice, display_path
from preflight.policy_config import PolicyConfig
from preflight.style import Style

LEVEL_ORDER = ("mandatory", "advisory", "remediate", "disabled")
WIDTH = 100


@dataclass(frozen=True)
class PolicyConfigUse:
    """The policy config a run used, and what each policy lets a user set there."""

    choice: PolicyConfigChoice
    # Every policy's reconciled level and properties
    levels: Mapping[str, PolicyConfig]
    # Policy name -> the keys of its config schema
    knobs: Mapping[str, tuple[str, ...]]

    def level_counts(self) -> str:
        counts = Counter(config.enforcement_level for config in self.levels.values())
        return ", ".join(f"{counts[level]} {level}" for level in LEVEL_ORDER if counts[level])

    def header(self) -> list[str]:
        if self.choice.path is None:
            return [
                f"Policy config: none. {display_path(self.choice.default)} does not exist, "
                f"so every policy runs at the pack's own level ({self.level_counts()}). "
                "Create it (copy another stack's) to set levels and allow-lists for this stack."
            ]
        return [f"Policy config: {self.choice.describe()} ({self.level_counts()})"]

    def keys_for(self, violation: Violation) -> list[str]:
        keys = self.knobs.get(violation.policy_name) or ()
        named = [key for key in keys if key in violation.message]
        return named or list(keys)

    def where_to_edit(self, violation: Violation) -> str:
        """The file and entry that set this policy's level and allow-lists."""
        file = display_path(self.choice.path or self.choice.default)
        verb = "edit" if self.choice.path else "create"
        keys = self.keys_for(violation)
        what = f'"{violation.policy_name}"' + (f" ({', '.join(keys)})" if keys else "")
        return f"level and settings: {verb} {file}, entry {what}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": display_path(self.choice.path) if self.choice.path else None,
            "default": display_path(self.choice.default),
            "levels": {name: config.enforcement_level for name, config in self.levels.items()},
        }


def sorted_violations(report: AnalysisReport) -> list[Violation]:
    """Most severe level first, then by policy, resource and message: the order
    the pack answered in depends on timing, this one only on the findings."""
    return sorted(
        report.violations,
        key=lambda v: (
            LEVEL_ORDER.index(v.enforcement_level) if v.enforcement_level in LEVEL_ORDER else 9,
            v.policy_name,
            v.urn or "",
            v.message,
        ),
    )


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _repeats(remediation: str, finding: str) -> bool:
    """Whether the fix line would only say again what the finding says."""
    return remediation.strip().rstrip(".").lower() in finding.lower()


def render_violations(
    report: AnalysisReport, style: Style, uses: Mapping[str, PolicyConfigUse]
) -> str:
    """Grouped by pack, as ``pulumi preview`` groups several ``--policy-pack``;
    ``uses`` is each pack's policy config, by ``<name>@v<version>``, in run order."""
    lines = [style.bold("Policies:")]
    ordered = sorted_violations(report)
    for pack, use in uses.items():
        lines.append(f"    {pack}")
        lines += _wrapped(use.header()[0], "      ")
        in_pack = [v for v in ordered if v.pack == pack]
        if not in_pack:
            lines.append("      " + style.green("no policy violations"))
        for level in LEVEL_ORDER:
            found = [v for v in in_pack if v.enforcement_level == level]
            if found:
                lines += _level_lines(level, found, style, use)
    for remediation in sorted(report.remediations, key=lambda r: (r.policy_name, r.urn)):
        lines += [
            style.dim(line)
            for line in _wrapped(
                f"remediated by {remediation.policy_name}: {remediation.urn}", "    "
            )
        ]
    return "\n".join(lines)


def _level_lines(
    level: str, found: list[Violation], style: Style, use: PolicyConfigUse
) -> list[str]:
    colour = style.red if level == "mandatory" else style.yellow
    lines = [f"      {colour(level)} ({len(found)})"]
    for violation in found:
        lines += _wrapped(f"[{level}] {violation.policy_name}  ({_where(violation)})", "        ")
        lines += _wrapped(violation.finding, "          ")
        steps = violation.remediation_steps
        if steps and not _repeats(steps, violation.finding):
            lines += [style.dim(line) for line in _wrapped(f"fix: {steps}", "          ")]
        lines += [style.dim(line) for line in _wrapped(use.where_to_edit(violation), "          ")]
    return lines


def summary_line(report: AnalysisReport) -> str:
    mandatory = len(report.mandatory)
    advisory = len(report.violations) - mandatory
    verdict = "FAILED" if mandatory else "passed"
    return (
        f"Preflight {verdict}: {mandatory} mandatory, {advisory} advisory violation(s), "
        f"{len(report.remediations)} remediation(s)"
    )


def _where(violation: Violation) -> str:
    if not violation.urn:
        return "stack"
    return violation.urn.split("::")[-1]


def as_json(report: AnalysisReport, uses: Mapping[str, PolicyConfigUse]) -> list[dict[str, Any]]:
    return [_violation_json(v, uses[v.pack]) for v in sorted_violations(report)]


def _violation_json(v: Violation, use: PolicyConfigUse) -> dict[str, Any]:
    return {
        "policy": v.policy_name,
        "pack": v.policy_pack,
        "level": v.enforcement_level,
        "severity": v.severity,
        "urn": v.urn,
        "message": v.finding,
        "remediation": v.remediation_steps,
        "policyConfig": {
            "file": display_path(use.choice.path or use.choice.default),
            "exists": use.choice.path is not None,
            "policy": v.policy_name,
            "keys": use.keys_for(v),
        },
    }
