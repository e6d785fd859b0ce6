"""Serves BastionDatabase to Pulumi programs in any language.

The engine starts this with ``uv run`` (PulumiPlugin.yaml); see bastion_db/provider.py.
"""

import sys

from pulumi.provider import main

from bastion_db.provider import bastion_db_provider

if __name__ == "__main__":
    main(bastion_db_provider(), sys.argv[1:])
