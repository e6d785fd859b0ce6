"""The contract between this pack and the programs whose stack keys it names.

A finding names the stack key a user edits (``bastion-db:dbMultiAz`` in
``Pulumi.dev.yaml``) and the policy config file the repository ships only
when the stack says it was written that way. The stack says so through the
type tokens of what it registers: a resource registered inside a component
whose type token's package is one of :data:`DECLARING_PACKAGES` (this
repository's components, ``bastiondb:<module>:<Type>``) takes its settings
from the stack keys the rules name, in the stack's own project
(``PULUMI_PROJECT``). Every other program gets generic findings: the
resource, the property, its value and what is accepted, and "the policy
config" for a knob.

For a resource rule the resource's own URN decides (its parent types are in
it); for a stack rule, whether the stack registers any such component. A
component that changes which key sets a property must keep the rules' keys
true (the mutation suite checks every key a finding names against
``Pulumi.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

# The component packages whose children take their settings from the keys
# the rules name.
DECLARING_PACKAGES: Final = frozenset({"bastiondb"})


def _declares(type_token: str) -> bool:
    return type_token.split(":", 1)[0] in DECLARING_PACKAGES


def urn_declares_keys(urn: str) -> bool:
    """Was the resource registered inside one of the declaring components?
    A URN's third ``::`` field is its type chain, parents first, ``$``-joined
    (``urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>``)."""
    parts = urn.split("::")
    if len(parts) < 4:
        return False
    return any(_declares(token) for token in parts[2].split("$"))


def stack_declares_keys(types: Iterable[str]) -> bool:
    """Does the stack register any of the declaring components?"""
    return any(_declares(token) for token in types)
