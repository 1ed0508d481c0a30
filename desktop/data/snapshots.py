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
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import records as r
from .encoding import now_text
from .errors import DataError, NotFoundError, SnapshotFormatError, ValidationError
from .repository import Repository
from .schema import COLUMNS, TEAM_COLUMNS, column_list
from .snapshot_form import COUNT_SQL, DOTNET_FORM, FORM_SQL, FORMAT, to_document
from .snapshot_form import VERSION as VERSION
from .snapshot_form import parse_state as parse_state

if TYPE_CHECKING:
    from .snapshot_compare import SnapshotComparison
    from .snapshot_files import SnapshotFile

CHUNK = 2000

Progress = Callable[[float], None]


class Cancelled(DataError):
    """The person cancelled a long operation; nothing was written."""


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


# The repository's listing columns, qualified for a join with "Sessions".
_STATE_COLUMN, _COUNT_COLUMN = 'x."SessionStateJson"', 'x."MessageCount"'
LISTING_SQL = (
    'SELECT x."Id", x."SessionId", x."Name", x."Description", x."CreatedAt", '
    + COUNT_SQL.format(count=_COUNT_COLUMN, x=_STATE_COLUMN) + ', '
    + 'length(x."SessionStateJson"), ' + FORM_SQL.format(x=_STATE_COLUMN) + ', '
    's."Name", s."Id" IS NOT NULL '
    'FROM "SessionSnapshots" x LEFT JOIN "Sessions" s ON s."Id" = x."SessionId"')
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
        return record, parse_state(raw_state), parse_agent_states(raw_agents)

    # -- writing ------------------------------------------------------------------------------

    def create(self, session_id: str, name: str | None = None,
               description: str | None = None) -> r.SnapshotRecord:
        """Take a snapshot of the session as it is now."""
        from .database import new_id

        with self.store.writing():
            state, agents = self.capture(session_id)
            session_name = state["Session"]["Name"] or "Untitled session"
            document = to_document(state)
            name = (name or "").strip() or f"{session_name} at {now_text()[:16]}"
            snapshot_id = new_id()
            self.store.insert_row("SessionSnapshots", {
                "Id": snapshot_id, "SessionId": session_id, "Name": name,
                "Description": description or f"Snapshot of {session_name}",
                "CreatedAt": now_text(), "MessageCount": len(state["Messages"]),
                "SessionStateJson": json.dumps(document, ensure_ascii=False),
                "AgentStatesJson": json.dumps(agents, ensure_ascii=False)})
            return self.require(snapshot_id)

    def for_session(self, session_id: str) -> list[r.SnapshotRecord]:
        """The session's snapshots, newest first."""
        return self.find(session_id=session_id, order_by="-created_at")

    def listing(self, session_id: str | None = None, *, limit: int = 5000
                ) -> list[SnapshotListing]:
        """Snapshots of one session, or of every session when `session_id` is None, newest
        first, each with its session's name."""
        where = ' WHERE x."SessionId" = $sid' if session_id is not None else ""
        with self.store.reading():
            rows = self.store.select(f'{LISTING_SQL}{where} ORDER BY x."CreatedAt" DESC, '
                                     'x."Id" LIMIT $limit', sid=session_id, limit=int(limit))
        return [SnapshotListing(r.snapshot_from_row(row[:8]), row[8], bool(row[9]))
                for row in rows]

    def compare(self, snapshot_id: str, *, limit: int = 2000) -> SnapshotComparison:
        """Messages added, removed and changed in the snapshot's session since it was taken
        (at most `limit` of each kind listed; all counted)."""
        from .snapshot_compare import compare

        return compare(self.store, snapshot_id, limit=limit)

    def export(self, snapshot_id: str, path: str | os.PathLike[str]) -> Path:
        """Write the snapshot, with its two JSON documents, to a JSON file."""
        from .snapshot_files import export

        return export(self.store, snapshot_id, path)

    def read_file(self, path: str | os.PathLike[str]) -> SnapshotFile:
        """Read and check an exported snapshot file without changing the database."""
        from .snapshot_files import read

        return read(path)

    def import_file(self, source: str | os.PathLike[str] | SnapshotFile,
                    session_id: str | None = None) -> r.SnapshotRecord:
        """Add an exported snapshot with a new id to `session_id`, or else to the session it
        was taken of when this database has it."""
        from .snapshot_files import SnapshotFile, import_snapshot, read

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
        """Restore as a new session "<name> (Restored)" with new ids for every row.

        One transaction: cancelled (`should_stop`) or failed, nothing is left behind.
        """
        from .database import new_id

        _record, state, agents = self.load_state(snapshot_id)
        new_session_id = new_id()
        id_map = {m["Id"]: new_id() for m in state["Messages"]}
        session = dict(state["Session"])
        session.update(Id=new_session_id,
                       Name=f'{session["Name"] or "Untitled session"} (Restored)',
                       CreatedAt=now_text(), LastActivityAt=now_text())
        with self.store.writing():
            self._write_state(session, state, agents, id_map, new_id, progress, should_stop)
            return self.store.sessions.require(new_session_id)

    def revert(self, snapshot_id: str, *, progress: Progress | None = None,
               should_stop: Callable[[], bool] = lambda: False) -> RevertResult:
        """Put the snapshot's session back as it was, after an automatic safety snapshot."""
        record, state, agents = self.load_state(snapshot_id)
        require_revertable(state)
        session_id = record.session_id or state["Session"]["Id"]
        session = dict(state["Session"])
        session.update(Id=session_id, LastActivityAt=now_text())
        with self.store.writing():
            if not self.store.sessions.exists(session_id):
                raise NotFoundError("session", session_id)
            safety = self.create(session_id, f"Before reverting to “{record.name}”",
                                 f"Taken automatically before reverting to “{record.name}”.")
            self.store.execute('DELETE FROM "Messages" WHERE "SessionId" = $id', id=session_id)
            self.store.execute('DELETE FROM "SessionAgents" WHERE "SessionId" = $id',
                               id=session_id)
            if self.store.form.has_teams and state["Form"] != DOTNET_FORM:
                self.store.execute('DELETE FROM "Teams" WHERE "SessionId" = $id', id=session_id)
            columns = [c for c in COLUMNS["Sessions"] if c != "Id"]
            self.store.execute(
                'UPDATE "Sessions" SET ' + ", ".join(f'"{c}" = $p{n}' for n, c in
                                                     enumerate(columns)) + ' WHERE "Id" = $id',
                id=session_id, **{f"p{n}": self.store.form.none_for_update(
                    "Sessions", c, session.get(c)) for n, c in enumerate(columns)})
            identity = {m["Id"]: m["Id"] for m in state["Messages"]}
            self._write_state(None, state, agents, identity, lambda: None, progress,
                              should_stop, keep_child_ids=True, session_id=session_id)
            return RevertResult(self.store.sessions.require(session_id), safety)

    def _write_state(self, session: dict[str, Any] | None, state: dict[str, Any],
                     agents: dict[str, Any], id_map: dict[str, str],
                     make_id: Callable[[], Any], progress: Progress | None,
                     should_stop: Callable[[], bool], *, keep_child_ids: bool = False,
                     session_id: str | None = None) -> None:
        store = self.store
        if session is not None:
            session_id = session["Id"]
            store.insert_row("Sessions", {c: session.get(c) for c in COLUMNS["Sessions"]})
        usable_agents = self._ensure_agents(state, agents)
        fallback = store.agent_for(session_id)
        messages = state["Messages"]
        total = max(len(messages), 1)
        for start in range(0, len(messages), CHUNK):
            if should_stop():
                raise Cancelled("The restore was cancelled; nothing was changed.")
            rows, attachment_rows, call_rows = [], [], []
            for number, message in enumerate(messages[start:start + CHUNK], start + 1):
                values = dict(message)
                values["Id"] = id_map[message["Id"]]
                values["SessionId"] = session_id
                if not keep_child_ids:
                    # new ids would reorder messages whose time and number tie; a restored
                    # copy is numbered in the snapshot's order instead
                    values["SequenceNumber"] = number
                parent = message.get("ParentMessageId")
                values["ParentMessageId"] = id_map.get(parent, parent) if parent else parent
                if not values.get("AgentId") or values["AgentId"] not in usable_agents:
                    values["AgentId"] = fallback
                rows.append(tuple(values.get(c) for c in COLUMNS["Messages"]))
                for child_rows, key, table in ((attachment_rows, "Attachments", "Attachments"),
                                               (call_rows, "ToolCalls", "ToolCalls")):
                    for child in message.get(key) or []:
                        item = dict(child)
                        item["Id"] = item["Id"] if keep_child_ids else make_id()
                        item["MessageId"] = values["Id"]
                        child_rows.append(tuple(item.get(c) for c in COLUMNS[table]))
            store.bulk_insert("Messages", rows)
            store.bulk_insert("Attachments", attachment_rows)
            store.bulk_insert("ToolCalls", call_rows)
            if progress:
                progress(min((start + CHUNK) / total, 1.0))
        for member in state["SessionAgents"]:
            if member["AgentId"] in usable_agents:
                store.insert_row("SessionAgents", {**member, "SessionId": session_id})
        self._write_teams(state["Teams"], session_id, keep_child_ids)
        if progress:
            progress(1.0)

    def _write_teams(self, teams: list[dict[str, Any]], session_id: str, keep_ids: bool) -> None:
        """The snapshot's teams, where the file has the tables; members whose agent is gone
        are left out (the file's foreign key requires the agent)."""
        import uuid

        if not self.store.form.has_teams:
            return
        known = {row[0] for row in self.store.select('SELECT "Id" FROM "Agents"')}
        for team in teams:
            if not isinstance(team, dict):
                continue
            team_id = team.get("Id") if keep_ids else str(uuid.uuid4()).upper()
            self.store.insert_row("Teams", {**{c: team.get(c) for c in TEAM_COLUMNS["Teams"]},
                                            "Id": team_id, "SessionId": session_id})
            for member in team.get("Members") or []:
                if isinstance(member, dict) and member.get("AgentId") in known:
                    self.store.insert_row("TeamMembers", {
                        **{c: member.get(c) for c in TEAM_COLUMNS["TeamMembers"]},
                        "TeamId": team_id})

    def _ensure_agents(self, state: dict[str, Any], agents: dict[str, Any]) -> set[str]:
        """Agent ids rows may refer to: existing ones, plus any recreated from the snapshot."""
        wanted = {m["AgentId"] for m in state["SessionAgents"]} | {
            m["AgentId"] for m in state["Messages"] if m.get("AgentId")}
        usable = set()
        for agent_id in wanted:
            if self.store.agents.exists(agent_id):
                usable.add(agent_id)
                continue
            saved = agents.get(agent_id)
            if not saved or not isinstance(saved.get("Agent"), dict):
                continue
            agent = dict(saved["Agent"])
            if agent.get("Name") and self.store.agents.count(name=agent["Name"]):
                agent["Name"] = f'{agent["Name"]} (restored)'
            self.store.insert_row("Agents", agent)
            config = saved.get("Configuration")
            if isinstance(config, dict):
                self.store.insert_row("AgentConfigurations", config, verb="INSERT OR IGNORE")
            usable.add(agent_id)
        return usable


def require_revertable(state: dict[str, Any]) -> None:
    """SnapshotFormatError for a state a revert would lose data from (the .NET form)."""
    if state["Form"] == DOTNET_FORM:
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
