"""YAML read the way the Pulumi CLI reads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``.

A stack value that is a scalar reaches the program as its text, unchanged
(``True`` stays ``"True"``, ``007`` stays ``"007"``): the CLI decodes it into a
string first and only falls back to an object, kept as JSON text, for lists
and mappings (``sdk/go/common/resource/config/value.go``, ``unmarshalValue``,
in pulumi/pulumi). PyYAML's ``safe_load`` would instead turn ``yes`` into
``true``, ``0x10`` into ``16`` and a date into an object JSON cannot hold. So
these helpers read PyYAML's node tree, which keeps each scalar's text and
whether it was plain or quoted, and type the plain scalars inside lists and
mappings (and ``Pulumi.yaml``'s defaults) the way Go's ``gopkg.in/yaml.v2``
does, the library behind the CLI's ``encoding.YAML`` marshaler
(``sdk/go/common/encoding/marshal.go``): YAML 1.1 booleans including ``y`` and
``n``, integers as Go's ``strconv.ParseInt`` reads them once underscores are
dropped, then YAML-style floats.

Known difference: an unquoted date (``2024-01-31``) stays its text here, where
the CLI makes it a timestamp and prints it back in RFC 3339 form; both are
strings to a program.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, ClassVar

import yaml

# Every plain (unquoted, untagged) scalar gets this tag, so it can be told from
# a quoted one or one with an explicit tag (`!!str 5`).
PLAIN = "!plain"
_STR = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLEANS = {
    **dict.fromkeys(
        ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True
    ),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False
    ),
}
# yaml.v2 drops underscores, then tries Go's strconv.ParseInt with base 0
# (0x, 0o, 0b prefixes; a leading 0 means octal), then its float pattern.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **{
        f"{sign}{inf}": (-math.inf if sign == "-" else math.inf)
        for sign in ("", "+", "-")
        for inf in (".inf", ".Inf", ".INF")
    },
    **{nan: math.nan for nan in (".nan", ".NaN", ".NAN")},
}

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NodeLoader(_BaseLoader):
    """Composes nodes only, tagging every plain scalar PLAIN instead of guessing its type."""

    # Its own table, not a copy of SafeLoader's: PLAIN is the only implicit tag.
    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {}


_NodeLoader.add_implicit_resolver(PLAIN, re.compile(r".*", re.DOTALL), None)


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (None for an empty document); raises yaml.YAMLError."""
    node: yaml.Node | None = yaml.compose(text, Loader=_NodeLoader)
    return node


def plain_scalar(text: str) -> Any:
    """What yaml.v2 makes of an unquoted scalar: None, a bool, an int, a float or the text."""
    if text in _NULLS:
        return None
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    digits = text.replace("_", "")
    if _GO_INT.fullmatch(digits):
        return _go_int(digits)
    if _YAML_FLOAT.fullmatch(digits):
        return float(digits)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    return text


def _go_int(digits: str) -> int:
    sign = -1 if digits.startswith("-") else 1
    body = digits.lstrip("+-")
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return sign * int(body[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    if len(body) > 1 and body.startswith("0"):
        return sign * int(body, 8)
    return sign * int(body)


def is_secure(node: yaml.Node) -> bool:
    """A ``{secure: <ciphertext>}`` mapping, the CLI's form of an encrypted value."""
    return (
        isinstance(node, yaml.MappingNode)
        and len(node.value) == 1
        and isinstance(node.value[0][0], yaml.ScalarNode)
        and node.value[0][0].value == "secure"
        and isinstance(node.value[0][1], yaml.ScalarNode)
    )


def to_value(node: yaml.Node, on_secure: Callable[[], Any] | None = None) -> Any:
    """The JSON-shaped value the CLI sees for ``node``.

    ``on_secure`` supplies what stands for an encrypted ``{secure: …}`` value
    (kept as that mapping when it is None).
    """
    return _to_value(node, on_secure, set())


def _to_value(node: yaml.Node, on_secure: Callable[[], Any] | None, within: set[int]) -> Any:
    if on_secure is not None and is_secure(node):
        return on_secure()
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        # `&a [*a]`: YAML anchors can make a list that holds itself; JSON
        # cannot. Found by the nodes being read (not by recursing until
        # Python's stack runs out, which also breaks whatever else happens to
        # run at that depth, such as finalizers).
        if id(node) in within:
            raise UnreadableValue("a value refers to itself through an anchor (&) and alias (*)")
        within.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [_to_value(item, on_secure, within) for item in node.value]
            return {
                scalar_text(key): _to_value(value, on_secure, within) for key, value in node.value
            }
        finally:
            within.discard(id(node))
    if node.tag == PLAIN:
        return plain_scalar(node.value)
    if node.tag == _NULL_TAG:
        return None
    if node.tag != _STR and node.tag.startswith("tag:yaml.org,2002:"):
        # An explicit core tag (`!!int 5`): typed as that scalar would be.
        typed = plain_scalar(node.value)
        return node.value if isinstance(typed, str) else typed
    return node.value


class UnreadableValue(ValueError):
    """What no Pulumi file can hold: a list or mapping as a key, a value containing itself."""


def scalar_text(node: yaml.Node) -> str:
    """A mapping key's text (keys are strings in every Pulumi file)."""
    if not isinstance(node, yaml.ScalarNode):
        raise UnreadableValue("a list or mapping is used as a key; keys are plain names")
    return str(node.value)


def engine_text(node: yaml.Node, on_secure: Callable[[], Any] | None = None) -> str:
    """The string the engine hands the program for a stack value written as ``node``.

    A scalar is its own text (a null one is empty); a list or mapping is JSON,
    compact and with sorted keys as Go's encoding/json writes it.
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag in (PLAIN, _NULL_TAG) and node.value in _NULLS:
            return ""
        return str(node.value)
    return json_text(to_value(node, on_secure))


def json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def default_text(value: Any) -> str:
    """The string the CLI hands the program for a ``Pulumi.yaml`` default or value.

    Scalars are printed as Go's ``fmt.Sprintf("%v")`` prints them (``true``,
    ``8``), lists and mappings as JSON (workspace/config.go, createConfigValue).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (str, int)):
        return str(value)
    return json_text(value)
