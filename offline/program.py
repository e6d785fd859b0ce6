"""Loads a Pulumi project's ``__main__.py`` as a callable program."""

from __future__ import annotations

import ast
import importlib.util
import runpy
import sys
from collections.abc import Callable
from pathlib import Path


def load_program(project_dir: Path, module_name: str | None = None) -> Callable[[], None]:
    """The program of ``<project_dir>/__main__.py``, to be called inside a run.

    A program that defines ``main()`` (this repository's, the bootstrap's) is
    imported under ``module_name``, so its ``if __name__ == "__main__"`` block
    does not run, and its ``main`` is returned. Any other Python program (the
    usual shape: resources at the top level, as a `pulumi new` template makes)
    would register them on import, outside the run; it is only parsed here, and
    the returned callable runs the file as Pulumi's Python host does, as
    ``__main__`` (``runpy.run_path``). A syntax error shows when it is loaded.
    """
    project_dir = project_dir.resolve()
    main_file = project_dir / "__main__.py"
    # One module per project, so checking two projects in a process never mixes them.
    module_name = module_name or f"pulumi_program_{project_dir.name.replace('-', '_')}"
    if str(project_dir) not in sys.path:
        # Pulumi runs a program with its own folder importable; so do we.
        sys.path.insert(0, str(project_dir))
    if not _defines_main(main_file):
        return lambda: _run_as_main(main_file)
    spec = importlib.util.spec_from_file_location(module_name, main_file)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no __main__.py in {project_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main: Callable[[], None] = module.main
    return main


def _defines_main(main_file: Path) -> bool:
    tree = ast.parse(main_file.read_text(encoding="utf-8"), filename=str(main_file))
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def _run_as_main(main_file: Path) -> None:
    runpy.run_path(str(main_file), run_name="__main__")
