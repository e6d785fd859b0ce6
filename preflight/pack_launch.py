"""Starts a policy pack's process as the Pulumi CLI does, for the two runtimes
the offline preflight runs (Python and Node.js), and reads the port its
analyzer listens on.

What the CLI does (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``,
``sdk/go/common/resource/plugin/plugin.go``, the language hosts'
``RunPlugin``; read at pulumi/pulumi 1b59498, August 2026, and
pulumi/pulumi-policy ``sdk/nodejs/policy/server.ts`` at 805bcbc), and so
what this module does:

- It reads the pack folder's ``PulumiPolicy.yaml``; its ``runtime:`` (a name,
  or ``name`` plus ``options``) picks the language.
- python (``sdk/python/cmd/pulumi-language-python``): ``<python> -u -m
  pulumi.policy <engine address> .`` in the pack's folder, ``<python>`` being
  the pack's ``virtualenv`` option when it names one.
- nodejs (``sdk/nodejs/cmd/pulumi-language-nodejs/main.go``): the host finds
  ``@pulumi/pulumi/cmd/run-policy-pack`` with ``require.resolve`` from the
  pack's folder (so the pack's own ``node_modules``), then runs ``node <that
  runner> <nodeargs> <engine address> <pack folder>`` in the pack's folder. The
  runner registers ts-node (the pack's own TypeScript, else the one the SDK
  vendors), so ``index.ts`` and ``index.js`` packs both load.
- Both get the stack in their environment (``PULUMI_PROJECT``, ``_STACK``,
  ``_ORGANIZATION``, ``_DRY_RUN``; for Node also the ``PULUMI_NODEJS_*``
  spellings its SDK reads) and the stack's config as ``PULUMI_CONFIG``.
- The first line a pack prints on stdout is its port; the CLI dials
  ``127.0.0.1:<port>``. Stopping: SIGINT, as the CLI stops a plugin.

The engine address: neither SDK's policy server uses it (``pulumi.policy``
parses it and gives its runtime no engine; the Node runner drops it before
loading the pack), so their log output lands on stderr, kept in
:attr:`PackProcess.logs`. No fake engine is needed.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from preflight import interrupt

# Neither SDK connects to it (see above), but both runners require the argument.
UNUSED_ENGINE_ADDRESS = "127.0.0.1:0"
GRACEFUL_STOP_SECONDS = 5.0
# The module the Node.js language host runs for a policy pack (RunPlugin, kind analyzer).
NODE_POLICY_RUNNER = "@pulumi/pulumi/cmd/run-policy-pack"
RUNTIMES = ("python", "nodejs")
# Finding the runner is one short node process; a generous bound for a busy machine.
RESOLVE_TIMEOUT_SECONDS = 30.0


class PolicyPackError(RuntimeError):
    """The pack could not be started, or failed while analyzing."""


@dataclass(frozen=True)
class StackContext:
    """What the CLI tells every pack about the stack it checks."""

    project: str
    stack: str
    organization: str = "organization"
    dry_run: bool = True
    # "<namespace>:<key>" -> value, as the program gets it
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackProject:
    """A policy pack folder and its ``PulumiPolicy.yaml``."""

    directory: Path
    runtime: str
    options: Mapping[str, Any]
    # The whole file, for what the analyzer reads from it (its version)
    settings: Mapping[str, Any]

    @classmethod
    def load(cls, pack_dir: str | Path) -> PackProject:
        directory = Path(pack_dir).resolve()
        path = directory / "PulumiPolicy.yaml"
        if not path.is_file():
            if directory.is_dir():
                what = "it has no PulumiPolicy.yaml"
            else:
                what = "it is not a folder" if directory.exists() else "it does not exist"
            raise PolicyPackError(
                f"{directory} is not a policy pack: {what}. Give the folder of a pack: one "
                f"with a PulumiPolicy.yaml whose runtime is {' or '.join(RUNTIMES)}."
            )
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise PolicyPackError(f"{path}: cannot be read as YAML: {error}") from None
        if not isinstance(loaded, dict):
            raise PolicyPackError(f"{path}: expected a mapping with a `runtime:` key")
        runtime, options = _runtime(loaded.get("runtime"), path)
        return cls(directory, runtime, options, loaded)


def _runtime(value: Any, path: Path) -> tuple[str, Mapping[str, Any]]:
    """``runtime: nodejs`` or ``runtime: {name: nodejs, options: {...}}``."""
    name: Any = value
    options: Any = {}
    if isinstance(value, dict):
        name, options = value.get("name"), value.get("options") or {}
    if value is None:
        raise PolicyPackError(f"{path}: no `runtime:` (python or nodejs)")
    if not isinstance(name, str) or not isinstance(options, dict):
        raise PolicyPackError(
            f"{path}: `runtime:` must be a runtime name or a mapping with `name:` and "
            f"`options:`, got {value!r}"
        )
    if name not in RUNTIMES:
        raise PolicyPackError(
            f"{path}: runtime {name!r} is not one the offline preflight runs "
            f"(it runs {' and '.join(RUNTIMES)} packs); check this pack with "
            f"`pulumi preview --policy-pack {path.parent}`"
        )
    return name, options


@dataclass(frozen=True)
class LaunchCommand:
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]


def launch_command(
    pack: PackProject, context: StackContext, *, python: str | None = None
) -> LaunchCommand:
    """The command the CLI would run for this pack; ``python`` overrides the
    interpreter of a Python pack."""
    if pack.runtime == "nodejs":
        return _node_command(pack, context)
    return _python_command(pack, context, python or pack_python(pack))


def pack_python(pack: PackProject) -> str:
    """The interpreter the CLI's Python host would use, when it is installed:
    the pack's ``virtualenv`` option, or with ``toolchain: uv`` and none, the
    ``.venv`` beside the nearest ``uv.lock`` above the pack (pulumi/pulumi
    ``sdk/python/toolchain/uv.go``, newUv). Else the one running this code:
    the repository's .venv, locked at the pack's own versions (a test holds
    the two locks equal), so a fresh clone's preflight installs nothing twice."""
    venv = pack.options.get("virtualenv")
    if not (isinstance(venv, str) and venv) and pack.options.get("toolchain") == "uv":
        venv = _uv_environment(pack.directory)
    if isinstance(venv, str) and venv:
        # normpath, not resolve(): the venv's python is a symlink to the base
        # interpreter, and only the link's path makes Python use the venv.
        candidate = os.path.normpath(pack.directory / venv / "bin" / "python")
        if os.path.exists(candidate):
            return candidate
    return sys.executable


def _uv_environment(directory: Path) -> str | None:
    for folder in (directory, *directory.parents):
        if (folder / "uv.lock").is_file():
            return str(folder / ".venv")
    return None


def _stack_environment(context: StackContext) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": context.project,
            "PULUMI_STACK": context.stack,
            "PULUMI_ORGANIZATION": context.organization,
            "PULUMI_DRY_RUN": "true" if context.dry_run else "false",
        }
    )
    if context.config:
        env["PULUMI_CONFIG"] = json.dumps(dict(context.config))
    else:
        env.pop("PULUMI_CONFIG", None)
    return env


def _python_command(pack: PackProject, context: StackContext, python: str) -> LaunchCommand:
    env = _stack_environment(context)
    # What the CLI's Python host does for a virtualenv.
    env["PATH"] = f"{Path(python).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    argv = (python, "-u", "-m", "pulumi.policy", UNUSED_ENGINE_ADDRESS, ".")
    return LaunchCommand(argv, pack.directory, env)


def _node_option(pack: PackProject, key: str, kind: type, default: Any) -> Any:
    value = pack.options.get(key, default)
    if not isinstance(value, kind):
        raise PolicyPackError(
            f"{pack.directory / 'PulumiPolicy.yaml'}: runtime option {key!r} must be a "
            f"{kind.__name__}, got {value!r}"
        )
    return value


def _node_command(pack: PackProject, context: StackContext) -> LaunchCommand:
    # The options the Node.js host reads (its parseOptions), with its defaults.
    typescript = _node_option(pack, "typescript", bool, True)
    tsconfig = _node_option(pack, "tsconfig", str, "")
    try:
        nodeargs = shlex.split(_node_option(pack, "nodeargs", str, ""))
    except ValueError as error:
        raise PolicyPackError(
            f"{pack.directory / 'PulumiPolicy.yaml'}: runtime option 'nodeargs': {error}"
        ) from None
    node = shutil.which("node")
    if node is None:
        raise PolicyPackError(
            "the pack runs on Node.js, and `node` is not on PATH: install Node.js 20 or "
            f"later, then: cd {shlex.quote(str(pack.directory))} && "
            f"{install_command(pack.directory)}"
        )
    runner = _locate_node_runner(node, pack.directory)
    env = _stack_environment(context)
    env.update(
        {
            "PULUMI_NODEJS_PROJECT": context.project,
            "PULUMI_NODEJS_STACK": context.stack,
            "PULUMI_NODEJS_ORGANIZATION": context.organization,
            "PULUMI_NODEJS_DRY_RUN": "true" if context.dry_run else "false",
        }
    )
    if typescript:
        env["PULUMI_NODEJS_TYPESCRIPT"] = "true"
    if tsconfig:
        env["PULUMI_NODEJS_TSCONFIG_PATH"] = tsconfig
    # The host's order: the runner, nodeargs, its own arguments, the pack folder last.
    argv = (node, runner, *nodeargs, UNUSED_ENGINE_ADDRESS, str(pack.directory))
    return LaunchCommand(argv, pack.directory, env)


def install_command(pack_dir: Path) -> str:
    """What installs a Node pack's dependencies, from the lockfile it ships."""
    if (pack_dir / "package-lock.json").is_file():
        return "npm ci"
    if (pack_dir / "yarn.lock").is_file():
        return "yarn install --frozen-lockfile"
    if (pack_dir / "pnpm-lock.yaml").is_file():
        return "pnpm install --frozen-lockfile"
    return "npm install"


def _locate_node_runner(node: str, pack_dir: Path) -> str:
    """``require.resolve`` of the runner from the pack's folder, as the host's
    locateModule does: it finds the pack's own ``node_modules`` (or one above)."""
    script = (
        f"try {{ console.log(require.resolve({json.dumps(NODE_POLICY_RUNNER)})); }}"
        "catch (error) { console.error(error.code === 'MODULE_NOT_FOUND' ? 'MODULE_NOT_FOUND' "
        ": error.message); process.exit(1); }"
    )
    try:
        done = subprocess.run(
            [node, "-e", script],
            cwd=pack_dir,
            capture_output=True,
            text=True,
            timeout=RESOLVE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PolicyPackError(
            f"could not run {node} to find the policy-pack runner: {error}"
        ) from None
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.strip()
    if "MODULE_NOT_FOUND" in done.stderr:
        if (pack_dir / "node_modules").is_dir():
            what = f"node_modules has no {NODE_POLICY_RUNNER} (it needs @pulumi/pulumi)"
        else:
            what = "dependencies are not installed (it has no node_modules)"
        raise PolicyPackError(
            f"the pack's {what}; install them first: "
            f"cd {shlex.quote(str(pack_dir))} && {install_command(pack_dir)}"
        )
    raise PolicyPackError(
        f"could not find {NODE_POLICY_RUNNER} from {pack_dir}: {done.stderr.strip()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=GRACEFUL_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except ProcessLookupError:
        pass


class PackProcess:
    """A started pack: its port once it prints it, and what it logs.

    The process is stopped by :meth:`stop` and, as a last resort, when the
    object is garbage collected.
    """

    def __init__(self, command: LaunchCommand) -> None:
        self.command = command
        self.label = f"policy pack {command.cwd}"
        # Lines the pack wrote to stderr (its log output) and to stdout after the port
        self.logs: list[str] = []
        # Known to preflight.interrupt before a Ctrl-C can end this process.
        with interrupt.starting_child():
            try:
                self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                    list(command.argv),
                    cwd=command.cwd,
                    env=dict(command.env),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as error:
                raise PolicyPackError(f"{self.label} could not be started: {error}") from None
            interrupt.end_on_interrupt(self._process.pid)
        self._finalizer: weakref.finalize | None = weakref.finalize(self, _stop, self._process)
        self._first_line: queue.Queue[bytes] = queue.Queue()
        assert self._process.stdout is not None and self._process.stderr is not None
        self._readers = [
            threading.Thread(target=self._drain, args=(self._process.stderr, ""), daemon=True),
            threading.Thread(target=self._read_stdout, args=(self._process.stdout,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _drain(self, stream: IO[bytes], prefix: str) -> None:
        for raw in iter(stream.readline, b""):
            self.logs.append(prefix + raw.decode("utf-8", "replace").rstrip("\n"))

    def _read_stdout(self, stream: IO[bytes]) -> None:
        self._first_line.put(stream.readline())
        self._drain(stream, "stdout: ")

    def log_tail(self, lines: int = 20) -> str:
        tail = self.logs[-lines:]
        return (":\n" + "\n".join(tail)) if tail else ""

    def wait_for_port(self, timeout: float) -> int:
        """The port the pack's analyzer listens on (on 127.0.0.1): the first
        line it prints."""
        try:
            line = self._first_line.get(timeout=timeout)
        except queue.Empty:
            raise PolicyPackError(
                f"{self.label} did not print its port within {timeout:.0f}s{self.log_tail()}"
            ) from None
        text = line.decode("utf-8", "replace").strip()
        if not text:
            code = self._wait_for_exit()
            self._readers[0].join(timeout=1.0)
            raise PolicyPackError(
                f"{self.label} failed to start (exit code {code}){self.log_tail()}"
            )
        try:
            port = int(text)
        except ValueError:
            raise PolicyPackError(
                f"{self.label} wrote an invalid port to stdout: {text!r}{self.log_tail()}"
            ) from None
        if not 0 < port < 65536:
            raise PolicyPackError(f"{self.label} wrote an invalid port: {port}")
        return port

    def _wait_for_exit(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=GRACEFUL_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            return None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def exit_code(self) -> int | None:
        """None while it runs."""
        return self._process.poll() if self._process is not None else None

    def stop(self, wait: bool = True) -> None:
        """SIGINT, as the CLI stops a plugin (both SDKs stop their server on
        it); killed after 5 s. ``wait=False`` only asks it to stop, for a
        caller about to exit that need not watch the pack's own teardown."""
        process, self._process = self._process, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if process is None:
            return
        interrupt.forget(process.pid)
        if not wait:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            return
        _stop(process)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        for reader in self._readers:
            reader.join(timeout=1.0)
