"""The data layer: Pony ORM over the OrchestratorChat SQLite file. Imports nothing from Qt."""

from .database import Rollback, Store, new_id, open_store
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

__all__ = [
    "ConflictError", "DamagedDatabaseError", "DataError", "DatabaseLockedError", "DiskFullError",
    "FileReplacedError", "NotADatabaseError", "NotFoundError", "ReadOnlyError", "Rollback",
    "SnapshotFormatError", "Store", "ValidationError", "new_id", "open_store",
]
