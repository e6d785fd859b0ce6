"""What one registered resource looked like, as the engine would have seen it.

This is the hand-off between the offline run of the program and everything
that inspects it afterwards (the tests, the plan printer, the policy pack's
analyzer client and the `pulumi stack export`-style file), so every one of
them reads the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResourceSnapshot:
    """One resource registration, with its inputs and its (mocked) outputs.

    Property names are the engine's camelCase wire names (``publiclyAccessible``,
    not ``publicly_accessible``). Secret values are wrapped as
    :class:`SecretValue` so nobody can mistake them for plain ones.
    """

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    # property name -> URNs of the resources that property's value came from
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    provider: str | None = None
    protect: bool = False
    # input property names later changes to which the engine keeps from state
    ignore_changes: tuple[str, ...] = ()
    # the program's deleteBeforeReplace option; None leaves the choice to the provider
    delete_before_replace: bool | None = None
    # the program's retainOnDelete option: deleting the resource leaves it in AWS
    retain_on_delete: bool = False
    id: str | None = None
    # output property names the program asked the engine to treat as secret
    additional_secret_outputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecretValue:
    """A value the program marked secret; ``repr`` never shows it."""

    value: Any

    def __repr__(self) -> str:
        return "SecretValue([secret])"


@dataclass(frozen=True)
class UnknownValue:
    """A value that is only known after a real deployment (a preview's ``<computed>``)."""

    def __repr__(self) -> str:
        return "UnknownValue()"


UNKNOWN = UnknownValue()
