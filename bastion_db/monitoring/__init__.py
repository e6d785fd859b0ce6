"""Watching the database and the bastion: alarms, who hears about them, a dashboard.

``alarms``, ``dashboard`` and ``key_policy`` decide, as pure functions;
``component`` turns those decisions into resources.
"""

from bastion_db.monitoring.component import DatabaseMonitoring, DatabaseMonitoringArgs

__all__ = ["DatabaseMonitoring", "DatabaseMonitoringArgs"]
