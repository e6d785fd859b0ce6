"""The VPC endpoints a VPC already has for the services the Session Manager
bastion reaches, and the refusal of a plan that would collide with them.

Two collisions fail ``pulumi up`` half-way:

- an interface endpoint with private DNS for a service that already has one in
  the VPC: CreateVpcEndpoint answers "private-dns-enabled cannot be set because
  there is already a conflicting DNS domain for <service> in the VPC"
  (hashicorp/terraform-provider-aws#17535). Central endpoints shared by many
  stacks are common, so this is the usual case, and ``existing`` is the answer;
- a gateway endpoint for S3 on a route table that already routes S3's prefix
  list to another gateway endpoint: "route table rtb-... already has a route with
  destination-prefix-list-id pl-..." (RouteAlreadyExists; eksctl-io/eksctl#4377).

The stack's own endpoints, from an earlier ``up``, are no conflict: they carry
the ``Name`` tag the stack gives them (``<prefix>-<service>``, unique to the
stack), and are told apart by it.

pulumi-aws has no plural lookup of VPC endpoints; ``getVpcEndpoint`` answers one
endpoint or fails with the provider's standard messages, "no matching EC2 VPC
Endpoint found" and "multiple EC2 VPC Endpoints matched; use additional
constraints ..." (terraform-provider-aws ``internal/tfresource``,
``SingularDataSourceFindError``). The first means none; the second, several.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# States of an endpoint that holds its DNS names or routes (DescribeVpcEndpoints,
# vpc-endpoint-state; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html)
LIVE_STATES = ("pendingAcceptance", "pending", "available")


class EndpointConflictError(pulumi.RunError):
    """The plan would create an endpoint the VPC cannot take a second of."""


@dataclass(frozen=True)
class ExistingEndpoint:
    """What the plan needs to know of one endpoint of the VPC."""

    id: str
    # The service's short name, e.g. "ssm" (its name without com.amazonaws.<region>.)
    service: str
    endpoint_type: str
    private_dns_enabled: bool
    route_table_ids: tuple[str, ...] = ()
    # Its Name tag ("" when untagged)
    name: str = ""


@dataclass(frozen=True)
class Found:
    """One service's endpoints of one type: none, one, or several (None)."""

    service: str
    endpoint_type: str
    endpoint: ExistingEndpoint | None
    several: bool = False


Lookup = Callable[[str, str], Found]


def provider_lookup(vpc_id: str, service_prefix: str, parent: pulumi.Resource) -> Lookup:
    """Looks one service's endpoints up with the provider's singular lookup.

    A plain (not Output) invoke, so the program knows before it registers
    anything whether the plan collides."""

    def lookup(service: str, endpoint_type: str) -> Found:
        try:
            result = aws.ec2.get_vpc_endpoint(
                vpc_id=vpc_id,
                service_name=f"{service_prefix}.{service}",
                vpc_endpoint_type=endpoint_type,
                filters=[
                    aws.ec2.GetVpcEndpointFilterArgs(
                        name="vpc-endpoint-state", values=list(LIVE_STATES)
                    )
                ],
                opts=pulumi.InvokeOptions(parent=parent),
            )
        except Exception as error:  # the SDK raises the provider's error as a bare Exception
            text = str(error)
            if "no matching" in text.lower():
                return Found(service, endpoint_type, None)
            if "multiple" in text.lower():
                return Found(service, endpoint_type, None, several=True)
            raise
        return Found(
            service,
            endpoint_type,
            ExistingEndpoint(
                id=str(result.id),
                service=service,
                endpoint_type=endpoint_type,
                private_dns_enabled=bool(result.private_dns_enabled),
                route_table_ids=tuple(result.route_table_ids or ()),
                name=str((result.tags or {}).get("Name") or ""),
            ),
        )

    return lookup


def endpoint_tag_name(name_prefix: str, service: str) -> str:
    """The Name tag the stack gives its endpoint for ``service``."""
    return f"{name_prefix}-{service}"


def _is_own(found: Found, name_prefix: str) -> bool:
    return found.endpoint is not None and found.endpoint.name == endpoint_tag_name(
        name_prefix, found.service
    )


def interface_conflicts(
    vpc_id: str, services: Sequence[str], lookup: Lookup, name_prefix: str
) -> list[str]:
    """One line per planned private-DNS interface endpoint the VPC already serves
    with an endpoint of someone else's."""
    problems = []
    for service in services:
        found = lookup(service, "Interface")
        if found.several:
            problems.append(f"{service}: several interface endpoints in {vpc_id}")
        elif (
            found.endpoint is not None
            and found.endpoint.private_dns_enabled
            and not _is_own(found, name_prefix)
        ):
            problems.append(f"{service}: {found.endpoint.id} has private DNS")
    return problems


def gateway_conflict(
    service: str, route_table_id: str, found: Found, name_prefix: str
) -> str | None:
    """The line naming someone else's gateway endpoint on the route table, if any."""
    if _is_own(found, name_prefix):
        return None
    if found.several:
        return (
            f"{service}: several gateway endpoints in the VPC (one may already route "
            f"{route_table_id})"
        )
    if found.endpoint is not None and route_table_id in found.endpoint.route_table_ids:
        return f"{service}: {found.endpoint.id} already routes {route_table_id}"
    return None


def refusal(
    vpc_id: str, problems: Sequence[str], setting: str = "ssm_vpc_endpoints"
) -> EndpointConflictError:
    """The refusal, naming the setting as the caller spells it (the argument,
    or the stack program's key)."""
    return EndpointConflictError(
        f"{setting} is 'create', but VPC {vpc_id} already has endpoints "
        "the stack would create a second of, which AWS refuses (a second private-DNS "
        "interface endpoint for a service, or a second S3 gateway route on a route "
        f"table): {'; '.join(problems)}. Set {setting} to 'existing' "
        "to use the VPC's endpoints, or 'none' to go through a NAT gateway"
    )
