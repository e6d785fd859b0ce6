"""Where the time of one preflight goes: the steps of ``python -m preflight <stack>``
in the same order, each timed, in a fresh interpreter so imports count.

Run as ``python -m benchmarks.breakdown <stack>``; prints one JSON object of
``{"phases": {name: seconds}, "resources": n, "violations": n}``. The pack is
launched before the program's imports and boots on the other core meanwhile,
as the preflight does, so "pack: wait for port" is only what that overlap
did not hide.
"""

from __future__ import annotations

import gc
import json
import os
import sys

# Only light imports above: everything the preflight imports is a timed phase.


def main(argv: list[str]) -> int:
    from benchmarks.timing import Phases

    # As the command does (see preflight/__main__.py).
    gc.disable()
    phases = Phases()
    stack = argv[0] if argv else "dev"
    with phases("imports: preflight, grpc, pulumi protos"):
        import preflight.__main__ as cli
        from offline.stack_config import load_stack_config
        from preflight.analyzer import PolicyPackAnalyzer
    project_dir = cli.PROJECT_DIR
    pack_dir = project_dir / "policies"
    with phases("stack config"):
        config = load_stack_config(project_dir, stack)
    with phases("pack: launch process"):
        pack = PolicyPackAnalyzer(
            pack_dir, project=config.project, stack=stack, stack_config=config.values
        )
        pack.launch()
    try:
        with phases("imports: program, pulumi, pulumi_aws"):
            from offline.fake_aws import lab_world
            from offline.program import load_program
            from offline.runner import run_program

            program = load_program(project_dir)
        with phases("program run on mocks"):
            run = run_program(
                program,
                project=config.project,
                stack=stack,
                config=config.values,
                world=lab_world(),
            )
        with phases("pack: wait for port, connect"):
            pack.connect()
        policy_config = pack_dir / "config" / f"{stack}.json"
        with phases("pack: configure"):
            pack.configure_from(policy_config if policy_config.exists() else None)
        with phases("pack: analyze (Remediate, Analyze, AnalyzeStack)"):
            report = pack.analyze(run.resources)
    finally:
        with phases("pack: ask to stop"):
            pack.close(wait=False)
    print(
        json.dumps(
            {
                "phases": phases.seconds,
                "resources": len(run.resources),
                "violations": len(report.violations),
            }
        )
    )
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    # As the preflight does: skip tearing down thousands of imported modules.
    os._exit(code)
