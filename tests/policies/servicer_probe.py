"""Prints the SDK servicer's answers to a fixed set of requests, as JSON.

Run as ``python servicer_probe.py sdk|cached`` from any folder: with
``cached``, the pack's analysis cache is installed first. The policies are
made up to reach every branch the cache touches (levels, disabled policies,
unknowns, not-applicable, async checks, config and stack tags, links with
missing URNs, typed and untyped rules, remediation-only rules), so comparing
the two outputs compares whole responses, not just what a report shows.
It runs in its own interpreter because installing the cache patches the SDK.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
sys.path.insert(0, str(PACK_DIR))

import pulumi_policy.policy as sdk  # noqa: E402
from google.protobuf import json_format, struct_pb2  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE  # noqa: E402

proto = sdk.proto
BUCKET = "aws:s3/bucket:Bucket"
INSTANCE = "aws:ec2/instance:Instance"


def _first_urn(args: Any, report: Any) -> None:
    report(f"{len(args.resources)} resources", args.resources[0].urn)


def _reads_unknown(args: Any, report: Any) -> None:
    report(str(args.resources[1].props["secret"]))


def _not_applicable(args: Any, report: Any) -> None:
    args.not_applicable("not for this stack")


async def _async_check(args: Any, report: Any) -> None:
    report("checked asynchronously")


def _config_and_tags(args: Any, report: Any) -> None:
    config = args.get_config()
    report(f"config={json.dumps(config, sort_keys=True)} tags={dict(args.stack_tags)}")


def _links(args: Any, report: Any) -> None:
    for r in args.resources:
        links = {
            "parent": r.parent.urn if r.parent else None,
            "dependencies": [d.urn for d in r.dependencies],
            "propertyDependencies": {
                key: [d.urn for d in deps] for key, deps in sorted(r.property_dependencies.items())
            },
            "options": [r.opts.protect, r.opts.parent],
            "provider": r.provider.urn if r.provider else None,
        }
        report(f"{r.name} {json.dumps(links, sort_keys=True)}", r.urn)


def _any_resource(args: Any, report: Any) -> None:
    report(f"saw {args.resource_type} {args.props.get('size')}")


def _bucket_only(args: Any, report: Any) -> None:
    if args.resource_type == BUCKET:
        report("a bucket")


def _reads_unknown_input(args: Any, report: Any) -> None:
    if "secret" in args.props:
        report(str(args.props["secret"]))


def _add_tag(args: Any) -> Any:
    props = args.props
    props["tags"] = {"Owner": "data"}
    return props


def _policies() -> list[Any]:
    # The pack's folder is on sys.path only at run time, as in the pack.
    ResourceRule = importlib.import_module("rules.common").ResourceRule

    return [
        StackValidationPolicy("s-first-urn", "d", _first_urn),
        StackValidationPolicy("s-unknown", "d", _reads_unknown),
        StackValidationPolicy("s-not-applicable", "d", _not_applicable),
        StackValidationPolicy("s-async", "d", _async_check),
        StackValidationPolicy("s-remediate", "d", _first_urn),
        StackValidationPolicy("s-disabled", "d", _first_urn),
        StackValidationPolicy("s-config", "d", _config_and_tags),
        StackValidationPolicy("s-links", "d", _links),
        ResourceValidationPolicy("r-any", "d", _any_resource),
        ResourceValidationPolicy("r-unknown", "d", _reads_unknown_input),
        ResourceRule(
            resource_types=frozenset({BUCKET}),
            name="r-bucket",
            description="d",
            validate=_bucket_only,
        ),
        ResourceRule(
            resource_types=frozenset({BUCKET}),
            name="r-remediate-only",
            description="d",
            remediate=_add_tag,
        ),
        ResourceRule(
            resource_types=frozenset({BUCKET}),
            name="r-bucket-disabled",
            description="d",
            validate=_bucket_only,
        ),
    ]


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def _resource(urn: str, type_: str, props: dict[str, Any], **links: Any) -> Any:
    resource = proto.AnalyzerResource(
        type=type_,
        urn=urn,
        name=urn.rpartition("::")[2],
        properties=_struct(props),
        parent=links.get("parent", ""),
        dependencies=links.get("dependencies", []),
        options=proto.AnalyzerResourceOptions(protect=True, parent=links.get("parent", "")),
        provider=proto.AnalyzerProviderResource(
            type="pulumi:providers:aws", urn="urn:provider", name="aws", properties=_struct({})
        ),
    )
    for key, urns in links.get("property_dependencies", {}).items():
        resource.propertyDependencies[key].urns.extend(urns)
    return resource


def _answers(servicer: Any) -> dict[str, Any]:
    configure = proto.ConfigureAnalyzerRequest()
    configure.policyConfig["s-disabled"].enforcementLevel = proto.DISABLED
    configure.policyConfig["r-bucket-disabled"].enforcementLevel = proto.DISABLED
    configure.policyConfig["s-remediate"].enforcementLevel = proto.REMEDIATE
    configure.policyConfig["r-remediate-only"].enforcementLevel = proto.REMEDIATE
    configure.policyConfig["s-config"].enforcementLevel = proto.MANDATORY
    configure.policyConfig["s-config"].properties.update({"limit": 3})
    servicer.Configure(configure, None)
    servicer.ConfigureStack(proto.AnalyzerStackConfigureRequest(tags={"team": "data"}), None)

    resources = [
        _resource("urn::a", BUCKET, {"size": 1}),
        _resource(
            "urn::b",
            INSTANCE,
            {"secret": UNKNOWN_STRING_VALUE, "size": 2},
            parent="urn::a",
            dependencies=["urn::a", "urn::missing"],
            property_dependencies={"p": ["urn::a", "urn::c", "urn::missing"], "q": []},
        ),
        _resource("urn::c", INSTANCE, {}, parent="urn::missing"),
    ]
    answers: dict[str, Any] = {}
    stack = proto.AnalyzeStackRequest(resources=resources)
    answers["AnalyzeStack"] = json_format.MessageToDict(servicer.AnalyzeStack(stack, None))
    for r in resources:
        request = proto.AnalyzeRequest(
            type=r.type, urn=r.urn, name=r.name, properties=r.properties, provider=r.provider
        )
        for method in ("Analyze", "Remediate"):
            answer = getattr(servicer, method)(request, None)
            answers[f"{method} {r.urn}"] = json_format.MessageToDict(answer)
    return answers


def main(mode: str) -> None:
    installed = False
    if mode == "cached":
        installed = importlib.import_module("analysis_cache").install()
    servicer = sdk._PolicyAnalyzerServicer("probe", "1.0.0", _policies(), EnforcementLevel.ADVISORY)
    print(json.dumps({"installed": installed, "answers": _answers(servicer)}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
