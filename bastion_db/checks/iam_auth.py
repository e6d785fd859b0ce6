"""The database user people and applications sign in as with IAM database
authentication, instead of sharing the master password.

The name is part of the IAM resource ``rds-db:connect`` is granted on
(``arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<db-user-name>``:
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html),
and "the user name used for IAM authentication must match the case of the user
name in the database" (UsingWithRDS.IAMDBAuth.DBAccounts.html). PostgreSQL
folds unquoted names to lower case, so the rule is lower-case letters, digits
and underscores, a letter first: the documented ``CREATE USER`` needs no
quoting and creates exactly the name in the policy. The longest name is the
engine's: PostgreSQL identifiers have at most 63 bytes (NAMEDATALEN - 1,
https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS),
MySQL user names at most 32 characters
(https://dev.mysql.com/doc/refman/8.4/en/user-names.html).
"""

from __future__ import annotations

import re

from bastion_db.checks.engines import EngineSpec
from bastion_db.checks.errors import ConfigError
from bastion_db.checks.reader import ConfigReader
from bastion_db.checks.reserved_names import is_reserved_username

# Pulumi.yaml declares dbIamUsername blank: this is the name a blank means.
DEFAULT_IAM_USERNAME = "app_iam"
IAM_USERNAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_IAM_USERNAME_LENGTH = {"postgres": 63, "mysql": 32}


def parse_iam_username(
    reader: ConfigReader, engine: EngineSpec, master_username: str, enabled: bool
) -> str | None:
    """The IAM-authenticated user's name, or None when IAM authentication is off."""
    key = reader.full_key("dbIamUsername")
    configured = reader.string("dbIamUsername")
    if not enabled:
        if configured is not None:
            raise ConfigError(
                key,
                configured,
                f"no value while {reader.full_key('dbIamAuthentication')} is false",
            )
        return None
    name = configured or DEFAULT_IAM_USERNAME
    longest = MAX_IAM_USERNAME_LENGTH[engine.name]
    if not IAM_USERNAME.fullmatch(name) or len(name) > longest:
        raise ConfigError(
            key,
            name,
            f"lower-case letters, digits or _, a letter first, at most {longest} for "
            f"{engine.name} (the name in the IAM policy must match the database's exactly)",
        )
    if is_reserved_username(engine.name, name):
        raise ConfigError(key, name, f"a name {engine.name} and RDS do not reserve")
    if name == master_username.lower():
        # "If the rds_iam role is added to the master user, IAM authentication
        # takes precedence over password authentication so the master user has
        # to log in as an IAM user" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/database-authentication.html):
        # the master user would lose the way in that does not depend on IAM.
        raise ConfigError(
            key, name, f"a user other than the master user ({master_username}), e.g. app_iam"
        )
    return name
