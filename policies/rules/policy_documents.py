"""IAM policy documents (key policies, topic policies, trust policies) read
into statements, principals and condition keys.

A document arrives as JSON text or as a parsed map; either may be unknown at
preview. Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .unknowns import UNKNOWN, Unknown

# Condition keys that tie a grant to one account, organization or source
# resource, so "anyone" or a service principal cannot act for someone else.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
ACCOUNT_BINDING_KEYS: Final = (
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "kms:calleraccount",
)


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str
    effect: str
    # principal kind ("AWS", "Service", "Federated", "*") -> values
    principals: Mapping[str, tuple[str, ...]]
    not_principal: bool
    # lower-cased condition key -> its values, over every operator
    conditions: Mapping[str, tuple[str, ...]]

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index}"

    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    def admits_everyone(self) -> bool:
        """Principal ``*`` or ``{"AWS": "*"}`` (or an Allow with NotPrincipal)."""
        if self.not_principal:
            return True
        return "*" in self.principals.get("*", ()) or "*" in self.principals.get("AWS", ())

    def bound_by(self, keys: tuple[str, ...] | list[str]) -> bool:
        """Does a condition on one of ``keys`` with a non-wildcard value narrow it?"""
        wanted = {key.lower() for key in keys}
        return any(
            key in wanted and values and all(value not in ("*", "") for value in values)
            for key, values in self.conditions.items()
        )


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if value is None:
        return ()
    return (str(value),)


def _statement(index: int, raw: Mapping[str, Any]) -> Statement:
    principal = raw.get("Principal", raw.get("NotPrincipal"))
    principals: dict[str, tuple[str, ...]] = {}
    if principal == "*":
        principals["*"] = ("*",)
    elif isinstance(principal, Mapping):
        principals = {str(kind): _strings(values) for kind, values in principal.items()}
    conditions: dict[str, tuple[str, ...]] = {}
    condition = raw.get("Condition")
    if isinstance(condition, Mapping):
        for block in condition.values():
            if isinstance(block, Mapping):
                for key, values in block.items():
                    conditions[str(key).lower()] = conditions.get(str(key).lower(), ()) + _strings(
                        values
                    )
    return Statement(
        index=index,
        sid=str(raw.get("Sid") or ""),
        effect=str(raw.get("Effect") or ""),
        principals=principals,
        not_principal="NotPrincipal" in raw,
        conditions=conditions,
    )


def statements(document: Any) -> list[Statement] | Unknown | None:
    """The document's statements; None when it is unset or cannot be read
    as a policy document; UNKNOWN when any part is unknown at preview."""
    if document is UNKNOWN:
        return UNKNOWN
    if document in (None, ""):
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    if _holds_unknown(document):
        return UNKNOWN
    if not isinstance(document, Mapping):
        return None
    raw = document.get("Statement")
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return None
    return [_statement(i, s) for i, s in enumerate(raw) if isinstance(s, Mapping)]


def _holds_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return False
