"""Writes ``docs/configuration.md``, the stack keys' reference, from ``Pulumi.yaml``.

``Pulumi.yaml``'s ``config:`` block is the one source of every key (its type,
default and description); this page is generated from it, with what the two
example stacks set, so the reference cannot drift from what the program reads.

    python -m settings.reference_doc            rewrite the page
    python -m settings.reference_doc --check    exit 1 when the page is stale
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from settings.schema import ConfigSchema, Declaration, project_schema

PAGE = Path("docs") / "configuration.md"
EXAMPLE_STACKS = ("dev", "prod")
# A section heading in Pulumi.yaml's config block: "  # --- where ------"
_SECTION = re.compile(r"^  # --- (?P<title>.+?) -+\s*$")
_KEY = re.compile(r"^  (?P<name>[A-Za-z][A-Za-z0-9]*):\s*$")

HEADER = """\
# Configuration keys

<!-- written by `python -m settings.reference_doc` from Pulumi.yaml; do not edit -->

Every key lives in the `{project}:` namespace of a `Pulumi.<stack>.yaml` file
(`pulumi config set <key> <value>`), and `aws:region` is required too.
`Pulumi.yaml` declares each one with its type, description and default, and
the program reads that block as its schema: before anything is registered it
refuses a value of the wrong type, a `{project}:` key that is not declared (naming
the key it most likely meant), and every value AWS or the product's guarantees
refuse, naming the key, the value and what is accepted. Defaults are the
hardened values; the `dev` column shows what the cheap example stack opts out of.
"""


def sections(project_file: Path) -> dict[str, str]:
    """Each declared key's section title, from the ``# --- title ---`` comments."""
    found: dict[str, str] = {}
    title = "general"
    in_config = False
    for line in project_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("config:"):
            in_config = True
            continue
        if in_config and line and not line.startswith(" "):
            break
        heading = _SECTION.match(line)
        if heading:
            title = heading["title"]
            continue
        key = _KEY.match(line)
        if in_config and key:
            found[key["name"]] = title
    return found


def stack_values(schema: ConfigSchema, stack: str) -> dict[str, object]:
    """What an example stack file sets in the project's namespace (short keys)."""
    path = schema.stack_file(stack)
    if not path.exists():
        return {}
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
    prefix = f"{schema.project}:"
    return {
        key.removeprefix(prefix): value for key, value in config.items() if key.startswith(prefix)
    }


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and "secure" in value:
        return "(secret)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else "[]"
    return str(value)


def _default(declaration: Declaration) -> str:
    if declaration.default_text is None:
        return "(required)"
    text = declaration.default_text
    return '""' if text == "" else text


def render(schema: ConfigSchema) -> str:
    titles = sections(schema.file)
    examples = {stack: stack_values(schema, stack) for stack in EXAMPLE_STACKS}
    out = [HEADER.format(project=schema.project)]
    current = None
    for name, declaration in schema.declarations.items():
        title = titles.get(name, "general")
        if title != current:
            current = title
            out.append(f"\n## {title[:1].upper()}{title[1:]}\n")
            out.append("| Key | Type | Default | dev | prod | Meaning |")
            out.append("|---|---|---|---|---|---|")
        stacks = [_cell(_shown(examples[stack].get(name))) for stack in EXAMPLE_STACKS]
        out.append(
            f"| `{name}` | {declaration.type or 'any'} | `{_cell(_default(declaration))}` | "
            f"{' | '.join(stacks)} | {_cell(declaration.description)} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    schema = project_schema()
    page = schema.file.parent / PAGE
    current = render(schema)
    if "--check" in argv:
        if not page.exists() or page.read_text(encoding="utf-8") != current:
            print(f"{PAGE} is stale: run `python -m settings.reference_doc`", file=sys.stderr)
            return 1
        return 0
    page.write_text(current, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
