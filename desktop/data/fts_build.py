"""Filling the search index of an existing file: newest messages first, in short transactions.

The walk goes through `Messages` in the order threads are read, newest first (`Timestamp`,
then rowid, descending, through the .NET `IX_Messages_Timestamp` index), a chunk per write
transaction. Each chunk gives its messages keys (`desktop_message_keys`) and indexes their text,
and records where the walk is (`desktop_meta` `fts_cursor`) in the same transaction, so a build
killed at any point resumes at the next open with nothing indexed twice or lost: a message that
has a key is indexed (the triggers index what other programs write meanwhile), and a chunk only
indexes messages without one. When the walk ends, any message it could not reach (no timestamp,
rowids renumbered by a VACUUM between two runs) is swept up by rowid before the index is ready.

The build has its own plain `sqlite3` connection with a bigger page cache than browsing needs:
the index's merges and the chunk's rows then stay in memory. Chunks are sized to take about
`TARGET_SECONDS` and the build pauses for longer than a waiting writer's retry interval (every
few seconds, and every 0.3 s while another program is writing), so the .NET application
(30 s busy timeout) always gets its turn.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from . import fts

TARGET_SECONDS = 0.4  # one chunk's write transaction
FIRST_ROWS = 2_000
MIN_ROWS, MAX_ROWS = 200, 100_000
# Between two chunks the lock is free only for an instant, and a writer waiting on SQLite's
# busy handler tries again at most every 100 ms: so the build pauses for longer than that,
# every 3 s of holding the lock while nobody else writes, and every 0.3 s (a chunk) for a
# while after another connection committed (PRAGMA data_version tells), so that writer waits
# for one chunk, not for many. A small file's build is over before either comes.
PAUSE_EVERY_SECONDS = 3.0
PAUSE_SECONDS = 0.2
POLITE_EVERY_SECONDS = 0.3
POLITE_PAUSE_SECONDS = 0.12
POLITE_FOR_SECONDS = 10.0
CACHE_KIB = 65_536  # the build connection's page cache
CHECKPOINT_PAGES = 10_000  # a chunk rewrites many pages of the last: copy them back less often
# FTS5 merges 4 segments of a level into one by default; each chunk commits a segment, so the
# build merges 8 (each entry is rewritten fewer times), and sets the default back when done.
BUILD_AUTOMERGE, AUTOMERGE = 8, 4
CURSOR_KEY = "fts_cursor"  # in desktop_meta: where the walk is

_META = 'SELECT "Value" FROM "desktop_meta" WHERE "Key" = ?'
_SET_META = 'INSERT OR REPLACE INTO "desktop_meta" ("Key", "Value") VALUES (?, ?)'
# The walk covers text timestamps (what the .NET application writes); NULLs and other types
# sort apart from text and are left to the sweep. A chunk is bounded above by where the walk
# is (else by the first BLOB) and below by where it ends (else by the empty text); each
# row-value bound comes with the plain `Timestamp` bound it implies, the one SQLite walks the
# index by (given only the row value, or a second plain bound, it walks far more entries).
_TEXT_UNTIL = 'm."Timestamp" < x\'\''
_TEXT_FROM = 'm."Timestamp" >= \'\''
_AFTER = 'm."Timestamp" <= ? AND (m."Timestamp", m.rowid) < (?, ?)'
_FROM = 'm."Timestamp" >= ? AND (m."Timestamp", m.rowid) >= (?, ?)'
_ORDER = ' ORDER BY m."Timestamp" DESC, m.rowid DESC'
_WALK = "desktop_index_walk"  # the build connection's own: one chunk's messages


@dataclass(frozen=True)
class Coverage:
    """How much of the file the index covers: messages with a key, of all messages."""

    indexed: int
    messages: int

    @property
    def fraction(self) -> float:
        return min(self.indexed / self.messages, 1.0) if self.messages else 1.0


COVERAGE_SQL = (f'SELECT (SELECT count(*) FROM "{fts.KEYS_TABLE}"), '
                '(SELECT count(*) FROM "Messages")')


class IndexBuild:
    """One run of the build on its own connection; `step()` indexes one chunk and commits."""

    def __init__(self, path: Path, busy_timeout: float,
                 check_writable: Callable[[], None] = lambda: None) -> None:
        self._check_writable = check_writable
        self.con = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        for pragma in (f"cache_size = -{CACHE_KIB}", "temp_store = MEMORY",
                       "synchronous = NORMAL",  # NORMAL in WAL: commits stay whole
                       f"wal_autocheckpoint = {CHECKPOINT_PAGES}"):
            self.con.execute(f"PRAGMA {pragma}")
        self.con.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{_WALK}" ("Key" INTEGER PRIMARY '
                         'KEY, "MessageId" TEXT NOT NULL, "Row" INTEGER NOT NULL)')
        self.rows = FIRST_ROWS
        self._held = 0.0
        self._others = self.con.execute("PRAGMA data_version").fetchone()[0]
        self._polite_until = 0.0
        self._coverage: Coverage | None = None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> IndexBuild:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self.con.execute(_META, (key,)).fetchone()
        return row[0] if row else None

    def coverage(self) -> Coverage:
        """Counted once, then kept up to date by the chunks (for progress reports)."""
        if self._coverage is None:
            indexed, messages = self.con.execute(COVERAGE_SQL).fetchone()
            self._coverage = Coverage(int(indexed), int(messages))
        return self._coverage

    def _count(self, added: int) -> None:
        if self._coverage is not None and added > 0:
            self._coverage = Coverage(self._coverage.indexed + added, self._coverage.messages)

    def step(self, rows: int | None = None) -> bool:
        """Index the next chunk (`rows` messages of the walk, else a size that takes about
        TARGET_SECONDS) in one write transaction; False when the index is complete."""
        self._check_writable()
        wanted = int(rows or self.rows)
        started = time.perf_counter()
        self.con.execute("BEGIN IMMEDIATE")
        try:
            more = self._chunk(wanted)
            self.con.execute("COMMIT")
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        took = time.perf_counter() - started
        if rows is None:  # aim the next chunk at TARGET_SECONDS, changing by at most 2x
            scale = max(0.5, min(2.0, TARGET_SECONDS / max(took, 1e-3)))
            self.rows = max(MIN_ROWS, min(MAX_ROWS, int(self.rows * scale)))
        self._held += took
        others = self.con.execute("PRAGMA data_version").fetchone()[0]
        now = time.monotonic()
        if others != self._others:  # another connection committed since the last chunk
            self._others, self._polite_until = others, now + POLITE_FOR_SECONDS
        if more and now < self._polite_until and self._held >= POLITE_EVERY_SECONDS:
            self._held = 0.0
            time.sleep(POLITE_PAUSE_SECONDS)
        elif more and self._held >= PAUSE_EVERY_SECONDS:
            self._held = 0.0
            time.sleep(PAUSE_SECONDS)  # a writer waiting on us gets the file now
        return more

    def _chunk(self, wanted: int) -> bool:
        state = self._meta("fts_state")
        if state is None or state == "ready":
            return False
        cursor = self._meta(CURSOR_KEY) or ""
        if cursor.startswith("sweep:"):
            return self._sweep(int(cursor[6:]), wanted)
        if not cursor:  # the walk's first chunk
            self._automerge(BUILD_AUTOMERGE)
        after = _parse_cursor(cursor)
        upper = _AFTER if after else _TEXT_UNTIL
        end = self.con.execute(
            f'SELECT m."Timestamp", m.rowid FROM "Messages" m WHERE {upper} AND {_TEXT_FROM}'
            f'{_ORDER} LIMIT 1 OFFSET ?', (*_bound(after), wanted - 1)).fetchone()
        where = [upper, _FROM if end else _TEXT_FROM]
        params = (*_bound(after), *_bound(end))
        before = self.con.execute(
            f'SELECT coalesce(max("Key"), 0) FROM "{fts.KEYS_TABLE}"').fetchone()[0]
        # The chunk is walked once, into `walk` (its rows numbered 1, 2, … in walk order). Its
        # keys, `before` + that number, rise in walk order, so the index receives ascending
        # keys (FTS5 writes a new segment whenever a key is not above the one before); the
        # key map takes them in MessageId order, so that its unique index on random GUIDs has
        # each page changed once a chunk, while it is in the cache (in walk order each key
        # lands on a page at random: 18 µs a key half-way through a 1M-message file, 2.5 µs
        # so). A message that has a key already (from the triggers) keeps it and is not
        # indexed again.
        self.con.execute(f'DELETE FROM temp."{_WALK}"')
        self.con.execute(
            f'INSERT INTO temp."{_WALK}" ("MessageId", "Row") SELECT m."Id", m.rowid '
            f'FROM "Messages" m WHERE {" AND ".join(where)}{_ORDER}', params)
        added = self.con.execute(
            f'INSERT OR IGNORE INTO "{fts.KEYS_TABLE}" ("Key", "MessageId") SELECT ? + "Key", '
            f'"MessageId" FROM temp."{_WALK}" ORDER BY "MessageId"', (before,)).rowcount
        if added < self.con.execute(f'SELECT count(*) FROM temp."{_WALK}"').fetchone()[0]:
            self.con.execute(
                f'DELETE FROM temp."{_WALK}" WHERE NOT EXISTS (SELECT 1 FROM '
                f'"{fts.KEYS_TABLE}" k WHERE k."Key" = ? + "{_WALK}"."Key")', (before,))
        self.con.execute(
            f'INSERT INTO "{fts.FTS_TABLE}" (rowid, "Content") SELECT ? + w."Key", m."Content" '
            f'FROM temp."{_WALK}" w CROSS JOIN "Messages" m ON m.rowid = w."Row" '
            'ORDER BY w."Key"', (before,))
        self._count(added)
        if end is not None:
            self.con.execute(_SET_META, (CURSOR_KEY, f"{end[1]} {end[0]}"))
            return True
        self.con.execute(_SET_META, (CURSOR_KEY, "sweep:0"))
        return True

    def _automerge(self, segments: int) -> None:
        self.con.execute(f'INSERT INTO "{fts.FTS_TABLE}" ("{fts.FTS_TABLE}", rank) '
                         "VALUES ('automerge', ?)", (segments,))

    def _sweep(self, position: int, wanted: int) -> bool:
        """After the walk: messages it did not reach, by rowid; skipped when none are left."""
        indexed, messages = self.con.execute(COVERAGE_SQL).fetchone()
        end = None
        if indexed < messages:
            end = self.con.execute(
                'SELECT max(rowid) FROM (SELECT rowid FROM "Messages" WHERE rowid > ? '
                'ORDER BY rowid LIMIT ?)', (position, wanted * 5)).fetchone()[0]
        if end is None:  # complete: the next build (after a clear) starts at the newest again
            self.con.execute('DELETE FROM "desktop_meta" WHERE "Key" = ?', (CURSOR_KEY,))
            self.con.execute(_SET_META, ("fts_state", "ready"))
            self._automerge(AUTOMERGE)
            return False
        before = self.con.execute(
            f'SELECT coalesce(max("Key"), 0) FROM "{fts.KEYS_TABLE}"').fetchone()[0]
        self._count(self.con.execute(
            fts.FILL_KEYS_SQL.replace("$start", "?").replace("$end", "?"),
            (position, end)).rowcount)
        self.con.execute(fts.FILL_TEXT_SQL.replace("$before", "?"), (before,))
        self.con.execute(_SET_META, (CURSOR_KEY, f"sweep:{end}"))
        return True


def _bound(place: tuple[str, int] | None) -> tuple[object, ...]:
    """The parameters of `_AFTER` or `_FROM` for (Timestamp, rowid); none for no place."""
    return () if place is None else (place[0], place[0], place[1])


def _parse_cursor(cursor: str) -> tuple[str, int] | None:
    """`fts_cursor` is "ROWID TIMESTAMP" of the last message indexed by the walk ("": none)."""
    rowid, _, timestamp = cursor.partition(" ")
    return (timestamp, int(rowid)) if rowid.isdigit() else None


def build_index(path: Path, busy_timeout: float, report: Callable[[float], None],
                should_stop: Callable[[], bool],
                check_writable: Callable[[], None] = lambda: None) -> bool:
    """Run the build until the index is complete (True) or `should_stop` (False)."""
    with closing(IndexBuild(path, busy_timeout, check_writable)) as build:
        last = 0.0
        while not should_stop():
            if not build.step():
                return True
            now = time.perf_counter()
            if now - last > 0.5:
                report(build.coverage().fraction)
                last = now
    return False
