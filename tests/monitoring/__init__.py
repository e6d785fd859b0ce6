"""Tests of the monitoring component, its thresholds and its settings."""
