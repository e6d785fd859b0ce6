"""What a policy pack answers, as plain values: its policies (GetAnalyzerInfo),
the violations it reports and the remediations it makes, and one report over
every pack of a run. No gRPC here beyond the protocol's enum values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from preflight.policy_config import PolicyConfig

LEVEL_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
POLICY_TYPES = {
    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
    analyzer_pb2.POLICY_TYPE_STACK: "stack",
}


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as ``GetAnalyzerInfo`` describes it."""

    name: str
    description: str
    enforcement_level: str
    severity: str
    remediation_steps: str
    policy_type: str
    display_name: str = ""
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required_config: tuple[str, ...] = ()
    # Governance metadata (pulumi-policy 1.18 and later); empty when the pack gives none
    framework: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    # PulumiPolicy.yaml's version when it has one (the CLI prefers it), else the pack's
    version: str
    supports_config: bool
    policies: tuple[PolicyInfo, ...]
    initial_config: Mapping[str, PolicyConfig]
    display_name: str = ""
    description: str = ""

    def policy(self, name: str) -> PolicyInfo | None:
        return next((p for p in self.policies if p.name == name), None)


@dataclass(frozen=True)
class Violation:
    policy_name: str
    policy_pack: str
    policy_pack_version: str
    description: str
    # As the pack sent it: the policy's description, a newline, then the finding
    message: str
    # The resource in violation; None for a finding about the stack as a whole
    urn: str | None
    enforcement_level: str
    severity: str
    remediation_steps: str = ""

    @property
    def finding(self) -> str:
        """The message without the description the SDK puts in front of it."""
        head, _, rest = self.message.partition("\n")
        return rest if head == self.description and rest else self.message

    @property
    def pack(self) -> str:
        """The pack that found it, as the CLI names it: ``<name>@v<version>``."""
        return f"{self.policy_pack}@v{self.policy_pack_version}"

    @property
    def is_mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"


@dataclass(frozen=True)
class Remediation:
    policy_name: str
    policy_pack: str
    policy_pack_version: str
    description: str
    urn: str
    # The resource's whole new inputs, or None when the remediation could not run
    properties: Mapping[str, Any] | None
    # Why it could not run (e.g. a value unknown during preview)
    diagnostic: str = ""


@dataclass(frozen=True)
class AnalysisReport:
    violations: tuple[Violation, ...]
    remediations: tuple[Remediation, ...]
    # "<name>@v<version>" of each pack that ran, in the order they ran
    packs: tuple[str, ...] = ()

    @classmethod
    def merged(cls, reports: Iterable[AnalysisReport]) -> AnalysisReport:
        """One report for several packs, as one preview with several ``--policy-pack``."""
        reports = tuple(reports)
        return cls(
            tuple(v for r in reports for v in r.violations),
            tuple(m for r in reports for m in r.remediations),
            tuple(p for r in reports for p in r.packs),
        )

    @property
    def mandatory(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.is_mandatory)

    def for_policy(self, name: str) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.policy_name == name)

    def remediated_by(self, name: str) -> tuple[Remediation, ...]:
        return tuple(r for r in self.remediations if r.policy_name == name)
