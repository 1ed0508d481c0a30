"""Opening the database for a command so that reading never changes the file.

Commands that only read open the file read-only. Commands that change it first check
everything they can through a read-only store (ids exist, values are valid), and only then
open it for writing, so a command that fails leaves the file exactly as it was.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import paths
from ..data import DataError, ReadOnlyError, Store, connection, open_store
from ..data.inspection import inspect_file
from .output import note


def database_path(options: argparse.Namespace) -> Path:
    """The file named by `--db`, else the application's default database."""
    chosen = options.db if options.db else paths.default_database_path()
    return Path(chosen).expanduser().absolute()


@contextmanager
def waiting(seconds: float) -> Iterator[None]:
    """How long to wait for a file another program has locked (the data layer's busy timeout),
    for the duration of one command."""
    saved = connection.BUSY_TIMEOUT_SECONDS
    connection.BUSY_TIMEOUT_SECONDS = float(seconds)
    try:
        yield
    finally:
        connection.BUSY_TIMEOUT_SECONDS = saved


def _prepare(options: argparse.Namespace) -> Path:
    """The database's path; the default database is created the first time, as the window
    does, but a file named with `--db` must exist."""
    path = database_path(options)
    if options.db:
        if not path.exists():
            raise DataError(f"{path} does not exist.")
    elif not path.exists():
        open_store(path).close()
        note(f"created a new database at {path}")
    return path


@contextmanager
def reading(options: argparse.Namespace) -> Iterator[Store]:
    """The database opened read-only; closed afterwards."""
    store = open_store(_prepare(options), read_only=True, create=False)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def writing(options: argparse.Namespace) -> Iterator[Store]:
    """The database opened for changes; ReadOnlyError at once when it cannot be changed."""
    path = _prepare(options)
    reason = read_only_reason(path)
    if reason:
        raise ReadOnlyError(f"{path.name} cannot be changed: {reason}")
    store = open_store(path, create=False)
    try:
        store.require_writable()
        yield store
    finally:
        store.close()


def read_only_reason(path: Path) -> str | None:
    """Why the file cannot be changed (read-only file or folder, newer schema), or None."""
    return inspect_file(path).read_only_reason
