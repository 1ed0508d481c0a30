"""What a file is, learnt without changing it: `inspect_file()` before a store opens it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import connection, migrations, schema
from .connection import sqlite_uri, writable
from .errors import DamagedDatabaseError, DataError, NotADatabaseError, ReadOnlyError, translate

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FileFacts:
    """What `inspect_file()` learns without changing anything."""

    path: Path
    exists: bool
    is_empty_database: bool
    user_version: int
    read_only_reason: str | None


def inspect_file(path: Path) -> FileFacts:
    """Check that `path` is an OrchestratorChat database (or absent); never modifies it."""
    if not path.exists():
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not writable(parent):
            raise ReadOnlyError(f"Cannot create {path}: the folder {parent} is not writable.")
        return FileFacts(path, False, True, 0, None)
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not a database file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as exc:
        raise ReadOnlyError(f"{path} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({exc.strerror}).") from exc
    if not header:
        raise NotADatabaseError(f"{path} is an empty file, not an OrchestratorChat database.")
    if not header.startswith(SQLITE_HEADER):
        raise NotADatabaseError(f"{path} is not an SQLite database.")
    if len(header) < 100:
        raise DamagedDatabaseError(f"{path} is truncated: its SQLite header is incomplete.")
    reason = None
    if not writable(path):
        reason = "The file is read-only."
    elif not writable(path.parent):
        reason = "The folder holding the file is read-only."
    try:
        con = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True,
                              timeout=connection.BUSY_TIMEOUT_SECONDS)
        try:
            tables = {row[0] for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        mapped = translate(exc)
        if isinstance(mapped, NotADatabaseError):
            raise DamagedDatabaseError(
                f"{path} looks like an SQLite database but cannot be read: it is damaged."
            ) from exc
        raise (mapped or DamagedDatabaseError(f"{path} cannot be opened ({exc}).")) from exc
    if not tables:
        return FileFacts(path, True, True, version, reason)
    missing = [t for t in schema.CONTRACT_TABLES if t not in tables]
    if missing:
        raise NotADatabaseError(
            f"{path} is an SQLite database but not an OrchestratorChat one "
            f"(it has no {', '.join(missing[:3])}{'...' if len(missing) > 3 else ''} table)."
        )
    if version > migrations.LATEST_VERSION and reason is None:
        reason = ("The file was changed by a newer version of OrchestratorChat Desktop; "
                  "it is opened read-only so nothing this version does can damage it.")
    return FileFacts(path, True, False, version, reason)


