"""bastion_db: a bastion host and a private RDS database in an existing VPC.

``BastionDatabase`` builds the whole product from a VPC id; the pieces it is
made of are usable alone (docs/package.md). Each takes plain typed arguments.

The names below load on first use: the policy pack and the preflight import
``bastion_db.aws_facts`` and the checks without paying for pulumi_aws.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bastion_db.args import BastionDatabaseArgs
    from bastion_db.bastion_database import BastionDatabase
    from bastion_db.checks.errors import ConfigError

__version__ = "2.0.0"

_EXPORTS = {
    "BastionDatabase": "bastion_db.bastion_database",
    "BastionDatabaseArgs": "bastion_db.args",
    "ConfigError": "bastion_db.checks.errors",
}

__all__ = ["BastionDatabase", "BastionDatabaseArgs", "ConfigError", "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        # Lets `from bastion_db import aws_facts` fall through to the submodule.
        raise AttributeError(f"module 'bastion_db' has no attribute {name!r}")
    return getattr(import_module(module), name)
