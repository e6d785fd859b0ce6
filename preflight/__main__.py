"""Offline preflight: run a stack's program on mocks and check it with the
policy pack exactly as ``pulumi preview --policy-pack`` would.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a configuration error
(of a file, key or flag, named in the message), 3 a bug in the preflight itself,
130 interrupted by Ctrl-C and 143 by SIGTERM (:mod:`preflight.interrupt`).
Whatever the input, the user gets a message, never a traceback; with
``--json`` stdout holds exactly one JSON document, errors included.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if __name__ == "__main__":
    # First, so that a Ctrl-C during the imports below is handled too.
    from preflight import interrupt

    interrupt.install("preflight")
    # A one-shot command, ended by os._exit: the cyclic garbage collector would
    # only keep re-walking the many long-lived objects that importing
    # pulumi_aws creates, to free almost nothing. Reference counting still
    # frees what the run lets go of. Tests that call main() keep their
    # collector.
    gc.disable()

# Only light imports here: the policy pack is launched before the program's
# heavy ones (pulumi_aws), so it boots on the other core meanwhile.
from offline.stack_config import StackFileError, load_stack_config
from preflight.analyzer import PolicyPackAnalyzer, PolicyPackError
from preflight.findings import AnalysisReport
from preflight.inputs import (
    InputError,
    NetworkChoice,
    PolicyConfigChoice,
    check_export_target,
    check_policy_pack,
    check_project_dir,
    check_stack_name,
    choose_network,
    choose_policy_config,
)
from preflight.policy_config import PolicyConfigError, load_policy_config_file
from preflight.style import Style

if TYPE_CHECKING:
    from offline.runner import ProgramRun
    from preflight.policy_config import PolicyConfig
    from preflight.report import PolicyConfigUse

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXIT_CLEAN, EXIT_MANDATORY, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3
# Set to see the traceback of an unexpected error (for whoever fixes the bug).
TRACEBACK_VARIABLE = "PREFLIGHT_TRACEBACK"

EPILOG = f"""\
exit codes:
  0  no mandatory policy violation (advisory findings may still be printed)
  1  at least one mandatory policy violation
  2  a configuration error: a stack file, config value, flag, policy config or
     network file; the message names it (with --json, in the document's "error")
  3  an unexpected error in the preflight itself, a bug ({TRACEBACK_VARIABLE}=1 shows it)
  130, 143  interrupted by Ctrl-C or SIGTERM; every policy pack it started is ended

Relative paths are relative to the folder you run the command from.
Capture your own VPC for --network (AWS CLI, read-only, three commands into one file):
  VPC=vpc-0123456789abcdef0
  {{ aws ec2 describe-vpcs --vpc-ids "$VPC" --output json
    aws ec2 describe-subnets --filters "Name=vpc-id,Values=$VPC" --output json
    aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$VPC" --output json
  }} > network.json
"""


class UsageError(Exception):
    """A command line argparse would refuse; raised instead of its exit, so the
    refusal goes through the same path as every other error (and --json)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="preflight",
        description="Run a stack's program on mocks and check it with the policy pack, offline.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stack", help="stack name: Pulumi.<stack>.yaml must exist")
    parser.add_argument(
        "--policy-pack-config",
        action="append",
        type=Path,
        metavar="FILE",
        help="policy config JSON; when given, one per --policy-pack, in the same order "
        "(default: <policy pack>/config/<stack>.json when it exists; without one every "
        "policy runs at the pack's own level, and the run says so)",
    )
    parser.add_argument(
        "--policy-pack",
        action="append",
        type=Path,
        metavar="DIR",
        help="a policy pack to run, a folder with PulumiPolicy.yaml, Python or Node.js; "
        "repeat it to run several, as `pulumi preview --policy-pack` (default: this "
        "repository's policies/)",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_DIR,
        metavar="DIR",
        help="the Pulumi project to check (default: this repository; e.g. bootstrap)",
    )
    parser.add_argument(
        "--network",
        type=Path,
        metavar="FILE",
        help="your VPC as the AWS CLI describes it (see below); default: the lab-shaped VPC "
        "built around the stack's vpcId",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document only")
    parser.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="also write the planned stack as a `pulumi stack export` file (secrets "
        "redacted), which `pulumi stack import --file` reads",
    )
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
            raise InputError(f"--config expects KEY=VALUE, got {item!r}")
        overrides[key if ":" in key else f"{project}:{key}"] = value
    return overrides


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    wants_json = "--json" in argv
    try:
        args = parse_args(argv)
    except UsageError as error:
        return _fail(wants_json, None, str(error))
    try:
        return _preflight(args)
    except InputError as error:
        return _fail(args.json, args.stack, str(error), problems=error.problems)
    except (StackFileError, PolicyConfigError) as error:
        return _fail(args.json, args.stack, str(error))
    except PolicyPackError as error:
        return _fail(args.json, args.stack, f"the policy pack failed: {error}")
    except Exception as error:
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        return _fail(
            args.json,
            args.stack,
            f"unexpected {type(error).__name__}: {error} (a bug in the preflight; "
            f"{TRACEBACK_VARIABLE}=1 shows where)",
            EXIT_INTERNAL,
        )


def _fail(
    as_json: bool,
    stack: str | None,
    message: str,
    code: int = EXIT_CONFIG,
    problems: Sequence[str] = (),
) -> int:
    print(f"error: {message}", file=sys.stderr)
    if as_json:
        document: dict[str, Any] = {"stack": stack, "error": message, "exitCode": code}
        if problems:
            # Each configuration error of the run, as the text lists them
            document["errors"] = list(problems)
        print(json.dumps(document, indent=2))
    return code


def _preflight(args: argparse.Namespace) -> int:
    check_stack_name(args.stack)
    check_project_dir(args.project_dir)
    pack_dirs: list[Path] = args.policy_pack or [PROJECT_DIR / "policies"]
    for pack_dir in pack_dirs:
        check_policy_pack(pack_dir)
    check_export_target(args.export)
    config = load_stack_config(args.project_dir, args.stack)
    values = {**config.values, **_overrides(args.config, config.project)}
    network = choose_network(args.network, values, config.project)
    policy_configs = [
        choose_policy_config(given, pack_dir, args.stack)
        for given, pack_dir in zip(_paired_configs(args, pack_dirs), pack_dirs, strict=True)
    ]
    # A file that is no JSON object of policy settings is refused now, before any pack
    # boots or the program runs; only its checks against a pack's own policies (names,
    # knobs) wait for that pack.
    for policy_config in policy_configs:
        if policy_config.path is not None:
            load_policy_config_file(policy_config.path)

    packs: list[PolicyPackAnalyzer] = []
    try:
        # Each pack starts as soon as it is read, so it boots while the next
        # one is read and the program runs.
        for pack_dir in pack_dirs:
            packs.append(_pack(pack_dir, config.project, args.stack, values))
            packs[-1].launch()
        run = _run(args, config.project, values, network)
        uses: dict[str, PolicyConfigUse] = {}
        # Every pack's config is checked against its policies before any pack judges
        # the stack, as `pulumi policy validate-config` would refuse it.
        for pack, policy_config in zip(packs, policy_configs, strict=True):
            pack.connect()
            levels = pack.configure_from(policy_config.path)
            uses[_pack_label(pack, uses)] = _policy_config_use(pack, policy_config, levels)
        reports = [pack.analyze(run.resources) for pack in packs]
        # One report: any pack's mandatory finding fails the run, as in one preview.
        report = AnalysisReport.merged(reports)
        return _report(args, run, report, _Context(uses, network))
    finally:
        # The result is known; the packs' own teardown need not hold the user up.
        for pack in packs:
            pack.close(wait=False)


def _paired_configs(args: argparse.Namespace, pack_dirs: list[Path]) -> list[Path | None]:
    """As the CLI: --policy-pack-config, when given, pairs with --policy-pack by position."""
    given: list[Path] = args.policy_pack_config or []
    if not given:
        return [None] * len(pack_dirs)
    if len(given) != len(pack_dirs):
        raise InputError(
            f"--policy-pack-config given {len(given)} time(s) for {len(pack_dirs)} policy "
            "pack(s): give one per --policy-pack, in the same order, or none"
        )
    return list(given)


def _pack(pack_dir: Path, project: str, stack: str, values: dict[str, str]) -> PolicyPackAnalyzer:
    try:
        return PolicyPackAnalyzer(pack_dir, project=project, stack=stack, stack_config=values)
    except PolicyPackError as error:
        # Read before it starts: a runtime it cannot run, a Node pack not installed...
        raise InputError(f"--policy-pack {pack_dir}: {error}") from None


def _pack_label(pack: PolicyPackAnalyzer, seen: dict[str, PolicyConfigUse]) -> str:
    info = pack.info()
    label = f"{info.name}@v{info.version}"
    if label in seen:
        raise InputError(
            f"--policy-pack {pack.pack_dir}: pack {label} is already in this run; give each "
            "pack once"
        )
    return label


def _policy_config_use(
    pack: PolicyPackAnalyzer, choice: PolicyConfigChoice, levels: dict[str, PolicyConfig]
) -> PolicyConfigUse:
    from preflight.report import PolicyConfigUse

    knobs = {policy.name: tuple(policy.config_schema) for policy in pack.info().policies}
    return PolicyConfigUse(choice, levels, knobs)


def _run(
    args: argparse.Namespace, project: str, values: dict[str, str], network: NetworkChoice
) -> ProgramRun:
    import pulumi

    from offline.fake_aws import FakeAwsError
    from offline.program import load_program
    from offline.runner import run_program
    from settings import ConfigError, ConfigErrors

    try:
        program = load_program(args.project_dir)
    except Exception as error:
        raise InputError(_program_failure("cannot be loaded", error, args.project_dir)) from None
    try:
        return run_program(
            program,
            project=project,
            stack=args.stack,
            config=values,
            world=network.world,
            # As `pulumi preview` of a new stack: what AWS assigns is unknown.
            preview=True,
        )
    except ConfigErrors as errors:
        raise InputError(str(errors), [str(error) for error in errors.errors]) from None
    except (ConfigError, pulumi.RunError) as error:
        # ConfigError names the key; NetworkLookupError (a RunError) what the VPC lacks.
        raise InputError(str(error)) from None
    except FakeAwsError as error:
        raise InputError(f"{error} (in {network.describe() or 'the fake AWS world'})") from None
    except Exception as error:
        raise InputError(_program_failure("failed", error, args.project_dir)) from None


def _program_failure(what: str, error: Exception, project_dir: Path) -> str:
    """The program's own error, with the line of the program that raised it,
    as `pulumi preview` reports an unhandled exception (without the stack)."""
    frames = traceback.extract_tb(error.__traceback__)
    root = str(project_dir.resolve())
    mine = [frame for frame in frames if frame.filename.startswith(root)]
    where = f" at {mine[-1].filename}:{mine[-1].lineno}" if mine else ""
    return f"the program in {project_dir} {what}: {type(error).__name__}: {error}{where}"


@dataclass(frozen=True)
class _Context:
    """What the report says besides the findings: the files that shaped the run."""

    # Each pack's policy config, by "<name>@v<version>", in the order the packs ran
    uses: dict[str, PolicyConfigUse]
    network: NetworkChoice


def _report(
    args: argparse.Namespace, run: ProgramRun, report: AnalysisReport, context: _Context
) -> int:
    from preflight.export import deployment
    from preflight.inputs import write_export

    if args.export:
        write_export(args.export, json.dumps(deployment(run), indent=2) + "\n")
    exit_code = EXIT_MANDATORY if report.mandatory else EXIT_CLEAN
    # A reader that has gone (`| head`) changes nothing: the verdict is the exit code.
    with contextlib.suppress(BrokenPipeError):
        _print_result(args, run, report, context, exit_code)
    return exit_code


def _print_result(
    args: argparse.Namespace,
    run: ProgramRun,
    report: AnalysisReport,
    context: _Context,
    exit_code: int,
) -> None:
    from preflight.export import stack_urn
    from preflight.inputs import display_path
    from preflight.network_report import render_network, subnet_plan
    from preflight.plan import render_plan
    from preflight.report import as_json, render_violations, summary_line

    if args.json:
        document: dict[str, Any] = {
            "stack": args.stack,
            "resources": len(run.resources),
            "network": display_path(context.network.source) if context.network.source else None,
            # Each subnet found, public or private and why, and what takes it
            "subnetPlan": subnet_plan(run),
            # The first pack's (ours unless --policy-pack says otherwise); every pack's below
            "policyConfig": next(iter(context.uses.values())).as_json(),
            "policyPacks": [
                {"pack": pack, "policyConfig": use.as_json()} for pack, use in context.uses.items()
            ],
            "violations": as_json(report, context.uses),
            "mandatory": len(report.mandatory),
            "exitCode": exit_code,
        }
        print(json.dumps(document, indent=2))
        return
    style = Style.for_stream(sys.stdout)
    print(render_plan(run, stack_urn(run), style))
    print()
    network, plan = context.network.describe(), subnet_plan(run)
    if plan is not None:
        print(render_network(plan, network))
        print()
    elif network is not None:
        print(f"Network: {network}")
        print()
    print(render_violations(report, style, context.uses))
    print()
    print(summary_line(report))


if __name__ == "__main__":
    try:
        exit_code = main()
    except BaseException:
        if os.environ.get(TRACEBACK_VARIABLE):
            traceback.print_exc()
        exit_code = EXIT_INTERNAL
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is printed and the pack was told to stop: skip tearing down
    # the thousands of pulumi_aws modules, which frees nothing the system
    # would not take back at exit anyway.
    os._exit(exit_code)
