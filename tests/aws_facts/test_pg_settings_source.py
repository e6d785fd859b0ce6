"""The PostgreSQL settings extract is exactly what the pinned pg-configurator gives,
and a change in that package's data is reported, not raised."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from bastion_db import aws_facts
from bastion_db.aws_facts import pg_settings, refresh

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_extract_is_what_the_pinned_pg_configurator_gives() -> None:
    text = (PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'^\s*"pg-configurator==(\S+)",$', text, re.MULTILINE)
    assert pin, 'pyproject.toml must pin pg-configurator ("pg-configurator==X.Y.Z")'
    assert version("pg-configurator") == pin[1], "run: bash scripts/setup.sh --dev"
    assert aws_facts.postgres_settings_source() == f"pg-configurator {pin[1]}"
    rebuilt = refresh.render(
        pg_settings.build_pg_settings_extract(aws_facts.major_versions("postgres"))
    )
    assert pg_settings.PG_SETTINGS_PATH.read_text(encoding="utf-8") == rebuilt, (
        f"pg_settings_extract.json is stale; run: {refresh.REFRESH_COMMAND}"
    )


def test_every_offered_postgres_major_has_its_settings() -> None:
    for major in aws_facts.major_versions("postgres"):
        settings = aws_facts.postgres_settings(major)
        assert settings is not None, major
        # Two the product relies on: max_connections is static on RDS, ssl dynamic
        # (Appendix.PostgreSQL.CommonDBATasks.Parameters.html).
        assert settings["max_connections"] == "postmaster"
        assert settings["ssl"] != "postmaster"
    assert aws_facts.postgres_settings("9.5") is None


def test_a_stale_settings_extract_names_the_refresh_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "pg_settings_extract.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(pg_settings, "PG_SETTINGS_PATH", stale)
    assert refresh.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "pg-configurator" in err and refresh.REFRESH_COMMAND in err


def test_a_snapshot_without_its_columns_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pg_settings_history"
    folder.mkdir()
    for major in aws_facts.major_versions("postgres"):
        (folder / f"settings_pg_{major}.csv").write_text("setting,kind\nssl,sighup\n")
    monkeypatch.setattr(pg_settings, "_settings_dir", lambda: (folder, "9.9.9"))
    assert refresh.main(["--check"]) == 2
    err = capsys.readouterr().err
    assert "review bastion_db/aws_facts/pg_settings.py" in err and "Traceback" not in err
