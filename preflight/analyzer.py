"""Drives a policy pack over the analyzer gRPC protocol, as the Pulumi CLI does.

What the CLI does with a pack (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``),
and so what this client does:

1. start the pack's process (:mod:`preflight.pack_launch`: a Python or a
   Node.js pack, its stack and config in its environment) and read the port it
   prints;
2. ``Handshake`` (the SDKs answer UNIMPLEMENTED, which is fine),
   ``ConfigureStack``, ``GetAnalyzerInfo``, then ``Configure`` with the
   reconciled configuration (see :mod:`preflight.policy_config`);
3. per resource: ``Remediate`` over its inputs, then ``Analyze`` over the
   remediated inputs; then one ``AnalyzeStack`` over every resource's outputs
   with parent, dependencies and property dependencies;
4. stop the pack: interrupt it, and kill it if it has not gone within 5 seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from offline.snapshot import ResourceSnapshot
from preflight.findings import (
    LEVEL_NAMES,
    LEVEL_VALUES,
    POLICY_TYPES,
    SEVERITY_NAMES,
    AnalysisReport,
    AnalyzerInfo,
    PolicyInfo,
    Remediation,
    Violation,
)
from preflight.pack_launch import (
    UNUSED_ENGINE_ADDRESS,
    LaunchCommand,
    PackProcess,
    PackProject,
    PolicyPackError,
    StackContext,
    launch_command,
)
from preflight.policy_config import (
    PolicyConfig,
    load_policy_config_file,
    parse_policy_config,
    reconcile_policy_config,
)
from preflight.wire import struct_to_python, to_struct

# The SDK raises the gRPC message limit to 400 MB; a big stack's AnalyzeStack needs it.
MAX_MESSAGE_BYTES = 400 * 1024 * 1024


# --- the client ------------------------------------------------------------------------


def _status(error: Exception) -> Any:
    """The status code of a failed call (``RpcError`` objects that came
    from a call also implement ``grpc.Call``)."""
    code = getattr(error, "code", None)
    return code() if callable(code) else None


class PolicyPackAnalyzer:
    """A running policy pack and the calls the CLI makes to it.

    Use as a context manager; the pack's process is stopped on exit, on error
    and, as a last resort, when the object is garbage collected.
    """

    def __init__(
        self,
        pack_dir: str | Path,
        *,
        project: str = "bastion-db",
        stack: str = "dev",
        organization: str = "organization",
        dry_run: bool = True,
        stack_config: Mapping[str, str] | None = None,
        secret_config_keys: Sequence[str] = (),
        stack_tags: Mapping[str, str] | None = None,
        python: str | None = None,
        startup_timeout: float = 30.0,
        rpc_timeout: float = 120.0,
        handshake_timeout: float | None = None,
    ) -> None:
        # Reading the pack and finding its runner happen here, so a folder that
        # is no pack, or a Node pack not installed, fails before any work.
        self.pack = PackProject.load(pack_dir)
        self.pack_dir = self.pack.directory
        self.settings = self.pack.settings
        self.project = project
        self.stack = stack
        self.organization = organization
        self.dry_run = dry_run
        self.stack_config = dict(stack_config or {})
        self.secret_config_keys = tuple(secret_config_keys)
        self.stack_tags = dict(stack_tags or {})
        self.command: LaunchCommand = launch_command(
            self.pack,
            StackContext(project, stack, organization, dry_run, self.stack_config),
            python=python,
        )
        self.startup_timeout = startup_timeout
        # How long a pack that printed its port may take to answer on it; by
        # default as long as it may take to print it. Shorter only for a caller
        # that expects no answer (a test of a pack that never listens).
        self.handshake_timeout = startup_timeout if handshake_timeout is None else handshake_timeout
        self.rpc_timeout = rpc_timeout
        self._process: PackProcess | None = None
        # What the last process logged, kept after it stopped
        self._logs: list[str] = []
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._info: AnalyzerInfo | None = None

    # -- lifecycle --

    def __enter__(self) -> PolicyPackAnalyzer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Starts the pack and connects to it (launch, then connect)."""
        self.launch()
        self.connect()

    def launch(self) -> None:
        """Starts the pack's process without waiting for it, so a caller can
        do other work (run the program) while the pack boots on another core."""
        if self._process is not None:
            return
        self._process = PackProcess(self.command)
        self._logs = self._process.logs

    def connect(self) -> None:
        """Waits for the launched pack's port and connects (GetAnalyzerInfo and the
        rest need this); does nothing when already connected."""
        if self._stub is not None:
            return
        if self._process is None:
            raise PolicyPackError("the policy pack was not launched")
        try:
            port = self._process.wait_for_port(self.startup_timeout)
            self._connect(port)
        except BaseException:
            self.close()
            raise

    @property
    def logs(self) -> list[str]:
        """Lines the pack wrote to stderr (its log output) and to stdout after the port."""
        return self._logs

    def _log_tail(self) -> str:
        return self._process.log_tail() if self._process is not None else ""

    def _connect(self, port: int) -> None:
        channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self._channel = channel
        self._stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        self._handshake(port)
        self._configure_stack()

    def close(self, wait: bool = True) -> None:
        """Stops the pack; safe to call more than once. ``wait=False`` only asks
        it to stop, for a caller about to exit (see :meth:`PackProcess.stop`)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        if self._process is not None:
            self._process.stop(wait=wait)
            self._process = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- calls --

    def _analyzer(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running; use it inside a `with` block")
        return self._stub

    def _call(self, method: str, request: Any) -> Any:
        return self._result(method, self._send(method, request))

    def _send(self, method: str, request: Any) -> Any:
        """Sends a call without waiting for its answer (a gRPC future)."""
        return getattr(self._analyzer(), method).future(request, timeout=self.rpc_timeout)

    def _result(self, method: str, future: Any) -> Any:
        try:
            return future.result()
        except grpc.RpcError as error:
            code = _status(error)
            details_of = getattr(error, "details", None)
            details = details_of() if callable(details_of) else str(error)
            raise PolicyPackError(
                f"{method} failed ({code}): {details}{self._log_tail()}"
            ) from error

    def _handshake(self, port: int) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=UNUSED_ENGINE_ADDRESS,
            root_directory=str(self.pack_dir),
            program_directory=str(self.pack_dir),
        )
        try:
            # wait_for_ready makes the first call also wait for the connection.
            # (grpc.channel_ready_future would too, but it leaves a thread that
            # polls the channel every 0.2 s, and closing the channel waits for it.)
            self._analyzer().Handshake(request, timeout=self.handshake_timeout, wait_for_ready=True)
        except grpc.RpcError as error:
            code = _status(error)
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                exited = self._process.exit_code() if self._process is not None else None
                raise PolicyPackError(
                    f"policy pack {self.pack_dir} did not answer on port {port} within "
                    f"{self.handshake_timeout:g}s"
                    + (f" (it exited with code {exited})" if exited is not None else "")
                    + self._log_tail()
                ) from None
            if code != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(f"Handshake failed: {error}") from error

    def _configure_stack(self) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack,
            project=self.project,
            organization=self.organization,
            dry_run=self.dry_run,
            config=self.stack_config,
            config_secret_keys=list(self.secret_config_keys),
            tags=self.stack_tags,
        )
        try:
            self._analyzer().ConfigureStack(request, timeout=self.rpc_timeout)
        except grpc.RpcError as error:
            if _status(error) != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(f"ConfigureStack failed: {error}") from error

    def plugin_version(self) -> str:
        info: plugin_pb2.PluginInfo = self._call("GetPluginInfo", empty_pb2.Empty())
        return info.version

    def info(self) -> AnalyzerInfo:
        if self._info is None:
            self._info = self._read_info(self._call("GetAnalyzerInfo", empty_pb2.Empty()))
        return self._info

    def _read_info(self, response: analyzer_pb2.AnalyzerInfo) -> AnalyzerInfo:
        policies = []
        for policy in response.policies:
            schema = struct_to_python(policy.configSchema.properties)
            policies.append(
                PolicyInfo(
                    name=policy.name,
                    description=policy.description,
                    enforcement_level=LEVEL_NAMES[policy.enforcementLevel],
                    severity=SEVERITY_NAMES.get(policy.severity, ""),
                    remediation_steps=policy.remediation_steps,
                    policy_type=POLICY_TYPES.get(policy.policy_type, "unknown"),
                    display_name=policy.displayName,
                    config_schema={k: v for k, v in schema.items() if isinstance(v, dict)},
                    required_config=tuple(policy.configSchema.required),
                    framework={
                        key: value
                        for key in ("name", "version", "reference", "specification")
                        if (value := getattr(policy.framework, key))
                    },
                    tags=tuple(policy.tags),
                    url=policy.url,
                )
            )
        initial = {
            name: PolicyConfig(
                LEVEL_NAMES[config.enforcementLevel], struct_to_python(config.properties)
            )
            for name, config in response.initialConfig.items()
        }
        version = str(self.settings.get("version") or response.version)
        return AnalyzerInfo(
            name=response.name,
            version=version,
            supports_config=response.supportsConfig,
            policies=tuple(sorted(policies, key=lambda p: p.name)),
            initial_config=initial,
            display_name=response.displayName,
            description=response.description,
        )

    def configure(self, config: Mapping[str, PolicyConfig]) -> None:
        """Sends a reconciled configuration (``Configure``)."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, policy_config in config.items():
            level = policy_config.enforcement_level or "advisory"
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=LEVEL_VALUES[level],
                    properties=to_struct(policy_config.properties, skip_internal=False),
                )
            )
        self._call("Configure", request)

    def configure_from(
        self, user_config: str | Path | Mapping[str, Any] | None = None
    ) -> dict[str, PolicyConfig]:
        """Builds the configuration as the CLI does (defaults, the pack's
        initial config, then ``user_config``: a ``--policy-pack-config`` file
        path or its parsed JSON), validates it, sends it and returns it."""
        info = self.info()
        source = ""
        if user_config is None:
            parsed: dict[str, PolicyConfig] = {}
        elif isinstance(user_config, str | Path):
            source = str(user_config)
            parsed = load_policy_config_file(user_config)
        else:
            parsed = parse_policy_config(user_config)
        config = reconcile_policy_config(
            info.policies,
            info.initial_config,
            parsed,
            pack_name=info.name,
            pack_version=info.version,
            source=source,
        )
        self.configure(config)
        return config

    # -- analysis --

    def _provider(
        self, snapshot: ResourceSnapshot, by_urn: Mapping[str, ResourceSnapshot]
    ) -> analyzer_pb2.AnalyzerProviderResource | None:
        reference = snapshot.provider
        if not reference:
            return None
        provider = by_urn.get(reference)
        if provider is None:
            # A provider reference is "<urn>::<id>".
            head, separator, _ = reference.rpartition("::")
            provider = by_urn.get(head) if separator else None
        if provider is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=provider.type,
            urn=provider.urn,
            name=provider.name,
            properties=to_struct(provider.inputs),
        )

    @staticmethod
    def _options(snapshot: ResourceSnapshot) -> analyzer_pb2.AnalyzerResourceOptions:
        return analyzer_pb2.AnalyzerResourceOptions(
            protect=snapshot.protect,
            ignoreChanges=list(snapshot.ignore_changes),
            additionalSecretOutputs=list(snapshot.additional_secret_outputs),
            parent=snapshot.parent or "",
            customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
        )

    def _violations(
        self, response: analyzer_pb2.AnalyzeResponse, default_urn: str | None
    ) -> list[Violation]:
        info = self.info()
        found = []
        for diagnostic in response.diagnostics:
            policy = info.policy(diagnostic.policyName)
            found.append(
                Violation(
                    policy_name=diagnostic.policyName,
                    policy_pack=diagnostic.policyPackName,
                    policy_pack_version=info.version or diagnostic.policyPackVersion,
                    description=diagnostic.description,
                    message=diagnostic.message,
                    urn=diagnostic.urn or default_urn,
                    enforcement_level=LEVEL_NAMES[diagnostic.enforcementLevel],
                    severity=SEVERITY_NAMES.get(diagnostic.severity, ""),
                    remediation_steps=policy.remediation_steps if policy else "",
                )
            )
        return found

    def _resource_request(
        self,
        snapshot: ResourceSnapshot,
        by_urn: Mapping[str, ResourceSnapshot],
        inputs: Mapping[str, Any] | None = None,
        *,
        skip_internal: bool = True,
    ) -> analyzer_pb2.AnalyzeRequest:
        return analyzer_pb2.AnalyzeRequest(
            type=snapshot.type,
            properties=to_struct(
                snapshot.inputs if inputs is None else inputs, skip_internal=skip_internal
            ),
            urn=snapshot.urn,
            name=snapshot.name,
            options=self._options(snapshot),
            provider=self._provider(snapshot, by_urn),
        )

    def _remediations(
        self, response: analyzer_pb2.RemediateResponse, urn: str
    ) -> list[Remediation]:
        info = self.info()
        return [
            Remediation(
                policy_name=item.policyName,
                policy_pack=item.policyPackName,
                policy_pack_version=info.version or item.policyPackVersion,
                description=item.description,
                urn=urn,
                properties=struct_to_python(item.properties)
                if item.HasField("properties")
                else None,
                diagnostic=item.diagnostic,
            )
            for item in response.remediations
        ]

    def remediate(
        self,
        snapshot: ResourceSnapshot,
        by_urn: Mapping[str, ResourceSnapshot] | None = None,
        inputs: Mapping[str, Any] | None = None,
    ) -> list[Remediation]:
        """``Remediate`` over the resource's inputs; each result carries the
        whole new inputs, the last one being what ``Analyze`` should see."""
        by_urn = by_urn if by_urn is not None else {snapshot.urn: snapshot}
        request = self._resource_request(snapshot, by_urn, inputs, skip_internal=False)
        return self._remediations(self._call("Remediate", request), snapshot.urn)

    def analyze_resource(
        self,
        snapshot: ResourceSnapshot,
        by_urn: Mapping[str, ResourceSnapshot] | None = None,
        inputs: Mapping[str, Any] | None = None,
    ) -> list[Violation]:
        """``Analyze`` over the resource's inputs (or the given ones)."""
        by_urn = by_urn if by_urn is not None else {snapshot.urn: snapshot}
        request = self._resource_request(snapshot, by_urn, inputs)
        return self._violations(self._call("Analyze", request), snapshot.urn)

    def analyze_stack(self, snapshots: Sequence[ResourceSnapshot]) -> list[Violation]:
        """``AnalyzeStack`` over every resource's outputs and relationships."""
        by_urn = {s.urn: s for s in snapshots}
        resources = []
        for snapshot in snapshots:
            resources.append(
                analyzer_pb2.AnalyzerResource(
                    type=snapshot.type,
                    properties=to_struct(snapshot.outputs),
                    urn=snapshot.urn,
                    name=snapshot.name,
                    options=self._options(snapshot),
                    provider=self._provider(snapshot, by_urn),
                    parent=snapshot.parent or "",
                    dependencies=list(snapshot.dependencies),
                    propertyDependencies={
                        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                        for key, urns in snapshot.property_dependencies.items()
                        if urns
                    },
                )
            )
        request = analyzer_pb2.AnalyzeStackRequest(resources=resources)
        return self._violations(self._call("AnalyzeStack", request), None)

    def analyze(self, snapshots: Iterable[ResourceSnapshot]) -> AnalysisReport:
        """What ``pulumi preview --policy-pack`` does with the pack: remediate
        and analyze every resource, then analyze the stack."""
        ordered = list(snapshots)
        report = self.analyze_resources(ordered)
        return AnalysisReport(
            (*report.violations, *self.analyze_stack(ordered)), report.remediations, report.packs
        )

    def analyze_resources(self, snapshots: Iterable[ResourceSnapshot]) -> AnalysisReport:
        """The per-resource part of :meth:`analyze`, all that runs the pack's
        resource policies and remediations: ``Remediate`` then ``Analyze``
        for every resource, no ``AnalyzeStack``."""
        # The engine analyzes resources as they register, many at a time; here
        # every call is sent before any answer is awaited, so building requests,
        # the round trips and the pack's work overlap. Each resource's Analyze
        # still waits for its own Remediate, whose output it must see.
        ordered = list(snapshots)
        by_urn = {s.urn: s for s in ordered}
        remediate_calls = [
            (
                snapshot,
                self._send(
                    "Remediate", self._resource_request(snapshot, by_urn, skip_internal=False)
                ),
            )
            for snapshot in ordered
        ]
        remediations: list[Remediation] = []
        analyze_calls = []
        for snapshot, future in remediate_calls:
            applied = self._remediations(self._result("Remediate", future), snapshot.urn)
            remediations.extend(applied)
            inputs: Mapping[str, Any] = snapshot.inputs
            for remediation in applied:
                if remediation.properties is not None:
                    inputs = remediation.properties
            request = self._resource_request(snapshot, by_urn, inputs)
            analyze_calls.append((snapshot, self._send("Analyze", request)))
        violations: list[Violation] = []
        for snapshot, future in analyze_calls:
            violations.extend(self._violations(self._result("Analyze", future), snapshot.urn))
        info = self.info()
        return AnalysisReport(
            tuple(violations), tuple(remediations), (f"{info.name}@v{info.version}",)
        )


def analyze_stack_with_pack(
    pack_dir: str | Path,
    snapshots: Iterable[ResourceSnapshot],
    policy_config: str | Path | Mapping[str, Any] | None = None,
    **options: Any,
) -> AnalysisReport:
    """One-shot: start the pack, configure it, analyze, stop it."""
    with PolicyPackAnalyzer(pack_dir, **options) as analyzer:
        analyzer.configure_from(policy_config)
        return analyzer.analyze(snapshots)
