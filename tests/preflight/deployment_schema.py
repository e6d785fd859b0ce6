"""The shape of a ``pulumi stack export`` file (deployment version 3), written
from pulumi/pulumi's published JSON schemas (sdk/go/common/apitype:
deployments.json, resources.json, property-values.json)."""

from __future__ import annotations

from typing import Any

SIG = "4dabf18193072939515e22adb298388d"
URN: dict[str, Any] = {"type": "string"}

PROPERTY_VALUE: dict[str, Any] = {
    "$id": "property-value",
    "oneOf": [
        {
            "type": ["null", "boolean", "number", "string"],
            "not": {"const": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},
        },
        {"const": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},
        {"type": "array", "items": {"$ref": "property-value"}},
        {
            "type": "object",
            "additionalProperties": {"$ref": "property-value"},
            "properties": {SIG: False},
        },
        {
            # A secret: the signature plus either ciphertext or plaintext, never both.
            "type": "object",
            "properties": {SIG: {"const": "1b47061264138c4ac30d75fd1eb44270"}},
            "required": [SIG],
            "oneOf": [
                {
                    "properties": {"ciphertext": {"type": "string"}, "plaintext": False},
                    "required": ["ciphertext"],
                },
                {
                    "properties": {"plaintext": {"type": "string"}, "ciphertext": False},
                    "required": ["plaintext"],
                },
            ],
        },
        {
            "type": "object",
            "properties": {SIG: {"const": "5cf8f73096256a8f31e491e813e4eb8e"}, "urn": URN},
            "required": [SIG, "urn"],
        },
    ],
}

RESOURCE_V3: dict[str, Any] = {
    "type": "object",
    "properties": {
        "urn": URN,
        "custom": {"type": "boolean"},
        "delete": {"type": "boolean"},
        "id": {"type": "string"},
        "type": {"type": "string"},
        "inputs": {"type": "object", "additionalProperties": PROPERTY_VALUE},
        "outputs": {"type": "object", "additionalProperties": PROPERTY_VALUE},
        "parent": URN,
        "protect": {"type": "boolean"},
        "external": {"type": "boolean"},
        "dependencies": {"type": "array", "items": URN},
        "initErrors": {"type": "array", "items": {"type": "string"}},
        "provider": {"type": "string"},
        "propertyDependencies": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": URN},
        },
        "pendingReplacement": {"type": "boolean"},
        "additionalSecretOutputs": {"type": "array", "items": {"type": "string"}},
        "aliases": {"type": "array", "items": URN},
        "customTimeouts": {"type": "object"},
        "importID": {"type": "string"},
    },
    "required": ["urn"],
    "additionalProperties": False,
}

DEPLOYMENT_V3: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "version": {"const": 3},
        "deployment": {
            "type": "object",
            "properties": {
                "manifest": {
                    "type": "object",
                    "properties": {
                        "time": {"type": "string", "format": "date-time"},
                        "magic": {"type": "string"},
                        "version": {"type": "string"},
                        "plugins": {"type": "array"},
                    },
                    "required": ["time", "magic", "version"],
                    "additionalProperties": False,
                },
                "secrets_providers": {
                    "type": "object",
                    "properties": {"type": {"type": "string"}, "state": {}},
                    "required": ["type"],
                    "additionalProperties": False,
                },
                "resources": {"type": "array", "items": RESOURCE_V3},
                "pending_operations": {"type": "array"},
            },
            "required": ["manifest"],
            "additionalProperties": False,
        },
    },
    "required": ["version", "deployment"],
    "additionalProperties": False,
}
