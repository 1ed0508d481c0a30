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

import json
import re
from typing import Any

from .encoding import JsonText, dump_json, now_text
from .errors import SnapshotFormatError

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
    messages = []
    for message in state["Messages"]:
        row = {k: v for k, v in message.items() if k != "Content"}
        messages.append({
            "Id": message["Id"], "Content": message.get("Content"),
            "Role": _int(message.get("Role")), "AgentId": message.get("AgentId"),
            "SessionId": message.get("SessionId"), "Timestamp": iso_date(message.get("Timestamp")),
            "Attachments": [], "Metadata": JsonText(message.get("MetadataJson")).mapping(),
            "ParentMessageId": _blank_to_none(message.get("ParentMessageId")), "SenderId": None,
            "DesktopRow": row,
        })
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


def parse_state(raw: str | None) -> dict[str, Any]:
    """Decode any form we read into one state; SnapshotFormatError explains what is wrong."""
    if not raw or not raw.strip():
        raise SnapshotFormatError("This snapshot holds no session state, so it cannot be restored.")
    try:
        document = json.loads(raw)
    except ValueError:
        raise SnapshotFormatError("This snapshot's session state is not valid JSON; "
                                  "it cannot be restored.") from None
    if not isinstance(document, dict):
        raise SnapshotFormatError("This snapshot's session state is not a JSON object.")
    if document.get("DesktopFormat") == FORMAT:
        state = _from_version_2(document)
    elif document.get("Format") == FORMAT:
        state = _from_version_1(document)
    elif isinstance(document.get("Messages"), list) and isinstance(document.get("Id"), str):
        state = _from_dotnet(document)
    else:
        raise SnapshotFormatError("This snapshot is in a form this application does not know.")
    ok = (isinstance(state["Session"], dict) and isinstance(state["Messages"], list)
          and all(isinstance(m, dict) and m.get("Id") for m in state["Messages"])
          and isinstance(state["SessionAgents"], list)
          and all(isinstance(m, dict) and m.get("AgentId") for m in state["SessionAgents"])
          and isinstance(state["Teams"], list))
    if not ok:
        raise SnapshotFormatError("This snapshot's session state is incomplete or damaged.")
    return state


def _newer(version: Any) -> None:
    if not isinstance(version, int) or version > VERSION:
        raise SnapshotFormatError(
            f"This snapshot was written by a newer version (form {version}); update "
            "OrchestratorChat Desktop to restore it.")


def _from_version_1(document: dict[str, Any]) -> dict[str, Any]:
    _newer(document.get("Version"))
    return {"Session": document.get("Session"), "Messages": document.get("Messages"),
            "SessionAgents": document.get("SessionAgents") or [], "Teams": [], "Form": 1}


def _from_version_2(document: dict[str, Any]) -> dict[str, Any]:
    _newer(document.get("DesktopVersion"))
    messages = []
    for message in document.get("Messages") or []:
        if not isinstance(message, dict) or not isinstance(message.get("DesktopRow"), dict):
            raise SnapshotFormatError("This snapshot's session state is incomplete or damaged.")
        messages.append({**message["DesktopRow"], "Content": message.get("Content")})
    return {"Session": document.get("DesktopSession"), "Messages": messages,
            "SessionAgents": document.get("DesktopSessionAgents") or [],
            "Teams": document.get("DesktopTeams") or [], "Form": 2}


def _from_dotnet(document: dict[str, Any]) -> dict[str, Any]:
    """The .NET application's `Session` as the columns its SessionRepositoryAdapter writes."""
    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    created = stored_date(document.get("CreatedAt")) or now_text()
    session = {
        "Id": document["Id"], "Name": text(document.get("Name")),
        "Type": _int(document.get("Type")), "Status": _int(document.get("Status")),
        "WorkingDirectory": text(document.get("WorkingDirectory")),
        "ProjectId": text(document.get("ProjectId")), "CreatedAt": created,
        "LastActivityAt": stored_date(document.get("LastActivityAt")) or created,
        "CompletedAt": None,
        "ContextJson": dump_json(document["Context"]) if isinstance(
            document.get("Context"), dict) else "{}",
        "MetadataJson": None,
    }
    messages = []
    for item in document["Messages"]:
        if not isinstance(item, dict) or not isinstance(item.get("Id"), str):
            raise SnapshotFormatError("This snapshot's session state is incomplete or damaged.")
        metadata = item.get("Metadata")
        messages.append({
            "Id": item["Id"], "SessionId": document["Id"], "Content": text(item.get("Content")),
            "Role": _int(item.get("Role")), "AgentId": text(item.get("AgentId")),
            "ParentMessageId": text(item.get("ParentMessageId")),
            "Timestamp": stored_date(item.get("Timestamp")) or created,
            "SequenceNumber": 0,
            "MetadataJson": dump_json(metadata) if isinstance(metadata, dict) and metadata
            else None,
            "TokenUsageJson": None, "Attachments": [], "ToolCalls": [],
        })
    ids = document.get("ParticipantAgentIds")
    members = [{"SessionId": document["Id"], "AgentId": agent_id, "JoinedAt": created,
                "LeftAt": None, "Role": None}
               for agent_id in (ids if isinstance(ids, list) else []) if isinstance(agent_id, str)]
    return {"Session": session, "Messages": messages, "SessionAgents": members, "Teams": [],
            "Form": DOTNET_FORM}
