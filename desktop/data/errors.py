"""The errors a person may see. Each carries a message written for a person, not a traceback.

Anything else raised from the data layer is a bug and is logged as one.
"""

from __future__ import annotations

import sqlite3


class DataError(Exception):
    """A known, user-facing problem with the database or a request made of it."""


class NotADatabaseError(DataError):
    """The file is not an SQLite database, or not an OrchestratorChat one."""


class DamagedDatabaseError(DataError):
    """SQLite reports the file as malformed."""


class DatabaseLockedError(DataError):
    """Another program holds a lock on the file for longer than we wait."""


class ReadOnlyError(DataError):
    """A write was asked of a file opened read-only."""


class FileReplacedError(ReadOnlyError):
    """The file at the open path is no longer the one that was opened (replaced, moved or
    deleted by another program); writing would reach neither file safely."""


class DiskFullError(DataError):
    """The disk (or the user's quota) has no room for the write; nothing was changed."""


class NotFoundError(DataError):
    """No row has the given id."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"No {kind} with id {key!r} exists in this database.")
        self.kind = kind
        self.key = key


class ValidationError(DataError):
    """A value is not acceptable; `field` names the attribute."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ConflictError(DataError):
    """The change clashes with what the file holds (a unique name, a row still referred to)."""


class SnapshotFormatError(DataError):
    """A snapshot's JSON is not in a form this version can restore."""


def translate(exc: BaseException) -> DataError | None:
    """Map an sqlite3 (or Pony-wrapped sqlite3) exception to a user-facing DataError."""
    original = getattr(exc, "original_exc", None) or exc
    for _ in range(3):  # Pony may wrap twice (CommitException -> OperationalError -> sqlite3)
        inner = getattr(original, "original_exc", None) or getattr(original, "exceptions", None)
        if isinstance(inner, list) and inner:
            inner = inner[0][1] if isinstance(inner[0], tuple) else inner[0]
        if inner is None or inner is original:
            break
        original = inner
    if isinstance(original, DataError):
        return original
    if not isinstance(original, sqlite3.Error):
        return None
    text = str(original)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return DatabaseLockedError(
            "The database is busy: another program is writing to it. Try again in a moment."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return ReadOnlyError("The database file is read-only, so it cannot be changed.")
    if "malformed" in lowered or "corrupt" in lowered:
        return DamagedDatabaseError(f"The database file is damaged ({text}).")
    if "not a database" in lowered or "file is encrypted" in lowered:
        return NotADatabaseError("The file is not an SQLite database.")
    if "unique constraint" in lowered:
        return ConflictError(f"That value is already used by another row ({text}).")
    if "foreign key" in lowered:
        return ConflictError(
            "The change would leave rows pointing at something that does not exist, "
            "or something is still referred to by other rows."
        )
    if "disk is full" in lowered or "no space left" in lowered or "quota" in lowered:
        return DiskFullError(
            f"There is no room left on the disk (SQLite says: {text}). What was asked was not "
            "done, and nothing was lost: free some space on that disk, then try again.")
    if "disk i/o" in lowered or "unable to open" in lowered:
        return DataError(f"The database file cannot be read or written ({text}).")
    return None


class StaleEditError(ConflictError):
    """The row was changed by someone else since it was loaded; `current` is what the file holds
    now (None when the row is gone)."""

    def __init__(self, current: object | None,
                 message: str = "The agent was changed by another program since you opened it."
                 ) -> None:
        super().__init__(message)
        self.current = current
