"""A bastion host and a private database in an existing VPC: the stack program.

It is one consumer of the package bastion_db: it reads the stack's
configuration (Pulumi.yaml is its schema; a bad key is refused, by name, before
anything is registered), creates one BastionDatabase, and exports what it
gives. Pulumi runs this file as ``__main__``; tests call :func:`main` directly.
"""

from __future__ import annotations

import pulumi

import settings
from bastion_db.aws_provider import tagged_aws_provider
from bastion_db.bastion_database import BastionDatabase
from bastion_db.checks.arguments import argument_name


def main() -> None:
    config, args = settings.from_pulumi()
    product = BastionDatabase(
        "bastion-db",
        args,  # type: ignore[arg-type]  # built from Pulumi.yaml's keys, checked above
        pulumi.ResourceOptions(
            providers=[tagged_aws_provider(config.region, config.project, config.environment)]
        ),
        # Stacks made before the package keep every resource (aliases).
        keep_stack_program_urns=True,
        # Warnings name the stack keys a stack's user edits.
        setting_name=config.monitoring.setting_name,
    )
    pulumi.export("project", config.project)
    pulumi.export("environment", config.environment)
    # Derived from the stack name unless set: shown, so two stacks whose names
    # make the same prefix (lab.v2, lab-v2) are noticed before they collide.
    pulumi.export("namePrefix", config.name_prefix)
    for output in product.output_names:
        pulumi.export(output, getattr(product, argument_name(output)))


if __name__ == "__main__":
    main()
