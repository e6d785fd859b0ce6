"""The suite's schedule names real modules: a renamed long module would
silently drop back to the end of the run."""

from __future__ import annotations

from tests.conftest import LONG_MODULES, PROJECT_DIR


def test_every_long_module_named_for_the_schedule_exists() -> None:
    missing = [module for module in LONG_MODULES if not (PROJECT_DIR / module).is_file()]
    assert missing == []
