"""Shared fixtures: the real program, the real stack files, the fake AWS world."""

from __future__ import annotations

import copy
import gc
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.fake_aws import FakeWorld, lab_world
from offline.program import load_program
from offline.runner import ProgramRun, run_program
from offline.stack_config import load_stack_config

PROJECT_DIR = Path(__file__).resolve().parent.parent

RunStack = Callable[..., ProgramRun]


@pytest.fixture
def registered_types(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The type of every resource the mocks register while the test runs, in
    order (the stack itself first, which the runtime registers before the program)."""
    from offline.recorder import RecordingMonitor

    registered: list[str] = []
    original = RecordingMonitor.RegisterResource

    def spy(self: RecordingMonitor, request: Any) -> Any:
        registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", spy)
    return registered


@pytest.fixture(scope="session")
def program() -> Callable[[], None]:
    return load_program(PROJECT_DIR)


def stack_config(stack: str, **overrides: str) -> dict[str, str]:
    """The stack file's config as the CLI would pass it, with keys overridden
    (short keys are in the project's namespace)."""
    config = load_stack_config(PROJECT_DIR, stack)
    values = dict(config.values)
    for key, value in overrides.items():
        values[key if ":" in key else f"{config.project}:{key}"] = value
    return values


@pytest.fixture(scope="session")
def run_stack(program: Callable[[], None]) -> RunStack:
    """Runs the program for a stack file, with optional config overrides and world."""

    def run(
        stack: str = "dev",
        world: FakeWorld | None = None,
        preview: bool = False,
        **overrides: str,
    ) -> ProgramRun:
        return run_program(
            program,
            project="bastion-db",
            stack=stack,
            config=stack_config(stack, **overrides),
            world=world or lab_world(),
            preview=preview,
        )

    return run


@pytest.fixture(scope="session")
def run_stack_once(run_stack: RunStack) -> RunStack:
    """run_stack for tests that only read the run: each stack, world, preview
    flag and set of overrides runs once in a worker, and every caller gets a
    copy of its own to read (or change) as it likes. Not for a test that
    watches the run happen (its log lines, the registrations as they are
    made, a patched part of the program): a repeated run does not happen
    again. A run that fails is not kept, so its error is raised every time."""
    runs: dict[tuple[str, str, bool, tuple[tuple[str, str], ...]], ProgramRun] = {}

    def run(
        stack: str = "dev",
        world: FakeWorld | None = None,
        preview: bool = False,
        **overrides: str,
    ) -> ProgramRun:
        world = world or lab_world()
        # A world holds dicts (tags), so it is told apart by its repr: every
        # field of every part of it, as the generated dataclass repr shows them.
        key = (stack, repr(world), preview, tuple(sorted(overrides.items())))
        if key not in runs:
            runs[key] = run_stack(stack, world, preview, **overrides)
        return copy.deepcopy(runs[key])

    return run


@pytest.fixture(scope="session")
def dev_run(run_stack_once: RunStack) -> ProgramRun:
    return run_stack_once("dev")


@pytest.fixture(scope="session")
def prod_run(run_stack_once: RunStack) -> ProgramRun:
    return run_stack_once("prod")


# The modules that take many seconds each, mostly longest first. pytest-xdist hands
# whole modules to its workers in collection order (scripts/test.sh turns off
# its own reordering, by number of tests, which put the one-test
# new-environment module and the real-server tests last): started first, the
# long ones run side by side and the short ones fill in at the end, instead of
# one long module running alone while the other worker idles.
LONG_MODULES = (
    "tests/verify/test_verify_real_servers.py",
    "tests/preflight/test_preflight_cli.py",
    "tests/policies/test_policy_mutations.py",
    "tests/preflight/test_new_environment.py",
    "tests/preflight/test_interrupt.py",
    # Last of them: its npm ci may still be running in scripts/test.sh's
    # background when pytest starts.
    "tests/preflight/test_node_packs.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {PROJECT_DIR / module: place for place, module in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))


# pytest keeps each test module with its asserts rewritten in a .pyc of its
# own, unless writing bytecode is off: where PYTHONDONTWRITEBYTECODE is set
# (as in many CI images) every worker rewrote every test module at every run,
# most of what collecting the suite costs. scripts/setup.sh already writes the
# bytecode of the checkout's own modules, tests included, whatever that
# variable says; this lets pytest write the one kind it cannot, while it
# collects, and puts the setting back afterwards. pytest checks each file
# against its source, as Python does.
_DONT_WRITE_BYTECODE = sys.dont_write_bytecode


def pytest_collection(session: pytest.Session) -> None:
    sys.dont_write_bytecode = False


# A program run on the SDK's mocks makes objects by the hundred thousand that
# live as long as the run (tasks, futures, outputs): enough of them outlive
# two collections to set off, every few runs, a full collection, and each one
# walks everything the worker holds, every imported module and every kept
# run, to find the little that is garbage. That was a good share of the
# program tests' CPU time. What collection imported stays for the session:
# frozen, no collection walks it again. A full collection comes after ten
# times as many middle-generation ones as by default; garbage in cycles waits
# longer, nothing else changes (refcounting frees the rest at once).
FULL_COLLECTION_EVERY = 100


def pytest_collection_finish(session: pytest.Session) -> None:
    sys.dont_write_bytecode = _DONT_WRITE_BYTECODE
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def pytest_configure(config: pytest.Config) -> None:
    # A suite started as a background job of a script (`bash scripts/test.sh &`
    # in a non-interactive shell, some CI runners) inherits SIGINT ignored,
    # and an ignored signal stays ignored across exec: every pack a test
    # starts would then sit out the SIGINT that stops it (5 s each, then a
    # kill), and the Ctrl-C tests would wait for an interrupt that never
    # lands. A handler, unlike SIG_IGN, is reset to the default at exec, so
    # the children start as they would from a terminal.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # Right after this hook, pytest's unraisable-exception check collects
    # garbage five times over, to run finalizers whose errors it then reports.
    # In a worker that holds every program run's objects each pass took 0.2 s
    # here: the last second of every run, with nothing left to overlap it.
    # One full collection here runs the same finalizers (their errors are
    # reported as before); frozen, what survived it is not walked again, and
    # pytest's passes see only what that collection left behind.
    gc.collect()
    gc.freeze()
