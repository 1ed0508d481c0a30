"""Plain, immutable data objects the data layer hands out; never live Pony entities.

Builders named `*_from_row` take a row in the column order of `schema.COLUMNS[table]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .encoding import JsonText, parse_datetime, parse_timespan, text_or_none
from .enums import (
    AgentType,
    MessageRole,
    OrchestrationStrategy,
    SessionStatus,
    SessionType,
    StepStatus,
)


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    estimated_cost: float = 0.0

    @classmethod
    def from_json(cls, text: JsonText) -> TokenUsage | None:
        """Decode `TokenUsageJson`; None when absent, invalid or not an object."""
        data = text.value
        if not isinstance(data, dict):
            return None

        def number(key: str, kind: type) -> Any:
            try:
                return kind(data.get(key) or 0)
            except (TypeError, ValueError, OverflowError):  # text, NaN, 1e400, objects
                return kind(0)

        return cls(number("InputTokens", int), number("OutputTokens", int),
                   number("TotalTokens", int), number("EstimatedCost", float))


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    name: str | None
    type: SessionType
    status: SessionStatus
    working_directory: str | None
    project_id: str | None
    created_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None
    context: JsonText
    metadata: JsonText

    @property
    def display_name(self) -> str:
        """The name, or "Untitled session" when it has none."""
        return self.name or "Untitled session"


def session_from_row(row: Sequence[Any]) -> SessionRecord:
    return SessionRecord(
        id=row[0], name=text_or_none(row[1]), type=SessionType(row[2]),
        status=SessionStatus(row[3]), working_directory=text_or_none(row[4]),
        project_id=text_or_none(row[5]), created_at=parse_datetime(row[6]),
        last_activity_at=parse_datetime(row[7]), completed_at=parse_datetime(row[8]),
        context=JsonText(row[9]), metadata=JsonText(row[10]),
    )


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    id: str
    message_id: str | None
    file_name: str | None
    mime_type: str | None
    size: int
    storage_path: str | None
    url: str | None
    uploaded_at: datetime | None


def attachment_from_row(row: Sequence[Any]) -> AttachmentRecord:
    return AttachmentRecord(
        id=row[0], message_id=row[1], file_name=text_or_none(row[2]),
        mime_type=text_or_none(row[3]), size=int(row[4] or 0),
        storage_path=text_or_none(row[5]), url=text_or_none(row[6]),
        uploaded_at=parse_datetime(row[7]),
    )


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    id: str
    message_id: str | None
    tool_name: str | None
    parameters: JsonText
    success: bool
    output: str | None
    error: str | None
    execution_time: timedelta | None
    executed_at: datetime | None


def tool_call_from_row(row: Sequence[Any]) -> ToolCallRecord:
    return ToolCallRecord(
        id=row[0], message_id=row[1], tool_name=text_or_none(row[2]),
        parameters=JsonText(row[3]), success=bool(row[4]), output=text_or_none(row[5]),
        error=text_or_none(row[6]), execution_time=parse_timespan(row[7]),
        executed_at=parse_datetime(row[8]),
    )


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str
    session_id: str | None
    content: str | None
    role: MessageRole
    agent_id: str | None
    parent_message_id: str | None
    timestamp: datetime | None
    sequence_number: int
    metadata: JsonText
    token_usage_json: JsonText
    agent_name: str | None = None
    attachments: tuple[AttachmentRecord, ...] = ()
    tool_calls: tuple[ToolCallRecord, ...] = ()
    position: int | None = None  # 1-based place in the thread's time order, when known
    timestamp_text: str | None = None  # as stored: the thread's order compares this text

    @property
    def cursor(self) -> tuple[str | None, int, str]:
        """The message's place in the thread order (Timestamp, SequenceNumber, Id)."""
        return (self.timestamp_text, self.sequence_number, self.id)

    @property
    def number(self) -> str:
        """How the message is numbered where it is shown: its place in the thread."""
        return f"#{self.position}" if self.position else ""

    @property
    def token_usage(self) -> TokenUsage | None:
        """The decoded token usage, or None."""
        return TokenUsage.from_json(self.token_usage_json)


def message_from_row(row: Sequence[Any], agent_name: str | None = None, *,
                     position: int | None = None,
                     attachments: tuple[AttachmentRecord, ...] = (),
                     tool_calls: tuple[ToolCallRecord, ...] = ()) -> MessageRecord:
    return MessageRecord(
        id=row[0], session_id=text_or_none(row[1]), content=row[2], role=MessageRole(row[3]),
        agent_id=text_or_none(row[4]), parent_message_id=text_or_none(row[5]),
        timestamp=parse_datetime(row[6]), sequence_number=int(row[7]),
        metadata=JsonText(row[8]), token_usage_json=JsonText(row[9]), agent_name=agent_name,
        attachments=attachments, tool_calls=tool_calls, position=position,
        timestamp_text=row[6],
    )


@dataclass(frozen=True, slots=True)
class AgentConfigurationRecord:
    id: str
    agent_id: str | None
    model: str | None
    temperature: float
    max_tokens: int
    system_prompt: str | None
    require_approval: bool
    custom_settings: JsonText
    enabled_tools: JsonText
    capabilities: JsonText


def configuration_from_row(row: Sequence[Any]) -> AgentConfigurationRecord:
    return AgentConfigurationRecord(
        id=row[0], agent_id=row[1], model=text_or_none(row[2]), temperature=float(row[3]),
        max_tokens=int(row[4]), system_prompt=row[5], require_approval=bool(row[6]),
        custom_settings=JsonText(row[7]), enabled_tools=JsonText(row[8]),
        capabilities=JsonText(row[9]),
    )


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: str
    name: str | None
    type: AgentType
    description: str | None
    working_directory: str | None
    is_active: bool
    created_at: datetime | None
    last_used_at: datetime | None
    total_sessions: int
    total_messages: int
    total_tokens_used: int
    configuration: AgentConfigurationRecord | None = None


def agent_from_row(row: Sequence[Any],
                   configuration: AgentConfigurationRecord | None = None) -> AgentRecord:
    return AgentRecord(
        id=row[0], name=text_or_none(row[1]), type=AgentType(row[2]),
        description=text_or_none(row[3]), working_directory=text_or_none(row[4]),
        is_active=bool(row[5]), created_at=parse_datetime(row[6]),
        last_used_at=parse_datetime(row[7]), total_sessions=int(row[8]),
        total_messages=int(row[9]), total_tokens_used=int(row[10]),
        configuration=configuration,
    )


@dataclass(frozen=True, slots=True)
class SessionAgentRecord:
    session_id: str
    agent_id: str
    joined_at: datetime | None
    left_at: datetime | None
    role: str | None
    agent_name: str | None = None


def session_agent_from_row(row: Sequence[Any], agent_name: str | None = None) -> SessionAgentRecord:
    return SessionAgentRecord(
        session_id=row[0], agent_id=row[1], joined_at=parse_datetime(row[2]),
        left_at=parse_datetime(row[3]), role=text_or_none(row[4]), agent_name=agent_name,
    )


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    id: str
    session_id: str | None
    name: str | None
    description: str | None
    created_at: datetime | None
    message_count: int
    size: int = 0
    format: str = ""


def snapshot_from_row(row: Sequence[Any]) -> SnapshotRecord:
    """Row: Id, SessionId, Name, Description, CreatedAt, MessageCount[, size, format]."""
    return SnapshotRecord(
        id=row[0], session_id=text_or_none(row[1]), name=text_or_none(row[2]),
        description=text_or_none(row[3]), created_at=parse_datetime(row[4]),
        message_count=int(row[5]),
        size=int(row[6] or 0) if len(row) > 6 else 0,
        format=row[7] if len(row) > 7 and row[7] else "",
    )


@dataclass(frozen=True, slots=True)
class StepRecord:
    id: str
    plan_id: str | None
    order: int
    agent_id: str | None
    task: str | None
    status: StepStatus
    started_at: datetime | None
    completed_at: datetime | None
    duration: timedelta | None
    input: JsonText
    output: JsonText
    depends_on_json: JsonText
    agent_name: str | None = None

    @property
    def depends_on(self) -> list[str]:
        """The step ids this step waits for; empty when absent or invalid (items that are not
        ids, such as null or objects, are left out)."""
        return [str(item) for item in self.depends_on_json.items()
                if isinstance(item, (str, int)) and not isinstance(item, bool)]


def step_from_row(row: Sequence[Any], agent_name: str | None = None) -> StepRecord:
    return StepRecord(
        id=row[0], plan_id=row[1], order=int(row[2]), agent_id=text_or_none(row[3]),
        task=text_or_none(row[4]), status=StepStatus(row[5]),
        started_at=parse_datetime(row[6]), completed_at=parse_datetime(row[7]),
        duration=parse_timespan(row[8]), input=JsonText(row[9]), output=JsonText(row[10]),
        depends_on_json=JsonText(row[11]), agent_name=agent_name,
    )


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: str
    session_id: str | None
    goal: str | None
    strategy: OrchestrationStrategy
    created_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    success: bool
    shared_context: JsonText
    result: JsonText
    steps: tuple[StepRecord, ...] = ()


def plan_from_row(row: Sequence[Any], steps: tuple[StepRecord, ...] = ()) -> PlanRecord:
    return PlanRecord(
        id=row[0], session_id=text_or_none(row[1]), goal=text_or_none(row[2]),
        strategy=OrchestrationStrategy(row[3]), created_at=parse_datetime(row[4]),
        started_at=parse_datetime(row[5]), completed_at=parse_datetime(row[6]),
        success=bool(row[7]), shared_context=JsonText(row[8]), result=JsonText(row[9]),
        steps=steps,
    )


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session as the list shows it."""

    session: SessionRecord
    message_count: int
    agent_names: tuple[str, ...]
    last_message: MessageRecord | None = None


@dataclass(frozen=True, slots=True)
class SessionStatistics:
    session_id: str
    message_count: int
    agent_count: int
    duration: timedelta
    total_tokens: int
    tool_call_count: int
    tokens_by_agent: dict[str, int] = field(default_factory=dict)
    # not completed: `duration` runs from creation to the last activity, not to now (an hour
    # of work a year ago is "active for 1 h", not "365 d")
    ongoing: bool = False

    @property
    def duration_label(self) -> str:
        """What `duration` measures: "Duration" of a completed session, else "Active for"."""
        return "Active for" if self.ongoing else "Duration"


@dataclass(frozen=True, slots=True)
class AgentUsageStatistics:
    agent_id: str
    message_count: int
    session_count: int
    total_tokens: int
    tool_call_count: int
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a keyset-paginated listing; pass `next_cursor` to get the next one."""

    items: tuple[Any, ...]
    next_cursor: Any = None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


@dataclass(frozen=True, slots=True)
class TeamMemberRecord:
    agent_id: str
    role: str | None  # "lead", "contributor", "reviewer" in today's application
    joined_at: datetime | None
    agent_name: str | None = None


@dataclass(frozen=True, slots=True)
class TeamRecord:
    """A session's team (today's form only): its members and its policies."""

    id: str
    session_id: str
    policies: JsonText
    created_at: datetime | None
    updated_at: datetime | None
    members: tuple[TeamMemberRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanStepRecord:
    id: str
    order: int
    title: str | None
    owner: str | None  # an agent id, or a name
    description: str | None
    acceptance_criteria: str | None
    owner_name: str | None = None


@dataclass(frozen=True, slots=True)
class WorkPlanRecord:
    """One of a session's Plans (a file made fresh by today's application), with its steps."""

    id: str
    session_id: str
    name: str | None
    goal: str | None
    created_at: datetime | None
    updated_at: datetime | None
    committed_at: datetime | None
    steps: tuple[PlanStepRecord, ...] = ()
