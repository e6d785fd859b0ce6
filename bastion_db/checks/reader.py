"""What the checks read settings through: the stack program's
``settings.ConfigReader`` or the package's ``ArgumentsReader``."""

from typing import Any, Protocol


class ConfigReader(Protocol):
    """Typed values by stack key, and the name an error shows for a key."""

    def full_key(self, key: str) -> str: ...

    def string(self, key: str, default: Any = ...) -> str | None: ...

    def required_string(self, key: str, accepted: str) -> str: ...

    def integer(self, key: str, default: Any = ...) -> int | None: ...

    def boolean(self, key: str, default: Any = ...) -> bool: ...

    def string_list(self, key: str, default: Any = ...) -> list[str]: ...
