"""The engine's side of a provider's Construct, on a real gRPC port: a resource
monitor that answers from the fake AWS world (the SDK's MockMonitor, through
offline's RecordingMonitor) and an engine service that keeps the log.

A component provider registers its children with the monitor whose address the
ConstructRequest names (monitorEndpoint) and logs to the engine address it was
started with, as under `pulumi up` (pulumi/pulumi sdk/python/lib/pulumi/provider/server.py,
ProviderServicer._construct: settings.reset_options(monitor_address=...)).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, resource_pb2, resource_pb2_grpc

from offline.fake_aws import FakeAws, lab_world
from offline.recorder import RecordingMonitor


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, monitor: RecordingMonitor) -> None:
        self._monitor = monitor
        self._lock = threading.Lock()

    def _call(self, method: str, request: Any) -> Any:
        with self._lock:
            return getattr(self._monitor, method)(request)

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        answer = self._call("SupportsFeature", request)
        return resource_pb2.SupportsFeatureResponse(hasSupport=answer.hasSupport)

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        return self._call("GetDeploymentInfo", request)

    def RegisterResource(self, request: Any, context: Any) -> Any:
        return self._call("RegisterResource", request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        self._call("RegisterResourceOutputs", request)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> Any:
        return self._call("Invoke", request)

    def ReadResource(self, request: Any, context: Any) -> Any:
        return self._call("ReadResource", request)

    def RegisterPackage(self, request: Any, context: Any) -> Any:
        return self._call("RegisterPackage", request)

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


@dataclass
class _Engine(engine_pb2_grpc.EngineServicer):
    messages: list[tuple[int, str]] = field(default_factory=list)

    def Log(self, request: Any, context: Any) -> Any:
        self.messages.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse()

    def SetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


@dataclass
class FakeEngine:
    address: str
    monitor: RecordingMonitor
    log: list[tuple[int, str]]


@contextmanager
def fake_engine() -> Iterator[FakeEngine]:
    """Both services on one free local port, for the length of the block."""
    monitor = RecordingMonitor(FakeAws(lab_world()))
    engine = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_Monitor(monitor), server)
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield FakeEngine(f"127.0.0.1:{port}", monitor, engine.messages)
    finally:
        server.stop(grace=None)
