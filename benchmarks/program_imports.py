"""What a run of the program costs before it does anything: importing its
modules and the pulumi_aws services a run of it loads, each of them whole
(``pulumi_aws/ec2/__init__.py`` imports every ec2 resource and its input and
output types). Nothing runs.

``python -m benchmarks.program_imports SERVICE...``: the benchmark times it
beside the floor (``import pulumi, pulumi_aws``) and the whole preflight, to
show how much of the preflight's time is the program's imports alone.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def loaded_services(modules: Iterable[str]) -> list[str]:
    """The pulumi_aws services loaded in a process, given ``sys.modules``'
    names: a loaded service has imported its own modules (``pulumi_aws.ec2._inputs``);
    one merely named, as pulumi_aws names them all, has none."""
    found = set()
    for name in modules:
        parts = name.split(".")
        if len(parts) > 2 and parts[0] == "pulumi_aws":
            found.add(parts[1])
    return sorted(found)


def main(services: list[str]) -> int:
    sys.path.insert(0, str(PROJECT_DIR))
    # The program's own modules (bastion_db, settings) and what they import.
    spec = importlib.util.spec_from_file_location("program", PROJECT_DIR / "__main__.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    import pulumi_aws

    for service in services:
        # pulumi_aws loads a service on the first read of one of its names,
        # as `aws.ec2.Instance` does (not of the module's own, like __name__).
        hasattr(getattr(pulumi_aws, service), "Provider")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
