"""Time the data layer against raw `sqlite3` doing the same work, and print a markdown table.

    python -m benchmarks.run [--size small|full] [--db PATH] [--repeat N]

Without `--db`, the database of the chosen size is generated once into a cache folder
(`~/.cache/orchestrator-desktop-bench`) and reused. Every run works on a fresh copy in a
temporary folder, so the first open and the first maintenance are those of a file the
application has never seen, and a file given with `--db` is never changed.

Each comparison calls the application's code and the raw-SQL equivalent alternately, after one
untimed warm-up of each, and reports the medians; ratio = app / raw.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from orchestrator_desktop.data import Store, open_store
from orchestrator_desktop.data.enums import MessageRole
from orchestrator_desktop.data.fts import FTS_TABLE, KEYS_TABLE
from orchestrator_desktop.data.schema import COLUMNS, column_list
from orchestrator_desktop.data.search import SearchResult, to_fts_query
from orchestrator_desktop.data.snapshots import FORMAT

from . import generate as gen
from .measure import Goal, Row, compare, render_notes, render_table, timed

SIZES: dict[str, dict[str, Any]] = {
    "small": {"generate": gen.SMALL, "import_rows": 500},
    "full": {"generate": gen.FULL, "import_rows": 1000},
}
PAGE = 50
SESSION_PAGE = 100
HITS = 50
MAX_WRITE_REPEAT = 5
NEW_GUID_SQL = ("lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
                "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-' || "
                "hex(randomblob(6)))")


def default_cache_dir() -> Path:
    """Where generated databases are kept between runs (outside the repository)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "orchestrator-desktop-bench"


def cached_database(size: str, seed: int, folder: Path,
                    log: Callable[[str], None]) -> tuple[Path, float | None]:
    """The generated database of this size (made now when missing) and, when it was made now,
    how long that took."""
    path = folder / f"{size}-seed{seed}-v{gen.GENERATOR_VERSION}.db"
    if path.exists():
        return path, None
    log(f"generating the {size} database into {path} (once; later runs reuse it)")
    report = gen.generate(path, seed=seed, quiet=False, **SIZES[size]["generate"])
    return path, report.seconds


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy: the file itself, or SQLite's backup when a WAL may hold changes."""
    if source.resolve() == target.resolve():
        raise ValueError(f"{source} cannot be copied onto itself; choose another --work-dir")
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    wal = Path(f"{source}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        shutil.copyfile(source, target)
        return
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def net_now() -> str:
    """The current UTC time as .NET writes a DateTime."""
    now = datetime.now(timezone.utc)
    text = now.strftime("%Y-%m-%d %H:%M:%S")
    return text + ("." + f"{now.microsecond:06d}0".rstrip("0") if now.microsecond else "")


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _json_object(table: str, alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in COLUMNS[table]) + ")"


def capture_sql(store: Store, action: Callable[[], Any]) -> list[str]:
    """The SELECT statements (parameters filled in) the application runs for `action`."""
    statements: list[str] = []
    with store.reading():
        con = store.db.get_connection()
        con.set_trace_callback(statements.append)
        try:
            action()
        finally:
            con.set_trace_callback(None)
    return [s for s in statements if (s.split(None, 1) or [""])[0].upper() in ("SELECT", "WITH")]


class Raw:
    """The floor: the same work through a plain `sqlite3` connection, no ORM, no records."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(str(path), isolation_level=None)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` … `COMMIT`, rolled back on an error."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def page(self, session_id: str, last: bool) -> list[tuple]:
        """The first or last page of a session, with the page's attachments and tool calls."""
        direction = "DESC" if last else "ASC"
        rows = self.con.execute(
            f'SELECT {column_list("Messages", "m")}, a."Name" FROM "Messages" m '
            'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" WHERE m."SessionId" = ? '
            f'ORDER BY m."Timestamp" {direction}, m."SequenceNumber" {direction}, '
            f'm."Id" {direction} LIMIT ?',
            (session_id, PAGE + 1)).fetchall()[:PAGE]
        if last:
            rows.reverse()
        ids = [row[0] for row in rows]
        self.con.execute(f'SELECT {column_list("Attachments")} FROM "Attachments" WHERE '
                         f'"MessageId" IN ({_marks(len(ids))}) ORDER BY "UploadedAt", "Id"',
                         ids).fetchall()
        self.con.execute(f'SELECT {column_list("ToolCalls")} FROM "ToolCalls" WHERE '
                         f'"MessageId" IN ({_marks(len(ids))}) ORDER BY "ExecutedAt", "Id"',
                         ids).fetchall()
        return rows

    def session_list(self) -> list[tuple]:
        """The first page of sessions by last activity, with counts and member names."""
        rows = self.con.execute(
            f'SELECT {column_list("Sessions", "s")} FROM "Sessions" s '
            'ORDER BY s."LastActivityAt" DESC, s."Id" DESC LIMIT ?',
            (SESSION_PAGE + 1,)).fetchall()[:SESSION_PAGE]
        ids = [row[0] for row in rows]
        self.con.execute(f'SELECT "SessionId", count(*) FROM "Messages" WHERE "SessionId" IN '
                         f'({_marks(len(ids))}) GROUP BY "SessionId"', ids).fetchall()
        self.con.execute(
            'SELECT sa."SessionId", coalesce(a."Name", sa."AgentId") FROM "SessionAgents" sa '
            'LEFT JOIN "Agents" a ON a."Id" = sa."AgentId" WHERE sa."SessionId" IN '
            f'({_marks(len(ids))}) ORDER BY sa."JoinedAt"', ids).fetchall()
        return rows

    def search(self, fts_query: str, first_word: str) -> list[tuple]:
        """The top hits ranked inside FTS5, joined to their messages afterwards, each with
        an excerpt around its first word (the index is contentless: no snippet())."""
        return self.con.execute(
            'SELECT m."Id", m."SessionId", s."Name", m."Role", m."AgentId", a."Name", '
            'm."Timestamp", m."SequenceNumber", '
            'substr(m."Content", max(instr(lower(m."Content"), ?) - 300, 1), 1200), '
            'f.score FROM ('
            f'SELECT rowid AS key, rank AS score FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH ? '
            f'ORDER BY rank LIMIT {HITS}) f '
            f'JOIN "{KEYS_TABLE}" k ON k."Key" = f.key JOIN "Messages" m ON m."Id" = '
            'k."MessageId" LEFT JOIN "Sessions" s ON s."Id" = m."SessionId" '
            'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" ORDER BY f.score',
            (first_word, fts_query)).fetchall()

    def search_after(self, fts_query: str, first_word: str,
                     after: tuple[Any, Any]) -> list[tuple]:
        """The page of hits after (score, key) of the page before: the same keyset over the
        FTS5 ranking, then the same joins and excerpts for the page's rows."""
        return self.con.execute(
            'SELECT m."Id", m."SessionId", s."Name", m."Role", m."AgentId", a."Name", '
            'm."Timestamp", m."SequenceNumber", '
            'substr(m."Content", max(instr(lower(m."Content"), ?) - 300, 1), 1200), '
            'f.score, f.key FROM ('
            f'SELECT * FROM (SELECT rowid AS key, rank AS score FROM "{FTS_TABLE}" WHERE '
            f'"{FTS_TABLE}" MATCH ?) WHERE (score, key) > (?, ?) ORDER BY score, key '
            f'LIMIT {HITS}) f '
            f'JOIN "{KEYS_TABLE}" k ON k."Key" = f.key JOIN "Messages" m ON m."Id" = '
            'k."MessageId" LEFT JOIN "Sessions" s ON s."Id" = m."SessionId" '
            'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" ORDER BY f.score, f.key',
            (first_word, fts_query, *after)).fetchall()

    def replay(self, statements: list[str]) -> None:
        """Run statements captured from the application, reading every row."""
        for statement in statements:
            self.con.execute(statement).fetchall()

    def snapshot_create(self, session_id: str) -> None:
        """One INSERT … SELECT that builds the application's snapshot documents in SQL."""
        # A subquery's value loses its JSON subtype, hence json(...) around each nested one.
        def children(table: str) -> str:
            return (f"json((SELECT json_group_array(json(obj)) FROM (SELECT "
                    f"{_json_object(table, 'c')} AS obj FROM \"{table}\" c "
                    'WHERE c."MessageId" = m."Id" ORDER BY c."Id")))')

        messages = (
            "SELECT json_group_array(json(obj)) FROM (SELECT json_insert("
            f"{_json_object('Messages', 'm')}, '$.Attachments', {children('Attachments')}, "
            f"'$.ToolCalls', {children('ToolCalls')}) AS obj "
            'FROM "Messages" m WHERE m."SessionId" = s."Id" ORDER BY m."SequenceNumber", m."Id")')
        members = (f"SELECT json_group_array(json(obj)) FROM (SELECT "
                   f"{_json_object('SessionAgents', 'c')} AS obj FROM \"SessionAgents\" c "
                   'WHERE c."SessionId" = s."Id" ORDER BY c."JoinedAt", c."AgentId")')
        agents = (
            "SELECT json_group_object(a.\"Id\", json_object('Agent', "
            f"{_json_object('Agents', 'a')}, 'Configuration', json((SELECT "
            f"{_json_object('AgentConfigurations', 'c')} FROM \"AgentConfigurations\" c "
            'WHERE c."AgentId" = a."Id"))))'
            ' FROM "Agents" a WHERE a."Id" IN (SELECT "AgentId" FROM "SessionAgents" WHERE '
            '"SessionId" = s."Id" UNION SELECT "AgentId" FROM "Messages" WHERE '
            '"SessionId" = s."Id" AND "AgentId" IS NOT NULL)')
        with self.transaction() as con:
            con.execute(
                f'INSERT INTO "SessionSnapshots" ({column_list("SessionSnapshots")}) '
                "SELECT ?, s.\"Id\", 'raw snapshot', NULL, ?, "
                '(SELECT count(*) FROM "Messages" WHERE "SessionId" = s."Id"), '
                f"json_object('Format', ?, 'Version', ?, 'Session', "
                f"{_json_object('Sessions', 's')}, 'Messages', json(({messages})), "
                f"'SessionAgents', json(({members}))), ({agents}) "
                'FROM "Sessions" s WHERE s."Id" = ?',
                (str(uuid.uuid4()), net_now(), FORMAT, 1, session_id))  # our first form

    def snapshot_restore(self, session_id: str) -> str:
        """Copy the session's rows under new ids with INSERT … SELECT; the new session's id."""
        new_session, now = str(uuid.uuid4()), net_now()
        with self.transaction() as con:
            self._copy_session(con, session_id, new_session, now)
        return new_session

    @staticmethod
    def _copy_session(con: sqlite3.Connection, session_id: str, new_session: str,
                      now: str) -> None:
        con.execute('CREATE TEMP TABLE IF NOT EXISTS "bench_ids" ("Old" TEXT PRIMARY KEY, '
                    '"New" TEXT NOT NULL)')
        con.execute('DELETE FROM temp."bench_ids"')
        sessions = [c if c not in ("Id", "Name", "CreatedAt", "LastActivityAt") else
                    {"Id": "?", "Name": "coalesce(\"Name\", 'Untitled session') || ' (Restored)'",
                     "CreatedAt": "?", "LastActivityAt": "?"}[c] for c in COLUMNS["Sessions"]]
        con.execute(f'INSERT INTO "Sessions" SELECT {", ".join(sessions)} FROM "Sessions" '
                    'WHERE "Id" = ?', (new_session, now, now, session_id))
        con.execute(f'INSERT INTO temp."bench_ids" SELECT "Id", {NEW_GUID_SQL} FROM "Messages" '
                    'WHERE "SessionId" = ?', (session_id,))
        con.execute(
            'INSERT INTO "Messages" SELECT i."New", ?, m."Content", m."Role", m."AgentId", '
            'coalesce(p."New", m."ParentMessageId"), m."Timestamp", m."SequenceNumber", '
            'm."MetadataJson", m."TokenUsageJson" FROM "Messages" m '
            'JOIN temp."bench_ids" i ON i."Old" = m."Id" '
            'LEFT JOIN temp."bench_ids" p ON p."Old" = m."ParentMessageId" '
            'WHERE m."SessionId" = ? ORDER BY m."SequenceNumber", m."Id"',
            (new_session, session_id))
        for table in ("Attachments", "ToolCalls"):
            rest = ", ".join(f'c."{c}"' for c in COLUMNS[table][2:])
            con.execute(f'INSERT INTO "{table}" SELECT {NEW_GUID_SQL}, i."New", {rest} '
                        f'FROM "{table}" c JOIN temp."bench_ids" i ON i."Old" = c."MessageId"')
        con.execute('INSERT INTO "SessionAgents" SELECT ?, "AgentId", "JoinedAt", "LeftAt", '
                    '"Role" FROM "SessionAgents" WHERE "SessionId" = ?',
                    (new_session, session_id))

    def bulk_import(self, session_id: str, rows: list[tuple[str, int, str | None, Any]]) -> None:
        """Append (content, role, agent id, token usage) rows with one `executemany`."""
        now = net_now()
        with self.transaction() as con:
            base = con.execute('SELECT coalesce(max("SequenceNumber"), 0) FROM "Messages" '
                               'WHERE "SessionId" = ?', (session_id,)).fetchone()[0]
            con.executemany(
                f'INSERT INTO "Messages" ({column_list("Messages")}) VALUES ({_marks(10)})',
                [(str(uuid.uuid4()), session_id, content, role, agent, None, now, base + n + 1,
                  None, json.dumps(tokens, separators=(",", ":")) if tokens is not None else None)
                 for n, (content, role, agent, tokens) in enumerate(rows)])
            con.execute('UPDATE "Sessions" SET "LastActivityAt" = ? WHERE "Id" = ?',
                        (now, session_id))


class Benchmark:
    """One run over a fresh copy of a database file."""

    def __init__(self, source: Path, work: Path, *, repeat: int, import_rows: int,
                 snapshot_target: int, log: Callable[[str], None]) -> None:
        self.source = source
        self.work = work
        self.path = work / "bench.db"
        self.repeat = repeat
        self.write_repeat = min(repeat, MAX_WRITE_REPEAT)
        self.import_rows = import_rows
        self.snapshot_target = snapshot_target
        self.log = log
        self.rows: list[Row] = []
        self.plans: list[tuple[str, list[str]]] = []
        self.facts: dict[str, Any] = {}

    def run(self) -> list[Row]:
        """Every measurement, in an order that leaves reads before writes."""
        self.log(f"copying {self.source} to {self.path}")
        copy_database(self.source, self.path)
        self.facts["file_mb"] = self.path.stat().st_size / 1e6
        self.opening()
        store = open_store(self.path)
        raw = Raw(self.path)
        try:
            self.log("session list before maintenance")
            self.session_list(store, raw, before_maintenance=True)
            raw.close()
            self.maintenance(store)
            raw = Raw(self.path)
            self.discover(raw)
            self.log("message pages")
            self.pages(store, raw)
            self.session_list(store, raw, before_maintenance=False)
            self.log("search")
            self.search(store, raw)
            self.log("snapshots")
            self.snapshots(store, raw)
            self.log("bulk import")
            self.bulk_import(store, raw)
        finally:
            raw.close()
            store.close()
        return self.rows

    # -- opening and maintenance ------------------------------------------------------------

    def opening(self) -> None:
        """Open the never-opened copy (and a tiny file) against a raw connect."""
        tiny = self.work / "tiny.db"
        gen.generate(tiny, sessions=3, messages=40, big_session=20, snapshot_session=10,
                     force=True)

        def app_open(path: Path) -> Callable[[], None]:
            return lambda: open_store(path).close()

        def raw_open() -> None:
            con = sqlite3.connect(str(self.path))
            con.execute("SELECT name FROM sqlite_master").fetchall()
            con.execute("PRAGMA user_version").fetchone()
            con.execute("PRAGMA journal_mode").fetchone()
            con.close()

        app, floor = compare(app_open(self.path), raw_open, self.repeat)
        messages = int(self._scalar('SELECT count(*) FROM "Messages"'))
        self.facts["messages"] = messages
        seen = "never-opened" if not self._scalar("PRAGMA user_version") else "already-opened"
        self.rows.append(Row(
            f"open_store, {seen} file ({messages:,} messages, "
            f"{self.facts['file_mb']:,.0f} MB)", app, floor,
            raw_side="connect, read sqlite_master, user_version and journal_mode",
            note="no migration or indexing happens on open (user_version stays 0)"))
        app, _ = compare(app_open(tiny), None, self.repeat)
        self.rows.append(Row("open_store, 40-message file (for comparison)", app,
                             note="the open time does not grow with the file"))

    def _scalar(self, sql: str) -> Any:
        con = sqlite3.connect(str(self.path))
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def maintenance(self, store: Store) -> None:
        """Time the first `run_maintenance()` and its three parts."""
        parts: dict[str, float] = {}

        def clock(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    parts[name] = parts.get(name, 0.0) + time.perf_counter() - start
            return wrapper

        # Instance attributes shadow the methods for this run only; the data layer is untouched.
        store.backup_to = clock("backup", store.backup_to)  # type: ignore[method-assign]
        store._fill_search_index = clock(  # type: ignore[method-assign]
            "index", store._fill_search_index)
        self.log("first maintenance (backup, schema steps, search index)")
        total = timed(lambda: store.run_maintenance(backup_dir=self.work))
        del store.backup_to, store._fill_search_index
        messages = self.facts["messages"]
        backup, index = parts.get("backup", 0.0), parts.get("index", 0.0)
        self.rows.append(Row("first maintenance: backup copy of the file", backup,
                             note="run_maintenance copies the file before its first change"))
        self.rows.append(Row("first maintenance: schema steps (indexes, search tables)",
                             total - backup - index))
        self.rows.append(Row(f"first maintenance: search index build, {messages:,} messages",
                             index, note=f"{messages / index:,.0f} messages/s" if index else ""))

    def discover(self, raw: Raw) -> None:
        """The big session and the session nearest the snapshot size."""
        counts = dict(raw.con.execute(
            'SELECT "SessionId", count(*) FROM "Messages" GROUP BY "SessionId"').fetchall())
        self.big = max(counts, key=lambda k: counts[k])
        others = [k for k in counts if k != self.big] or [self.big]
        self.snapshot_session = min(others, key=lambda k: (abs(counts[k] - self.snapshot_target),
                                                           k))
        self.facts.update(big=counts[self.big], snapshot=counts[self.snapshot_session],
                          sessions=int(raw.con.execute(
                              'SELECT count(*) FROM "Sessions"').fetchone()[0]))

    # -- reads ------------------------------------------------------------------------------

    def pages(self, store: Store, raw: Raw) -> None:
        """First and last page of the big session."""
        big = self.facts["big"]
        goal = Goal(1.5, 50)
        side = ("the same keyset SELECT in time order (Timestamp, SequenceNumber, Id; + agent "
                "name) and the same two child lookups "
                "(attachments, tool calls) for the page's ids, rows left as tuples")
        for last in (False, True):
            def shown(last: bool = last) -> Any:  # what the window shows first
                return store.sessions.messages_page(self.big, last=last, limit=PAGE,
                                                    numbered=False)

            app, floor = compare(shown, lambda last=last: raw.page(self.big, last), self.repeat)
            where = "last" if last else "first"
            self.rows.append(Row(f"{where} page ({PAGE}) of the {big:,}-message session",
                                 app, floor, goal, side))
            self._plan(f"{where} page of the big session", store, shown)
        self.rows.append(Row(
            f"then the {big:,}-message thread's length (`thread_extent`)",
            compare(lambda: store.sessions.thread_extent(self.big), None, self.repeat)[0],
            note="read after the page is shown: it numbers a last page (`ending_at`) and "
                 "says \"Messages 1–12 of 100,000\""))

    def session_list(self, store: Store, raw: Raw, *, before_maintenance: bool) -> None:
        """The first page of the session list, app against raw."""
        sessions = (int(self._scalar('SELECT count(*) FROM "Sessions"')) if before_maintenance
                    else self.facts["sessions"])
        app, floor = compare(lambda: store.sessions.summaries(limit=SESSION_PAGE),
                             raw.session_list, self.repeat)
        label = (f"session list, first {SESSION_PAGE} by last activity, {sessions:,} sessions")
        side = ("the same three SELECTs (sessions page, message counts, member names)")
        if before_maintenance:
            self.rows.append(Row(label + ", right after opening (no app indexes yet)", app,
                                 floor, raw_side=side))
        else:
            self.rows.append(Row(label, app, floor, Goal(1.5), side))
            self._plan("session list", store, lambda: store.sessions.summaries(
                limit=SESSION_PAGE))

    def search(self, store: Store, raw: Raw) -> None:
        """A common and a rare word; also the app's SQL replayed raw."""
        for word, goal in ((gen.COMMON_WORD, Goal(2)), (gen.RARE_WORD, Goal(2))):
            query = to_fts_query(word)
            assert query is not None
            hits = int(raw.con.execute(f'SELECT count(*) FROM "{FTS_TABLE}" WHERE '
                                       f'"{FTS_TABLE}" MATCH ?', (query,)).fetchone()[0])
            result = store.search.search(word, limit=HITS)
            if result.note or not result.ready:
                raise RuntimeError(f"search is not ready: {result.note}")

            def shown(word: str = word) -> SearchResult:  # what the window shows first
                return store.search.search(word, limit=HITS, numbered=False)

            app, floor = compare(shown,
                                 lambda query=query, word=word: raw.search(query, word.lower()),
                                 self.repeat)
            label = f'search "{word}" ({hits:,} matches), top {HITS} ranked with excerpts'
            self.rows.append(Row(label, app, floor, goal,
                                 "FTS5 `MATCH ? ORDER BY rank LIMIT 50` (bm25 rank), then the "
                                 "same joins (message, session, agent) for those 50 rows, "
                                 "each with an excerpt around its first word"))
            page = shown()
            self.rows.append(Row(
                f'search "{word}": then the count of matches and the hits\' places in '
                "their threads", compare(lambda page=page: store.search.number(page), None,
                                         self.repeat)[0], None,
                note="read after the hits are shown (`number()`); the count stops at "
                     "10,001"))
            statements = capture_sql(store, shown)
            app, floor = compare(shown, lambda statements=statements: raw.replay(statements),
                                 self.repeat)
            self.rows.append(Row(f'search "{word}": the app\'s own SQL run raw', app, floor,
                                 raw_side="the statements the app ran (captured with a trace "
                                          "callback) replayed through sqlite3",
                                 note="separates Python overhead from the query's shape"))
            first = store.search.search(word, limit=HITS)
            second = store.search.search(word, limit=HITS, after=first.next_page)
            if second.next_page is not None:  # a page well past the first
                third = second.next_page
                app, floor = compare(
                    lambda word=word, third=third: store.search.search(
                        word, limit=HITS, after=third, numbered=False),
                    lambda query=query, word=word, third=third: raw.search_after(
                        query, word.lower(), third), self.repeat)
                self.rows.append(Row(
                    f'search "{word}": the third page of {HITS} (after the second\'s last '
                    "(score, key))", app, floor, Goal(2),
                    "the same keyset `(score, key) > (?, ?)` over the FTS5 ranking, then the "
                    "same joins and excerpts for those 50 rows"))
            if word == gen.COMMON_WORD:
                self._plan(f'search "{word}" (app)', store, lambda word=word: store.search.search(
                    word, limit=HITS))

    def _plan(self, title: str, store: Store, action: Callable[[], Any]) -> None:
        statements = capture_sql(store, action)
        con = sqlite3.connect(str(self.path))
        try:
            lines = []
            for statement in statements:
                if "sqlite_master" in statement or "desktop_meta" in statement:
                    continue
                lines.append(statement if len(statement) < 300 else statement[:300] + " …")
                lines += ["    " + row[3] for row in con.execute(
                    "EXPLAIN QUERY PLAN " + statement).fetchall()]
            self.plans.append((title, lines))
        finally:
            con.close()

    # -- writes -----------------------------------------------------------------------------

    def snapshots(self, store: Store, raw: Raw) -> None:
        """Create and restore a snapshot of the snapshot-sized session."""
        sid, count = self.snapshot_session, self.facts["snapshot"]
        app, floor = compare(lambda: store.snapshots.create(sid), lambda: raw.snapshot_create(sid),
                             self.write_repeat)
        self.rows.append(Row(
            f"snapshot create, {count:,} messages", app, floor, Goal(2),
            "one INSERT … SELECT building the same SessionStateJson and AgentStatesJson in "
            "SQL (json_object / json_group_array)"))
        snapshot_id = store.snapshots.create(sid, "benchmark restore source").id
        app, floor = compare(lambda: store.snapshots.restore(snapshot_id),
                             lambda: raw.snapshot_restore(sid), self.write_repeat)
        self.rows.append(Row(
            f"snapshot restore, {count:,} messages", app, floor, Goal(2),
            "INSERT … SELECT copies of the session's rows (session, messages, attachments, tool "
            f"calls, members) with new ids from `{NEW_GUID_SQL[:28]}…`; the search-index "
            "triggers fire on both sides",
            note="the app reads the snapshot's JSON; raw copies the live rows"))

    def bulk_import(self, store: Store, raw: Raw) -> None:
        """`sessions.import_messages` against one raw `executemany`."""
        source = raw.con.execute(
            'SELECT "Content", "Role", "AgentId", "TokenUsageJson" FROM "Messages" '
            'WHERE "SessionId" = ? ORDER BY "SequenceNumber" LIMIT ?',
            (self.snapshot_session, self.import_rows)).fetchall()
        rows = [(content, role if role in (0, 1, 2, 3) else 0, agent,
                 json.loads(tokens) if tokens else None)
                for content, role, agent, tokens in source]
        count = len(rows)
        # Sessions are made ahead (untimed) so each call imports into an empty session.
        sessions = iter([store.sessions.create(f"bulk import {n}").id
                         for n in range(2 * (self.write_repeat + 1))])

        items = [{"content": content, "role": MessageRole(role), "agent_id": agent,
                  "token_usage": tokens} for content, role, agent, tokens in rows]

        def app_import() -> None:
            store.sessions.import_messages(next(sessions), items)

        def raw_import() -> None:
            raw.bulk_import(next(sessions), rows)

        app, floor = compare(app_import, raw_import, self.write_repeat)
        self.rows.append(Row(
            f"bulk import, {count:,} messages in one transaction", app, floor, Goal(2),
            "one `executemany` INSERT of the same rows (new ids, sequence numbers, JSON token "
            "usage) and one UPDATE of the session's last activity",
            note=(f"app {count / app:,.0f} messages/s, raw {count / floor:,.0f} messages/s; "
                  "the app stages the rows in a TEMP table and inserts them with one "
                  "INSERT … SELECT") if floor else ""))


def environment() -> list[str]:
    """The machine and versions, for the report."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pony

    return [f"- machine: {platform.platform()}, {cpu}, {os.cpu_count()} logical CPUs",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"Pony ORM {pony.__version__}"]


def main(argv: list[str] | None = None) -> int:
    """Command line: run every comparison once and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full",
                        help="database size to generate when --db is not given (default full)")
    parser.add_argument("--db", type=Path, help="benchmark this file (a copy of it) instead")
    parser.add_argument("--repeat", type=int, default=7,
                        help=f"timed calls per operation (writes: at most {MAX_WRITE_REPEAT})")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--import-rows", type=int, help="messages in the bulk-import test")
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    parser.add_argument("--work-dir", type=Path, help="folder for the working copy "
                        "(default: a new temporary folder, removed afterwards)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(text: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    generated = None
    if args.db is not None:
        source = args.db.expanduser().absolute()
        if not source.is_file():
            print(f"error: {source} is not a file", file=sys.stderr)
            return 2
    else:
        source, generated = cached_database(args.size, args.seed, args.cache_dir, log)
    preset = SIZES[args.size]
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="orchestrator-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = Benchmark(source, work, repeat=max(args.repeat, 1),
                      import_rows=args.import_rows or preset["import_rows"],
                      snapshot_target=preset["generate"]["snapshot_session"], log=log)
    try:
        rows = bench.run()
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    facts = bench.facts
    print(f"## Benchmark: {facts['messages']:,} messages, {facts['sessions']:,} sessions "
          f"({facts['file_mb']:,.0f} MB), medians of {bench.repeat} "
          f"(writes {bench.write_repeat})\n")
    print(render_table(rows))
    print("\n### What each row measures\n")
    print(render_notes(rows))
    if generated is not None:
        print(f"\nGenerating the database took {generated:.1f} s.")
    print("\n### Query plans of the application's statements\n")
    for title, lines in bench.plans:
        print(f"{title}:\n```")
        print("\n".join(lines))
        print("```")
    print("\n### Environment\n")
    print("\n".join(environment()))
    print(f"- source: {source}")
    print(f"- whole run: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
