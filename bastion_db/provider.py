"""The component provider that serves BastionDatabase to any language.

Built on the SDK's ``pulumi.provider.experimental.component.ComponentProvider``
(marked experimental by the SDK; pulumi is pinned): its analyzer reads the
component's annotated arguments and outputs into a schema, with tokens
``bastion-db:index:<Class>``. The analyzer has no way to mark an output
secret, so the schema it builds is amended here for the outputs this package
always makes secret; the values themselves are secret Outputs at runtime.
``component_provider_host`` builds the provider the same way but cannot take
this amendment, so provider/__main__.py serves it with ``pulumi.provider.main``.
"""

import json

from pulumi.provider.experimental.component import ComponentProvider

from bastion_db import __version__
from bastion_db.bastion_database import BastionDatabase

PACKAGE = "bastion-db"
# Outputs made with pulumi.Output.secret (bastion_db/outputs.py, database.py, ssh_key.py).
SECRET_OUTPUTS = {"BastionDatabase": ("dbMasterPassword", "dbConnectionUri", "sshPrivateKey")}


def bastion_db_provider() -> ComponentProvider:
    provider = ComponentProvider([BastionDatabase], PACKAGE, version=__version__)
    schema = json.loads(provider.schema or "{}")
    for component, outputs in SECRET_OUTPUTS.items():
        properties = schema["resources"][f"{PACKAGE}:index:{component}"]["properties"]
        for output in outputs:
            properties[output]["secret"] = True
    provider.schema = json.dumps(schema)
    return provider
