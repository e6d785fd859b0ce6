"""The governance metadata every rule carries besides its check (pulumi-policy
1.18 and later: ``framework``, ``tags``, ``url``), generated from the one map
of Security Hub controls to rules, ``controls.py`` (which COVERAGE.md's control
table is written from), so the two cannot disagree.

A rule that enforces Security Hub controls names them in its framework (the
AWS Foundational Security Best Practices ids, and the CIS AWS Foundations
Benchmark v3.0.0 ids Security Hub relates to them) and links the first
control's page. A rule no control maps declares the AWS page it rests on.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyComplianceFramework

# controls.py sits at the pack's root, beside rules/ (the folder the pack runs
# from, on sys.path): imported by name, as __main__.py imports ``rules``, since
# a package cannot import a module above it.
CONTROLS: Sequence[Any] = importlib.import_module("controls").CONTROLS

FSBP = "AWS Foundational Security Best Practices"
FSBP_VERSION = "v1.0.0"
CIS = "CIS AWS Foundations Benchmark v3.0.0"


@dataclass(frozen=True)
class Governance:
    framework: PolicyComplianceFramework | None
    tags: list[str]
    url: str


def _controls_of(rule: str) -> list[Any]:
    return [control for control in CONTROLS if rule in control.rules]


def governance_of(rule: str, concern: str, source_url: str | None) -> Governance:
    """A rule's framework, tags and url; ``source_url`` is the AWS page for a
    rule that no Security Hub control maps (refused when one does, so the
    page shown is always the control's)."""
    controls = _controls_of(rule)
    if not controls:
        if not source_url:
            raise ValueError(f"{rule}: no Security Hub control maps it; give it url=")
        return Governance(None, [concern], source_url)
    if source_url:
        raise ValueError(f"{rule}: {controls[0].id} maps it; its page is the url")
    ids = [control.id for control in controls]
    cis = sorted({control.cis for control in controls if control.cis})
    specification = "; ".join(f"{control.id}: {control.title}" for control in controls)
    if cis:
        specification += f". {CIS}: {', '.join(cis)}"
    framework = PolicyComplianceFramework(
        name=FSBP,
        version=FSBP_VERSION,
        reference=", ".join(ids),
        specification=specification,
    )
    tags = [concern, "security-hub", *(f"fsbp:{i}" for i in ids), *(f"cis-3.0:{c}" for c in cis)]
    return Governance(framework, tags, controls[0].url)


def frameworks_cell(framework: PolicyComplianceFramework | None, tags: Sequence[str]) -> str:
    """The FSBP and CIS ids, as the rule table shows them."""
    if framework is None:
        return "-"
    cis = [tag.split(":", 1)[1] for tag in tags if tag.startswith("cis-3.0:")]
    return f"FSBP {framework.reference}" + (f"; CIS {', '.join(cis)}" if cis else "")
