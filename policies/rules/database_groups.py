"""Guardrails for the database's parameter group (TLS forced, statements
logged) and subnet group (only the private subnets the program looked up)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .database import engine_of, is_read_replica
from .declaring import (
    ADVISORY,
    ResourceCheck,
    RuleSet,
    StackCheck,
    judge,
    origin,
    policy_knob,
    stack_key,
    string_list,
)
from .resource_types import RDS_INSTANCE, RDS_PARAMETER_GROUP, RDS_SUBNET_GROUP, SUBNET
from .stack_view import Node
from .unknowns import UNKNOWN, as_list, unknown_refusal

rules = RuleSet("database")

# What makes each engine refuse unencrypted connections (parameter, accepted values).
# PostgreSQL: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
# (section "Requiring an SSL connection to a PostgreSQL DB instance")
# MySQL/MariaDB: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html
TLS_PARAMETERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "postgres": ("rds.force_ssl", ("1",)),
    "mysql": ("require_secure_transport", ("1", "on", "true")),
    "mariadb": ("require_secure_transport", ("1", "on", "true")),
}


@rules.resource(
    name="rds-postgres-query-logging",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html",
    description="PostgreSQL parameter groups turn on statement logging.",
    severity=Severity.LOW,
    fix=(
        "Set log_statement (e.g. ddl) and log_min_duration_statement (e.g. 1000) in the "
        f"database's parameter group, or change "
        f"{policy_knob('rds-postgres-query-logging', 'requiredParameters')}."
    ),
    types=(RDS_PARAMETER_GROUP,),
    level=ADVISORY,
    config={
        "requiredParameters": string_list(
            "Parameters a PostgreSQL parameter group must set.",
            ["log_statement", "log_min_duration_statement"],
        )
    },
)
def postgres_query_logging(check: ResourceCheck) -> None:
    family = check.props.get("family")
    if family is UNKNOWN:
        check.report(
            unknown_refusal(
                "family", "the group's logging parameters apply", "Set family as a literal."
            )
        )
        return
    if not isinstance(family, str) or not family.startswith("postgres"):
        return
    required = list(check.config.get("requiredParameters") or [])

    def problem(parameters: Any) -> str | None:
        names = {p.get("name") for p in parameters if isinstance(p, dict)}
        missing = [name for name in required if name not in names]
        if not missing:
            return None
        return (
            f"The parameter group does not set {', '.join(missing)} ({origin(None)}), so slow "
            "or risky statements are not logged; "
            f"{policy_knob('rds-postgres-query-logging', 'requiredParameters')} asks for them."
        )

    judge(
        check.report,
        as_list(check.props.get("parameters")),
        what="parameters",
        claim="query logging is configured",
        known="Give the parameters as literals.",
        problem=problem,
    )


@rules.stack(
    name="rds-tls-enforced",
    description="Every database's parameter group forces TLS on client connections.",
    severity=Severity.HIGH,
    fix=(
        "Attach a parameter group of this stack that sets rds.force_ssl=1 (PostgreSQL) or "
        "require_secure_transport=1 (MySQL/MariaDB), as the program's database component does."
    ),
)
def tls_enforced(check: StackCheck) -> None:
    view = check.view
    for instance in view.of_type(RDS_INSTANCE):
        engine = engine_of(instance.props)
        if engine is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The engine of database '{instance.name}' ({origin(stack_key('dbEngine'))})",
                    "its connections are forced onto TLS",
                    "Set engine as a literal.",
                ),
                instance.urn,
            )
            continue
        if engine not in TLS_PARAMETERS:
            continue
        parameter, accepted = TLS_PARAMETERS[engine]
        groups = view.resolve(
            instance, "parameterGroupName", (RDS_PARAMETER_GROUP,), ("id", "name")
        )
        if groups.unresolved:
            check.report(
                unknown_refusal(
                    f"The parameter group of database '{instance.name}'",
                    f"it sets {parameter}",
                    "Pass the parameter group resource's name so the dependency is recorded.",
                ),
                instance.urn,
            )
            continue
        if groups.external:
            check.report(
                f"Database '{instance.name}' uses parameter group {', '.join(groups.external)} "
                f"({origin(None)}), which this stack does not manage, so {parameter} cannot be "
                "checked.",
                instance.urn,
            )
        if not groups.nodes and not groups.external:
            check.report(
                f"Database '{instance.name}' uses the engine's default parameter group "
                f"({origin(None)}), which accepts unencrypted connections.",
                instance.urn,
            )
        for group in groups.nodes:
            parameters = as_list(group.props.get("parameters"))
            if parameters is UNKNOWN:
                check.report(
                    unknown_refusal(
                        f"The parameters of group '{group.name}'",
                        f"{parameter} is on",
                        "Give the parameters as literals.",
                    ),
                    group.urn,
                )
                continue
            values = [
                p.get("value")
                for p in parameters  # type: ignore[union-attr]
                if isinstance(p, dict) and p.get("name") == parameter
            ]
            if any(v is UNKNOWN for v in values):
                check.report(
                    unknown_refusal(
                        f"{parameter} in group '{group.name}'",
                        "TLS is forced",
                        f"Set {parameter}={accepted[0]} as a literal.",
                    ),
                    group.urn,
                )
            elif not any(str(v).strip().lower() in accepted for v in values):
                value = values[0] if values else "not set"
                check.report(
                    f"Database '{instance.name}' accepts unencrypted connections: {parameter} "
                    f"is {value!s} in parameter group '{group.name}' ({origin(None)}).",
                    group.urn,
                )


@rules.stack(
    name="rds-subnet-group-private",
    description="Database subnet groups hold only the private subnets that were looked up.",
    severity=Severity.CRITICAL,
    fix=(
        "Build the subnet group from private subnets only: subnets whose route tables send "
        "nothing to an internet gateway."
    ),
)
def subnet_group_private(check: StackCheck) -> None:
    view = check.view
    subnets = origin(stack_key("privateSubnetIds"))
    private, complete = view.private_subnets()
    for instance in view.of_type(RDS_INSTANCE):
        placed = instance
        if is_read_replica(instance.props) and instance.props.get("dbSubnetGroupName") in (
            None,
            "",
        ):
            # A same-Region replica without a subnet group of its own sits in its
            # source's (pulumi_aws rds.Instance db_subnet_group_name), so that one
            # is judged.
            sources = view.resolve(
                instance, "replicateSourceDb", (RDS_INSTANCE,), ("identifier", "arn", "id")
            )
            if sources.unresolved or sources.external or len(sources.nodes) != 1:
                check.report(
                    unknown_refusal(
                        f"The source database of replica '{instance.name}'",
                        "it sits in private subnets",
                        "Pass the source instance's identifier output to replicateSourceDb.",
                    ),
                    instance.urn,
                )
                continue
            placed = sources.nodes[0]
        groups = view.resolve(placed, "dbSubnetGroupName", (RDS_SUBNET_GROUP,), ("id", "name"))
        if groups.unresolved:
            check.report(
                unknown_refusal(
                    f"The subnet group of database '{instance.name}'",
                    "it sits in private subnets",
                    "Pass the subnet group resource's name so the dependency is recorded.",
                ),
                instance.urn,
            )
        elif groups.external:
            check.report(
                f"Database '{instance.name}' uses subnet group {', '.join(groups.external)} "
                f"({origin(None)}), which this stack does not manage, so its subnets cannot be "
                "checked.",
                instance.urn,
            )
        elif not groups.nodes:
            check.report(
                f"Database '{instance.name}' has no subnet group ({origin(None)}), so RDS "
                "places it in the default VPC.",
                instance.urn,
            )
    unjudged: list[str] = []
    for group in view.of_type(RDS_SUBNET_GROUP):
        if not private and not complete:
            # No component says which subnets are private: judge the subnets
            # the stack itself creates, and say which ones could not be.
            unjudged.extend(_judge_own_subnets(check, group))
            continue
        subnet_ids = as_list(group.props.get("subnetIds"))
        if subnet_ids is UNKNOWN or UNKNOWN in subnet_ids:  # type: ignore[operator]
            check.report(
                unknown_refusal(
                    f"The subnets of subnet group '{group.name}'",
                    "they are all private",
                    "Build the subnet group from the looked-up private subnet ids.",
                ),
                group.urn,
            )
            continue
        strays = [s for s in subnet_ids if s not in private]  # type: ignore[union-attr]
        if strays and not complete:
            check.report(
                unknown_refusal(
                    "The private subnet ids the program looked up",
                    f"subnet group '{group.name}' holds only private subnets",
                    "Look the subnets up during preview.",
                ),
                group.urn,
            )
        elif strays:
            check.report(
                f"Subnet group '{group.name}' holds {', '.join(map(str, strays))}, which "
                f"{'is' if len(strays) == 1 else 'are'} not among the private subnets the "
                f"program looked up ({', '.join(sorted(private)) or 'none'}; {subnets}): a "
                "database in a public subnet is one route away from the internet.",
                group.urn,
            )
    if unjudged:
        check.not_applicable(
            f"subnet(s) {', '.join(sorted(set(unjudged)))} of the database subnet groups are not "
            "created by this stack and no component says which subnets are private, so whether "
            "they are private could not be checked"
        )


def _judge_own_subnets(check: StackCheck, group: Node) -> list[str]:
    """Reports the subnets of ``group`` the stack creates that give instances
    a public IPv4 address on launch (mapPublicIpOnLaunch: the EC2 subnet
    attribute of public subnets); returns those it cannot judge (not created
    here). A subnet being created is followed through the group's property
    dependency, so this holds at preview too."""
    subnets = check.view.resolve(group, "subnetIds", (SUBNET,))
    if subnets.unresolved:
        check.report(
            unknown_refusal(
                f"The subnets of subnet group '{group.name}'",
                "they are all private",
                "Pass the subnet resources' ids so the dependencies are recorded.",
            ),
            group.urn,
        )
    for subnet in subnets.nodes:
        public = subnet.props.get("mapPublicIpOnLaunch")
        if public is True or public is UNKNOWN:
            state = "true" if public is True else "unknown at preview"
            check.report(
                f"Subnet group '{group.name}' holds subnet '{subnet.name}', whose "
                f"mapPublicIpOnLaunch is {state} ({origin(None)}): a subnet that gives "
                "instances a public address is one route away from the internet.",
                group.urn,
            )
    return list(subnets.external)
