"""The tags AWS will put on a resource: the provider's default tags, then its own."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .unknowns import UNKNOWN, Unknown


def provider_default_tags(provider_props: Mapping[str, Any] | None) -> dict[str, Any] | Unknown:
    """``defaultTags.tags`` of an AWS provider; the engine keeps a provider's
    object-valued inputs as JSON text, mocks may keep them as objects."""
    if not provider_props:
        return {}
    default_tags = provider_props.get("defaultTags")
    if default_tags is None:
        return {}
    if default_tags is UNKNOWN:
        return UNKNOWN
    if isinstance(default_tags, str):
        try:
            default_tags = json.loads(default_tags)
        except ValueError:
            return {}
    if not isinstance(default_tags, dict):
        return {}
    tags = default_tags.get("tags")
    if tags is UNKNOWN:
        return UNKNOWN
    return dict(tags) if isinstance(tags, dict) else {}


def effective_tags(
    props: Mapping[str, Any], provider_props: Mapping[str, Any] | None
) -> dict[str, Any] | Unknown:
    """The provider's default tags overridden by the resource's own, plus
    ``tagsAll`` when the outputs have it."""
    defaults = provider_default_tags(provider_props)
    own = props.get("tags")
    tags_all = props.get("tagsAll")
    if own is UNKNOWN or isinstance(defaults, Unknown):
        if isinstance(tags_all, dict):
            return dict(tags_all)
        return UNKNOWN
    merged: dict[str, Any] = dict(defaults)
    if isinstance(own, dict):
        merged.update(own)
    if isinstance(tags_all, dict):
        merged.update(tags_all)
    return merged
