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


class Cancelled(DataError):
    """The person cancelled a long operation; nothing was written."""


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
    kind = _kind(original)
    if kind == "locked":
        return DatabaseLockedError(
            "The database is busy: another program is writing to it. Try again in a moment."
        )
    if kind == "read-only":
        return ReadOnlyError("The database file is read-only, so it cannot be changed.")
    if kind == "damaged":
        return DamagedDatabaseError(f"The database file is damaged ({text}).")
    if kind == "not-a-database":
        return NotADatabaseError("The file is not an SQLite database.")
    if kind == "unique":
        return ConflictError(f"That value is already used by another row ({text}).")
    if kind == "foreign-key":
        return ConflictError(
            "The change would leave rows pointing at something that does not exist, "
            "or something is still referred to by other rows."
        )
    if kind == "full":
        return DiskFullError(
            f"There is no room left on the disk (SQLite says: {text}). What was asked was not "
            "done, and nothing was lost: free some space on that disk, then try again.")
    if kind == "io":
        return DataError(f"The database file cannot be read or written ({text}).")
    return None


# SQLite's primary result codes (https://sqlite.org/rescode.html) and the kinds they are.
_PRIMARY = {5: "locked", 6: "locked", 8: "read-only", 11: "damaged", 26: "not-a-database",
            13: "full", 10: "io", 14: "io"}
_EXTENDED = {2067: "unique", 1555: "unique", 787: "foreign-key"}


def _kind(error: sqlite3.Error) -> str | None:
    """What an SQLite error is, by its result code (`sqlite_errorcode`, Python 3.11+), else,
    on 3.10 or a wrapped error without one, by its message."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _EXTENDED.get(code) or _PRIMARY.get(code & 0xFF)
    lowered = str(error).lower()
    for words, kind in ((("locked", "busy"), "locked"), (("readonly", "read-only"), "read-only"),
                        (("malformed", "corrupt"), "damaged"),
                        (("not a database", "file is encrypted"), "not-a-database"),
                        (("unique constraint",), "unique"), (("foreign key",), "foreign-key"),
                        (("disk is full", "no space left", "quota"), "full"),
                        (("disk i/o", "unable to open"), "io")):
        if any(word in lowered for word in words):
            return kind
    return None


class StaleEditError(ConflictError):
    """The row was changed by someone else since it was loaded; `current` is what the file holds
    now (None when the row is gone)."""

    def __init__(self, current: object | None,
                 message: str = "The agent was changed by another program since you opened it."
                 ) -> None:
        super().__init__(message)
        self.current = current
