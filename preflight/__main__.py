"""Offline preflight: run a stack's program on mocks and check it with the
policy pack exactly as ``pulumi preview --policy-pack`` would.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a configuration error.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if __name__ == "__main__":
    # A one-shot command, ended by os._exit: the cyclic garbage collector would
    # only keep re-walking the objects that importing pulumi_aws creates
    # (about 0.2 s of a 1 s preflight), to free almost nothing. Reference
    # counting still frees what the run lets go of. Tests that call main()
    # keep their collector.
    gc.disable()

# Only light imports here: the policy pack is launched before the program's
# heavy ones (pulumi_aws), so it boots on the other core meanwhile.
from offline.stack_config import StackFileError, load_stack_config
from preflight.analyzer import PolicyPackAnalyzer, PolicyPackError
from preflight.policy_config import PolicyConfigError
from preflight.style import Style

if TYPE_CHECKING:
    from offline.runner import ProgramRun
    from preflight.analyzer import AnalysisReport

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXIT_CLEAN, EXIT_MANDATORY, EXIT_CONFIG = 0, 1, 2


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Run a stack's program on mocks and check it with the policy pack, offline.",
    )
    parser.add_argument("stack", help="stack name: Pulumi.<stack>.yaml must exist")
    parser.add_argument(
        "--policy-pack-config",
        type=Path,
        help="policy config JSON (default: policies/config/<stack>.json when it exists)",
    )
    parser.add_argument("--policy-pack", type=Path, default=PROJECT_DIR / "policies")
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_DIR,
        help="the Pulumi project to check (default: this repository; e.g. bootstrap)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON only")
    parser.add_argument("--export", type=Path, help="write a `pulumi stack export`-style file")
    parser.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value for this run, like `pulumi preview --config`",
    )
    return parser.parse_args(argv)


def _overrides(items: list[str], project: str) -> dict[str, str]:
    overrides = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise StackFileError(f"--config expects KEY=VALUE, got {item!r}")
        overrides[key if ":" in key else f"{project}:{key}"] = value
    return overrides


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = load_stack_config(args.project_dir, args.stack)
        values = {**config.values, **_overrides(args.config, config.project)}
    except StackFileError as error:
        return _config_error(error)

    pack = PolicyPackAnalyzer(
        args.policy_pack, project=config.project, stack=args.stack, stack_config=values
    )
    pack.launch()
    try:
        return _check(args, config.project, values, pack)
    finally:
        # The result is known; the pack's own teardown need not hold the user up.
        pack.close(wait=False)


def _check(
    args: argparse.Namespace, project: str, values: dict[str, str], pack: PolicyPackAnalyzer
) -> int:
    from components.network import NetworkLookupError
    from offline.fake_aws import lab_world
    from offline.program import load_program
    from offline.runner import run_program
    from settings import ConfigError

    try:
        run = run_program(
            load_program(args.project_dir),
            project=project,
            stack=args.stack,
            config=values,
            world=lab_world(),
            # As `pulumi preview` of a new stack: what AWS assigns is unknown.
            preview=True,
        )
        policy_config = args.policy_pack_config
        if policy_config is None:
            default = args.policy_pack / "config" / f"{args.stack}.json"
            policy_config = default if default.exists() else None
        pack.connect()
        pack.configure_from(policy_config)
        report = pack.analyze(run.resources)
    except (ConfigError, NetworkLookupError, PolicyConfigError) as error:
        return _config_error(error)
    except PolicyPackError as error:
        print(f"error: the policy pack failed: {error}", file=sys.stderr)
        return EXIT_CONFIG
    return _report(args, run, report)


def _config_error(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_CONFIG


def _report(args: argparse.Namespace, run: ProgramRun, report: AnalysisReport) -> int:
    from preflight.export import deployment, stack_urn
    from preflight.plan import render_plan
    from preflight.report import as_json, render_violations, summary_line

    if args.export:
        args.export.write_text(json.dumps(deployment(run), indent=2) + "\n")
    exit_code = EXIT_MANDATORY if report.mandatory else EXIT_CLEAN
    if args.json:
        print(
            json.dumps(
                {
                    "stack": args.stack,
                    "resources": len(run.resources),
                    "violations": as_json(report),
                    "mandatory": len(report.mandatory),
                    "exitCode": exit_code,
                },
                indent=2,
            )
        )
        return exit_code
    style = Style.for_stream(sys.stdout)
    print(render_plan(run, stack_urn(run), style))
    print()
    print(render_violations(report, style))
    print()
    print(summary_line(report))
    return exit_code


if __name__ == "__main__":
    exit_code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is printed and the pack was told to stop: skip tearing down
    # the thousands of pulumi_aws modules, which costs about 0.1 s of nothing.
    os._exit(exit_code)
