"""A Session Manager bastion needs no way in: no public address, no inbound rule.

Session Manager's agent opens the connection outward, so in ssm mode anything
that admits traffic into the bastion is only attack surface (FSBP EC2.9 flags
the public address; AWSGuard and checkov flag it too).
"""

from __future__ import annotations

from pulumi_policy import Severity

from .declaring import RuleSet, StackCheck, origin, shown, stack_key
from .resource_types import EC2_INSTANCE, SECURITY_GROUP
from .stack_view import Node, StackView
from .unknowns import UNKNOWN, unknown_refusal

rules = RuleSet("session-manager")

# The program's bastion component; its outputs say which access mode it was built for.
BASTION_COMPONENT = "bastiondb:compute:Bastion"


def _instances_of(view: StackView, component: Node) -> list[Node]:
    return [node for node in view.of_type(EC2_INSTANCE) if component in node.ancestors()]


@rules.stack(
    name="bastion-ssm-no-inbound",
    url="https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    description=(
        "In Session Manager mode the bastion has no public IPv4 address and its security "
        "groups admit no inbound traffic."
    ),
    severity=Severity.HIGH,
    fix=(
        "Session Manager needs no way in: keep the bastion in a private subnet with "
        "associatePublicIpAddress false and add no ingress rule to its group; for SSH set "
        "the bastion's access mode to SSH."
    ),
)
def ssm_bastion_no_inbound(check: StackCheck) -> None:
    view = check.view
    for component in view.of_type(BASTION_COMPONENT):
        mode = component.props.get("accessMode")
        if mode is UNKNOWN:
            check.report(
                unknown_refusal(
                    f"The access mode of bastion '{component.name}'",
                    "an ssm-mode bastion has no public address and no inbound rule",
                    "Register the component's accessMode output as a literal.",
                ),
                component.urn,
            )
            continue
        if mode != "ssm":
            continue
        for instance in _instances_of(view, component):
            _no_public_address(check, instance)
            _no_inbound_rule(check, view, instance)


def _no_public_address(check: StackCheck, instance: Node) -> None:
    public = instance.props.get("associatePublicIpAddress")
    if public is UNKNOWN:
        check.report(
            unknown_refusal(
                f"associatePublicIpAddress of '{instance.name}'",
                "an ssm-mode bastion has no public address",
                "Set it to the literal false.",
            ),
            instance.urn,
        )
    elif public is not False:
        # Unset, the subnet's MapPublicIpOnLaunch decides: not a promise.
        check.report(
            f"'{instance.name}' is the bastion in Session Manager mode but its "
            f"associatePublicIpAddress is {shown(public)} ({origin(stack_key('accessMode'))}); "
            "it must be false, so the instance has no public IPv4 address.",
            instance.urn,
        )


def _no_inbound_rule(check: StackCheck, view: StackView, instance: Node) -> None:
    groups = view.resolve(instance, "vpcSecurityGroupIds", (SECURITY_GROUP,))
    if groups.unresolved:
        check.report(
            unknown_refusal(
                f"The security groups of '{instance.name}'",
                "an ssm-mode bastion's groups admit nothing",
                "Pass the group resources' ids so the dependency is recorded.",
            ),
            instance.urn,
        )
    for external in groups.external:
        check.report(
            f"'{instance.name}' uses security group {external}, which is not in the stack, "
            "so its inbound rules cannot be checked; in Session Manager mode the bastion "
            "uses only the stack's own group.",
            instance.urn,
        )
    for permission in view.permissions("ingress"):
        target = view.group_of(permission)
        if target.unresolved:
            check.report(
                unknown_refusal(
                    f"The security group of {permission.label}",
                    "nothing is admitted into an ssm-mode bastion",
                    "Pass the group resource's id so the dependency is recorded.",
                ),
                permission.origin_urn,
            )
        elif any(node in groups.nodes for node in target.nodes):
            check.report(
                f"{permission.label} admits inbound traffic ({permission.describe_ports()}) "
                f"into the group of '{instance.name}', the bastion in Session Manager mode "
                f"({origin(None)}); Session Manager needs no inbound rule at all.",
                permission.origin_urn,
            )
