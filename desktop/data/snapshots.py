"""Session snapshots: create, restore and revert; the JSON forms are in `snapshot_form.py`.

Comparing a snapshot with its session now is in `snapshot_compare.py`, snapshot files (export
and import) in `snapshot_files.py`; `SnapshotService` offers both.

A snapshot keeps every column of the session, its messages (with attachments and tool calls),
its memberships and its team exactly as stored, so a restore writes back the very same values;
the document is also one the .NET application reads as its `Session`. `AgentStatesJson` maps
each agent id the session uses to that agent's row and configuration at the time, which lets a
restore bring back an agent deleted since. The .NET application's own snapshots (its `Session`
alone) are restored as well, as a new session.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pony.orm.core import local as pony_local

from . import records as r
from .connection import new_id
from .encoding import now_text
from .errors import Cancelled as Cancelled
from .errors import DataError, NotFoundError, SnapshotFormatError, ValidationError
from .fts import DEFERRED_TABLE
from .repository import Repository
from .schema import COLUMNS, TEAM_COLUMNS, column_list
from .snapshot_compare import SnapshotComparison, compare
from .snapshot_facts import (
    UNDESCRIBED,
    describe_stored,
    has_facts_table,
    listing_columns,
    record_facts,
)
from .snapshot_files import SnapshotFile, export, import_snapshot, read
from .snapshot_form import (
    DOTNET_FORM,
    FORMAT,
    StateHeader,
    read_header,
    state_text,
    to_document,
)
from .snapshot_form import VERSION as VERSION
from .snapshot_form import parse_state as parse_state
from .snapshot_staging import (
    SessionChanged,
    Staging,
    agent_for,
    committing,
    copy_rows,
    fingerprint,
    fresh_messages_untriggered,
    insert_row,
    insert_snapshot,
)
from .tables import snapshot_record

log = logging.getLogger(__name__)

Progress = Callable[[float], None]


@dataclass(frozen=True)
class RevertResult:
    session: r.SessionRecord
    safety_snapshot: r.SnapshotRecord


@dataclass(frozen=True)
class SnapshotListing:
    """A snapshot with the name of its session, for listings across sessions."""

    snapshot: r.SnapshotRecord
    session_name: str | None
    session_exists: bool


READABLE_FORMS = (FORMAT, DOTNET_FORM)


def _row_dict(table: str, row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(COLUMNS[table], row, strict=True))


class SnapshotService(Repository[r.SnapshotRecord]):
    """Take, list, rename, restore and revert snapshots."""

    # -- reading state ----------------------------------------------------------------------

    def capture(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The session's state and its agents' states, as the two JSON documents hold them."""
        store = self.store
        with store.reading():
            session = store.select(f'SELECT {column_list("Sessions")} FROM "Sessions" '
                                   'WHERE "Id" = $id', id=session_id)
            if not session:
                raise NotFoundError("session", session_id)
            messages = [_row_dict("Messages", row) for row in store.select(
                f'SELECT {column_list("Messages")} FROM "Messages" WHERE "SessionId" = $id '
                'ORDER BY "Timestamp", "SequenceNumber", "Id"', id=session_id)]
            children: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for table, key in (("Attachments", "Attachments"), ("ToolCalls", "ToolCalls")):
                for row in store.select(
                        f'SELECT {column_list(table, "c")} FROM "{table}" c JOIN "Messages" m '
                        'ON m."Id" = c."MessageId" WHERE m."SessionId" = $id ORDER BY c."Id"',
                        id=session_id):
                    item = _row_dict(table, row)
                    children.setdefault(item["MessageId"], {}).setdefault(key, []).append(item)
            members = [_row_dict("SessionAgents", row) for row in store.select(
                f'SELECT {column_list("SessionAgents")} FROM "SessionAgents" '
                'WHERE "SessionId" = $id ORDER BY "JoinedAt", "AgentId"', id=session_id)]
            agent_ids = {m["AgentId"] for m in members} | {
                m["AgentId"] for m in messages if m["AgentId"]}
            agents: dict[str, Any] = {}
            for agent_id in sorted(agent_ids):
                agent = store.select(f'SELECT {column_list("Agents")} FROM "Agents" '
                                     'WHERE "Id" = $id', id=agent_id)
                config = store.select(f'SELECT {column_list("AgentConfigurations")} FROM '
                                      '"AgentConfigurations" WHERE "AgentId" = $id', id=agent_id)
                if agent:
                    agents[agent_id] = {
                        "Agent": _row_dict("Agents", agent[0]),
                        "Configuration": _row_dict("AgentConfigurations", config[0])
                        if config else None,
                    }
            teams = self._capture_teams(session_id)
        for message in messages:
            found = children.get(message["Id"], {})
            message["Attachments"] = found.get("Attachments", [])
            message["ToolCalls"] = found.get("ToolCalls", [])
        state = {"Session": _row_dict("Sessions", session[0]), "Messages": messages,
                 "SessionAgents": members, "Teams": teams}
        return state, agents

    def _capture_teams(self, session_id: str) -> list[dict[str, Any]]:
        """The session's teams with their members, where the file has the tables."""
        if not self.store.form.has_teams:
            return []
        store, teams = self.store, []
        for row in store.select(f'SELECT {column_list("Teams")} FROM "Teams" WHERE '
                                '"SessionId" = $id ORDER BY "CreatedAt", "Id"', id=session_id):
            team = dict(zip(TEAM_COLUMNS["Teams"], row, strict=True))
            team["Members"] = [dict(zip(TEAM_COLUMNS["TeamMembers"], member, strict=True))
                               for member in store.select(
                f'SELECT {column_list("TeamMembers")} FROM "TeamMembers" WHERE "TeamId" = $id '
                'ORDER BY "JoinedAt", "AgentId"', id=team["Id"])]
            teams.append(team)
        return teams

    def load_state(self, snapshot_id: str) -> tuple[r.SnapshotRecord, dict[str, Any],
                                                    dict[str, Any]]:
        """The snapshot's record and decoded documents; SnapshotFormatError when unreadable."""
        record = self.require(snapshot_id)
        with self.store.reading():
            raw_state, raw_agents = self.store.select(
                'SELECT "SessionStateJson", "AgentStatesJson" FROM "SessionSnapshots" '
                'WHERE "Id" = $id', id=snapshot_id)[0]
        return record, parse_state(state_text(raw_state)), parse_agent_states(raw_agents)

    # -- writing ------------------------------------------------------------------------------

    def create(self, session_id: str, name: str | None = None,
               description: str | None = None) -> r.SnapshotRecord:
        """Take a snapshot of the session as it is now: built beside the file with no lock
        held, then stored in one short transaction (snapshot_staging.py); inside an enclosing
        transaction (which sees rows not yet committed), in that transaction."""
        if pony_local.db_session is not None:
            return self._create_in_transaction(session_id, name, description)
        staging = Staging(self.store)
        try:
            with staging.read_transaction():
                session, count, agents, _ = staging.stage_capture(session_id)
            with committing(self.store, staging) as con:
                snapshot_id = self._store_staged(con, staging, session, count, agents, name,
                                                 description)
            return self.require(snapshot_id)
        finally:
            staging.close()

    def _create_in_transaction(self, session_id: str, name: str | None,
                               description: str | None) -> r.SnapshotRecord:
        with self.store.writing():
            state, agents = self.capture(session_id)
            session_name = state["Session"]["Name"] or "Untitled session"
            text = json.dumps(to_document(state), ensure_ascii=False)
            snapshot_id = new_id()
            self.store.insert_row("SessionSnapshots", {
                "Id": snapshot_id, "SessionId": session_id,
                "Name": (name or "").strip() or f"{session_name} at {now_text()[:16]}",
                "Description": description or f"Snapshot of {session_name}",
                "CreatedAt": now_text(), "MessageCount": len(state["Messages"]),
                "SessionStateJson": text, "AgentStatesJson": json.dumps(agents,
                                                                        ensure_ascii=False)})
            record_facts(self.store.db.get_connection(), snapshot_id, FORMAT,
                         len(state["Messages"]), len(text.encode("utf-8")))
            return self.require(snapshot_id)

    def _store_staged(self, con: Any, staging: Staging, session: dict[str, Any], count: int,
                      agents: str, name: str | None, description: str | None) -> str:
        if con.execute('SELECT 1 FROM "Sessions" WHERE "Id" = ?', (session["Id"],)).fetchone() \
                is None:
            raise NotFoundError("session", session["Id"])
        session_name = session["Name"] or "Untitled session"
        snapshot_id = new_id()
        insert_snapshot(self.store, con, {
            "Id": snapshot_id, "SessionId": session["Id"],
            "Name": (name or "").strip() or f"{session_name} at {now_text()[:16]}",
            "Description": description or f"Snapshot of {session_name}",
            "CreatedAt": now_text(), "MessageCount": count, "AgentStatesJson": agents},
            staging)
        record_facts(con, snapshot_id, FORMAT, count, staging.document_bytes)
        return snapshot_id

    def described(self, records: list[r.SnapshotRecord]) -> list[r.SnapshotRecord]:
        """The records, those whose facts are not stored yet (written by the .NET application,
        in a file not maintained since) described now by reading their documents in chunks.
        For a one-off listing on the command line; the window leaves it to maintenance."""
        from dataclasses import replace

        out = []
        for record in records:
            if record.format in (UNDESCRIBED, ""):  # "": the file has no facts table yet
                form, count, size = describe_stored(self.store, record.id)
                record = replace(record, format=form, size=size,
                                 message_count=record.message_count or count)
            out.append(record)
        return out

    def for_session(self, session_id: str) -> list[r.SnapshotRecord]:
        """The session's snapshots, newest first."""
        return self.find(session_id=session_id, order_by="-created_at")

    def listing(self, session_id: str | None = None, *, limit: int = 5000
                ) -> list[SnapshotListing]:
        """Snapshots of one session, or of every session when `session_id` is None, newest
        first, each with its session's name."""
        where = ' WHERE x."SessionId" = $sid' if session_id is not None else ""
        with self.store.reading():
            columns, join = listing_columns(has_facts_table(self.store.db.get_connection()))
            columns.value("session", 's."Name"').value("session_exists", 's."Id" IS NOT NULL')
            rows = self.store.select(
                f'SELECT {columns.sql} FROM "SessionSnapshots" x '
                f'LEFT JOIN "Sessions" s ON s."Id" = x."SessionId"{join}{where} '
                'ORDER BY x."CreatedAt" DESC, x."Id" LIMIT $limit', sid=session_id,
                limit=int(limit))
        return [SnapshotListing(snapshot_record(row["x"], row["size"], row["form"]),
                                row["session"], bool(row["session_exists"]))
                for row in map(columns.read, rows)]

    def compare(self, snapshot_id: str, *, limit: int = 2000) -> SnapshotComparison:
        """Messages added, removed and changed in the snapshot's session since it was taken
        (at most `limit` of each kind listed; all counted)."""
        return compare(self.store, snapshot_id, limit=limit)

    def export(self, snapshot_id: str, path: str | os.PathLike[str]) -> Path:
        """Write the snapshot, with its two JSON documents, to a JSON file."""
        return export(self.store, snapshot_id, path)

    def read_file(self, path: str | os.PathLike[str]) -> SnapshotFile:
        """Read and check an exported snapshot file without changing the database."""
        return read(path)

    def import_file(self, source: str | os.PathLike[str] | SnapshotFile,
                    session_id: str | None = None) -> r.SnapshotRecord:
        """Add an exported snapshot with a new id to `session_id`, or else to the session it
        was taken of when this database has it."""
        snapshot = source if isinstance(source, SnapshotFile) else read(source)
        return import_snapshot(self.store, snapshot, session_id)

    def rename(self, snapshot_id: str, name: str, description: str | None = None
               ) -> r.SnapshotRecord:
        """Change a snapshot's name (required) and, when given, its description."""
        name = (name or "").strip()
        if not name:
            raise ValidationError("name", "is required")
        changes: dict[str, Any] = {"name": name}
        if description is not None:
            changes["description"] = description or None
        return self.update(snapshot_id, **changes)

    def restore(self, snapshot_id: str, *, progress: Progress | None = None,
                should_stop: Callable[[], bool] = lambda: False) -> r.SessionRecord:
        """Restore as a new session "<name> (Restored)" with new ids for every row, keeping the
        snapshot's dates (see `restored_session`).

        Prepared beside the file with no lock held, then written in one short transaction:
        cancelled (`should_stop`), failed or killed, nothing is left behind.
        """
        self.require(snapshot_id)
        staging = Staging(self.store)
        try:
            new_session_id = new_id()
            with staging.read_transaction():
                source = staging.state_source(snapshot_id)
                header = read_header(source)
                staging.stage_messages(source, header, new_ids=True, session_id=new_session_id,
                                       progress=progress, stop=should_stop)
                agents = self._staged_agent_states(staging, snapshot_id)
            session = restored_session(header.session, new_session_id)
            with committing(self.store, staging) as con:
                insert_row(self.store, con, "Sessions",
                           {c: session.get(c) for c in COLUMNS["Sessions"]})
                later = index_later(con, new_session_id, header.message_count)
                self._write_staged(con, header, agents, new_session_id, keep_ids=False,
                                   deferred=later)
                if progress:
                    progress(0.95)  # everything written, not yet committed
            if later:
                self.store.search.fill_deferred(should_stop)
            if progress:
                progress(1.0)
            return self.store.sessions.require(new_session_id)
        finally:
            staging.close()

    def revert(self, snapshot_id: str, *, progress: Progress | None = None,
               should_stop: Callable[[], bool] = lambda: False) -> RevertResult:
        """Put the snapshot's session back as it was, after an automatic safety snapshot of it
        as it is now; both in one short transaction, prepared beside the file."""
        record = self.require(snapshot_id)
        staging = Staging(self.store)
        try:
            with staging.read_transaction():
                source = staging.state_source(snapshot_id)
                header = read_header(source)
                require_revertable(header.__dict__)
                session_id = record.session_id or header.session["Id"]
                if staging.con.execute('SELECT 1 FROM src."Sessions" WHERE "Id" = ?',
                                       (session_id,)).fetchone() is None:
                    raise NotFoundError("session", session_id)
                staging.stage_messages(source, header, new_ids=False, session_id=session_id,
                                       progress=progress, stop=should_stop, share=(0.0, 0.5))
                agents = self._staged_agent_states(staging, snapshot_id)
            session = dict(header.session)
            session.update(Id=session_id, LastActivityAt=now_text())
            for _attempt in range(3):
                with staging.read_transaction():
                    now, count, now_agents, seen = staging.stage_capture(
                        session_id, progress, should_stop, share=(0.5, 0.85),
                        fingerprinted=True)
                    changed = staging.stage_difference(session_id)
                    version = staging.file_version()
                if progress:
                    progress(0.9)
                try:
                    with committing(self.store, staging) as con:
                        # nobody wrote since: no need to walk the session again (1-2 s
                        # of the lock for 300,000 messages)
                        if not staging.unchanged_since(version) and \
                                fingerprint(con, session_id, "main") != seen:
                            raise SessionChanged("changed while the revert was prepared")
                        safety_id = self._store_staged(
                            con, staging, now, count, now_agents,
                            f"Before reverting to “{record.name}”",
                            f"Taken automatically before reverting to “{record.name}”.")
                        later = index_later(con, session_id, 2 * changed)
                        self._replace_session(con, header, session, agents, session_id)
                        if progress:
                            progress(0.95)
                except SessionChanged:
                    log.info("session %s changed during a revert; preparing again", session_id)
                    continue
                break
            else:
                raise DataError("Another program kept changing this session while the revert "
                                "was being prepared; nothing was changed. Try again.")
            if later:
                self.store.search.fill_deferred()
            if progress:
                progress(1.0)
            return RevertResult(self.store.sessions.require(session_id), self.require(safety_id))
        finally:
            staging.close()

    def _replace_session(self, con: Any, header: StateHeader, session: dict[str, Any],
                         agents: dict[str, Any], session_id: str) -> None:
        """The session as the snapshot has it (inside the commit): only the messages staged as
        changed (`Staging.stage_difference`) are deleted (their attachments and tool calls
        with them) and written again; the others stay as they are, rowids and all."""
        form = self.store.form
        con.execute('DELETE FROM "Messages" WHERE "SessionId" = ? AND "Id" IN '
                    '(SELECT "Id" FROM staging."changed")', (session_id,))
        for table in ("Attachments", "ToolCalls"):  # where the file's cascade is missing
            con.execute(f'DELETE FROM "{table}" WHERE "MessageId" IN (SELECT "Id" FROM '
                        'staging."changed")')
        con.execute('DELETE FROM "SessionAgents" WHERE "SessionId" = ?', (session_id,))
        if form.has_teams and header.form != DOTNET_FORM:
            con.execute('DELETE FROM "Teams" WHERE "SessionId" = ?', (session_id,))
        columns = [c for c in COLUMNS["Sessions"] if c != "Id" and form.has_column("Sessions", c)]
        con.execute('UPDATE "Sessions" SET ' + ", ".join(f'"{c}" = ?' for c in columns)
                    + ' WHERE "Id" = ?', (*(form.none_for_update("Sessions", c, session.get(c))
                                            for c in columns), session_id))
        self._write_staged(con, header, agents, session_id, keep_ids=True, only_changed=True)

    def _staged_agent_states(self, staging: Staging, snapshot_id: str) -> dict[str, Any]:
        row = staging.con.execute('SELECT "AgentStatesJson" FROM src."SessionSnapshots" '
                                  'WHERE "Id" = ?', (snapshot_id,)).fetchone()
        return parse_agent_states(row[0] if row else None)

    def _write_staged(self, con: Any, header: StateHeader, agents: dict[str, Any],
                      session_id: str, *, keep_ids: bool, only_changed: bool = False,
                      deferred: bool = False) -> None:
        """The staged messages (with `only_changed`, those staged as changed) and their
        children, then memberships and teams, into the session (inside the commit); a
        `deferred` session with new ids is written without the index's insert triggers."""
        usable = self._ensure_agents(con, header, agents)
        fallback = agent_for(con, self.store, session_id)
        changed = 'IN (SELECT "Id" FROM staging."changed")'
        with fresh_messages_untriggered(con) if deferred and not keep_ids else nullcontext():
            copy_rows(self.store, con, "Messages", {
                "AgentId": 'CASE WHEN "AgentId" IN (SELECT value FROM json_each(:usable)) '
                           'THEN "AgentId" ELSE :fallback END'},
                where=f'"Id" {changed}' if only_changed else "",
                usable=json.dumps(sorted(usable)), fallback=fallback)
        for table in ("Attachments", "ToolCalls"):
            copy_rows(self.store, con, table,
                      where=f'"MessageId" {changed}' if only_changed else "")
        for member in header.session_agents:
            if member["AgentId"] in usable:
                insert_row(self.store, con, "SessionAgents", {
                    **{c: member.get(c) for c in COLUMNS["SessionAgents"]},
                    "SessionId": session_id})
        self._write_teams(con, header.teams, session_id, keep_ids)

    def _write_teams(self, con: Any, teams: list[Any], session_id: str, keep_ids: bool) -> None:
        """The snapshot's teams, where the file has the tables; members whose agent is gone
        are left out (the file's foreign key requires the agent)."""
        import uuid

        if not self.store.form.has_teams:
            return
        known = {row[0] for row in con.execute('SELECT "Id" FROM "Agents"')}
        for team in teams:
            if not isinstance(team, dict):
                continue
            team_id = team.get("Id") if keep_ids else str(uuid.uuid4()).upper()
            insert_row(self.store, con, "Teams", {
                **{c: team.get(c) for c in TEAM_COLUMNS["Teams"]},
                "Id": team_id, "SessionId": session_id})
            for member in team.get("Members") or []:
                if isinstance(member, dict) and member.get("AgentId") in known:
                    insert_row(self.store, con, "TeamMembers", {
                        **{c: member.get(c) for c in TEAM_COLUMNS["TeamMembers"]},
                        "TeamId": team_id})

    def _ensure_agents(self, con: Any, header: StateHeader, agents: dict[str, Any]
                       ) -> set[str]:
        """Agent ids rows may refer to: existing ones, plus any recreated from the snapshot."""
        usable = set()
        for agent_id in sorted(header.agent_ids):
            if con.execute('SELECT 1 FROM "Agents" WHERE "Id" = ?', (agent_id,)).fetchone():
                usable.add(agent_id)
                continue
            saved = agents.get(agent_id)
            if not saved or not isinstance(saved.get("Agent"), dict):
                continue
            agent = {c: saved["Agent"].get(c) for c in COLUMNS["Agents"]}
            agent["Id"] = agent_id
            if agent.get("Name") and con.execute('SELECT 1 FROM "Agents" WHERE "Name" = ?',
                                                 (agent["Name"],)).fetchone():
                agent["Name"] = f'{agent["Name"]} (restored)'
            insert_row(self.store, con, "Agents", agent)
            config = saved.get("Configuration")
            if isinstance(config, dict):
                insert_row(self.store, con, "AgentConfigurations",
                           {c: config.get(c) for c in COLUMNS["AgentConfigurations"]},
                           verb="INSERT OR IGNORE")
            usable.add(agent_id)
        return usable


INDEX_LATER_AT = 5000  # messages written (and deleted) by one restore or revert


def index_later(con: Any, session_id: str, rows: int) -> bool:
    """Leave a big write's messages to be indexed after its commit (fts.DEFERRED_TABLE), where
    the file has that schema step; True when so."""
    if rows < INDEX_LATER_AT or not con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            (DEFERRED_TABLE,)).fetchone()[0]:
        return False
    con.execute(f'INSERT OR IGNORE INTO "{DEFERRED_TABLE}" VALUES (?)', (session_id,))
    return True


def restored_session(saved: dict[str, Any], session_id: str) -> dict[str, Any]:
    """The Sessions row of a restored copy: a new id, "(Restored)" after the name, and every
    other column as the snapshot holds it, dates included. The copy is the session as it was:
    its created, last-active and completed dates agree with each other and with its messages'
    own dates (a copy "created" today whose thread began last year, or "completed" before it
    was created, would not). A date missing from the snapshot is taken from the others."""
    session = dict(saved)
    session.update(Id=session_id,
                   Name=f'{session.get("Name") or "Untitled session"} (Restored)')
    created = session.get("CreatedAt") or session.get("LastActivityAt") or now_text()
    session["CreatedAt"] = created
    if not session.get("LastActivityAt") or str(session["LastActivityAt"]) < str(created):
        session["LastActivityAt"] = created
    completed = session.get("CompletedAt")
    if completed and str(completed) < str(created):
        session["CompletedAt"] = session["LastActivityAt"]
    return session


def require_revertable(state: dict[str, Any]) -> None:
    """SnapshotFormatError for a state a revert would lose data from (the .NET form)."""
    if state.get("Form", state.get("form")) == DOTNET_FORM:
        raise SnapshotFormatError(
            "This snapshot was written by the OrchestratorChat .NET application, which "
            "keeps no tool calls or attachments; restore it as a new session instead.")


def parse_agent_states(raw: str | None) -> dict[str, Any]:
    """Decode `AgentStatesJson`; an unreadable one counts as empty (it is only a fallback)."""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
