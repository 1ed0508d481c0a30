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
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pony.orm import Database, db_session
from pony.orm.core import local as pony_local

from . import migrations, schema
from .converters import ContractSQLiteProvider
from .encoding import now_text
from .entities import define_entities
from .errors import (
    DamagedDatabaseError,
    DatabaseLockedError,
    DataError,
    FileReplacedError,
    NotADatabaseError,
    ReadOnlyError,
    translate,
)
from .fileform import FileForm, read_form
from .files import identity, partial_name
from .seed import DEFAULT_AGENTS, DEFAULT_CAPABILITIES_JSON

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 10.0
# SQLite's result codes, which the sqlite3 module names only from Python 3.11
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

Progress = Callable[[str, float], None]
"""Called with a short description of the current task and its fraction done (0..1)."""


class Rollback(Exception):
    """Raise inside `Store.unit_of_work()` to discard everything done in it."""


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


@dataclass(frozen=True)
class FileFacts:
    """What `inspect_file()` learns without changing anything."""

    path: Path
    exists: bool
    is_empty_database: bool
    user_version: int
    read_only_reason: str | None


def inspect_file(path: Path) -> FileFacts:
    """Check that `path` is an OrchestratorChat database (or absent); never modifies it."""
    if not path.exists():
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not _writable(parent):
            raise ReadOnlyError(f"Cannot create {path}: the folder {parent} is not writable.")
        return FileFacts(path, False, True, 0, None)
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not a database file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as exc:
        raise ReadOnlyError(f"{path} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({exc.strerror}).") from exc
    if not header:
        raise NotADatabaseError(f"{path} is an empty file, not an OrchestratorChat database.")
    if not header.startswith(SQLITE_HEADER):
        raise NotADatabaseError(f"{path} is not an SQLite database.")
    if len(header) < 100:
        raise DamagedDatabaseError(f"{path} is truncated: its SQLite header is incomplete.")
    reason = None
    if not _writable(path):
        reason = "The file is read-only."
    elif not _writable(path.parent):
        reason = "The folder holding the file is read-only."
    try:
        con = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True,
                              timeout=BUSY_TIMEOUT_SECONDS)
        try:
            tables = {row[0] for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        mapped = translate(exc)
        if isinstance(mapped, NotADatabaseError):
            raise DamagedDatabaseError(
                f"{path} looks like an SQLite database but cannot be read: it is damaged."
            ) from exc
        raise (mapped or DamagedDatabaseError(f"{path} cannot be opened ({exc}).")) from exc
    if not tables:
        return FileFacts(path, True, True, version, reason)
    missing = [t for t in schema.CONTRACT_TABLES if t not in tables]
    if missing:
        raise NotADatabaseError(
            f"{path} is an SQLite database but not an OrchestratorChat one "
            f"(it has no {', '.join(missing[:3])}{'...' if len(missing) > 3 else ''} table)."
        )
    if version > migrations.LATEST_VERSION and reason is None:
        reason = ("The file was changed by a newer version of OrchestratorChat Desktop; "
                  "it is opened read-only so nothing this version does can damage it.")
    return FileFacts(path, True, False, version, reason)


def _writable(path: Path) -> bool:
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
    if read_only and path.exists() and not _writable(path.parent) and _is_wal_file(path) and \
            not Path(f"{path}-shm").exists() and not Path(f"{path}-wal").exists():
        # A WAL file in a folder we cannot write to, with no -shm or -wal beside it: SQLite
        # cannot make the -shm file it needs to read it, and no WAL writer is at work (it
        # would have made both), so it is read as unchanging. A rollback-journal file is
        # never read so: someone may be writing it by another path (a bind mount, a share),
        # and immutable would hide their commits.
        uri += "&immutable=1"
    return uri


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
        from .agents import AgentRepository
        from .plans import PlanRepository
        from .repository import Repository
        from .search import SearchService
        from .sessions import SessionRepository
        from .snapshots import SnapshotService

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
        kwargs: dict[str, Any] = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
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
                                     timeout=BUSY_TIMEOUT_SECONDS)) as con:
            self.form = read_form(con)
        return self.form

    def _use_wal(self) -> None:
        """Switch the file to WAL (a change that cannot happen inside a transaction)."""
        con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_SECONDS)
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
        """Run a read query with `$name` parameters; rows as tuples."""
        rows = self.db.select(sql, globals={}, locals=params)
        if rows and not isinstance(rows[0], tuple):
            return [(value,) for value in rows]
        return list(rows)

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
            from .errors import ValidationError

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
        """True when migration steps or the search-index fill are still to run."""
        if self.read_only:
            return False
        return (self.schema_version < migrations.LATEST_VERSION
                or self.meta("fts_state") != "ready" or bool(self.missing_objects()))

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
                from .backups import make_backup

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
            from .snapshot_facts import fill_missing

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
            done = build_index(self.path, BUSY_TIMEOUT_SECONDS, progress, should_stop,
                               self.require_writable)
        if not done:
            return
        report("Search index ready", 1.0)
        log.info("search index of %s is ready", self.path)


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
