"""The speed benchmark: ``python -m benchmarks [--runs N] [--checkov PATH]``.

Prints, for the stack's real resources and a synthetic stack of
``--resources`` resources made of renamed copies of them:
1. the whole preflight command's wall time, and where one run spends it; the
   warm ``scripts/preflight.sh`` against the floor (``import pulumi, pulumi_aws``);
2. the policy pack's analysis of the synthetic stack, with and without its start-up,
   beside the same policies validating nothing (the SDK's floor for the pack);
3. checkov on the same stacks as Terraform JSON, side by side, as a ratio;
then PASS/MISS per goal. Figures, not assertions: it exits 0 on a MISS.
"""

from __future__ import annotations

if __name__ == "__main__":
    # First, so that a Ctrl-C during the imports below is handled too.
    from preflight import interrupt

    interrupt.install("bench")

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks import checkov
from benchmarks.floor_pack import make_floor_pack
from benchmarks.pack import PackFigures, PackSetup, time_pack
from benchmarks.program_imports import loaded_services
from benchmarks.synthetic import synthetic_stack
from benchmarks.terraform_json import resource_count, to_terraform_json
from benchmarks.timing import Timings, run_command, time_command
from offline.fake_aws import lab_world
from offline.program import load_program
from offline.runner import ProgramRun, run_program
from offline.snapshot import ResourceSnapshot
from offline.stack_config import load_stack_config

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The goals of the issue that asked for this benchmark.
GOAL_PREFLIGHT_SECONDS = 1.0
# The policy pack issue's: checkov / ours at least this, on the real stack
# (the whole preflight) and on the synthetic one (the pack with its start-up).
GOAL_CHECKOV_RATIO = 5.0
GOAL_CHECKOV_RATIO_SYNTHETIC = 3.0
# The warm preflight command (set-up check included) against the floor below,
# both timed in one run.
GOAL_FLOOR_RATIO = 2.5
FLOOR_IMPORTS = "import pulumi, pulumi_aws"
# 1,000 resources, the pack's start-up included, on public SDK APIs only; and
# faster than checkov on the same stack.
GOAL_ANALYSIS_WITH_START_SECONDS = 3.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument(
        "--resources", type=int, default=1000, help="synthetic stack size (default 1000)"
    )
    parser.add_argument("--stack", default="dev", help="the real stack to start from")
    parser.add_argument(
        "--checkov", help="checkov executable (scripts/bench.sh passes .venv-bench's)"
    )
    parser.add_argument("--keep-tf", type=Path, help="write the Terraform JSON here and keep it")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.resources < 1:
        parser.error("--runs and --resources must be at least 1")
    return args


def _seconds(value: float) -> str:
    return f"{value:.3f} s"


def _goal(met: bool, text: str) -> str:
    return f"  {'PASS' if met else 'MISS'}  {text}"


def _preflight(args: argparse.Namespace) -> tuple[Timings, dict[str, object]]:
    python = sys.executable
    command = [python, "-m", "preflight", args.stack, "--json"]
    print(f"== 1. preflight of the {args.stack} stack, as a user runs it")
    print(f"   $ {' '.join(command)}")
    wall, last = time_command(command, args.runs, cwd=PROJECT_DIR, ok_codes=(0, 1))
    result = json.loads(last.stdout)
    print(f"   wall time: {wall.summary()}")
    print(
        f"   result: {result['resources']} resources, {len(result['violations'])} violations "
        f"({result['mandatory']} mandatory), exit code {last.returncode}"
    )
    bare, _ = time_command([python, "-c", "pass"], args.runs)
    steps = _breakdown(python, args.stack, args.runs)
    print(
        f"   where the time goes: median of each step over {args.runs} fresh runs, "
        "in the preflight's order"
    )
    print(f"     {'python start-up (bare `python -c pass`)':<52} {_seconds(bare.median)}")
    for name, seconds in steps.items():
        print(f"     {name:<52} {_seconds(seconds)}")
    print(f"     {'sum':<52} {_seconds(bare.median + sum(steps.values()))}")
    return wall, result


def _breakdown(python: str, stack: str, runs: int) -> dict[str, float]:
    """Each step's median over ``runs`` runs of ``benchmarks.breakdown``."""
    seen: dict[str, list[float]] = {}
    for _ in range(runs):
        output = run_command([python, "-m", "benchmarks.breakdown", stack], cwd=PROJECT_DIR)
        for name, seconds in json.loads(output.stdout)["phases"].items():
            seen.setdefault(name, []).append(seconds)
    return {name: statistics.median(values) for name, values in seen.items()}


@dataclass(frozen=True)
class _AgainstFloor:
    floor: Timings
    program_imports: Timings
    command: Timings

    @property
    def ratio(self) -> float:
        return self.command.median / self.floor.median


def _against_floor(args: argparse.Namespace, services: Sequence[str]) -> _AgainstFloor:
    """The command a user runs, warm, against the floor; taken in turns, so
    that the machine's load falls on all three alike."""
    python = sys.executable
    commands = {
        "floor": [python, "-c", FLOOR_IMPORTS],
        "imports": [python, "-m", "benchmarks.program_imports", *services],
        "command": ["bash", "scripts/preflight.sh", args.stack],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            timings, _ = time_command(argv, 1, cwd=PROJECT_DIR, ok_codes=(0, 1))
            seconds[name].extend(timings.seconds)
    figures = _AgainstFloor(*(Timings(tuple(seconds[name])) for name in commands))
    floor = figures.floor.median
    print()
    print(f"   against the floor, {args.runs} runs each, taken in turns:")
    print(f"     {f'floor: python -c {FLOOR_IMPORTS!r}':<58} {figures.floor.summary()}")
    print(
        f"     {'the program imports alone (below)':<58} "
        f"{figures.program_imports.summary()}, {figures.program_imports.median / floor:.2f}x"
    )
    print(
        f"     {f'bash scripts/preflight.sh {args.stack} (set-up check included)':<58} "
        f"{figures.command.summary()}, {figures.ratio:.2f}x"
    )
    print(
        "     (the program imports alone: its modules and the pulumi_aws services a run "
        f"loads, whole: {', '.join(services)}; nothing runs)"
    )
    return figures


def _program_run(stack: str) -> ProgramRun:
    config = load_stack_config(PROJECT_DIR, stack)
    return run_program(
        load_program(PROJECT_DIR),
        project=config.project,
        stack=stack,
        config=config.values,
        world=lab_world(),
    )


def _pack(
    args: argparse.Namespace, run: ProgramRun, synthetic: Sequence[ResourceSnapshot]
) -> PackFigures:
    config = load_stack_config(PROJECT_DIR, args.stack)
    policy_config = PROJECT_DIR / "policies" / "config" / f"{args.stack}.json"
    setup = PackSetup(
        pack_dir=PROJECT_DIR / "policies",
        project=config.project,
        stack=args.stack,
        stack_config=config.values,
        policy_config=policy_config if policy_config.exists() else None,
    )
    copies = -(-len(synthetic) // len(run.resources)) - 1
    print()
    print(f"== 2. the policy pack on a synthetic stack of {len(synthetic):,} resources")
    print(
        f"   the {len(run.resources)} {args.stack} resources and {copies} renamed copies of them "
        "(the last one cut short)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as temporary:
        floor = replace(setup, pack_dir=make_floor_pack(setup.pack_dir, Path(temporary)))
        figures = time_pack(setup, synthetic, args.runs, floor=floor)
    report = figures.report
    mandatory = sorted({v.policy_name for v in report.mandatory})
    print(f"   configure + analyze, pack running:  {figures.analysis.summary()}")
    print(f"   pack start-up:                      {figures.start.summary()}")
    print(f"   configure + analyze after start-up: {figures.analysis_after_start.summary()}")
    print(f"   start-up + configure + analyze:     {figures.with_start.summary()}")
    if figures.floor_with_start is not None:
        floor_median = figures.floor_with_start.median
        own = figures.with_start.median - floor_median
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(figures.policy_kinds.items()))
        print(f"   the same policies ({kinds}) validating nothing, the SDK's floor:")
        print(f"     start-up + configure + analyze:   {figures.floor_with_start.summary()}")
        print(
            f"     the rules' own work, the rest:     {_seconds(own)}, "
            f"{own / figures.with_start.median:.0%} of the pack's time"
        )
    print(
        "   one analysis, call by call: "
        + ", ".join(f"{name} {_seconds(seconds)}" for name, seconds in figures.calls.items())
    )
    print(
        f"   result: {len(report.violations)} violations, {len(report.mandatory)} mandatory"
        + (f" ({', '.join(mandatory)})" if mandatory else "")
    )
    return figures


@dataclass(frozen=True)
class _Comparison:
    label: str
    pulumi_resources: int
    terraform_resources: int
    ours: Timings
    checkov: Timings

    @property
    def ratio(self) -> float:
        return self.checkov.median / self.ours.median


def _compare(
    checkov_path: str,
    directory: Path,
    label: str,
    snapshots: Sequence[ResourceSnapshot],
    ours: Timings,
    runs: int,
) -> _Comparison:
    directory.mkdir(parents=True, exist_ok=True)
    document = to_terraform_json(snapshots)
    (directory / "main.tf.json").write_text(json.dumps(document, indent=2) + "\n")
    timings, report = checkov.time_scan(checkov_path, directory, runs)
    if not checkov.scanned_something(report):
        raise SystemExit(f"checkov scanned nothing in {directory}: check its options")
    print(f"   {label}: checkov {timings.summary()}")
    print(f"     checkov found: {checkov.describe(report)}")
    return _Comparison(label, len(snapshots), resource_count(document), ours, timings)


def _checkov(
    args: argparse.Namespace,
    run: ProgramRun,
    synthetic: Sequence[ResourceSnapshot],
    ours: tuple[Timings, Timings],
) -> tuple[float, float] | None:
    """Prints checkov's figures beside ours; returns checkov / ours on the real
    stack and on the synthetic one."""
    print()
    if not args.checkov:
        print("== 3. checkov: skipped (no --checkov; scripts/bench.sh installs and passes it)")
        return None
    with tempfile.TemporaryDirectory(prefix="bench-tf-") as temporary:
        root = args.keep_tf or Path(temporary)
        print(f"== 3. checkov {checkov.version(args.checkov)} on the same stacks as Terraform JSON")
        print(f"   $ {' '.join(checkov.scan_command(args.checkov, root / '<stack>'))}")
        rows = [
            _compare(
                args.checkov,
                root / args.stack,
                f"{args.stack} stack",
                run.resources,
                ours[0],
                args.runs,
            ),
            _compare(
                args.checkov,
                root / f"synthetic-{len(synthetic)}",
                f"{len(synthetic):,} resources",
                synthetic,
                ours[1],
                args.runs,
            ),
        ]
    print()
    print(
        f"   {'':<17} {'Pulumi res.':>11} {'TF res.':>8} {'ours (median)':>14} "
        f"{'checkov (median)':>17} {'checkov / ours':>15}"
    )
    for row in rows:
        print(
            f"   {row.label:<17} {row.pulumi_resources:>11} {row.terraform_resources:>8} "
            f"{_seconds(row.ours.median):>14} {_seconds(row.checkov.median):>17} "
            f"{row.ratio:>14.2f}x"
        )
    print(
        "   ours: the whole preflight command on the real stack (program on mocks included);"
        " on the synthetic one, the pack's start-up + configure + analyze."
    )
    print("   checkov: the whole command, every run.")
    return rows[0].ratio, rows[1].ratio


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    print(
        f"benchmark: {args.runs} runs per figure, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    wall, _ = _preflight(args)
    run = _program_run(args.stack)
    # The services that run loaded, for the program's imports alone.
    against_floor = _against_floor(args, loaded_services(sys.modules))
    synthetic = synthetic_stack(run.resources, args.resources)
    figures = _pack(args, run, synthetic)
    ratios = _checkov(args, run, synthetic, (wall, figures.with_start))

    print()
    print("== goals")
    print(
        _goal(
            wall.median <= GOAL_PREFLIGHT_SECONDS,
            f"{args.stack} preflight median {_seconds(wall.median)} <= {GOAL_PREFLIGHT_SECONDS} s",
        )
    )
    print(
        _goal(
            against_floor.ratio <= GOAL_FLOOR_RATIO,
            f"scripts/preflight.sh {args.stack} median {_seconds(against_floor.command.median)}"
            f" = {against_floor.ratio:.2f}x the floor's {_seconds(against_floor.floor.median)}"
            f" <= {GOAL_FLOOR_RATIO}x (the program's imports alone: "
            f"{against_floor.program_imports.median / against_floor.floor.median:.2f}x)",
        )
    )
    if ratios is None:
        print(f"  n/a   >= {GOAL_CHECKOV_RATIO:.0f}x faster than checkov (checkov not run)")
    else:
        print(
            _goal(
                ratios[0] >= GOAL_CHECKOV_RATIO,
                f"checkov / preflight on the {args.stack} stack {ratios[0]:.2f}x "
                f">= {GOAL_CHECKOV_RATIO:.0f}x",
            )
        )
    print(
        _goal(
            figures.with_start.median <= GOAL_ANALYSIS_WITH_START_SECONDS,
            f"{len(synthetic):,}-resource analysis with the pack's start-up, median "
            f"{_seconds(figures.with_start.median)} <= {GOAL_ANALYSIS_WITH_START_SECONDS} s"
            f" (pack already running: {_seconds(figures.analysis.median)})",
        )
    )
    if ratios is None:
        print(
            f"  n/a   >= {GOAL_CHECKOV_RATIO_SYNTHETIC:.0f}x faster than checkov on the "
            "synthetic stack (checkov not run)"
        )
    else:
        floor_note = ""
        if figures.floor_with_start is not None:
            best = ratios[1] * figures.with_start.median / figures.floor_with_start.median
            floor_note = f" (with rules that did nothing, at the SDK's floor: {best:.2f}x)"
        print(
            _goal(
                ratios[1] >= GOAL_CHECKOV_RATIO_SYNTHETIC,
                f"checkov / ours on {len(synthetic):,} resources {ratios[1]:.2f}x "
                f">= {GOAL_CHECKOV_RATIO_SYNTHETIC:.0f}x{floor_note}",
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
