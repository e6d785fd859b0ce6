"""The policy pack's SDK floor: a copy of the pack whose policies (the same
names, kinds, levels and config schemas) validate nothing.

pulumi-policy's analyzer deserializes a resource's properties once for every
resource policy on each ``Analyze``, and every resource's once for every stack
policy on ``AnalyzeStack`` (``pulumi_policy/policy.py``, ``Analyze`` and
``AnalyzeStack``), before any rule runs. So a pack's time has a floor set by
its number of policies, whatever its rules do; timing this copy beside the
real pack splits the SDK's share from the rules' own work.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FLOOR_MAIN = '''\
"""The pack's policies with validations that do nothing (written by benchmarks/floor_pack.py)."""

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from pack_server import serve
from rules import all_policies


def nothing(args, report_violation):
    return None


def floor(policy):
    stack = isinstance(policy, StackValidationPolicy)
    kind = StackValidationPolicy if stack else ResourceValidationPolicy
    return kind(
        name=policy.name,
        description=policy.description,
        validate=nothing,
        enforcement_level=policy.enforcement_level,
        config_schema=policy.config_schema,
    )


serve([floor(policy) for policy in all_policies()])
'''


def make_floor_pack(pack_dir: Path, into: Path) -> Path:
    """Copies the pack folder into ``into`` (its own files, not its
    environment) with the floor's ``__main__.py``; returns the copy."""
    copy = into / pack_dir.name
    shutil.copytree(pack_dir, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    (copy / "__main__.py").write_text(FLOOR_MAIN)
    return copy
