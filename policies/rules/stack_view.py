"""The whole stack as the stack rules need it.

Resources by URN and type, their properties made plain on first read, and
references (a rule to its group, a database to its subnet group...) followed
by their known values (ids and names), with the property dependencies standing
in for values still unknown at preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pulumi_policy import PolicyResource

from .effective_tags import effective_tags
from .permissions import Permission, permissions_of
from .resource_types import EC2_INSTANCE, NETWORK_COMPONENT, SECURITY_GROUP
from .unknowns import UNKNOWN, PlainProps, Unknown, as_list


class Node:
    """One resource of the stack. Its properties are converted only when a
    rule reads them, and what only a few rules read (the provider's
    properties, the resource options) only when one does: every stack rule
    builds a view of every resource, and most look at a few types."""

    def __init__(self, resource: PolicyResource) -> None:
        self._resource = resource
        self.urn: str = resource.urn
        self.type: str = resource.resource_type
        self.name: str = resource.name
        self.props = PlainProps(resource.props)
        self.parent: Node | None = None

    @cached_property
    def provider_props(self) -> PlainProps:
        provider = self._resource.provider
        return PlainProps(provider.props if provider is not None else None)

    @cached_property
    def ignore_changes(self) -> frozenset[str]:
        """Input properties the engine keeps from state on updates (resource option)."""
        opts = self._resource.opts
        return frozenset(opts.ignore_changes if opts is not None else ())

    @cached_property
    def property_dependencies(self) -> dict[str, list[str]]:
        """Property name -> URNs of the resources its value came from."""
        return {
            key: [dep.urn for dep in deps]
            for key, deps in self._resource.property_dependencies.items()
        }

    def tags(self) -> dict[str, Any] | Unknown:
        return effective_tags(self.props, self.provider_props)

    def ancestors(self) -> Iterable[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(frozen=True)
class Resolution:
    """What a reference-valued property (a group id, a subnet group name...) points at."""

    nodes: tuple[Node, ...]
    # Known values that match no resource of the stack (an existing, external thing)
    external: tuple[str, ...]
    # Some element is unknown and no property dependency tells where it comes from
    unresolved: bool


def _known_keys(node: Node, keys: Sequence[str]) -> bool:
    """Does ``node`` show a known value for any of ``keys``?"""
    return any(node.props.get(key) not in (None, "", UNKNOWN) for key in keys)


class StackView:
    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.nodes: list[Node] = [Node(resource) for resource in resources]
        self.by_urn: dict[str, Node] = {node.urn: node for node in self.nodes}
        for resource, node in zip(resources, self.nodes, strict=True):
            if resource.parent is not None:
                node.parent = self.by_urn.get(resource.parent.urn)
        self._position = {node.urn: index for index, node in enumerate(self.nodes)}
        self._by_type: dict[str, list[Node]] = {}
        for node in self.nodes:
            self._by_type.setdefault(node.type, []).append(node)
        # (types, property) -> value -> nodes, built on first use; keeps
        # reference lookups linear in the stack's size, not quadratic
        self._by_value: dict[tuple[tuple[str, ...], str], dict[Any, list[Node]]] = {}

    def of_type(self, *types: str) -> list[Node]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [node for node in self.nodes if node.type in types]

    def _with_value(self, types: tuple[str, ...], key: str, value: Any) -> list[Node]:
        index = self._by_value.get((types, key))
        if index is None:
            index = {}
            for node in self.of_type(*types):
                found = node.props.get(key)
                try:
                    index.setdefault(found, []).append(node)
                except TypeError:  # an unhashable value (a list, a map) names no resource
                    continue
            self._by_value[(types, key)] = index
        try:
            return index.get(value, [])
        except TypeError:
            return []

    def resolve(
        self,
        node: Node,
        prop: str,
        target_types: Sequence[str],
        match_keys: Sequence[str] = ("id",),
    ) -> Resolution:
        """What ``node.prop`` names. A known value decides by itself, matched
        against ``match_keys`` of the target resources; the property
        dependency stands in only for an element still unknown at preview
        (an id being created). A known value that names no resource of the
        stack is external even when a dependency was recorded: the program
        may have read another resource and passed something else. Only a
        dependency whose own id and name are not known either stands in for
        a known value, since nothing can be compared."""
        value = node.props.get(prop)
        items = as_list(value)
        via_dependencies = tuple(
            self.by_urn[urn]
            for urn in node.property_dependencies.get(prop, [])
            if urn in self.by_urn and self.by_urn[urn].type in target_types
        )
        if items is UNKNOWN:
            return Resolution(via_dependencies, (), not via_dependencies)
        matched: list[Node] = []
        external: list[str] = []
        unresolved = False
        types = tuple(target_types)
        for item in items:  # type: ignore[union-attr]
            if item is None or item == "":
                continue
            if item is UNKNOWN:
                matched.extend(n for n in via_dependencies if n not in matched)
                unresolved = unresolved or not via_dependencies
                continue
            hits: list[Node] = []
            for key in match_keys:
                hits.extend(n for n in self._with_value(types, key, item) if n not in hits)
            hits.sort(key=lambda hit: self._position[hit.urn])
            # A dependency whose own id and name are not known either (not yet
            # read back) cannot be compared: it still stands in.
            hits = hits or [n for n in via_dependencies if not _known_keys(n, match_keys)]
            if hits:
                matched.extend(h for h in hits if h not in matched)
            else:
                external.append(str(item))
        return Resolution(tuple(matched), tuple(external), unresolved)

    def group_of(self, permission: Permission) -> Resolution:
        """The security group(s) a permission is attached to."""
        if permission.inline_group_urn is not None:
            return Resolution((self.by_urn[permission.inline_group_urn],), (), False)
        origin = self.by_urn[permission.origin_urn]
        return self.resolve(origin, "securityGroupId", (SECURITY_GROUP,))

    def source_groups_of(self, permission: Permission) -> Resolution:
        """The peer security group(s) a permission admits traffic from."""
        if not permission.source_groups:
            return Resolution((), (), False)
        if permission.source_group_property is None:
            # Inline ``securityGroups`` carry no property dependency of their
            # own; the block's (``ingress``/``egress``) names every resource its
            # rules took values from. An unknown peer is one of those when they
            # are all security groups: judged as all of them.
            nodes: list[Node] = []
            external: list[str] = []
            unresolved = False
            for value in permission.source_groups:
                if value is UNKNOWN:
                    candidates = self._inline_peers(permission)
                    nodes.extend(n for n in candidates if n not in nodes)
                    unresolved = unresolved or not candidates
                    continue
                hits = [
                    n
                    for n in self.of_type(SECURITY_GROUP)
                    if value in (n.props.get("id"), n.props.get("name"))
                ]
                nodes.extend(hits)
                if not hits:
                    external.append(str(value))
            return Resolution(tuple(nodes), tuple(external), unresolved)
        origin = self.by_urn[permission.origin_urn]
        return self.resolve(origin, permission.source_group_property, (SECURITY_GROUP,))

    def _inline_peers(self, permission: Permission) -> tuple[Node, ...]:
        group = self.by_urn[permission.origin_urn]
        urns = group.property_dependencies.get(permission.direction, [])
        found = tuple(self.by_urn[urn] for urn in urns if urn in self.by_urn)
        if not found or any(node.type != SECURITY_GROUP for node in found):
            return ()
        return found

    def permissions(self, direction: str | None = None) -> list[Permission]:
        found: list[Permission] = []
        for node in self.nodes:
            for permission in permissions_of(node.type, node.urn, node.name, node.props):
                if direction is None or permission.direction == direction:
                    found.append(permission)
        return found

    def private_subnets(self) -> tuple[set[str], bool]:
        """Private subnet ids the program looked up, and whether they are all known."""
        found: set[str] = set()
        complete = True
        networks = self.of_type(NETWORK_COMPONENT)
        if not networks:
            return found, False
        for network in networks:
            ids = as_list(network.props.get("privateSubnetIds"))
            if ids is UNKNOWN:
                complete = False
                continue
            for subnet_id in ids:  # type: ignore[union-attr]
                if subnet_id is UNKNOWN:
                    complete = False
                elif isinstance(subnet_id, str):
                    found.add(subnet_id)
        return found, complete


def is_bastion(node: Node, tag_key: str, tag_value: str) -> bool | Unknown:
    tags = node.tags()
    if tags is UNKNOWN:
        return UNKNOWN
    value = tags.get(tag_key)  # type: ignore[union-attr]
    if value is UNKNOWN:
        return UNKNOWN
    return value == tag_value


@dataclass(frozen=True)
class BastionGroups:
    """The security groups attached to the instances tagged as bastions."""

    nodes: tuple[Node, ...]
    external_ids: tuple[str, ...]

    def contains(self, resolution: Resolution) -> bool:
        """Do the resolved groups all belong to the bastion?"""
        if resolution.unresolved or (not resolution.nodes and not resolution.external):
            return False
        return all(node in self.nodes for node in resolution.nodes) and all(
            value in self.external_ids for value in resolution.external
        )


def bastion_groups(view: StackView, tag_key: str, tag_value: str) -> BastionGroups:
    nodes: list[Node] = []
    external: list[str] = []
    for instance in view.of_type(EC2_INSTANCE):
        if is_bastion(instance, tag_key, tag_value) is not True:
            continue
        resolution = view.resolve(instance, "vpcSecurityGroupIds", (SECURITY_GROUP,))
        nodes.extend(n for n in resolution.nodes if n not in nodes)
        external.extend(resolution.external)
    return BastionGroups(tuple(nodes), tuple(external))
