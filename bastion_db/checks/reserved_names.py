"""Names RDS refuses as a master user or initial database name, per engine.

CreateDBInstance says only "can't be a reserved word for the chosen database
engine" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
What that means in practice:

- PostgreSQL: its reserved key words (PostgreSQL documentation, Appendix C
  "SQL Key Words", the words marked reserved; a test holds this list equal to
  the PostgreSQL parser's own list as pglast ships it), role names starting
  with ``pg_`` (reserved by PostgreSQL for its predefined roles), the roles RDS
  creates itself (``rdsadmin``, ``rds_superuser``, ``rds_replication``,
  ``rds_password``, ``rds_iam``, ``rds_ad``, ...: "Understanding PostgreSQL
  roles and permissions" in the RDS User Guide), and ``admin``, which RDS
  refuses for PostgreSQL with "reserved word used by the engine" (verified
  against CloudFormation deployments in cfn-lint pull request 4425).
- MySQL: the accounts RDS keeps (``rdsadmin``, ``rdsrepladmin``, the
  ``rds_superuser_role`` role of 8.0 and later). MySQL quotes account names
  ('user'@'%'), so its SQL key words are not refused there.
"""

from __future__ import annotations

POSTGRES_RESERVED_KEYWORDS = frozenset(
    (
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
        "both", "case", "cast", "check", "collate", "column", "constraint", "create",
        "current_catalog", "current_date", "current_role", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct",
        "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant",
        "group", "having", "in", "initially", "intersect", "into", "lateral", "leading",
        "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or",
        "order", "placing", "primary", "references", "returning", "select", "session_user",
        "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true",
        "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
    )
)  # fmt: skip

_RDS_NAMES = {
    "postgres": frozenset(
        {
            "admin",
            "rdsadmin",
            "rdsrepladmin",
            "rdstopmgr",
            "rds_superuser",
            "rds_replication",
            "rds_password",
            "rds_iam",
            "rds_ad",
            "rds_extension",
        }
    ),
    "mysql": frozenset({"rdsadmin", "rdsrepladmin", "rds_superuser_role"}),
}
_RESERVED_PREFIXES = {"postgres": ("pg_",), "mysql": ()}
_RESERVED_WORDS = {"postgres": POSTGRES_RESERVED_KEYWORDS, "mysql": frozenset[str]()}


def rds_reserved_usernames(engine: str) -> frozenset[str]:
    """The names RDS itself keeps on this engine."""
    return _RDS_NAMES[engine]


def reserved_words(engine: str) -> frozenset[str]:
    """The engine's SQL key words that cannot name a user or a database."""
    return _RESERVED_WORDS[engine]


def is_reserved_username(engine: str, name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in _RDS_NAMES[engine]
        or lowered in _RESERVED_WORDS[engine]
        or lowered.startswith(_RESERVED_PREFIXES[engine])
    )
