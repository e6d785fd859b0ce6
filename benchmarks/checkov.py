"""Runs the checkov scanner on a folder of Terraform JSON and reads its JSON report.

checkov's ``terraform`` framework skips ``*.tf.json`` files when it walks a
folder (its ``tf_parser`` only lists ``.tf`` and ``.hcl`` there); the
``terraform_json`` framework is the one that scans them, with the same
Terraform checks and graph checks. ``--skip-download`` keeps it from trying
to fetch check metadata from its vendor's platform, which this machine
cannot reach, so no network wait counts in its time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.timing import Timings, run_command, time_command

SCAN_OPTIONS = (
    "--framework",
    "terraform_json",
    "--quiet",
    "--compact",
    "-o",
    "json",
    "--skip-download",
)
# checkov exits 1 when a check failed, which is a result, not an error.
EXIT_CODES = (0, 1)


@dataclass(frozen=True)
class CheckovReport:
    passed: int
    failed: int
    parsing_errors: int
    # check id -> how many resources failed it
    failed_checks: Counter[str]


def scan_command(checkov: str, directory: Path) -> list[str]:
    return [checkov, "-d", str(directory), *SCAN_OPTIONS]


def parse_report(text: str) -> CheckovReport:
    """checkov's ``-o json``: one report object, a list of them (one per
    framework), or an empty-scan summary when it found nothing to scan."""
    loaded: Any = json.loads(text)
    reports = loaded if isinstance(loaded, list) else [loaded]
    passed = failed = parsing_errors = 0
    failed_checks: Counter[str] = Counter()
    for report in reports:
        summary = report.get("summary", report)
        passed += int(summary.get("passed", 0))
        failed += int(summary.get("failed", 0))
        parsing_errors += int(summary.get("parsing_errors", 0))
        for check in report.get("results", {}).get("failed_checks", []):
            failed_checks[str(check.get("check_id"))] += 1
    return CheckovReport(passed, failed, parsing_errors, failed_checks)


def version(checkov: str) -> str:
    return run_command([checkov, "--version"]).stdout.strip()


def time_scan(checkov: str, directory: Path, runs: int) -> tuple[Timings, CheckovReport]:
    timings, last = time_command(scan_command(checkov, directory), runs, ok_codes=EXIT_CODES)
    return timings, parse_report(last.stdout)


def scanned_something(report: CheckovReport) -> bool:
    return report.passed + report.failed > 0


def describe(report: CheckovReport, limit: int = 10) -> str:
    checks: Sequence[tuple[str, int]] = sorted(report.failed_checks.items())
    listed = ", ".join(f"{check} x{count}" if count > 1 else check for check, count in checks)
    if len(checks) > limit:
        listed = ", ".join(f"{c} x{n}" if n > 1 else c for c, n in checks[:limit]) + ", ..."
    return (
        f"{report.failed} failed, {report.passed} passed checks"
        + (f" ({listed})" if listed else "")
        + (f", {report.parsing_errors} parsing errors" if report.parsing_errors else "")
    )
