"""The CloudWatch dashboard: its JSON body, its name and its console address."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bastion_db.alarm_thresholds import DatabaseThresholds
from bastion_db.monitoring.alarms import (
    BASTION_CPU_PERIOD_SECONDS,
    DATABASE_PERIOD_SECONDS,
    EC2_DIMENSION,
    EC2_NAMESPACE,
    RDS_DIMENSION,
    RDS_NAMESPACE,
)


def physical_name_for(name: str) -> str:
    """A name CloudWatch dashboards and KMS aliases accept: letters, digits, '-'
    and '_' (at most 255)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    if not cleaned:
        raise ValueError(f"cannot derive a dashboard name from {name!r}")
    return cleaned[:255]


def dashboard_url(region: str, dashboard_name: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home"
        f"?region={region}#dashboards:name={dashboard_name}"
    )


def dashboard_body(
    *,
    region: str,
    db_instance_identifier: str,
    bastion_instance_id: str,
    thresholds: DatabaseThresholds,
    alarm_arns: Sequence[str],
) -> dict[str, Any]:
    """The dashboard's JSON document (as a dict) for the real instance ids."""
    db = (RDS_NAMESPACE, RDS_DIMENSION, db_instance_identifier)
    bastion = (EC2_NAMESPACE, EC2_DIMENSION, bastion_instance_id)

    def metric(
        source: tuple[str, str, str], name: str, label: str, stat: str = "Average"
    ) -> list[Any]:
        namespace, dimension, value = source
        return [namespace, name, dimension, value, {"label": label, "stat": stat}]

    def line(label: str, value: float) -> dict[str, Any]:
        return {"label": label, "value": value}

    def known_lines(*pairs: tuple[str, float | None]) -> list[dict[str, Any]]:
        # A line that needs the class's memory is None when that is not known.
        return [line(label, value) for label, value in pairs if value is not None]

    def graph(
        title: str,
        metrics: list[list[Any]],
        lines: list[dict[str, Any]] | None = None,
        period: int = DATABASE_PERIOD_SECONDS,
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "title": title,
            "view": "timeSeries",
            "stacked": False,
            "region": region,
            "period": period,
            "metrics": metrics,
            "yAxis": {"left": {"min": 0}},
        }
        if lines:
            properties["annotations"] = {"horizontal": lines}
        return {"type": "metric", "width": 12, "height": 6, "properties": properties}

    t = thresholds
    graphs = [
        graph(
            f"Database CPU (%) - {db_instance_identifier}",
            [metric(db, "CPUUtilization", "CPU")],
            [line("alarm", t.cpu_percent)],
        ),
        graph(
            "Database connections",
            [metric(db, "DatabaseConnections", "connections")],
            known_lines(("max_connections", t.max_connections), ("alarm", t.connections)),
        ),
        graph(
            "Database freeable memory (bytes)",
            [metric(db, "FreeableMemory", "freeable memory")],
            known_lines(("alarm", t.freeable_memory_bytes)),
        ),
        graph(
            "Database free storage (bytes)",
            [metric(db, "FreeStorageSpace", "free storage", "Minimum")],
            [line("alarm", t.free_storage_bytes)],
        ),
        graph(
            "Database read/write IOPS",
            [metric(db, "ReadIOPS", "read IOPS"), metric(db, "WriteIOPS", "write IOPS")],
        ),
        graph(
            "Database read/write latency p90 (seconds)",
            [
                metric(db, "ReadLatency", "read p90", "p90"),
                metric(db, "WriteLatency", "write p90", "p90"),
            ],
            [
                line("read alarm", t.read_latency_seconds),
                line("write alarm", t.write_latency_seconds),
            ],
        ),
        graph(
            f"Bastion status checks - {bastion_instance_id}",
            [
                metric(bastion, "StatusCheckFailed", "any check failed", "Maximum"),
                metric(bastion, "StatusCheckFailed_Instance", "instance check", "Maximum"),
                metric(bastion, "StatusCheckFailed_System", "system check", "Maximum"),
            ],
            [line("alarm", 1)],
        ),
        graph(
            "Bastion CPU (%)",
            [metric(bastion, "CPUUtilization", "CPU")],
            period=BASTION_CPU_PERIOD_SECONDS,
        ),
    ]
    widgets: list[dict[str, Any]] = [
        {
            "type": "alarm",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 3,
            "properties": {"title": "Alarms", "alarms": list(alarm_arns)},
        }
    ]
    for index, widget in enumerate(graphs):
        widgets.append({**widget, "x": (index % 2) * 12, "y": 3 + (index // 2) * 6})
    return {"widgets": widgets}
