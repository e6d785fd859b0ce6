"""Loads a Pulumi project's ``__main__.py`` as a callable program."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path


def load_program(project_dir: Path, module_name: str | None = None) -> Callable[[], None]:
    """Imports ``<project_dir>/__main__.py`` under ``module_name`` (so its
    ``if __name__ == "__main__"`` block does not run) and returns its ``main``."""
    project_dir = project_dir.resolve()
    # One module per project, so checking two projects in a process never mixes them.
    module_name = module_name or f"pulumi_program_{project_dir.name.replace('-', '_')}"
    if str(project_dir) not in sys.path:
        # Pulumi runs a program with its own folder importable; so do we.
        sys.path.insert(0, str(project_dir))
    spec = importlib.util.spec_from_file_location(module_name, project_dir / "__main__.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no __main__.py in {project_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main: Callable[[], None] = module.main
    return main
