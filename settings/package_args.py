"""The stack's configuration as the package's arguments.

Every key Pulumi.yaml declares is the argument of the same name in snake case
(bastion_db.args), so the stack program hands BastionDatabase exactly what the
stack says, typed as Pulumi.yaml types it. The values were checked already,
through the same checks, with errors naming the stack keys.
"""

from __future__ import annotations

from typing import Any

from bastion_db.checks.arguments import argument_name
from bastion_db.checks.model import StackSettings
from settings.reader import ConfigReader
from settings.schema import ConfigSchema

# Keys the program resolves itself: the profile (from the stack name when
# unset) and the name's parts; handed over resolved, below.
_RESOLVED = {"profile", "projectName"}


def package_args(
    reader: ConfigReader, schema: ConfigSchema, checked: StackSettings
) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, declaration in schema.declarations.items():
        if key in _RESOLVED or declaration.type is None:
            continue
        kind = declaration.type.name
        value: Any
        if kind == "integer":
            value = reader.integer(key)
        elif kind == "boolean":
            value = reader.boolean(key)
        elif kind == "array":
            value = reader.string_list(key)
        else:
            value = reader.string(key)
        args[argument_name(key)] = value
    args.update(
        profile=checked.profile,
        project_name=checked.project,
        environment=checked.environment,
        region=checked.region,
    )
    return args
