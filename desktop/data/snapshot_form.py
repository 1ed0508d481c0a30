"""The `SessionStateJson` forms: the one we write, the ones we read.

We write version 2, a document both applications read. Its own properties are today's .NET
`Session` as System.Text.Json writes it (`Id`, `Name`, `Type` and `Status` as integers, ISO 8601
dates, `Messages` as `AgentMessage` objects, `Context`, ...), so the .NET application's
`JsonSerializer.Deserialize<Session>` reads it. What a lossless restore needs besides (every
column exactly as stored, attachments, tool calls, memberships, the team) travels in extra
properties, which System.Text.Json ignores::

    {<Session properties>, "Messages": [{<AgentMessage properties>, "DesktopRow": {...}}],
     "DesktopFormat": "orchestrator-desktop/session-state", "DesktopVersion": 2,
     "DesktopSession": {<Sessions columns>}, "DesktopSessionAgents": [...],
     "DesktopTeams": [{<Teams columns>, "Members": [...]}]}

`DesktopRow` holds a message's columns except `Content` (the `AgentMessage`'s own), plus its
`Attachments` and `ToolCalls` rows.

We read three forms, all normalised to one state (`{"Session", "Messages", "SessionAgents",
"Teams"}` of column dicts): version 2; version 1 (ours before, `{"Format", "Version",
"Session", "Messages", "SessionAgents"}`); and the .NET application's own `Session`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .encoding import JsonText, dump_json, now_text
from .errors import SnapshotFormatError
from .json_stream import JsonStream, Reader, text_reader

FORMAT = "orchestrator-desktop/session-state"
VERSION = 2
DOTNET_FORM = "dotnet-session"
_NO_DATE = "0001-01-01T00:00:00Z"  # DateTime.MinValue: a Session date is never null
_NET_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z?$")

# What the listing shows as a snapshot's form, and its message count when MessageCount is 0
# (the .NET application never fills it), in SQL over a "SessionStateJson" column `x`.
FORM_SQL = ("CASE WHEN json_valid({x}) THEN coalesce(json_extract({x}, '$$.DesktopFormat'), "
            "json_extract({x}, '$$.Format'), CASE WHEN json_type({x}, '$$.Messages') = 'array' "
            f"AND json_type({{x}}, '$$.Id') = 'text' THEN '{DOTNET_FORM}' END) END")
COUNT_SQL = ("CASE WHEN {count} = 0 AND json_valid({x}) THEN "
             "coalesce(json_array_length({x}, '$$.Messages'), 0) ELSE {count} END")


def iso_date(text: Any) -> str:
    """A stored .NET date (`yyyy-MM-dd HH:mm:ss.FFFFFFF`) as System.Text.Json writes a UTC
    DateTime (`yyyy-MM-ddTHH:mm:ss.fffffffZ`), digit for digit."""
    match = _NET_TEXT.match(str(text).strip()) if text else None
    if not match:
        return _NO_DATE
    day, time, fraction = match.groups()
    return f"{day}T{time}{'.' + fraction.ljust(7, '0') if fraction else ''}Z"


def stored_date(text: Any) -> str | None:
    """An ISO 8601 date from a .NET snapshot in the stored column form."""
    if not isinstance(text, str):
        return None
    match = _NET_TEXT.match(text.strip())
    if not match:
        return None
    day, time, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    return f"{day} {time}{'.' + fraction if fraction else ''}"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _blank_to_none(value: Any) -> Any:
    return value if value not in ("", None) else None


def to_document(state: dict[str, Any]) -> dict[str, Any]:
    """The version 2 document for a captured state (see the module docstring)."""
    session = state["Session"]
    members = state["SessionAgents"]
    participants = [m["AgentId"] for m in members]
    for message in state["Messages"]:
        if message.get("AgentId") and message["AgentId"] not in participants:
            participants.append(message["AgentId"])
    last = iso_date(session.get("LastActivityAt"))
    messages = [message_entry(message) for message in state["Messages"]]
    return {
        "Id": session["Id"], "Name": session.get("Name"), "Type": _int(session.get("Type")),
        "Status": _int(session.get("Status")), "CreatedAt": iso_date(session.get("CreatedAt")),
        "LastActivityAt": last, "LastActivity": last, "ParticipantAgentIds": participants,
        "ParticipantAgents": [], "Messages": messages,
        "Context": JsonText(session.get("ContextJson")).mapping(),
        "WorkingDirectory": session.get("WorkingDirectory"), "ProjectId": session.get("ProjectId"),
        "DesktopFormat": FORMAT, "DesktopVersion": VERSION, "DesktopSession": session,
        "DesktopSessionAgents": members, "DesktopTeams": state.get("Teams", []),
    }


@dataclass
class StateHeader:
    """Everything of a state but its messages, read in one pass that checks every message."""

    form: int | str
    session: dict[str, Any]
    session_agents: list[dict[str, Any]]
    teams: list[Any]
    message_count: int
    agent_ids: set[str]  # the agents its messages name
    document: dict[str, Any] = field(default_factory=dict)  # the top level, without Messages


Source = Callable[[], Reader]
"""Opens the state's text afresh, for each pass over it."""

_DAMAGED = "This snapshot's session state is incomplete or damaged."


def read_header(source: Source) -> StateHeader:
    """The state's form, session, memberships and teams, its messages counted and checked,
    holding one message at a time; SnapshotFormatError explains what is wrong."""
    stream = JsonStream(source())
    top: dict[str, Any] = {}
    count, rows_ok, plain_ok, dotnet_ok = 0, True, True, True
    row_agents: set[str] = set()
    plain_agents: set[str] = set()
    saw_messages = False
    if stream._peek() != "{":
        if not stream._peek():
            raise SnapshotFormatError(
                "This snapshot holds no session state, so it cannot be restored.")
        try:
            stream.value()
        except SnapshotFormatError:
            raise _invalid() from None
        raise SnapshotFormatError("This snapshot's session state is not a JSON object.")
    try:
        for key in stream.members():
            if key != "Messages" or saw_messages:
                top[key] = stream.value()
                continue
            saw_messages = True
            if stream._peek() != "[":
                top[key] = stream.value()
                continue
            for message in stream.elements():
                count += 1
                if not isinstance(message, dict):
                    rows_ok = plain_ok = dotnet_ok = False
                    continue
                row = message.get("DesktopRow")
                if isinstance(row, dict) and row.get("Id"):
                    if isinstance(row.get("AgentId"), str) and row["AgentId"]:
                        row_agents.add(row["AgentId"])
                else:
                    rows_ok = False
                plain_ok = plain_ok and bool(message.get("Id"))
                dotnet_ok = dotnet_ok and isinstance(message.get("Id"), str)
                if isinstance(message.get("AgentId"), str) and message["AgentId"]:
                    plain_agents.add(message["AgentId"])
        stream.end()
    except SnapshotFormatError as exc:
        if "nested too deeply" in str(exc) or "over" in str(exc):
            raise
        raise _invalid() from None
    messages_listed = saw_messages and "Messages" not in top
    if top.get("DesktopFormat") == FORMAT:
        _newer(top.get("DesktopVersion"))
        form, ok, agents = 2, rows_ok, row_agents
        session, members, teams = (top.get("DesktopSession"),
                                   top.get("DesktopSessionAgents") or [],
                                   top.get("DesktopTeams") or [])
        if not messages_listed and top.get("Messages") is not None:
            ok = False
    elif top.get("Format") == FORMAT:
        _newer(top.get("Version"))
        form, ok, agents = 1, plain_ok and messages_listed, plain_agents
        session, members, teams = top.get("Session"), top.get("SessionAgents") or [], []
    elif messages_listed and isinstance(top.get("Id"), str):
        form, ok, agents = DOTNET_FORM, dotnet_ok, plain_agents
        session, members = _dotnet_session(top), _dotnet_members(top)
        teams = []
    else:
        raise SnapshotFormatError("This snapshot is in a form this application does not know.")
    ok = (ok and isinstance(session, dict) and isinstance(members, list)
          and all(isinstance(m, dict) and m.get("AgentId") for m in members)
          and isinstance(teams, list))
    if not ok:
        raise SnapshotFormatError(_DAMAGED)
    return StateHeader(form, session, members, teams, count,
                       agents | {m["AgentId"] for m in members}, top)


def _invalid() -> SnapshotFormatError:
    return SnapshotFormatError("This snapshot's session state is not valid JSON; "
                               "it cannot be restored.")


def iter_messages(source: Source, header: StateHeader) -> Iterator[dict[str, Any]]:
    """The state's messages as column dicts (with `Attachments` and `ToolCalls`), one at a
    time, in the snapshot's order."""
    stream = JsonStream(source())
    for key in stream.members():
        if key != "Messages":
            stream.value()
            continue
        for message in stream.elements():
            if header.form == 2:
                yield {**message["DesktopRow"], "Content": message.get("Content")}
            elif header.form == 1:
                yield message
            else:
                yield _dotnet_message(message, header.document, header.session["CreatedAt"])
        return


def message_entry(message: dict[str, Any]) -> dict[str, Any]:
    """A message of the version 2 document: the .NET `AgentMessage` and our `DesktopRow`."""
    row = {k: v for k, v in message.items() if k != "Content"}
    return {
        "Id": message["Id"], "Content": message.get("Content"),
        "Role": _int(message.get("Role")), "AgentId": message.get("AgentId"),
        "SessionId": message.get("SessionId"), "Timestamp": iso_date(message.get("Timestamp")),
        "Attachments": [], "Metadata": JsonText(message.get("MetadataJson")).mapping(),
        "ParentMessageId": _blank_to_none(message.get("ParentMessageId")), "SenderId": None,
        "DesktopRow": row,
    }


def state_text(value: str | bytes | None) -> str | None:
    """A stored `SessionStateJson` as text: a big document is stored as a BLOB of its UTF-8
    bytes (`snapshot_staging.insert_snapshot`)."""
    if not isinstance(value, bytes):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotFormatError("This snapshot's session state is not text.") from None


def parse_state(raw: str | None) -> dict[str, Any]:
    """Decode any form we read into one state, all in memory (for small states; restores
    stream with `read_header` and `iter_messages`)."""
    if not raw or not raw.strip():
        raise SnapshotFormatError("This snapshot holds no session state, so it cannot be restored.")
    def source() -> Reader:
        return text_reader(raw)

    header = read_header(source)
    return {"Session": header.session, "Messages": list(iter_messages(source, header)),
            "SessionAgents": header.session_agents, "Teams": header.teams, "Form": header.form}


def _newer(version: Any) -> None:
    if not isinstance(version, int) or version > VERSION:
        raise SnapshotFormatError(
            f"This snapshot was written by a newer version (form {version}); update "
            "OrchestratorChat Desktop to restore it.")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dotnet_session(document: dict[str, Any]) -> dict[str, Any]:
    """The .NET application's `Session` as the columns its SessionRepositoryAdapter writes."""
    created = stored_date(document.get("CreatedAt")) or now_text()
    return {
        "Id": document["Id"], "Name": _text(document.get("Name")),
        "Type": _int(document.get("Type")), "Status": _int(document.get("Status")),
        "WorkingDirectory": _text(document.get("WorkingDirectory")),
        "ProjectId": _text(document.get("ProjectId")), "CreatedAt": created,
        "LastActivityAt": stored_date(document.get("LastActivityAt")) or created,
        "CompletedAt": None,
        "ContextJson": dump_json(document["Context"]) if isinstance(
            document.get("Context"), dict) else "{}",
        "MetadataJson": None,
    }


def _dotnet_members(document: dict[str, Any]) -> list[dict[str, Any]]:
    created = stored_date(document.get("CreatedAt")) or now_text()
    ids = document.get("ParticipantAgentIds")
    return [{"SessionId": document["Id"], "AgentId": agent_id, "JoinedAt": created,
             "LeftAt": None, "Role": None}
            for agent_id in (ids if isinstance(ids, list) else []) if isinstance(agent_id, str)]


def _dotnet_message(item: dict[str, Any], document: dict[str, Any], created: str
                    ) -> dict[str, Any]:
    metadata = item.get("Metadata")
    return {
        "Id": item["Id"], "SessionId": document["Id"], "Content": _text(item.get("Content")),
        "Role": _int(item.get("Role")), "AgentId": _text(item.get("AgentId")),
        "ParentMessageId": _text(item.get("ParentMessageId")),
        "Timestamp": stored_date(item.get("Timestamp")) or created,
        "SequenceNumber": 0,
        "MetadataJson": dump_json(metadata) if isinstance(metadata, dict) and metadata
        else None,
        "TokenUsageJson": None, "Attachments": [], "ToolCalls": [],
    }
