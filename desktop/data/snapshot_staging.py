"""Big snapshot writes prepared outside the write lock, then committed in one short transaction.

The .NET application writes with Microsoft.Data.Sqlite's 30 s busy timeout: a write lock held
longer makes its insert fail. So a restore, a revert and a snapshot of a big session work in two
phases:

1. **Staging**, with no lock on the database: a read transaction on the file (which in WAL mode
   holds no writer up) and a scratch SQLite file beside it (`<db>.<pid>-<token>.staging`, no
   journal). The snapshot's state is read a message at a time (`json_stream`), its rows are
   written to the scratch file, and a snapshot document to be stored is built there in pieces,
   then joined into one value there. Memory holds one chunk of rows, whatever the session's
   size. A revert also finds there which messages differ from the snapshot
   (`stage_difference`); a restore gives its rows new ids in ascending order.
2. **Commit**: `BEGIN IMMEDIATE` on the file, a few `INSERT … SELECT` from the attached scratch
   file (the search index's triggers fire as for any insert, but a big restore's idle ones are
   set aside: `fresh_messages_untriggered`), `COMMIT`. A revert deletes and writes only the
   messages that differ.

A kill in phase 1 leaves the file untouched (the scratch file is left behind, and removed by the
next staging in that folder); in phase 2 SQLite discards the open transaction. A revert's
safety snapshot is built in phase 1 from the session as it was then, and phase 2 checks that the
session is still exactly so (nobody committed to the file since, by SQLite's `data_version`;
else its row, and the count, last rowid and text length of its messages, attachments, tool
calls and members); if another program changed it meanwhile, phase 1 runs again.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, SnapshotFormatError
from .json_stream import Reader
from .schema import COLUMNS, TEAM_COLUMNS
from .snapshot_form import StateHeader, iter_messages, message_entry, to_document

if TYPE_CHECKING:
    from .database import Store

log = logging.getLogger(__name__)

CHUNK = 2000
STAGING_SUFFIX = ".staging"
_READ_BYTES = 1 << 20
# one encoder for every batch of messages (json.dumps makes one per call given options)
_ENCODE_ENTRY = json.JSONEncoder(ensure_ascii=False).encode
BLOB_FROM_BYTES = 32 << 20  # a stored document this big or bigger is a BLOB (insert_snapshot)
_STALE_SECONDS = 3 * 24 * 3600

Progress = Callable[[float], None]
Stop = Callable[[], bool]

_MESSAGE_COLUMNS = COLUMNS["Messages"]
_CHILD_TABLES = ("Attachments", "ToolCalls")


def _names(columns: tuple[str, ...], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{c}"' for c in columns)


class Staging:
    """A scratch SQLite file beside the database, with the database attached read-only as
    `src` and read in one read transaction."""

    def __init__(self, store: Store) -> None:
        from .connection import translated_errors

        store.require_writable()
        self.path = store.path  # until _open names the scratch file
        with translated_errors():
            try:
                self._open(store)
            except BaseException:
                if self.path != store.path:
                    if getattr(self, "con", None) is not None:
                        self.con.close()
                    self.path.unlink(missing_ok=True)
                raise

    def _open(self, store: Store) -> None:
        from .connection import BUSY_TIMEOUT_SECONDS, sqlite_uri

        self.store = store
        self.lock_seconds = 0.0  # how long the last commit held the write lock
        folder = store.path.parent
        _remove_stale(folder, store.path.name)
        self.path = folder / (f"{store.path.name}.{os.getpid()}-{secrets.token_hex(4)}"
                              f"{STAGING_SUFFIX}")
        self.con = sqlite3.connect(str(self.path), isolation_level=None,
                                   timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self.con.execute("ATTACH DATABASE ? AS src", (sqlite_uri(store.path, read_only=True),))
        for table in ("Messages", *_CHILD_TABLES):
            self.con.execute(f'CREATE TABLE "{table}" ("n" INTEGER PRIMARY KEY, '
                             f'{_names(COLUMNS[table])})')
        self.con.execute('CREATE TABLE "ids" ("Old" TEXT PRIMARY KEY, "New" TEXT) WITHOUT ROWID')
        self.con.execute('CREATE TABLE "changed" ("Id" TEXT PRIMARY KEY) WITHOUT ROWID')
        self.con.execute('CREATE TABLE "pieces" ("n" INTEGER PRIMARY KEY, "Text" TEXT)')
        self.joined, self.document_bytes = False, 0

    def close(self) -> None:
        self.con.close()
        if not self.path.name.endswith(STAGING_SUFFIX):
            return
        for suffix in ("", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    @contextmanager
    def read_transaction(self) -> Iterator[None]:
        """One consistent view of the database (and writes to the scratch file)."""
        from .connection import translated_errors

        with translated_errors():
            self.con.execute("BEGIN")
            try:
                self.con.execute('SELECT count(*) FROM src."Sessions"').fetchone()
                yield
                self.con.execute("COMMIT")
            except BaseException:
                if self.con.in_transaction:
                    self.con.execute("ROLLBACK")
                raise

    # -- reading a stored state --------------------------------------------------------------

    def state_source(self, snapshot_id: str) -> Callable[[], Reader]:
        """Opens the snapshot's `SessionStateJson` for reading a chunk at a time."""
        from .snapshot_facts import blob_source

        row = self.con.execute('SELECT rowid, typeof("SessionStateJson") FROM '
                               'src."SessionSnapshots" WHERE "Id" = ?', (snapshot_id,)).fetchone()
        if row is None or row[1] not in ("text", "blob"):
            raise SnapshotFormatError(
                "This snapshot holds no session state, so it cannot be restored.")
        return blob_source(self.con, row[0], "src")

    # -- rows to write ---------------------------------------------------------------------

    def stage_messages(self, source: Callable[[], Reader], header: StateHeader, *,
                       new_ids: bool, session_id: str, progress: Progress | None,
                       stop: Stop, share: tuple[float, float] = (0.0, 0.9)) -> None:
        """The state's messages, attachments and tool calls, as rows of `session_id`; with
        `new_ids`, every row gets a new id (parents follow) and messages are numbered in the
        snapshot's order. New ids ascend in staged order (`_ascending_ids`)."""
        con = self.con
        insert = {table: f'INSERT INTO "{table}" ({_names(COLUMNS[table])}) VALUES '
                         f'({", ".join("?" * len(COLUMNS[table]))})'
                  for table in ("Messages", *_CHILD_TABLES)}
        total = max(header.message_count, 1)
        batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in insert}
        ids: list[tuple[str, str]] = []

        def flush(done: int) -> None:
            if stop():
                from .errors import Cancelled

                raise Cancelled("The restore was cancelled; nothing was changed.")
            for table, rows in batch.items():
                con.executemany(insert[table], rows)
                rows.clear()
            con.executemany('INSERT OR IGNORE INTO "ids" VALUES (?, ?)', ids)
            ids.clear()
            if progress:
                progress(share[0] + (share[1] - share[0]) * done / total)

        number = 0
        fresh = iter(_ascending_ids(header.message_count) if new_ids else ())
        for number, message in enumerate(iter_messages(source, header), 1):
            values = dict(message)
            values["SessionId"] = session_id
            if new_ids:
                values["Id"] = next(fresh, None) or str(uuid.uuid4())
                ids.append((message["Id"], values["Id"]))
                values["SequenceNumber"] = number
            batch["Messages"].append(tuple(values.get(c) for c in _MESSAGE_COLUMNS))
            for table in _CHILD_TABLES:
                for child in message.get(table) or []:
                    if not isinstance(child, dict):
                        continue
                    item = dict(child, MessageId=values["Id"])
                    if new_ids:
                        item["Id"] = str(uuid.uuid4())
                    batch[table].append(tuple(item.get(c) for c in COLUMNS[table]))
            if number % CHUNK == 0:
                flush(number)
        flush(number)
        if new_ids:
            for table in _CHILD_TABLES:
                staged = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                con.executemany(f'UPDATE "{table}" SET "Id" = ? WHERE "n" = ?',
                                zip(_ascending_ids(staged), range(1, staged + 1), strict=True))
            # parents named by their old ids take the new ones
            con.execute('UPDATE "Messages" SET "ParentMessageId" = (SELECT "New" FROM "ids" '
                        'WHERE "Old" = "Messages"."ParentMessageId") WHERE "ParentMessageId" '
                        'IN (SELECT "Old" FROM "ids")')

    def stage_difference(self, session_id: str) -> int:
        """Which messages a revert must write (in the open read transaction, after
        `stage_messages` kept the snapshot's ids): those of the session or of the snapshot
        whose row, attachments or tool calls are not the same on both sides, by id and every
        column. Their ids go to `changed`; returns how many."""
        con = self.con
        con.execute('DELETE FROM "changed"')
        for table in ("Messages", *_CHILD_TABLES):
            con.execute(f'CREATE INDEX IF NOT EXISTS "staged_{table}_id" ON "{table}" ("Id")')
        same = {table: " AND ".join(f'c."{column}" IS s."{column}"' for column in COLUMNS[table])
                for table in ("Messages", *_CHILD_TABLES)}
        add = 'INSERT OR IGNORE INTO "changed" '
        # staged messages not in the session exactly so, and the session's not staged
        con.execute(add + f'SELECT s."Id" FROM "Messages" s WHERE NOT EXISTS (SELECT 1 FROM '
                    f'src."Messages" c WHERE c."Id" = s."Id" AND {same["Messages"]})')
        con.execute(add + 'SELECT c."Id" FROM src."Messages" c WHERE c."SessionId" = ? AND NOT '
                    'EXISTS (SELECT 1 FROM "Messages" s WHERE s."Id" = c."Id")', (session_id,))
        for table in _CHILD_TABLES:  # a child added, changed, moved or gone changes its message
            con.execute(add + f'SELECT s."MessageId" FROM "{table}" s WHERE NOT EXISTS (SELECT 1 '
                        f'FROM src."{table}" c WHERE c."Id" = s."Id" AND {same[table]})')
            con.execute(add + f'SELECT c."MessageId" FROM src."{table}" c JOIN src."Messages" m '
                        'ON m."Id" = c."MessageId" WHERE m."SessionId" = ? AND NOT EXISTS '
                        f'(SELECT 1 FROM "{table}" s WHERE s."Id" = c."Id" AND '
                        's."MessageId" IS c."MessageId")', (session_id,))
        return int(con.execute('SELECT count(*) FROM "changed"').fetchone()[0])

    def file_version(self) -> int:
        """SQLite's `data_version` of the database on this connection: it changes when any
        other connection commits to the file. Read inside a read transaction, it is the
        version that transaction sees."""
        return int(self.con.execute("PRAGMA src.data_version").fetchone()[0])

    def unchanged_since(self, version: int) -> bool:
        """Nobody has committed to the database since `file_version()` gave `version` (asked
        while the commit holds the write lock, so nobody can until it ends)."""
        return self.file_version() == version

    def staged_bytes(self) -> int:
        """The size in bytes of the staged snapshot document."""
        return int(self.con.execute(
            'SELECT total(length(CAST("Text" AS BLOB))) FROM "pieces"').fetchone()[0])

    def _join_pieces(self) -> None:
        """The staged pieces joined into the one value of the scratch table `document`, written
        about a megabyte at a time through SQLite's incremental blob API (Python 3.11+), so
        memory holds one piece; the commit then copies it into the database (see
        `insert_snapshot`). Without blobopen (3.10) the commit joins the pieces itself."""
        con = self.con
        self.document_bytes = self.staged_bytes()
        con.execute('DROP TABLE IF EXISTS "document"')
        self.joined = hasattr(con, "blobopen")
        if not self.joined:
            return
        con.execute('CREATE TABLE "document" ("Text" BLOB)')
        con.execute('INSERT INTO "document" (rowid, "Text") VALUES (1, zeroblob(?))',
                    (self.document_bytes,))
        with con.blobopen("document", "Text", 1) as blob:
            chunk: list[bytes] = []
            held = 0
            for (piece,) in con.execute('SELECT "Text" FROM "pieces" ORDER BY "n"'):
                chunk.append(piece.encode("utf-8"))
                held += len(chunk[-1])
                if held >= _READ_BYTES:
                    blob.write(b"".join(chunk))
                    chunk, held = [], 0
            blob.write(b"".join(chunk))

    # -- a snapshot document to store ----------------------------------------------------------

    def stage_capture(self, session_id: str, progress: Progress | None = None,
                      stop: Stop = lambda: False, share: tuple[float, float] = (0.0, 0.9),
                      fingerprinted: bool = False
                      ) -> tuple[dict[str, Any], int, str, tuple[Any, ...] | None]:
        """Build the session's snapshot document in pieces (in the open read transaction):
        its Sessions row, message count, agent states (JSON) and, when `fingerprinted` (a
        revert's safety snapshot), its fingerprint, which reads all of the session's text."""
        from .errors import NotFoundError

        con = self.con
        session_row = con.execute(f'SELECT {_names(COLUMNS["Sessions"])} FROM src."Sessions" '
                                  'WHERE "Id" = ?', (session_id,)).fetchone()
        if session_row is None:
            raise NotFoundError("session", session_id)
        session = dict(zip(COLUMNS["Sessions"], session_row, strict=True))
        members = [dict(zip(COLUMNS["SessionAgents"], row, strict=True)) for row in con.execute(
            f'SELECT {_names(COLUMNS["SessionAgents"])} FROM src."SessionAgents" WHERE '
            '"SessionId" = ? ORDER BY "JoinedAt", "AgentId"', (session_id,))]
        teams = self._teams(session_id)
        total = max(con.execute('SELECT count(*) FROM src."Messages" WHERE "SessionId" = ?',
                                (session_id,)).fetchone()[0], 1)
        participants = [m["AgentId"] for m in members]
        seen = set(participants)
        con.execute('DELETE FROM "pieces"')
        cursor = con.execute(
            f'SELECT {_names(_MESSAGE_COLUMNS)} FROM src."Messages" WHERE "SessionId" = ? '
            'ORDER BY "Timestamp", "SequenceNumber", "Id"', (session_id,))
        count = 0
        while True:
            rows = cursor.fetchmany(500)
            if not rows:
                break
            if stop():
                from .errors import Cancelled

                raise Cancelled("Cancelled; nothing was changed.")
            messages = [dict(zip(_MESSAGE_COLUMNS, row, strict=True)) for row in rows]
            children = self._children([m["Id"] for m in messages])
            entries = []
            for message in messages:
                found = children.get(message["Id"], {})
                message["Attachments"] = found.get("Attachments", [])
                message["ToolCalls"] = found.get("ToolCalls", [])
                agent = message.get("AgentId")
                if agent and agent not in seen:
                    seen.add(agent)
                    participants.append(agent)
                entries.append(message_entry(message))
            # one piece a batch: the entries as the document's array has them, ", " between
            piece = _ENCODE_ENTRY(entries)[1:-1]
            con.execute('INSERT INTO "pieces" VALUES (?, ?)',
                        (count + len(entries), (", " if count else "") + piece))
            count += len(entries)
            if progress:
                progress(share[0] + (share[1] - share[0]) * count / total)
        marker = f"desktop-messages-{secrets.token_hex(8)}"
        document = to_document({"Session": session, "Messages": [], "SessionAgents": members,
                                "Teams": teams})
        document["ParticipantAgentIds"] = participants
        document["Messages"] = marker
        head, tail = json.dumps(document, ensure_ascii=False).split(json.dumps(marker), 1)
        con.executemany('INSERT INTO "pieces" VALUES (?, ?)',
                        [(0, head + "["), (count + 1, "]" + tail)])
        self._join_pieces()
        agents = self._agent_states(seen | {m["AgentId"] for m in members})
        return session, count, json.dumps(agents, ensure_ascii=False), \
            fingerprint(con, session_id, "src") if fingerprinted else None

    def _teams(self, session_id: str) -> list[dict[str, Any]]:
        if not self.store.form.has_teams:
            return []
        teams = []
        for row in self.con.execute(f'SELECT {_names(TEAM_COLUMNS["Teams"])} FROM src."Teams" '
                                    'WHERE "SessionId" = ? ORDER BY "CreatedAt", "Id"',
                                    (session_id,)).fetchall():
            team = dict(zip(TEAM_COLUMNS["Teams"], row, strict=True))
            team["Members"] = [dict(zip(TEAM_COLUMNS["TeamMembers"], member, strict=True))
                               for member in self.con.execute(
                f'SELECT {_names(TEAM_COLUMNS["TeamMembers"])} FROM src."TeamMembers" '
                'WHERE "TeamId" = ? ORDER BY "JoinedAt", "AgentId"', (team["Id"],))]
            teams.append(team)
        return teams

    def _children(self, message_ids: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        found: dict[str, dict[str, list[dict[str, Any]]]] = {}
        marks = ", ".join("?" * len(message_ids))
        for table in _CHILD_TABLES:
            for row in self.con.execute(
                    f'SELECT {_names(COLUMNS[table])} FROM src."{table}" WHERE "MessageId" IN '
                    f'({marks}) ORDER BY "Id"', message_ids):
                item = dict(zip(COLUMNS[table], row, strict=True))
                found.setdefault(item["MessageId"], {}).setdefault(table, []).append(item)
        return found

    def _agent_states(self, agent_ids: set[str]) -> dict[str, Any]:
        agents: dict[str, Any] = {}
        for agent_id in sorted(agent_ids):
            agent = self.con.execute(f'SELECT {_names(COLUMNS["Agents"])} FROM src."Agents" '
                                     'WHERE "Id" = ?', (agent_id,)).fetchone()
            config = self.con.execute(
                f'SELECT {_names(COLUMNS["AgentConfigurations"])} FROM '
                'src."AgentConfigurations" WHERE "AgentId" = ?', (agent_id,)).fetchone()
            if agent:
                agents[agent_id] = {
                    "Agent": dict(zip(COLUMNS["Agents"], agent, strict=True)),
                    "Configuration": dict(zip(COLUMNS["AgentConfigurations"], config,
                                              strict=True)) if config else None}
        return agents


def _ascending_ids(count: int) -> Iterator[str]:
    """`count` new ids in the .NET form (random version-4 GUIDs), each greater than the one
    before: the 122 random bits of the n-th are drawn from the n-th of `count` equal slices of
    their range. Written in this order, a primary-key index (and the search index's lookups by
    id) is walked once from start to end instead of at random: 300,000 messages spend about a
    third less time in the write lock. Memory stays the same however many."""
    step = (1 << 122) // max(count, 1)
    for n in range(count):
        r = n * step + secrets.randbelow(step)
        yield str(uuid.UUID(int=(r >> 74) << 80 | 4 << 76 | ((r >> 62) & 0xFFF) << 64
                            | 2 << 62 | (r & ((1 << 62) - 1))))


def fingerprint(con: sqlite3.Connection, session_id: str, schema: str) -> tuple[Any, ...]:
    """What a revert checks has not changed since its safety snapshot was built."""
    facts: list[Any] = list(con.execute(
        f'SELECT * FROM {schema}."Sessions" WHERE "Id" = ?', (session_id,)).fetchone() or ())
    facts += con.execute(
        f'SELECT count(*), coalesce(max(rowid), 0), total(length("Content")) FROM '
        f'{schema}."Messages" WHERE "SessionId" = ?', (session_id,)).fetchone()
    for table in _CHILD_TABLES:
        facts += con.execute(
            f'SELECT count(*), coalesce(max(c.rowid), 0) FROM {schema}."{table}" c JOIN '
            f'{schema}."Messages" m ON m."Id" = c."MessageId" WHERE m."SessionId" = ?',
            (session_id,)).fetchone()
    facts += [tuple(row) for row in con.execute(
        f'SELECT * FROM {schema}."SessionAgents" WHERE "SessionId" = ? ORDER BY "AgentId"',
        (session_id,))]
    return tuple(facts)


def _remove_stale(folder: Path, name: str) -> None:
    """Scratch files a killed process left behind: its process is gone (or it is days old)."""
    try:
        for path in folder.glob(f"{name}.*{STAGING_SUFFIX}"):
            pid = path.name[len(name) + 1:].split("-", 1)[0]
            if not _alive(int(pid) if pid.isdigit() else 0) or \
                    time.time() - path.stat().st_mtime > _STALE_SECONDS:
                path.unlink(missing_ok=True)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's, or Windows: leave it to the age rule
        return True
    return True


# -- the commit ---------------------------------------------------------------------------------


@contextmanager
def committing(store: Store, staging: Staging) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE` on the database with the scratch file attached as `staging`; commits
    when the block ends, rolls back on any error.

    SQLite's automatic checkpoint would run inside `COMMIT` once the write lock is let go,
    copying the whole change from the `-wal` into the file (about 1.3 s for 300,000 messages):
    it is off for this connection, and a passive checkpoint (which never keeps another writer
    waiting) follows the commit instead, outside the time the lock is held."""
    from .connection import BUSY_TIMEOUT_SECONDS, translated_errors

    store.require_writable()
    with translated_errors(), closing(sqlite3.connect(
            str(store.path), isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS,
            check_same_thread=False)) as con:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA wal_autocheckpoint = 0")
        con.execute("ATTACH DATABASE ? AS staging", (str(staging.path),))
        con.execute("BEGIN IMMEDIATE")
        started, cpu = time.monotonic(), time.process_time()
        try:
            store.require_writable()
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:  # SQLite may have rolled back already (a full disk)
                con.execute("ROLLBACK")
            raise
        finally:
            staging.lock_seconds = time.monotonic() - started
            log.info("write lock held %.2f s (this process's CPU time meanwhile: %.2f s)",
                     staging.lock_seconds, time.process_time() - cpu)
        try:
            con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:  # committed all the same: a later checkpoint does it
            log.info("checkpoint after the commit failed: %s", error)


@contextmanager
def fresh_messages_untriggered(con: sqlite3.Connection) -> Iterator[None]:
    """Inside the commit, for inserting messages with new random ids into a session whose
    indexing is deferred (`snapshots.index_later`): the search index's insert triggers would
    each test every row and do nothing (no row has the id yet, so nothing is replaced; no key
    names it; the session is deferred), yet cost about 7 µs of CPU a row: 2 s of the write
    lock for 300,000 messages. They are dropped for the block and made again from their own
    stored SQL before the commit, in the same transaction: no other connection ever sees the
    file without them (a failure rolls the drop back with everything else)."""
    from .fts import LATER_TRIGGERS, TRIGGERS

    names = (TRIGGERS[0], TRIGGERS[3], LATER_TRIGGERS[0])
    saved = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                        f"tbl_name = 'Messages' AND name IN ({', '.join('?' * len(names))})",
                        names).fetchall()
    for name, _sql in saved:
        con.execute(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        con.execute(sql)


def insert_row(store: Store, con: sqlite3.Connection, table: str, values: dict[str, Any],
               verb: str = "INSERT") -> None:
    """`Store.insert_row` on this connection."""
    row = store.form.complete(table, values)
    con.execute(store.form.insert_sql(table, list(row), verb), tuple(row.values()))


def copy_rows(store: Store, con: sqlite3.Connection, table: str,
              replace: dict[str, str] | None = None, where: str = "", **params: Any) -> None:
    """Every staged row of `table` (or those `where` selects) into the database, in staged
    order, with the file's NOT NULL columns filled; `replace` gives SQL for some columns."""
    columns = COLUMNS[table]
    present = tuple(c for c in columns if store.form.has_column(table, c))
    targets, selects = store.form.filled_select(table, present)
    inner = ", ".join(f'{(replace or {}).get(c, chr(34) + c + chr(34))} AS "{c}"'
                      for c in columns)
    con.execute(f'INSERT INTO main."{table}" ({targets}) SELECT {selects} FROM '
                f'(SELECT {inner} FROM staging."{table}"{" WHERE " + where if where else ""} '
                'ORDER BY "n")', params)


def insert_snapshot(store: Store, con: sqlite3.Connection, values: dict[str, Any],
                    staging: Staging) -> None:
    """A SessionSnapshots row whose `SessionStateJson` is the staged document.

    SQLite writes a TEXT value from one buffer holding all of it, twice over here (the value
    read from the scratch file, then the row made of it): a 361 MB document took 727 MB. So a
    document of `BLOB_FROM_BYTES` or more is stored as a BLOB of the same UTF-8 bytes, made as
    `zeroblob(n)` and filled a megabyte at a time through the blob API: memory holds one piece
    however big the session (`AgentStatesJson`, after it in the row, is then a BLOB too).
    Readers are unaffected: Microsoft.Data.Sqlite reads a BLOB as a string through
    `sqlite3_column_text` (EF Core's `GetString`), SQLite's JSON functions take text JSON in a
    BLOB (3.45.0 alone read such a BLOB as JSONB; 3.45.1 restored the old rule and promises to
    keep it), and this application reads documents through the blob API or `state_text`.
    A smaller document stays TEXT, as the .NET application writes it. Without the blob API
    (Python 3.10) the pieces are joined by SQLite's group_concat, about four times the size."""
    row = store.form.complete("SessionSnapshots", {**values, "SessionStateJson": ""})
    names = ", ".join(f'"{c}"' for c in row)
    others = tuple(v for c, v in row.items() if c != "SessionStateJson")
    if not staging.joined:
        marks = ", ".join("(SELECT group_concat(\"Text\", '') FROM (SELECT \"Text\" FROM "
                          'staging."pieces" ORDER BY "n"))' if c == "SessionStateJson" else "?"
                          for c in row)
        con.execute(f'INSERT INTO "SessionSnapshots" ({names}) VALUES ({marks})', others)
        return
    order = [c for c in store.form.column_names("SessionSnapshots") if c in row]
    later = [c for c in order[order.index("SessionStateJson") + 1:]
             if row[c] is not None and row[c] != "" and row[c] not in (0, 1)]
    if staging.document_bytes < BLOB_FROM_BYTES or not all(
            isinstance(row[c], str) for c in later):  # a scalar subquery would copy it again
        selects = ", ".join('CAST(d."Text" AS TEXT)' if c == "SessionStateJson" else "?"
                            for c in row)
        con.execute(f'INSERT INTO "SessionSnapshots" ({names}) SELECT {selects} FROM '
                    'staging."document" d WHERE d.rowid = 1', others)
        return
    # SQLite keeps a zeroblob lazy (written a page at a time) only if no column after it in
    # the row holds any bytes: a later text (AgentStatesJson) is made a zeroblob too and
    # written the same way; NULL, '' and the integers 0 and 1 take no bytes
    texts = {c: row[c].encode("utf-8") for c in later}
    sizes = {"SessionStateJson": staging.document_bytes, **{c: len(v) for c, v in texts.items()}}
    marks = ", ".join("zeroblob(?)" if c in sizes else "?" for c in row)
    rowid = con.execute(f'INSERT INTO "SessionSnapshots" ({names}) VALUES ({marks})',
                        tuple(sizes.get(c, v) for c, v in row.items())).lastrowid
    with con.blobopen("document", "Text", 1, readonly=True, name="staging") as source, \
            con.blobopen("SessionSnapshots", "SessionStateJson", rowid, name="main") as target:
        while piece := source.read(_READ_BYTES):
            target.write(piece)
    for column, data in texts.items():
        with con.blobopen("SessionSnapshots", column, rowid, name="main") as target:
            target.write(data)


def agent_for(con: sqlite3.Connection, store: Store, session_id: str) -> str | None:
    """`Store.agent_for` on this connection."""
    if not any(c.name == "AgentId" and c.not_null for c in store.form.columns.get("Messages", ())):
        return None
    found = con.execute(
        'SELECT coalesce((SELECT "AgentId" FROM "SessionAgents" WHERE "SessionId" = ? '
        'ORDER BY "JoinedAt", "AgentId" LIMIT 1), (SELECT "Id" FROM "Agents" ORDER BY '
        '"Id" <> \'default-claude\', "CreatedAt", "Id" LIMIT 1))', (session_id,)).fetchone()[0]
    if found is None:
        from .errors import ValidationError

        raise ValidationError("agent", "this file needs every message to name an agent, "
                                       "and it has none; create an agent first")
    return str(found)


class SessionChanged(DataError):
    """Another program changed the session while a revert was being prepared."""
