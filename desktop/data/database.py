"""Opening, creating and maintaining an OrchestratorChat database file; home of `Store`.

`open_store()` returns quickly whatever the file's size: it reads the header and the schema,
creates the contract's tables in a new file, and binds Pony. Work that grows with the file (a
backup before the first schema change, the application's migration steps, filling the search
index) is left to `Store.run_maintenance()`, which the window runs in a worker with progress
and the command line runs in the foreground.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pony.orm import Database, db_session
from pony.orm.core import local as pony_local

from . import connection, migrations, schema
from .agents import AgentRepository
from .backups import make_backup
from .connection import Progress, copy_database, new_id, sqlite_uri, translated_errors
from .converters import ContractSQLiteProvider
from .encoding import now_text
from .entities import define_entities
from .errors import DataError, FileReplacedError, ReadOnlyError, ValidationError
from .fileform import FileForm, read_form
from .files import identity
from .inspection import SQLITE_HEADER, FileFacts, inspect_file
from .plans import PlanRepository
from .repository import Repository
from .search import SearchService
from .seed import DEFAULT_AGENTS, DEFAULT_CAPABILITIES_JSON
from .sessions import SessionRepository
from .snapshot_facts import UNDESCRIBED_QUERY, fill_missing
from .snapshots import SnapshotService

# Names other modules have imported from here; they live in the modules below.
__all__ = ["SQLITE_HEADER", "FileFacts", "Progress", "Rollback", "Store", "copy_database",
           "inspect_file", "new_id", "open_store", "sqlite_uri", "translated_errors"]

log = logging.getLogger(__name__)



@lru_cache(maxsize=512)
def _sqlite_sql(sql: str) -> str:
    """A statement written for Pony's raw SQL (`$name` parameters, `$$` for a dollar sign) in
    SQLite's own terms, where `$name` is a named parameter."""
    return sql.replace("$$", "$")


class Rollback(Exception):
    """Raise inside `Store.unit_of_work()` to discard everything done in it."""


def open_store(path: str | os.PathLike[str], *, read_only: bool = False,
               create: bool = True) -> Store:
    """Open (or create) the database at `path` and return a bound Store.

    Raises a DataError subclass with a readable message when the file cannot be used.
    """
    path = Path(path).expanduser().absolute()
    facts = inspect_file(path)
    if not facts.exists and not create:
        raise DataError(f"{path} does not exist.")
    reason = facts.read_only_reason or ("Opened read-only on request." if read_only else None)
    if not facts.exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path, read_only_reason=reason)
    if facts.is_empty_database:
        if reason:
            raise ReadOnlyError(f"{path} is empty and cannot be set up: {reason}")
        store._create_schema()
    store._bind()
    return store


class Store:
    """One open database file: its Pony binding, its operations, and its maintenance."""

    def __init__(self, path: Path, *, read_only_reason: str | None = None) -> None:
        self.path = path
        self.read_only_reason = read_only_reason
        self.created = False
        self._identity: tuple[int, int] | None = None
        self.replaced_reason: str | None = None
        self.form: FileForm = FileForm({})
        self.db = Database()
        self.entities = define_entities(self.db)
        self._maintenance_lock = threading.Lock()

        e = self.entities
        self.sessions = SessionRepository(self, e.Session)
        self.agents = AgentRepository(self, e.Agent)
        self.messages = Repository(self, e.Message)
        self.configurations = Repository(self, e.AgentConfiguration)
        self.memberships = Repository(self, e.SessionAgent)
        self.attachments = Repository(self, e.Attachment)
        self.tool_calls = Repository(self, e.ToolCall)
        self.snapshots = SnapshotService(self, e.SessionSnapshot)
        self.plans = PlanRepository(self, e.OrchestrationPlan)
        self.steps = Repository(self, e.OrchestrationStep)
        self.search = SearchService(self)

    # -- connection ---------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def _bind(self) -> None:
        kwargs: dict[str, Any] = {"timeout": connection.BUSY_TIMEOUT_SECONDS,
                                  "check_same_thread": False}
        if self.read_only:
            filename = sqlite_uri(self.path, read_only=True)
            kwargs["uri"] = True
        else:
            filename = str(self.path)
        with translated_errors():
            if not self.read_only:
                self._use_wal()
            self._identity = identity(self.path)
            self.db.bind(provider=ContractSQLiteProvider, filename=filename, create_db=True,
                         **kwargs)
            self.db.generate_mapping(check_tables=True)
            self.refresh_form()
            if not self.read_only:
                with db_session:
                    if not self.db.select('SELECT count(*) FROM "Agents"')[0]:
                        self._seed_agents()

    def refresh_form(self) -> FileForm:
        """Read the file's tables and columns again (another program may have migrated it)."""
        with closing(sqlite3.connect(sqlite_uri(self.path, read_only=True), uri=True,
                                     timeout=connection.BUSY_TIMEOUT_SECONDS)) as con:
            self.form = read_form(con)
        return self.form

    def _use_wal(self) -> None:
        """Switch the file to WAL (a change that cannot happen inside a transaction)."""
        con = sqlite3.connect(str(self.path), timeout=connection.BUSY_TIMEOUT_SECONDS)
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")
        finally:
            con.close()

    def close(self) -> None:
        """Release every connection this store holds."""
        self.db.disconnect()

    def _create_schema(self) -> None:
        """Create today's tables as the .NET application's EF Core makes them, the history row
        that leaves its MigrateAsync() nothing to apply, and every application step."""
        con = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            for statement in schema.TODAY_DDL:
                con.execute(statement)
            con.execute(schema.TODAY_HISTORY_INSERT)
            for step in migrations.STEPS:
                for statement in step.statements:
                    con.execute(statement)
            con.execute("UPDATE desktop_meta SET Value = 'ready' WHERE Key = 'fts_state'")
            con.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.close()
            self.path.unlink(missing_ok=True)
            raise
        con.close()
        self.created = True
        log.info("created %s", self.path)

    def _seed_agents(self) -> None:
        now = now_text()
        for agent in DEFAULT_AGENTS:
            self.insert_row("Agents", {
                "Id": agent["id"], "Name": agent["name"], "Type": int(agent["type"]),
                "Description": agent["description"], "IsActive": 1, "CreatedAt": now,
                "TotalSessions": 0, "TotalMessages": 0, "TotalTokensUsed": 0})
            self.insert_row("AgentConfigurations", {
                "Id": new_id(), "AgentId": agent["id"], "Model": agent["model"],
                "Temperature": agent["temperature"], "MaxTokens": agent["max_tokens"],
                "SystemPrompt": agent["system_prompt"],
                "RequireApproval": int(agent["require_approval"]),
                "CapabilitiesJson": DEFAULT_CAPABILITIES_JSON})
        log.info("seeded default agents into %s", self.path)

    # -- raw SQL helpers (call inside a db_session) ---------------------------------------

    def select(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Run a read query with `$name` parameters; rows as tuples.

        Straight through sqlite3 on the session's connection (SQLite binds `$name` itself):
        Pony's raw-SQL path evaluates each parameter as Python, wraps every row in a row
        class and decodes every TEXT value in a Python function, which cost more than the
        query on a page of messages. Pony's pending changes are flushed first, as its
        `select` does; text that is not valid UTF-8 is read as Pony reads it (replaced).
        """
        connection = self.db._get_cache().prepare_connection_for_query_execution()
        statement = _sqlite_sql(sql)
        factory = connection.text_factory
        connection.text_factory = str
        try:
            return connection.execute(statement, params).fetchall()
        except sqlite3.OperationalError as error:
            if "decode" not in str(error):
                raise
            connection.text_factory = factory
            return connection.execute(statement, params).fetchall()
        finally:
            connection.text_factory = factory

    def scalar(self, sql: str, **params: Any) -> Any:
        """The first column of the first row, or None."""
        rows = self.select(sql, **params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, **params: Any) -> Any:
        """Run a writing statement with `$name` parameters inside the current transaction."""
        self.require_writable()
        return self.db.execute(sql, globals={}, locals=params)

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run one `?`-parameter statement for many rows inside the current transaction."""
        self.require_writable()
        if rows:
            self.db.get_connection().executemany(sql, rows)

    def insert_row(self, table: str, values: dict[str, Any], *, verb: str = "INSERT") -> None:
        """Insert one row given by column name; the file's other NOT NULL columns are filled
        (see `FileForm.complete`) and columns it does not have are left out."""
        self.require_writable()
        row = self.form.complete(table, values)
        self.db.get_connection().execute(self.form.insert_sql(table, list(row), verb),
                                         tuple(row.values()))

    def agent_for(self, session_id: str | None, table: str = "Messages") -> str | None:
        """The agent a row of `table` names when it has none of its own: None where the
        column may be NULL (the seed's form); where today's form makes `AgentId` a required
        reference, the session's first member, else the default agent, else the oldest one,
        as the .NET application always names a real agent."""
        if not any(c.name == "AgentId" and c.not_null for c in self.form.columns.get(table, ())):
            return None
        found = self.scalar(
            'SELECT coalesce((SELECT "AgentId" FROM "SessionAgents" WHERE "SessionId" = $sid '
            'ORDER BY "JoinedAt", "AgentId" LIMIT 1), (SELECT "Id" FROM "Agents" ORDER BY '
            '"Id" <> \'default-claude\', "CreatedAt", "Id" LIMIT 1))', sid=session_id)
        if found is None:
            raise ValidationError("agent", "this file needs every message to name an agent, "
                                           "and it has none; create an agent first")
        return str(found)

    def bulk_insert(self, table: str, rows: list[tuple[Any, ...]],
                    columns: tuple[str, ...] | None = None) -> None:
        """Insert many rows of a table (values in the order of `columns`, by default the
        contract's) with one INSERT ... SELECT that fills the file's other NOT NULL columns.

        Rows are staged in a TEMP table first: one statement for all of them lets the
        search-index triggers write one index segment instead of one per row.
        """
        self.require_writable()
        if not rows:
            return
        columns = tuple(c for c in (columns or schema.COLUMNS[table]))
        con = self.db.get_connection()
        staging = f"desktop_staging_{table}"
        names = ", ".join(f'"{c}"' for c in columns)
        con.execute(f'DROP TABLE IF EXISTS temp."{staging}"')
        con.execute(f'CREATE TEMP TABLE "{staging}" ({names})')
        con.executemany(f'INSERT INTO temp."{staging}" VALUES ({", ".join("?" * len(columns))})',
                        rows)
        present = tuple(c for c in columns if self.form.has_column(table, c))
        targets, selects = self.form.filled_select(table, present)
        con.execute(f'INSERT INTO main."{table}" ({targets}) SELECT {selects} '
                    f'FROM temp."{staging}"')
        con.execute(f'DROP TABLE temp."{staging}"')

    # -- sessions of work ---------------------------------------------------------------

    def require_writable(self) -> None:
        """Raise ReadOnlyError when the file was opened read-only, FileReplacedError when the
        file at the path is no longer the one opened."""
        if self.check_file() is not None:
            raise FileReplacedError(f"{self.path.name} was not changed: {self.read_only_reason}")
        if self.read_only:
            raise ReadOnlyError(f"{self.path.name} is open read-only: {self.read_only_reason}")

    def check_file(self) -> str | None:
        """Why the file at the path is no longer the one opened (another program moved,
        deleted or renamed another file over it), or None. From then on the store is
        read-only: a write would go to the old file's log, beside a file that is not its
        own. Costs one stat(); run before every write and on every poll."""
        if self.replaced_reason is not None or self._identity is None:
            return self.replaced_reason
        now = identity(self.path)
        if now == self._identity:
            return None
        if now is None:
            reason = (f"{self.path} was moved or deleted by another program while it was "
                      "open. Nothing more is written to it; what is shown is the file as it "
                      "was. Open it from where it is now.")
        else:
            reason = (f"{self.path} was replaced by another file while it was open. Nothing "
                      "more is written to either file; what is shown is the old file as it "
                      "was. Open the file again to see the new one.")
        log.warning("%s", reason)
        self.replaced_reason = reason
        self.read_only_reason = reason
        self._empty_stale_log()
        return reason

    def _empty_stale_log(self) -> None:
        """Copy what the old file's write-ahead log holds into the old file and truncate the
        log: the log is found by its name, so left full beside the new file, a reader of the
        new file would apply it and find that file damaged."""
        if pony_local.db_session is not None or not Path(f"{self.path}-wal").exists():
            return
        try:
            with db_session:
                con = self.db.get_connection()
                con.commit()  # Pony opened a read transaction; a checkpoint needs none
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception:  # the old file may be gone for good; nothing more to protect
            log.warning("could not empty the replaced file's log", exc_info=True)

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A read session; joins an enclosing session when there is one."""
        with translated_errors(), db_session:
            yield self

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A write transaction (`BEGIN IMMEDIATE`); joins an enclosing one when there is one."""
        self.require_writable()
        if pony_local.db_session is not None:
            with translated_errors():
                yield self
            return
        with translated_errors(), db_session(immediate=True):
            yield self

    @contextmanager
    def unit_of_work(self) -> Iterator[Store]:
        """Several operations in one transaction: all committed, or, on any error, none.

        Raise `Rollback` inside to discard the work without an error escaping.
        """
        try:
            with self.writing():
                yield self
        except Rollback:
            log.info("unit of work rolled back on request")

    # -- facts, backup, maintenance ------------------------------------------------------

    @property
    def schema_version(self) -> int:
        with self.reading():
            return int(self.scalar("SELECT user_version FROM pragma_user_version") or 0)

    def journal_mode(self) -> str:
        """The file's journal mode as SQLite reports it (`wal`, `delete`, …)."""
        with self.reading():
            return str(self.scalar("SELECT journal_mode FROM pragma_journal_mode"))

    def change_counter(self) -> int:
        """SQLite's `data_version` for this thread's connection: it changes when another
        connection (another program, or another thread here) commits to the file."""
        with self.reading():
            return int(self.scalar("SELECT data_version FROM pragma_data_version"))

    def counts(self) -> dict[str, int]:
        """Rows in the main tables (SQLite counts through the smallest index)."""
        with self.reading():
            return {name: int(self.scalar(f'SELECT count(*) FROM "{table}"')) for name, table in (
                ("sessions", "Sessions"), ("messages", "Messages"), ("agents", "Agents"),
                ("snapshots", "SessionSnapshots"))}

    def meta(self, key: str) -> str | None:
        """A value from the application's metadata table, or None before it exists."""
        with self.reading():
            if not self.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'desktop_meta'"):
                return None
            return self.scalar('SELECT "Value" FROM "desktop_meta" WHERE "Key" = $key', key=key)

    def backup_to(self, destination: str | os.PathLike[str],
                  progress: Progress | None = None) -> Path:
        """Write a consistent copy of the file with SQLite's backup API."""
        destination = Path(destination).expanduser().absolute()
        if destination.resolve() == self.path.resolve():
            raise DataError("A backup cannot overwrite the database it copies.")
        return copy_database(self.path, destination, progress)

    def needs_maintenance(self) -> bool:
        """True when migration steps, the search-index fill or the facts of snapshots another
        program wrote are still to find."""
        if self.read_only:
            return False
        if (self.schema_version < migrations.LATEST_VERSION
                or self.meta("fts_state") != "ready" or self.missing_objects()):
            return True
        with self.reading():
            return bool(self.select(UNDESCRIBED_QUERY))

    def missing_objects(self) -> list[str]:
        """The names of this application's indexes and triggers on the .NET tables that are
        gone (another program rebuilt a table); one query of the schema, cheap on any file."""
        wanted = migrations.repairable_objects(self.schema_version)
        with self.reading():
            present = {name for (name,) in self.select(
                "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")}
        return sorted(set(wanted) - present)

    def _repair_objects(self, missing: list[str]) -> None:
        """Make the missing indexes and triggers again; without the triggers, messages were
        written that the search index never saw, so it is emptied and filled again."""
        wanted = migrations.repairable_objects(self.schema_version)
        log.warning("another program removed %s; making them again", ", ".join(missing))
        with self.writing():
            for name in missing:
                self.execute(wanted[name][1])
            if any(wanted[name][0] == "trigger" for name in missing):
                self.search.clear_index()

    def run_maintenance(self, progress: Progress | None = None,
                        should_stop: Callable[[], bool] = lambda: False,
                        backup_dir: Path | None = None) -> None:
        """Back up (before any schema change), migrate, then fill the search index.

        Safe to stop at any point (`should_stop`) and to run again: each part commits whole.
        """
        if self.read_only:
            return
        report = progress or (lambda _text, _fraction: None)
        with self._maintenance_lock:
            version = self.schema_version
            steps = migrations.pending(version)
            if steps and not self.created:
                log.info("backing up %s before a schema change", self.path)
                make_backup(self.path, backup_dir or self.path.parent / "backups",
                            "before-update", report)
            for index, step in enumerate(steps):
                if should_stop():
                    return
                report(f"Updating the database: {step.description}", index / len(steps))
                self._apply(step)
            missing = self.missing_objects()
            if missing:
                self._repair_objects(missing)
            if self.meta("fts_state") == "ready" and not self.search.index_is_consistent():
                log.warning("search index out of step with Messages; rebuilding")
                self.search.clear_index()
            self._fill_search_index(report, should_stop)
            fill_missing(self, should_stop)
            if self.meta("fts_state") == "ready":
                self.search.fill_deferred(should_stop)

    def _apply(self, step: migrations.Step) -> None:
        with self.writing():
            for statement in step.statements:
                self.execute(statement)
            self.execute(f"PRAGMA user_version = {step.version}")
        log.info("applied migration step %d (%s)", step.version, step.description)

    def _fill_search_index(self, report: Progress, should_stop: Callable[[], bool]) -> None:
        """Fill the index newest messages first, in short resumable transactions (fts_build);
        searches answer from what is indexed meanwhile."""
        if self.meta("fts_state") == "ready":
            return
        from .fts_build import build_index

        def progress(fraction: float) -> None:
            report("Building the search index", fraction)

        with translated_errors():
            done = build_index(self.path, connection.BUSY_TIMEOUT_SECONDS, progress, should_stop,
                               self.require_writable)
        if not done:
            return
        report("Search index ready", 1.0)
        log.info("search index of %s is ready", self.path)
