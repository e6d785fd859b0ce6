"""The README stays a door, and the reference pages stay true to their sources."""

from __future__ import annotations

import re
from pathlib import Path

from settings import reference_doc
from settings.schema import project_schema

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
# A newcomer reads the door in minutes: the deploy path on its first screens.
README_MAX_LINES = 300
FIRST_UP_WITHIN = 80
_LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def test_configuration_reference_is_generated_from_pulumi_yaml() -> None:
    page = REPO / reference_doc.PAGE
    assert page.read_text(encoding="utf-8") == reference_doc.render(project_schema()), (
        "docs/configuration.md is stale: run `python -m settings.reference_doc`"
    )


def test_configuration_reference_lists_every_declared_key() -> None:
    rendered = reference_doc.render(project_schema())
    for name in project_schema().declarations:
        assert f"| `{name}` |" in rendered


def test_reference_check_fails_on_a_stale_page(tmp_path: Path, monkeypatch) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# Configuration keys\n\nold\n", encoding="utf-8")
    # An absolute PAGE replaces the repository's own page (Path / absolute = absolute).
    monkeypatch.setattr(reference_doc, "PAGE", stale)
    assert reference_doc.main(["--check"]) == 1
    assert stale.read_text(encoding="utf-8").endswith("old\n")


def test_readme_is_short_and_deploys_early() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES
    first_up = next(n for n, line in enumerate(lines, 1) if "pulumi up" in line and "`" not in line)
    assert first_up <= FIRST_UP_WITHIN


def test_every_page_the_readme_and_docs_link_exists() -> None:
    for page in [README, *sorted((REPO / "docs").glob("*.md"))]:
        for match in _LINK.finditer(page.read_text(encoding="utf-8")):
            target = match["target"]
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links {target}, which is missing"
