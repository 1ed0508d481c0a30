"""Snapshots: the manager window, its model, comparing, and the Session menu's snapshot commands."""
