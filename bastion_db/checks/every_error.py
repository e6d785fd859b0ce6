"""Every configuration error of a run in one report, not one per run.

The checks stop at the first value they refuse (a ConfigError naming its key).
To find the others, the configuration is checked again with each refused key
read as unset, that is as its declared default, until it passes, a key is
refused a second time, or an error names nothing the caller can unset. So a
stack file with four mistakes is refused once, naming all four; an error that
only followed from another key's bad value does not appear, since that key
reads as its default the next time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bastion_db.checks.errors import ConfigError, ConfigErrors

T = TypeVar("T")


def check_every_error(
    check: Callable[[frozenset[str]], T], unsettable: Callable[[str], str | None]
) -> T:
    """``check(unset)``'s result once it passes with nothing unset; else every
    error found, as one ConfigError (a ConfigErrors when there are several).

    ``check`` reads the configuration with the keys in ``unset`` as unset;
    ``unsettable`` maps an error's key to the name ``check`` unsets, or None
    for a key that cannot be unset (the stack's name, say).
    """
    errors: list[ConfigError] = []
    unset: set[str] = set()
    while True:
        try:
            result = check(frozenset(unset))
        except ConfigError as error:
            name = unsettable(error.key)
            if name is not None and name in unset:
                # Unset and still refused (a key with no default): reported already.
                break
            errors.append(error)
            if name is None:
                break
            unset.add(name)
            continue
        if not errors:
            return result
        break
    raise errors[0] if len(errors) == 1 else ConfigErrors(errors)


# What a key with no default reads as once it was refused: the search for the
# other errors goes on with a value the checks accept (a run with any error
# registers nothing, so a stand-in is never deployed). By stack key; the
# package's arguments by their names (ARGUMENT_STAND_INS).
STAND_INS: dict[str, str] = {"vpcId": "vpc-0123456789abcdef0"}
