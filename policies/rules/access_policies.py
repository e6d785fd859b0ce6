"""Guardrails for KMS keys and for the policies that say who may use a key,
publish to a topic or assume a role: rotation on (KMS.4), nobody's key or
topic open to everyone (KMS.5, SNS.4), and every AWS service a policy admits
bound to this account or to the resource it acts for (confused-deputy
prevention: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from .declaring import ResourceCheck, RuleSet, judge, origin, policy_knob, string_list
from .policy_documents import ACCOUNT_BINDING_KEYS, Statement, statements
from .resource_types import IAM_ROLE, KMS_KEY, KMS_KEY_POLICY, SNS_TOPIC, SNS_TOPIC_POLICY
from .unknowns import UNKNOWN

rules = RuleSet("access")

# Which property holds the policy document, per resource type.
DOCUMENTS = {
    KMS_KEY: "policy",
    KMS_KEY_POLICY: "policy",
    SNS_TOPIC: "policy",
    SNS_TOPIC_POLICY: "policy",
    IAM_ROLE: "assumeRolePolicy",
}
# Key specs that KMS rotates automatically (symmetric encryption keys only):
# https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
ROTATABLE_KEY_SPECS = ("SYMMETRIC_DEFAULT",)


@rules.resource(
    name="kms-key-rotation",
    description="Customer-managed symmetric KMS keys rotate automatically. Security Hub KMS.4.",
    severity=Severity.MEDIUM,
    fix="Set enable_key_rotation=True on the key, as the program's own keys do.",
    types=(KMS_KEY,),
)
def key_rotation(check: ResourceCheck) -> None:
    spec = check.props.get("customerMasterKeySpec") or check.props.get("keySpec")
    if isinstance(spec, str) and spec not in ROTATABLE_KEY_SPECS:
        return  # KMS cannot rotate asymmetric or HMAC keys
    usage = check.props.get("keyUsage")
    if isinstance(usage, str) and usage != "ENCRYPT_DECRYPT":
        return
    judge(
        check.report,
        check.props.get("enableKeyRotation"),
        what=f"enableKeyRotation ({origin(None)})",
        claim="the key rotates",
        known="Set enableKeyRotation to the literal true.",
        problem=lambda value: (
            None
            if value is True
            else f"enableKeyRotation is {value!r} ({origin(None)}): the key's material never "
            "changes, so one leak of it reads everything it ever encrypted."
        ),
    )


def _document_of(check: ResourceCheck) -> tuple[str, Any]:
    prop = DOCUMENTS[check.type]
    return prop, statements(check.props.get(prop))


def _public(statement: Statement) -> bool:
    return (
        statement.allows()
        and statement.admits_everyone()
        and not statement.bound_by(list(ACCOUNT_BINDING_KEYS))
    )


def _open_to_everyone(check: ResourceCheck, what: str, harm: str) -> None:
    prop, found = _document_of(check)
    judge(
        check.report,
        found,
        what=f"the {prop} document ({origin(None)})",
        claim=f"the {what} is not open to everyone",
        known=f"Build the {prop} from literals and known ARNs.",
        problem=lambda parsed: (
            None
            if not parsed or not [s for s in parsed if _public(s)]
            else f"The {what}'s {prop} "
            + ", ".join(s.label for s in parsed if _public(s))
            + f" allows Principal '*' with no condition on the caller's account or "
            f"organization ({origin(None)}): {harm}."
        ),
    )


@rules.resource(
    name="kms-key-not-public",
    description="No key policy lets everyone use a KMS key. Security Hub KMS.5.",
    severity=Severity.CRITICAL,
    fix="Name principals of this account in the key policy, or condition a '*' principal on "
    "aws:PrincipalAccount / aws:SourceAccount / kms:CallerAccount.",
    types=(KMS_KEY, KMS_KEY_POLICY),
)
def key_not_public(check: ResourceCheck) -> None:
    _open_to_everyone(check, "key", "any AWS account could decrypt with it or use it")


@rules.resource(
    name="sns-topic-not-public",
    description="No topic policy lets everyone publish to or subscribe to an SNS topic. "
    "Security Hub SNS.4.",
    severity=Severity.HIGH,
    fix="Name principals of this account in the topic policy, or condition a '*' principal on "
    "aws:SourceOwner / aws:SourceAccount / aws:PrincipalAccount.",
    types=(SNS_TOPIC, SNS_TOPIC_POLICY),
)
def topic_not_public(check: ResourceCheck) -> None:
    _open_to_everyone(
        check, "topic", "anyone could read the alarms or send false ones to the on-call"
    )


# Condition keys that bind a service principal to this account or resource.
# CloudWatch Logs binds its key grants with the log group ARN in the
# encryption context instead:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
SERVICE_BINDING_KEYS = (
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:EncryptionContext:aws:logs:arn",
)
# EC2 assumes an instance role only for an instance profile of the role's own
# account (a role cannot be passed to another account), so its trust needs no
# source condition: https://github.com/prowler-cloud/prowler/issues/2810
EXEMPT_SERVICES = ("ec2.amazonaws.com",)


@rules.resource(
    name="service-principals-bound",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    description="Every AWS service a key policy, topic policy or role trust policy admits is "
    "bound to this account or resource with aws:SourceAccount / aws:SourceArn.",
    severity=Severity.MEDIUM,
    fix=(
        "Add Condition StringEquals aws:SourceAccount=<this account> (or ArnLike aws:SourceArn="
        "<the resource the service acts for>) to the statement; or change "
        f"{policy_knob('service-principals-bound', 'exemptServices')}."
    ),
    types=tuple(DOCUMENTS),
    config={
        "bindingConditionKeys": string_list(
            "Condition keys that bind a service principal.", SERVICE_BINDING_KEYS
        ),
        "exemptServices": string_list(
            "Service principals that need no binding condition.", EXEMPT_SERVICES
        ),
    },
)
def service_principals_bound(check: ResourceCheck) -> None:
    keys = [str(k) for k in check.config.get("bindingConditionKeys") or []]
    exempt = {str(s) for s in check.config.get("exemptServices") or []}
    prop, found = _document_of(check)

    def unbound(parsed: Any) -> str | None:
        loose = [
            (statement, service)
            for statement in parsed or []
            if statement.allows() and not statement.bound_by(keys)
            for service in statement.principals.get("Service", ())
            if service not in exempt
        ]
        if not loose:
            return None
        named = ", ".join(f"{service} ({statement.label})" for statement, service in loose)
        return (
            f"The {prop} admits {named} with no aws:SourceAccount or aws:SourceArn condition "
            f"({origin(None)}): the service could be made to act here for another account "
            "(the confused deputy)."
        )

    judge(
        check.report,
        found if found is not UNKNOWN else UNKNOWN,
        what=f"the {prop} document ({origin(None)})",
        claim="every service principal is bound to this account",
        known=f"Build the {prop} from literals and known ARNs.",
        problem=unbound,
    )
