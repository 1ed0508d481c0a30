"""Where the application keeps its files, the way Qt's QStandardPaths would put them.

Computed without Qt so the command line never loads it; a test checks the data folder against
`QStandardPaths.AppDataLocation`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ORGANISATION = "OrchestratorChat"
APPLICATION = "orchestrator-desktop"
DATABASE_NAME = "orchestrator.db"


def _home() -> Path:
    return Path.home()


def data_dir() -> Path:
    """The per-user data folder (QStandardPaths.AppDataLocation)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or _home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = _home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or _home() / ".local" / "share")
    return base / ORGANISATION / APPLICATION


def log_dir() -> Path:
    """The per-user folder for log files."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local")
        return base / ORGANISATION / APPLICATION / "logs"
    if sys.platform == "darwin":
        return _home() / "Library" / "Logs" / ORGANISATION / APPLICATION
    base = Path(os.environ.get("XDG_STATE_HOME") or _home() / ".local" / "state")
    return base / ORGANISATION / APPLICATION / "log"


def backup_dir() -> Path:
    """Where automatic backups go when the database's own folder cannot take them."""
    return data_dir() / "backups"


def default_database_path() -> Path:
    """The database the application opens when given none."""
    override = os.environ.get("ORCHESTRATOR_DESKTOP_DB")
    return Path(override).expanduser() if override else data_dir() / DATABASE_NAME
