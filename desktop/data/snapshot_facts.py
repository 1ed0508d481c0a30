"""What a snapshot listing shows, stored once per snapshot instead of computed per listing.

A listing must cost the same whatever the snapshots hold: computing a snapshot's form or
message count from `SessionStateJson` reads the whole document (a 350 MB snapshot made every
listing take 4 s). `desktop_snapshot_facts` keeps, per snapshot id, its form, message count and
size in bytes: written with the snapshot when this application creates or imports one, and for
a snapshot the .NET application wrote (it never writes our table), found later by maintenance
in the background, one snapshot at a time, reading the document in chunks. Until then such a
snapshot is listed with its own `MessageCount` column, no size and no form.
"""

from __future__ import annotations

import codecs
import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import TYPE_CHECKING, Any

from . import connection
from .connection import sqlite_uri
from .errors import SnapshotFormatError
from .json_stream import Reader
from .snapshot_form import DOTNET_FORM, FORMAT, read_header
from .tables import SESSION_SNAPSHOTS, SNAPSHOT_LISTED, Selection

if TYPE_CHECKING:
    from .database import Store

log = logging.getLogger(__name__)

FACTS_TABLE = "desktop_snapshot_facts"
UNDESCRIBED = "?"  # the form listed for a snapshot whose facts are not found yet
FACTS_DDL = (f'CREATE TABLE IF NOT EXISTS "{FACTS_TABLE}" ("SnapshotId" TEXT PRIMARY KEY, '
             '"Form" TEXT NOT NULL, "MessageCount" INTEGER NOT NULL, "Bytes" INTEGER NOT NULL)')
_READ_BYTES = 1 << 20


def has_facts_table(con: Any) -> bool:
    return con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (FACTS_TABLE,)).fetchone()[0] > 0


def listing_columns(with_facts: bool) -> tuple[Selection, str]:
    """(columns, join) for a listing of `SessionSnapshots x`: its columns but the documents
    (group "x"), the message count, and the facts' "size" and "form"; `snapshot_record(row["x"],
    row["size"], row["form"])` is the record. Never reads the JSON documents."""
    columns = Selection()
    if not with_facts:
        columns.columns(SESSION_SNAPSHOTS, "x", names=SNAPSHOT_LISTED)
        return columns.value("size", "0").value("form", "''"), ""
    count = ('CASE WHEN x."MessageCount" = 0 AND f."MessageCount" IS NOT NULL THEN '
             'f."MessageCount" ELSE x."MessageCount" END')
    columns.columns(SESSION_SNAPSHOTS, "x", names=SNAPSHOT_LISTED, sql={"MessageCount": count})
    columns.value("size", 'coalesce(f."Bytes", 0)')
    columns.value("form", f"coalesce(f.\"Form\", '{UNDESCRIBED}')")
    return columns, f' LEFT JOIN "{FACTS_TABLE}" f ON f."SnapshotId" = x."Id"'


def record_facts(con: Any, snapshot_id: str, form: str, count: int, size: int) -> None:
    """Store a snapshot's facts, inside the write that stores the snapshot (the table is made
    here when the file's maintenance has not made it yet)."""
    con.execute(FACTS_DDL)
    con.execute(f'INSERT OR REPLACE INTO "{FACTS_TABLE}" VALUES (?, ?, ?, ?)',
                (snapshot_id, form, int(count), int(size)))


class _SqlBlob:
    """The part of `sqlite3.Blob` used here, read through SQL where Python has no blobopen
    (3.10): each read is one `substr` of the value as bytes."""

    def __init__(self, con: sqlite3.Connection, rowid: int, schema: str) -> None:
        self._con, self._rowid, self._at = con, rowid, 1
        self._table = f'"{schema}"."SessionSnapshots"'
        self._size = int(con.execute(
            f'SELECT length(CAST("SessionStateJson" AS BLOB)) FROM {self._table} '
            'WHERE rowid = ?', (rowid,)).fetchone()[0] or 0)

    def __len__(self) -> int:
        return self._size

    def read(self, size: int) -> bytes:
        if self._at > self._size:
            return b""
        data = self._con.execute(
            f'SELECT substr(CAST("SessionStateJson" AS BLOB), ?, ?) FROM {self._table} '
            'WHERE rowid = ?', (self._at, size, self._rowid)).fetchone()[0] or b""
        self._at += len(data)
        return bytes(data)

    def close(self) -> None:
        pass


def open_state(con: sqlite3.Connection, rowid: int, schema: str = "main") -> Any:
    """A snapshot's `SessionStateJson` for reading in pieces: SQLite's incremental blob API
    (Python 3.11+), or `_SqlBlob` on 3.10."""
    if hasattr(con, "blobopen"):
        return con.blobopen("SessionSnapshots", "SessionStateJson", rowid, readonly=True,
                            name=schema)
    return _SqlBlob(con, rowid, schema)


def blob_source(con: sqlite3.Connection, rowid: int, schema: str = "main"
                ) -> Callable[[], Reader]:
    """Opens a snapshot's `SessionStateJson` (by rowid) for reading a chunk at a time."""
    def source() -> Reader:
        blob = open_state(con, rowid, schema)
        decoder = codecs.getincrementaldecoder("utf-8")()

        def read(size: int) -> str:
            while True:
                data = blob.read(max(size, _READ_BYTES))
                try:
                    text = decoder.decode(data, final=not data)
                except UnicodeDecodeError:
                    raise SnapshotFormatError("This snapshot's session state is not text; it "
                                              "cannot be restored.") from None
                if text or not data:
                    if not data:
                        blob.close()
                    return text

        return read

    return source


def describe(source: Callable[[], Reader]) -> tuple[str, int]:
    """(form, message count) of a stored state, read in chunks; ("", 0) when unreadable."""
    try:
        header = read_header(source)
    except SnapshotFormatError:
        return "", 0
    return (DOTNET_FORM if header.form == DOTNET_FORM else FORMAT), header.message_count


UNDESCRIBED_QUERY = (f'SELECT 1 FROM "SessionSnapshots" x WHERE NOT EXISTS (SELECT 1 FROM '
                     f'"{FACTS_TABLE}" f WHERE f."SnapshotId" = x."Id") LIMIT 1')
"""Is there a snapshot whose facts are not found yet (one written by another program since)?"""


def fill_missing(store: Store, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Find the facts of every snapshot that has none (written by the .NET application), each
    in a short write of its own; returns how many were found."""
    if store.read_only:
        return 0
    done = 0
    with closing(sqlite3.connect(sqlite_uri(store.path, read_only=True), uri=True,
                                 timeout=connection.BUSY_TIMEOUT_SECONDS)) as reader:
        if not has_facts_table(reader):
            return 0
        missing = reader.execute(
            f'SELECT x.rowid, x."Id", x."MessageCount", typeof(x."SessionStateJson") FROM '
            f'"SessionSnapshots" x WHERE NOT EXISTS (SELECT 1 FROM "{FACTS_TABLE}" f WHERE '
            'f."SnapshotId" = x."Id")').fetchall()
        for rowid, snapshot_id, stored_count, kind in missing:
            if should_stop():
                break
            if kind in ("text", "blob"):
                size = len(open_state(reader, rowid))
                form, count = describe(blob_source(reader, rowid))
            else:
                size, form, count = 0, "", 0
            with store.writing():
                record_facts(store.db.get_connection(), snapshot_id, form,
                             count or int(stored_count or 0), size)
            done += 1
    if done:
        log.info("described %d snapshot(s) another program wrote", done)
    return done


def describe_stored(store: Store, snapshot_id: str) -> tuple[str, int, int]:
    """(form, message count, bytes) of one stored snapshot, read in chunks now (for a
    read-only file, where facts cannot be stored)."""
    with closing(sqlite3.connect(sqlite_uri(store.path, read_only=True), uri=True,
                                 timeout=connection.BUSY_TIMEOUT_SECONDS)) as reader:
        row = reader.execute('SELECT rowid, typeof("SessionStateJson") FROM "SessionSnapshots" '
                             'WHERE "Id" = ?', (snapshot_id,)).fetchone()
        if row is None or row[1] not in ("text", "blob"):
            return "", 0, 0
        size = len(open_state(reader, row[0]))
        form, count = describe(blob_source(reader, row[0]))
        return form, count, size
