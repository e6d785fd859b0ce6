"""The preflight says where things go and why: each subnet of the VPC, public or
private by its routes (or chosen by tags or ids, or left out), and what the
database, the bastion and the Session Manager endpoints take, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bastion_db.network import RouteTableFacts, SubnetFacts, classify_subnets
from bastion_db.network_reasons import default_routes_of
from offline.fake_world import lab_nat_gateway_id, lab_vpc
from offline.network_capture import captured_world
from preflight.__main__ import main
from preflight.network_report import WIDTH, render_network, subnet_plan
from tests.conftest import RunStack
from tests.preflight.captured_network import (
    ISOLATED,
    ISOLATED_TABLE,
    PRIVATE,
    PUBLIC,
    REGION,
    VPC_ID,
    with_isolated_subnet,
    write_capture,
)

MAIN_TABLE, PUBLIC_TABLE, NAT_TABLE = (
    "rtb-0aaa00000000000a1",
    "rtb-0bbb00000000000b2",
    "rtb-0ccc00000000000c3",
)
USER_CONFIG = {"vpcId": VPC_ID, "aws:region": REGION}


def _by_id(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {subnet["id"]: subnet for subnet in plan["subnets"]}


def _world(tmp_path: Path) -> Any:
    """The captured VPC plus an isolated data subnet, as the program meets it."""
    path = write_capture(tmp_path / "network.json", with_isolated_subnet())
    return captured_world(path, region=REGION)


def _reason(subnet: dict[str, Any]) -> tuple[Any, ...]:
    table, route = subnet["routeTable"], subnet["defaultRoute"]
    return (
        subnet["routing"],
        table and (table["id"], table["association"]),
        route and (route["destination"], route["targetKind"]),
    )


def test_the_lab_vpc_plan_names_the_route_behind_each_subnet(run_stack: RunStack) -> None:
    vpc = lab_vpc()
    run = run_stack("dev", preview=True)
    plan = subnet_plan(run)
    assert plan is not None and plan["vpcId"] == vpc.id
    names = {s.id: s.tags["Name"] for s in vpc.subnets}
    found = {names[s["id"]]: _reason(s) for s in plan["subnets"]}
    tables = {t.subnet_ids[0] if t.subnet_ids else "main": t.id for t in vpc.route_tables}
    public_table, private_table = tables[vpc.subnets[0].id], tables[vpc.subnets[2].id]
    assert found == {
        "public-a": ("public", (public_table, "explicit"), ("0.0.0.0/0", "internet-gateway")),
        "public-b": ("public", (public_table, "explicit"), ("0.0.0.0/0", "internet-gateway")),
        "private-a": ("private-nat", (private_table, "explicit"), ("0.0.0.0/0", "nat-gateway")),
        # no association of its own: the main table's NAT route decides
        "private-b": ("private-nat", (tables["main"], "main"), ("0.0.0.0/0", "nat-gateway")),
    }
    subnets = _by_id(plan)
    private = [s.id for s in vpc.subnets if not s.map_public_ip_on_launch]
    assert plan["databaseSubnetGroup"] == private
    assert [subnets[i]["takenBy"] for i in private] == [["databaseSubnetGroup"]] * 2
    assert subnets[vpc.subnets[2].id]["defaultRoute"]["targetId"] == lab_nat_gateway_id()
    # ssh mode: the first public subnet; the other is public but nothing goes there
    assert plan["bastion"] == {"subnetId": vpc.subnets[0].id, "path": "internet-gateway"}
    assert subnets[vpc.subnets[1].id]["takenBy"] == []
    assert plan["ssmEndpoints"] is None
    text = render_network(plan, "the lab-shaped VPC")
    assert f"{private_table} (explicit): 0.0.0.0/0 -> nat-gateway" in text
    assert f"{tables['main']} (main table): 0.0.0.0/0 -> nat-gateway" in text


def test_session_manager_endpoints_take_one_private_subnet_per_zone(
    tmp_path: Path, run_stack: RunStack
) -> None:
    world = _world(tmp_path)
    run = run_stack("prod", world=world, preview=True, ssmVpcEndpoints="create", **USER_CONFIG)
    plan = subnet_plan(run)
    assert plan is not None
    # the first private subnet of each zone, NAT-routed or not
    assert plan["ssmEndpoints"] == [PRIVATE[0], PRIVATE[1], PRIVATE[2]]
    assert plan["bastion"] == {"subnetId": PRIVATE[0], "path": "vpc-endpoints"}
    subnets = _by_id(plan)
    assert subnets[PRIVATE[0]]["takenBy"] == ["databaseSubnetGroup", "bastion", "ssmEndpoints"]
    assert subnets[ISOLATED]["takenBy"] == ["databaseSubnetGroup"]
    assert "The Session Manager endpoints take: " in render_network(plan, None)


def test_explicit_ids_choose_and_the_rest_of_that_side_is_left_out(
    tmp_path: Path, run_stack: RunStack
) -> None:
    world = _world(tmp_path)
    run = run_stack(
        "dev", world=world, preview=True, privateSubnetIds=json.dumps(PRIVATE[:2]), **USER_CONFIG
    )
    plan = subnet_plan(run)
    assert plan is not None
    assert plan["selection"]["private"] == {
        "side": "private",
        "by": "ids",
        "key": "bastion-db:privateSubnetIds",
        "tags": None,
    }
    assert plan["selection"]["public"]["by"] == "routes"
    subnets = _by_id(plan)
    assert subnets[PRIVATE[0]]["chosenAs"] == [plan["selection"]["private"]]
    # still private by its routes, but the ids leave it out: nothing takes it
    for left_out in (PRIVATE[2], ISOLATED):
        assert subnets[left_out]["routing"] == "private-isolated"
        assert (subnets[left_out]["chosenAs"], subnets[left_out]["takenBy"]) == ([], [])
    text = render_network(plan, None)
    assert "left out: not in bastion-db:privateSubnetIds" in text
    assert "chosen as private by bastion-db:privateSubnetIds" in text


def _route_table(table_id: str, subnet_ids: tuple[str, ...], *routes: dict[str, str]) -> Any:
    return RouteTableFacts(table_id, not subnet_ids, subnet_ids, default_routes_of(routes))


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        # A route to an internet gateway makes a subnet public (VPC User Guide, "Subnet
        # types"); IPv6 is routed on its own, so ::/0 to one does as well.
        ([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}], ("public", "internet-gateway")),
        ([{"ipv6CidrBlock": "::/0", "gatewayId": "igw-1"}], ("public", "internet-gateway")),
        (
            [
                {"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"},
                {"ipv6CidrBlock": "::/0", "gatewayId": "igw-1"},
            ],
            ("public", "internet-gateway"),
        ),
        ([{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}], ("private-nat", "nat-gateway")),
        # An egress-only internet gateway lets nothing in: private, but not isolated
        (
            [{"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"}],
            ("private-other", "egress-only-internet-gateway"),
        ),
        (
            [{"cidrBlock": "0.0.0.0/0", "transitGatewayId": "tgw-1"}],
            ("private-other", "transit-gateway"),
        ),
        (
            [{"cidrBlock": "0.0.0.0/0", "gatewayId": "vgw-1"}],
            ("private-other", "virtual-private-gateway"),
        ),
        # A narrower route decides nothing: no default route, isolated
        ([{"cidrBlock": "10.9.0.0/16", "gatewayId": "igw-1"}], ("private-isolated", None)),
    ],
)
def test_the_deciding_route_and_its_target_kind(
    routes: list[dict[str, str]], expected: tuple[str, str | None]
) -> None:
    subnet = SubnetFacts("subnet-1", "us-east-1a", "10.0.1.0/24", False)
    layout = classify_subnets([subnet], [_route_table("rtb-1", ("subnet-1",), *routes)])
    (finding,) = layout.findings
    route = finding.default_route
    assert (finding.routing, route.target_kind if route else None) == expected
    assert (finding.route_table_id, finding.association) == ("rtb-1", "explicit")
    assert [s.id for s in layout.public] == (["subnet-1"] if expected[0] == "public" else [])


def test_a_subnet_without_its_own_table_is_decided_by_the_main_one() -> None:
    subnets = [
        SubnetFacts("subnet-1", "us-east-1a", "10.0.1.0/24", True),
        SubnetFacts("subnet-2", "us-east-1b", "10.0.2.0/24", False),
    ]
    tables = [
        _route_table("rtb-main", (), {"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}),
        _route_table("rtb-own", ("subnet-2",)),
    ]
    first, second = classify_subnets(subnets, tables).findings
    assert (first.route_table_id, first.association, first.routing) == (
        "rtb-main",
        "main",
        "public",
    )
    assert (second.route_table_id, second.association, second.routing) == (
        "rtb-own",
        "explicit",
        "private-isolated",
    )


# --- the preflight, end to end ------------------------------------------------------


def test_the_report_explains_a_captured_vpc_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Public, NAT-private and isolated subnets, and one a tag filter leaves out."""
    path = write_capture(tmp_path / "network.json", with_isolated_subnet())
    args = [
        "dev",
        "--network",
        str(path),
        *("-c", f"vpcId={VPC_ID}", "-c", f"aws:region={REGION}"),
        *("-c", 'privateSubnetTags=["tier=private"]'),
    ]
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    plan = json.loads(capsys.readouterr().out)["subnetPlan"]
    assert list(plan) == [
        "vpcId",
        "selection",
        "subnets",
        "databaseSubnetGroup",
        "bastion",
        "ssmEndpoints",
    ]
    assert list(plan["subnets"][0]) == [
        "id",
        "availabilityZone",
        "cidrBlock",
        "routing",
        "routeTable",
        "defaultRoute",
        "chosenAs",
        "takenBy",
    ]
    subnets = _by_id(plan)
    assert {i: _reason(s) for i, s in subnets.items()} == {
        PUBLIC[0]: ("public", (PUBLIC_TABLE, "explicit"), ("0.0.0.0/0", "internet-gateway")),
        PUBLIC[1]: ("public", (PUBLIC_TABLE, "explicit"), ("0.0.0.0/0", "internet-gateway")),
        PRIVATE[0]: ("private-nat", (NAT_TABLE, "explicit"), ("0.0.0.0/0", "nat-gateway")),
        PRIVATE[1]: ("private-nat", (NAT_TABLE, "explicit"), ("0.0.0.0/0", "nat-gateway")),
        # the main table's VPN route is propagated, which the provider leaves out
        PRIVATE[2]: ("private-isolated", (MAIN_TABLE, "main"), None),
        ISOLATED: ("private-isolated", (ISOLATED_TABLE, "explicit"), None),
    }
    by_tags = {
        "side": "private",
        "by": "tags",
        "key": "bastion-db:privateSubnetTags",
        "tags": {"tier": "private"},
    }
    assert plan["selection"]["private"] == by_tags
    assert [subnets[i]["chosenAs"] for i in PRIVATE] == [[by_tags]] * 3
    assert (subnets[ISOLATED]["chosenAs"], subnets[ISOLATED]["takenBy"]) == ([], [])
    assert plan["databaseSubnetGroup"] == PRIVATE
    assert plan["bastion"] == {"subnetId": PUBLIC[0], "path": "internet-gateway"}

    assert main(args) == 0
    text = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == text, "the same input prints the same bytes"
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    header = f"  Subnets of {VPC_ID}, public or private by their route table's default route:"
    section = lines[lines.index(header) :]
    isolated = section.index(next(line for line in section if line.startswith(f"    {ISOLATED}")))
    assert section[isolated].split() == [
        ISOLATED,
        f"{REGION}c",
        "10.20.176.0/20",
        "private",
        "(isolated)",
    ]
    assert section[isolated + 1 : isolated + 3] == [
        f"      {ISOLATED_TABLE} (explicit): no default route",
        "      left out: its tags do not match bastion-db:privateSubnetTags (tier=private)",
    ]
    nat = section.index(next(line for line in section if line.startswith(f"    {PRIVATE[0]}")))
    assert section[nat + 1 : nat + 3] == [
        f"      {NAT_TABLE} (explicit): 0.0.0.0/0 -> nat-gateway nat-0123456789abcdef0",
        "      taken by database; chosen as private by bastion-db:privateSubnetTags (tier=private)",
    ]
    words = " ".join(text.split())  # the long lines wrap, between words
    assert f"The database's subnet group takes: {', '.join(PRIVATE)}" in words
    assert f"  The bastion takes: {PUBLIC[0]} (SSH, with a public address)" in lines
    # docs/preflight.md shows this very run: its example cannot drift from the code
    page = (Path(__file__).parents[2] / "docs" / "preflight.md").read_text()
    example = page.split("```text\n")[1].split("```")[0].splitlines()
    assert example[1:] == section[: len(example) - 1]
