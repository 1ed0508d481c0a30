"""Records as JSON-ready values, with the conventions `docs/cli.md` documents.

Keys are the snake_case forms of the contract's column names (`ContextJson` -> `context_json`);
enums are their names ("Completed", or "Unknown (7)" for a value the contract lacks); dates
are ISO 8601 in UTC with a `Z`; TimeSpan columns are seconds in a key ending `_seconds`; JSON
columns hold the decoded value, null when empty, or `{"raw": text, "valid": false}` when the
stored text is not JSON.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..data import records as r
from ..data.encoding import JsonText
from ..data.enums import DotNetEnum
from ..data.search import SearchHit
from ..data.snapshots import READABLE_FORMS


def iso(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with `Z`; None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat() + "Z"


def seconds(value: timedelta | None) -> float | None:
    """A duration as a number of seconds."""
    return None if value is None else value.total_seconds()


def enum(value: DotNetEnum) -> str:
    return value.label


def json_column(value: JsonText) -> Any:
    """The decoded value; None when empty; `{"raw": ..., "valid": false}` when not JSON."""
    if value.is_absent:
        return None
    if not value.is_valid:
        return {"raw": value.raw, "valid": False}
    return value.value


def session(record: r.SessionRecord) -> dict[str, Any]:
    return {
        "id": record.id, "name": record.name, "type": enum(record.type),
        "status": enum(record.status), "working_directory": record.working_directory,
        "project_id": record.project_id, "created_at": iso(record.created_at),
        "last_activity_at": iso(record.last_activity_at),
        "completed_at": iso(record.completed_at), "context_json": json_column(record.context),
        "metadata_json": json_column(record.metadata),
    }


def session_summary(summary: r.SessionSummary) -> dict[str, Any]:
    return {**session(summary.session), "message_count": summary.message_count,
            "agent_names": list(summary.agent_names)}


def member(record: r.SessionAgentRecord) -> dict[str, Any]:
    return {"session_id": record.session_id, "agent_id": record.agent_id,
            "agent_name": record.agent_name, "joined_at": iso(record.joined_at),
            "left_at": iso(record.left_at), "role": record.role}


def attachment(record: r.AttachmentRecord) -> dict[str, Any]:
    return {"id": record.id, "message_id": record.message_id, "file_name": record.file_name,
            "mime_type": record.mime_type, "size": record.size,
            "storage_path": record.storage_path, "url": record.url,
            "uploaded_at": iso(record.uploaded_at)}


def tool_call(record: r.ToolCallRecord) -> dict[str, Any]:
    return {"id": record.id, "message_id": record.message_id, "tool_name": record.tool_name,
            "parameters_json": json_column(record.parameters), "success": record.success,
            "output": record.output, "error": record.error,
            "execution_time_seconds": seconds(record.execution_time),
            "executed_at": iso(record.executed_at)}


def message(record: r.MessageRecord) -> dict[str, Any]:
    return {
        "id": record.id, "session_id": record.session_id, "content": record.content,
        "role": enum(record.role), "agent_id": record.agent_id,
        "agent_name": record.agent_name, "parent_message_id": record.parent_message_id,
        "timestamp": iso(record.timestamp), "sequence_number": record.sequence_number,
        "position": record.position,
        "metadata_json": json_column(record.metadata),
        "token_usage_json": json_column(record.token_usage_json),
        "attachments": [attachment(a) for a in record.attachments],
        "tool_calls": [tool_call(t) for t in record.tool_calls],
    }


def statistics(stats: r.SessionStatistics) -> dict[str, Any]:
    return {"session_id": stats.session_id, "message_count": stats.message_count,
            "agent_count": stats.agent_count, "duration_seconds": seconds(stats.duration),
            "ongoing": stats.ongoing, "total_tokens": stats.total_tokens,
            "tool_call_count": stats.tool_call_count,
            "tokens_by_agent": dict(stats.tokens_by_agent)}


def configuration(record: r.AgentConfigurationRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {"id": record.id, "agent_id": record.agent_id, "model": record.model,
            "temperature": record.temperature, "max_tokens": record.max_tokens,
            "system_prompt": record.system_prompt, "require_approval": record.require_approval,
            "custom_settings_json": json_column(record.custom_settings),
            "enabled_tools_json": json_column(record.enabled_tools),
            "capabilities_json": json_column(record.capabilities)}


def agent(record: r.AgentRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "type": enum(record.type),
            "description": record.description, "working_directory": record.working_directory,
            "is_active": record.is_active, "created_at": iso(record.created_at),
            "last_used_at": iso(record.last_used_at), "total_sessions": record.total_sessions,
            "total_messages": record.total_messages,
            "total_tokens_used": record.total_tokens_used,
            "configuration": configuration(record.configuration)}


def usage(stats: r.AgentUsageStatistics, name: str | None) -> dict[str, Any]:
    return {"agent_id": stats.agent_id, "agent_name": name, "since": iso(stats.since),
            "message_count": stats.message_count, "session_count": stats.session_count,
            "total_tokens": stats.total_tokens, "tool_call_count": stats.tool_call_count}


def snapshot(record: r.SnapshotRecord) -> dict[str, Any]:
    return {"id": record.id, "session_id": record.session_id, "name": record.name,
            "description": record.description, "created_at": iso(record.created_at),
            "message_count": record.message_count, "size": record.size,
            "restorable": is_restorable(record)}


def is_restorable(record: r.SnapshotRecord) -> bool:
    """True for a snapshot in a form this application restores (its own, or the .NET one)."""
    return record.format in READABLE_FORMS


def search_hit(hit: SearchHit) -> dict[str, Any]:
    return {"message_id": hit.message_id, "session_id": hit.session_id,
            "session_name": hit.session_name, "role": enum(hit.role),
            "agent_id": hit.agent_id, "agent_name": hit.agent_name,
            "timestamp": iso(hit.timestamp), "sequence_number": hit.sequence_number,
            "position": hit.position,
            "snippet": hit.snippet, "highlights": [list(span) for span in hit.highlights],
            "rank": hit.rank}


def team(record: r.TeamRecord) -> dict[str, Any]:
    return {"id": record.id, "policies": json_column(record.policies),
            "created_at": iso(record.created_at), "updated_at": iso(record.updated_at),
            "members": [{"agent_id": m.agent_id, "agent_name": m.agent_name, "role": m.role,
                         "joined_at": iso(m.joined_at)} for m in record.members]}


def work_plan(record: r.WorkPlanRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "goal": record.goal,
            "created_at": iso(record.created_at), "updated_at": iso(record.updated_at),
            "committed_at": iso(record.committed_at),
            "steps": [{"id": s.id, "order": s.order, "title": s.title, "owner": s.owner,
                       "owner_name": s.owner_name, "description": s.description,
                       "acceptance_criteria": s.acceptance_criteria} for s in record.steps]}
