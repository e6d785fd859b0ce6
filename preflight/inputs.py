"""The preflight's inputs besides the stack file, checked before anything runs:
where the export goes, which policy config applies, which network the
program meets. Each problem is a :class:`InputError` naming the flag or file.

Relative paths are the user's: Python resolves them against the folder the
command was run from (``scripts/preflight.sh`` no longer changes folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bastion_db.checks.validate import VPC_ID
from offline.fake_world import FakeWorld, lab_world


def display_path(path: Path) -> str:
    """A path as short as it can be said: relative to the current folder when
    it lies inside it (the same every run from the same place)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class InputError(Exception):
    """A flag or file the user gave that cannot be used; the message names it.

    ``problems`` lists each one when there are several (every configuration
    error of a stack, found in one run)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


# What the CLI accepts as a stack name (pulumi/pulumi sdk/go/common/tokens,
# ValidateStackName): letters, digits, hyphens, underscores, periods, 1-100.
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def check_stack_name(stack: str) -> None:
    if not STACK_NAME.match(stack):
        raise InputError(
            f"stack {stack!r}: a stack name may only contain letters, digits, hyphens, "
            "underscores and periods (Pulumi.<stack>.yaml must exist beside Pulumi.yaml)"
        )


def check_export_target(target: Path | None) -> None:
    """``--export FILE`` must name a file in a folder that exists."""
    if target is None:
        return
    if target.is_dir():
        raise InputError(
            f"--export {target}: is a folder; give a file name, e.g. {target}/plan.json"
        )
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"--export {target}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise InputError(f"--export {target}: the folder {folder} is not writable")


def write_export(target: Path, text: str) -> None:
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"--export {target}: cannot write it ({error.strerror})") from None


def check_project_dir(project_dir: Path) -> None:
    if not project_dir.is_dir():
        raise InputError(f"--project-dir {project_dir}: no such folder")
    if not (project_dir / "__main__.py").is_file():
        raise InputError(
            f"--project-dir {project_dir}: no __main__.py, so not a Python Pulumi program"
        )


def check_policy_pack(pack_dir: Path) -> None:
    if not pack_dir.is_dir():
        problem = "is a file, not a folder" if pack_dir.exists() else "no such folder"
        raise InputError(f"--policy-pack {pack_dir}: {problem}")
    if not (pack_dir / "PulumiPolicy.yaml").is_file():
        raise InputError(
            f"--policy-pack {pack_dir}: not a policy pack (a pack's folder holds "
            "PulumiPolicy.yaml, see `pulumi policy new`)"
        )


@dataclass(frozen=True)
class PolicyConfigChoice:
    """Which ``--policy-pack-config`` file applies, and why."""

    # The file that is read, or None when there is none
    path: Path | None
    # True when the user named it with --policy-pack-config
    given: bool
    # The stack's default file, whether or not it exists
    default: Path

    def describe(self) -> str:
        if self.path is None:
            return f"none ({display_path(self.default)} does not exist)"
        return display_path(self.path) + (" (--policy-pack-config)" if self.given else "")


def choose_policy_config(given: Path | None, pack_dir: Path, stack: str) -> PolicyConfigChoice:
    """The user's file when given (it must exist), else the stack's
    ``<pack>/config/<stack>.json`` when that exists, else none."""
    default = pack_dir / "config" / f"{stack}.json"
    if given is not None:
        if not given.is_file():
            problem = "is a folder" if given.is_dir() else "does not exist"
            raise InputError(f"--policy-pack-config {given}: {problem}")
        return PolicyConfigChoice(given, True, default)
    return PolicyConfigChoice(default if default.is_file() else None, False, default)


@dataclass(frozen=True)
class NetworkChoice:
    world: FakeWorld
    # The --network file the world came from; None for the lab-shaped VPC
    source: Path | None
    # The stack's vpcId, None for a project that names no VPC (bootstrap)
    vpc_id: str | None = None

    def describe(self) -> str | None:
        if self.source is not None:
            return f"your VPC, captured in {display_path(self.source)}"
        if self.vpc_id is None:
            return None
        return f"the lab-shaped VPC, built around {self.vpc_id} (use --network for your own)"


def choose_network(
    network_file: Path | None, config: Mapping[str, str], project: str
) -> NetworkChoice:
    """The world the program meets: the user's captured network, or the lab's
    layout around whatever well-formed VPC id and region the stack names (a
    malformed one is the program's to refuse, with the key to edit)."""
    region = config.get("aws:region") or "us-east-1"
    vpc_id = config.get(f"{project}:vpcId")
    if network_file is None:
        if vpc_id is not None and VPC_ID.match(vpc_id):
            return NetworkChoice(lab_world(vpc_id, region), None, vpc_id)
        return NetworkChoice(lab_world(region=region), None, vpc_id)

    from offline.network_capture import NetworkCaptureError, captured_world

    if not network_file.is_file():
        problem = "is a folder" if network_file.is_dir() else "does not exist"
        raise InputError(f"--network {network_file}: {problem}")
    try:
        world = captured_world(network_file, region=region)
    except NetworkCaptureError as error:
        raise InputError(f"--network {error}") from None
    if vpc_id is not None and world.vpc(vpc_id) is None:
        held = ", ".join(vpc.id for vpc in world.vpcs) or "no VPC"
        raise InputError(
            f"--network {network_file}: holds {held}, not the stack's {project}:vpcId "
            f"{vpc_id}; capture that VPC, or set vpcId to the captured one"
        )
    return NetworkChoice(world, network_file, vpc_id)
