"""Prints the policy pack's findings the way ``pulumi preview`` groups them."""

from __future__ import annotations

from typing import Any

from preflight.analyzer import AnalysisReport, Violation
from preflight.style import Style

LEVEL_ORDER = ("mandatory", "advisory", "remediate")


def render_violations(report: AnalysisReport, style: Style) -> str:
    lines = [style.bold("Policies:")]
    if not report.violations:
        lines.append("    " + style.green("no policy violations"))
    for level in LEVEL_ORDER:
        found = [v for v in report.violations if v.enforcement_level == level]
        if not found:
            continue
        colour = style.red if level == "mandatory" else style.yellow
        lines.append(f"    {colour(level)} ({len(found)})")
        for violation in found:
            lines.append(f"      [{level}] {violation.policy_name}  ({_where(violation)})")
            lines.append(f"        {violation.finding}")
            if violation.remediation_steps:
                lines.append(style.dim(f"        fix: {violation.remediation_steps}"))
    for remediation in report.remediations:
        lines.append(style.dim(f"    remediated by {remediation.policy_name}: {remediation.urn}"))
    return "\n".join(lines)


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


def as_json(report: AnalysisReport) -> list[dict[str, Any]]:
    return [
        {
            "policy": v.policy_name,
            "pack": v.policy_pack,
            "level": v.enforcement_level,
            "severity": v.severity,
            "urn": v.urn,
            "message": v.finding,
            "remediation": v.remediation_steps,
        }
        for v in report.violations
    ]
