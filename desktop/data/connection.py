"""The pieces every module that touches the file shares: how a connection is opened
(`sqlite_uri`, the busy timeout), how its errors become `DataError`s, a whole-file copy with
SQLite's backup API, and new keys. Imports nothing of the data layer but errors and files.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

from .errors import DatabaseLockedError, DataError, translate
from .files import partial_name

# How long a statement waits for a lock another connection holds. Read at each use as
# `connection.BUSY_TIMEOUT_SECONDS` (the command line's --timeout changes it).
BUSY_TIMEOUT_SECONDS = 10.0
# SQLite's result codes, which the sqlite3 module names only from Python 3.11
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

Progress = Callable[[str, float], None]
"""Called with a short description of the current task and its fraction done (0..1)."""


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise sqlite3 and Pony errors that have a user-facing meaning as DataError."""
    try:
        yield
    except DataError:
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc


def writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (root may write anything, but a file or folder
    with no write permission bits is meant to be left alone)."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _is_wal_file(path: Path) -> bool:
    """Whether the file's header says WAL mode (bytes 18 and 19 are 2)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def sqlite_uri(path: Path, read_only: bool) -> str:
    mode = "ro" if read_only else "rwc"
    uri = f"file:{quote(str(path.resolve()))}?mode={mode}"
    if read_only and path.exists() and not writable(path.parent) and _is_wal_file(path) and \
            not Path(f"{path}-shm").exists() and not Path(f"{path}-wal").exists():
        # A WAL file in a folder we cannot write to, with no -shm or -wal beside it: SQLite
        # cannot make the -shm file it needs to read it, and no WAL writer is at work (it
        # would have made both), so it is read as unchanging. A rollback-journal file is
        # never read so: someone may be writing it by another path (a bind mount, a share),
        # and immutable would hide their commits.
        uri += "&immutable=1"
    return uri


def copy_database(source: Path, destination: Path, progress: Progress | None = None,
                  text: str = "Backing up the database", *, in_place: bool = False) -> Path:
    """Copy `source` to `destination` with SQLite's backup API, a few pages at a time.

    A new copy is written beside its destination and renamed into place when whole, and
    is left in rollback-journal mode so that it is one self-contained file. With
    `in_place`, `destination` is an existing database (possibly open in another program)
    whose contents are replaced through SQLite's own locking, in one transaction.
    """

    waiting_since: list[float] = []

    def report(status: int, remaining: int, total: int) -> None:
        # Python's backup loop retries a busy file for ever; give up as a busy timeout would.
        if status in (SQLITE_BUSY, SQLITE_LOCKED):
            waiting_since[:1] = waiting_since[:1] or [time.monotonic()]
            if time.monotonic() - waiting_since[0] > BUSY_TIMEOUT_SECONDS:
                raise DatabaseLockedError(
                    "The database is busy: another program is writing to it. Try again in "
                    "a moment.")
            return
        waiting_since.clear()
        if progress and total:
            progress(text, 1 - remaining / total)

    target_path = destination if in_place else partial_name(destination)
    if progress:
        progress(text, 0.0)
    try:
        if not in_place:
            destination.parent.mkdir(parents=True, exist_ok=True)
            target_path.unlink(missing_ok=True)
        with translated_errors(), closing(sqlite3.connect(
                sqlite_uri(source, read_only=True), uri=True,
                timeout=BUSY_TIMEOUT_SECONDS)) as source_con, \
                closing(sqlite3.connect(str(target_path),
                                        timeout=BUSY_TIMEOUT_SECONDS)) as target:
            # A live file is copied in one step: a paged copy restarts whenever another
            # program commits, and one read transaction does not hold up WAL writers.
            source_con.backup(target, pages=2048 if in_place else -1, progress=report)
            if not in_place:
                target.execute("PRAGMA journal_mode = DELETE")
        if not in_place:
            os.replace(target_path, destination)
    except OSError as exc:
        if not in_place:
            target_path.unlink(missing_ok=True)
        raise DataError(f"Cannot write {destination}: {exc.strerror or exc}.") from exc
    except BaseException:
        if not in_place:
            target_path.unlink(missing_ok=True)
        raise
    return destination


def new_id() -> str:
    """A new key in the .NET form: `Guid.ToString()`, 36 lower-case characters."""
    import uuid

    return str(uuid.uuid4())
