"""The facts the checks rely on, read through the public API, on the real extract."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bastion_db import aws_facts
from bastion_db.aws_facts.versions import ENGINES

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_postgres_18_and_mysql_8_4_are_offered() -> None:
    assert "18" in aws_facts.major_versions("postgres")
    assert "8.4" in aws_facts.major_versions("mysql")
    assert any(v.startswith("18.") for v in aws_facts.available_engine_versions("postgres"))


def test_majors_come_in_version_order() -> None:
    postgres = aws_facts.major_versions("postgres")
    assert postgres[postgres.index("13") : postgres.index("18") + 1] == (
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
    )
    mysql = aws_facts.major_versions("mysql")
    assert mysql.index("8.0") + 1 == mysql.index("8.4")


def test_versions_ascend_by_number_with_rds_rebuilds_after_their_release() -> None:
    postgres = aws_facts.engine_versions("postgres")
    assert postgres.index("16.9") < postgres.index("16.10")
    mysql = aws_facts.engine_versions("mysql")
    assert mysql.index("8.0.46") < mysql.index("8.0.46-rds.20260624")
    assert mysql.index("8.4.9") < mysql.index("8.4.10")


def test_deprecated_versions_are_listed_but_not_available() -> None:
    for engine in ENGINES:
        deprecated = aws_facts.deprecated_engine_versions(engine)
        assert deprecated <= set(aws_facts.engine_versions(engine))
        assert not deprecated & set(aws_facts.available_engine_versions(engine))
    assert "16.3" in aws_facts.deprecated_engine_versions("postgres")


def test_major_of_known_versions_and_majors_only() -> None:
    assert aws_facts.major_of("postgres", "16.3") == "16"
    assert aws_facts.major_of("postgres", "16") == "16"
    assert aws_facts.major_of("postgres", "9.6.24") == "9.6"
    assert aws_facts.major_of("mysql", "8.0.39") == "8.0"
    assert aws_facts.major_of("mysql", "8.0.46-rds.20260624") == "8.0"
    assert aws_facts.major_of("postgres", "16.99") is None
    assert aws_facts.major_of("mysql", "16.3") is None


def test_latest_version_of_a_major_is_its_newest_available() -> None:
    latest = aws_facts.latest_engine_version("postgres", "16")
    assert latest is not None and aws_facts.major_of("postgres", latest) == "16"
    newer = [
        v
        for v in aws_facts.available_engine_versions("postgres")
        if aws_facts.major_of("postgres", v) == "16"
    ]
    assert newer[-1] == latest
    assert aws_facts.latest_engine_version("postgres", "10") is None  # all deprecated


def test_burstable_graviton_micro_is_orderable_for_postgres_16() -> None:
    assert "db.t4g.micro" in aws_facts.orderable_instance_classes("postgres", "16")
    assert "db.t4g.micro" in aws_facts.orderable_instance_classes("postgres", "16", "us-east-1")
    assert "db.t4g.micro" in aws_facts.orderable_instance_classes("mysql", "8.4", "eu-west-3")


def test_classes_of_other_engines_sharing_a_version_number_are_not_offered() -> None:
    # cfn-lint files Aurora's and Multi-AZ clusters' classes under the same "16.x"
    # and "8.0" keys; RDS does not create a DB instance of these.
    for engine in ENGINES:
        for major in aws_facts.major_versions(engine):
            classes = aws_facts.orderable_instance_classes(engine, major)
            assert "db.serverless" not in classes
            assert not {c for c in classes if c.startswith("db.c6gd.")}


def test_a_region_offers_a_subset_and_unknowns_offer_nothing() -> None:
    everywhere = aws_facts.orderable_instance_classes("postgres", "16")
    paris = aws_facts.orderable_instance_classes("postgres", "16", "eu-west-3")
    assert paris and paris < everywhere
    assert aws_facts.orderable_instance_classes("postgres", "16", "us-east-9") == frozenset()
    assert aws_facts.orderable_instance_classes("postgres", "99") == frozenset()


def test_performance_insights_is_not_offered_on_mysql_micro_and_small() -> None:
    assert not aws_facts.performance_insights_supported("mysql", "db.t4g.micro")
    assert not aws_facts.performance_insights_supported("mysql", "db.t3.small")
    assert aws_facts.performance_insights_supported("mysql", "db.t4g.medium")
    assert aws_facts.performance_insights_supported("postgres", "db.t4g.micro")


def test_database_insights_advanced_needs_performance_insights_and_long_retention() -> None:
    assert aws_facts.database_insights_modes() == ("standard", "advanced")
    assert not aws_facts.database_insights_advanced_supported("mysql", "db.t4g.micro")
    assert aws_facts.database_insights_advanced_supported("postgres", "db.t4g.micro")
    days = aws_facts.database_insights_advanced_min_retention_days()
    assert days == 465
    assert days in aws_facts.performance_insights_retention_periods()


def test_performance_insights_retention_accepts_only_rds_values() -> None:
    periods = aws_facts.performance_insights_retention_periods()
    assert {7, 31, 93, 731} <= periods
    assert 94 not in periods and 0 not in periods and 744 not in periods


def test_mysql_8_0_left_standard_support_in_july_2026() -> None:
    assert aws_facts.end_of_standard_support("mysql", "8.0") == datetime.date(2026, 7, 31)
    assert aws_facts.end_of_standard_support("postgres", "13") == datetime.date(2026, 2, 28)
    assert aws_facts.end_of_standard_support("postgres", "99") is None


def test_majors_in_standard_support_leave_on_the_day_after_their_end() -> None:
    supported = aws_facts.standard_support_major_versions
    assert "8.0" in supported("mysql", datetime.date(2026, 7, 31))
    assert supported("mysql", datetime.date(2026, 8, 1)) == ("8.4",)
    assert "13" not in supported("postgres", datetime.date(2026, 12, 1))
    assert {"14", "18"} <= set(supported("postgres", datetime.date(2026, 12, 1)))


def test_every_offered_major_has_its_end_of_standard_support() -> None:
    missing = [
        f"{engine} {major}"
        for engine in ENGINES
        for major in aws_facts.major_versions(engine)
        if aws_facts.end_of_standard_support(engine, major) is None
    ]
    assert not missing, (
        f"RDS offers {missing} but bastion_db/aws_facts/data/documented.json has no end of "
        "standard support for them; add it from the RDS release calendar"
    )


def test_every_hand_kept_fact_cites_an_aws_page() -> None:
    for fact, url in aws_facts.citations().items():
        assert url.startswith("https://docs.aws.amazon.com/"), fact


def test_regions_are_real_names_only() -> None:
    regions = aws_facts.regions()
    assert "us-east-1" in regions and "eu-west-3" in regions and "cn-north-1" in regions
    assert "us-east-9" not in regions
    assert aws_facts.has_offerings("us-east-1")
    assert not aws_facts.has_offerings("us-iso-east-1")
    assert not aws_facts.has_offerings("us-east-9")


def test_ec2_types_are_those_of_the_bastion_families() -> None:
    assert {"t3.micro", "t3a.micro", "t4g.micro"} <= aws_facts.ec2_instance_types("us-east-1")
    for region in aws_facts.regions():
        families = {t.split(".")[0] for t in aws_facts.ec2_instance_types(region)}
        assert families <= set(aws_facts.ec2_families())
    assert aws_facts.ec2_instance_types("us-east-9") == frozenset()


def test_an_engine_the_extract_lacks_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="mysql, postgres, not 'oracle-ee'"):
        aws_facts.major_versions("oracle-ee")
    with pytest.raises(ValueError, match="not 'mariadb'"):
        aws_facts.performance_insights_supported("mariadb", "db.t4g.micro")


def test_source_names_cfn_lint() -> None:
    assert aws_facts.SOURCE.startswith("cfn-lint ")
    with pytest.raises(AttributeError):
        aws_facts.NOT_A_FACT  # noqa: B018


PROBE = """
import json, sys
before = set(sys.modules)
from bastion_db import aws_facts
aws_facts.orderable_instance_classes("postgres", "16", "eu-west-1")
aws_facts.performance_insights_supported("mysql", "db.t4g.micro")
aws_facts.end_of_standard_support("mysql", "8.4")
aws_facts.ec2_instance_types("eu-west-1")
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_reading_facts_loads_only_the_standard_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(done.stdout)
    foreign = [
        name
        for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "bastion_db"
    ]
    assert not foreign, f"aws_facts pulled in {foreign}"


def test_the_class_listing_is_what_the_settings_accept() -> None:
    from bastion_db.aws_facts.list_classes import command_for, listing

    lines = listing("postgres", "16", "us-east-1")
    listed = {
        f"{line.split(':')[0]}.{size}"
        for line in lines
        for size in line.split(": ", 1)[1].split(" (")[0].split(", ")
    }
    assert listed == aws_facts.orderable_instance_classes("postgres", "16", "us-east-1")
    assert "db.r6i: large, xlarge, 2xlarge" in "\n".join(lines)
    assert any(line.startswith("db.m9g:") and "memory not known" in line for line in lines)
    listing_command = "python -m bastion_db.aws_facts.list_classes mysql 8.4"
    assert command_for("mysql", "8.4", None) == listing_command
