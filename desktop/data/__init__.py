"""The data layer: Pony ORM over the OrchestratorChat SQLite file. Imports nothing from Qt.

`Store`, `open_store`, `new_id` and `Rollback` are loaded on first use (they bring Pony), so
that a module needing only the errors, records or enums (the window before its first paint)
does not pay for Pony's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    ConflictError,
    DamagedDatabaseError,
    DatabaseLockedError,
    DataError,
    DiskFullError,
    FileReplacedError,
    NotADatabaseError,
    NotFoundError,
    ReadOnlyError,
    SnapshotFormatError,
    ValidationError,
)

if TYPE_CHECKING:
    from .database import Rollback, Store, new_id, open_store

_FROM_DATABASE = ("Rollback", "Store", "new_id", "open_store")

__all__ = [
    "ConflictError", "DamagedDatabaseError", "DataError", "DatabaseLockedError", "DiskFullError",
    "FileReplacedError", "NotADatabaseError", "NotFoundError", "ReadOnlyError", "Rollback",
    "SnapshotFormatError", "Store", "ValidationError", "new_id", "open_store",
]


def __getattr__(name: str) -> Any:
    """Load the database module (and Pony) when one of its names is first asked for."""
    if name in _FROM_DATABASE:
        from . import database

        return getattr(database, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
