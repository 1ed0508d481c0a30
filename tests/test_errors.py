"""SQLite's errors become the words a person is shown, classified by SQLite's own result code
(Python 3.11+) or, where Python gives none, by the message."""

from __future__ import annotations

import sqlite3

import pytest
from orchestrator_desktop.data.errors import (
    ConflictError,
    DamagedDatabaseError,
    DatabaseLockedError,
    DiskFullError,
    ReadOnlyError,
    translate,
)


def _raised(tmp_path, sql: str, *, setup: str = "", read_only: bool = False) -> sqlite3.Error:
    path = tmp_path / f"x{len(list(tmp_path.iterdir()))}.db"
    con = sqlite3.connect(path)
    con.executescript(setup or 'CREATE TABLE t ("Id" TEXT PRIMARY KEY);'
                               'INSERT INTO t VALUES (\'a\');')
    con.close()
    con = sqlite3.connect(f"file:{path}?mode=ro" if read_only else path, uri=read_only)
    try:
        con.execute(sql)
    except sqlite3.Error as error:
        return error
    finally:
        con.close()
    raise AssertionError(f"{sql} did not fail")


def test_errors_are_classified_by_their_code(tmp_path) -> None:
    unique = _raised(tmp_path, "INSERT INTO t VALUES ('a')")
    assert isinstance(translate(unique), ConflictError)
    read_only = _raised(tmp_path, "INSERT INTO t VALUES ('b')", read_only=True)
    assert isinstance(translate(read_only), ReadOnlyError)
    if hasattr(unique, "sqlite_errorcode"):  # 3.11+: the code decides, whatever the words
        unique.args = ("some words that name nothing",)
        assert isinstance(translate(unique), ConflictError)


@pytest.mark.parametrize("words, kind", [
    ("database is locked", DatabaseLockedError),
    ("database disk image is malformed", DamagedDatabaseError),
    ("database or disk is full", DiskFullError),
])
def test_without_a_code_the_message_decides(words, kind) -> None:
    error = sqlite3.OperationalError(words)  # as Python 3.10 raises them: no sqlite_errorcode
    assert isinstance(translate(error), kind)
    assert translate(sqlite3.OperationalError("no such table: x")) is None
