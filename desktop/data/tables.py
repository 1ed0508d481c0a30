"""One description of each table this application reads: its .NET columns in declaration order,
each with its attribute name, type, nullability, default and how a stored value becomes the
record's value.

Everything else is built from it by name: the Pony entities (`entities.py`), the records a
query returns (`Table.record`), `schema.COLUMNS`, the columns `fileform.py` knows, the
repositories' attribute-to-column maps and the agent editor's columns. Rows are read back
through a `Selection`, which finds each column's place by its name (`Selection.reader` builds
a page's records from those places), never by a position written by hand.

Nullability is that of the seed's form (the contract); today's form makes more columns NOT
NULL, which `fileform.py` reads from each file. The DDL itself stays in `schema.py`, exactly as
EF Core writes it (`tests/test_tables.py` checks the two agree).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from . import records as r
from .encoding import JsonText, parse_datetime, parse_timespan, text_or_none, utc_now
from .enums import (
    AgentType,
    MessageRole,
    OrchestrationStrategy,
    SessionStatus,
    SessionType,
    StepStatus,
)


def _same(value: Any) -> Any:
    return value


def _count(value: Any) -> int:
    return int(value or 0)


def _enum(kind: type) -> Callable[[Any], Any]:
    """The reader of an enum column: a stored integer by lookup, anything else through the
    enum itself (which turns unknown values into "Unknown (n)" or refuses them)."""
    members = {int(member): member for member in kind}  # type: ignore[call-overload]

    def read(value: Any) -> Any:
        member = members.get(value) if type(value) is int else None
        return kind(value) if member is None else member
    return read


_NO_DEFAULT = object()


@dataclass(frozen=True, slots=True)
class Column:
    """One column: `name` as the .NET application spells it, `attr` the snake_case attribute
    (entity attribute, repository filter and `add()` keyword), `field` the record's field
    (None: not on the record), `read` the converter from the stored value to the field's."""

    name: str
    attr: str
    type: type
    nullable: bool = False
    read: Callable[[Any], Any] = _same
    field: str | None = ""
    key: bool = False
    default: Any = _NO_DEFAULT  # what `Repository.add` gives a new row (callables are called)
    raw_field: str | None = None  # a record field that keeps the stored value as it is
    index: str | None = None  # Pony's index= (the name EF Core gives the index)
    unique: bool = False
    lazy: bool = False
    size: int | None = None

    def __post_init__(self) -> None:
        if self.field == "":
            object.__setattr__(self, "field", self.attr)

    @property
    def has_default(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass(frozen=True)
class Table:
    """One table: its columns, the entity and record it maps to, and how errors name a row."""

    name: str
    columns: tuple[Column, ...]
    record_type: type | None = None
    entity: str | None = None  # the Pony entity's class name; None where none is mapped
    kind: str = ""
    today_extra: tuple[str, ...] = ()  # columns only today's form has (not read or written)
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False)
    _reads: tuple[tuple[str, str, Callable[[Any], Any]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})
        reads = [(c.field, c.name, c.read) for c in self.columns if c.field]
        reads += [(c.raw_field, c.name, _same) for c in self.columns if c.raw_field]
        object.__setattr__(self, "_reads", tuple(reads))
        if not self.kind:
            object.__setattr__(self, "kind", self.name.lower())

    @property
    def field_columns(self) -> tuple[Column, ...]:
        """The columns the record has a field for, in declaration order."""
        return tuple(c for c in self.columns if c.field)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names in declaration order."""
        return tuple(c.name for c in self.columns)

    @property
    def key(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key)

    def column(self, name: str) -> Column:
        """The column of this name; KeyError when the table has none."""
        return self._by_name[name]

    @property
    def attr_to_column(self) -> dict[str, str]:
        return {c.attr: c.name for c in self.columns}

    def column_of_field(self, name: str) -> Column:
        """The column behind the record's field `name`; KeyError when none is."""
        for column in self.columns:
            if column.field == name:
                return column
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        """Attribute → the value a new row gets when `add()` is given none (evaluated now)."""
        return {c.attr: (c.default() if callable(c.default) else c.default)
                for c in self.columns if c.has_default}

    def column_list(self, alias: str | None = None) -> str:
        """The columns, quoted and comma-separated, optionally qualified by an alias."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(f'{prefix}"{c}"' for c in self.names)

    def record(self, values: Mapping[str, Any], **extra: Any) -> Any:
        """The record of a row given by column name; `extra` fills fields that are not columns
        (an agent's name, a plan's steps, …)."""
        fields = {name: read(values[column]) for name, column, read in self._reads}
        fields.update(extra)
        return self.record_type(**fields)  # type: ignore[misc]


class Selection:
    """A SELECT list of tables' columns and named expressions, whose rows are read back by name:
    `read(row)[group][column]` for a table's column, `read(row)[name]` for an expression."""

    def __init__(self) -> None:
        self._items: list[tuple[str | None, str, str]] = []  # (group, name, SQL)
        self._sql: str | None = None  # the list, once asked for (items only get added)

    def columns(self, table: Table, alias: str | None = None, *, group: str | None = None,
                names: Iterable[str] | None = None, sql: Mapping[str, str] | None = None
                ) -> Selection:
        """Add the table's columns (or just `names`), in group `group` (by default the alias,
        else the table's name); `sql` gives an expression to select instead of a column."""
        group = group or alias or table.name
        prefix = f"{alias}." if alias else ""
        for name in names or table.names:
            table.column(name)
            expression = (sql or {}).get(name) or f'{prefix}"{name}"'
            self._items.append((group, name, expression))
        self._sql = None
        return self

    def value(self, name: str, sql: str) -> Selection:
        """Add one expression, read back as `name`."""
        self._items.append((None, name, sql))
        self._sql = None
        return self

    @property
    def sql(self) -> str:
        if self._sql is None:
            self._sql = ", ".join(expression for _group, _name, expression in self._items)
        return self._sql

    def position(self, name: str, group: str | None = None) -> int:
        """Where the column `name` of `group` (or, with no group, the expression `name`) is
        in a row."""
        for n, (item_group, item_name, _sql) in enumerate(self._items):
            if item_group == group and item_name == name:
                return n
        raise KeyError((group, name))

    def reader(self, table: Table, group: str | None = None) -> Callable[..., Any]:
        """A function from a row of this selection to `table`'s record, its keywords filling
        the record's other fields. `group` is the one `columns` was given (by default the
        table's name).

        For pages of many rows, the function is compiled once for this selection, as
        `dataclasses` compiles a record's `__init__`: each column's converter applied to its
        place in the row, and no loop or dict per row. A record of frozen slots is made
        without its `__init__`, each slot set by its own descriptor: a frozen `__init__`
        calls `object.__setattr__` once a field, which was half of a page's Python.
        """
        group = group or table.name
        names: dict[str, Any] = {"make": table.record_type, "new": object.__new__}
        values: dict[str, str] = {}
        for n, column in enumerate(table.field_columns):
            at = f"row[{self.position(column.name, group)}]"
            if column.read is _same:
                values[column.field] = at
            elif column.read is text_or_none:  # the same test, without a call per value
                values[column.field] = f"({at} or None)"
            elif column.read is JsonText:  # a NULL column: one shared (immutable) value
                names["no_json"], names[f"read{n}"] = JsonText(None), JsonText
                values[column.field] = f"(no_json if {at} is None else read{n}({at}))"
            else:
                names[f"read{n}"] = column.read
                values[column.field] = f"read{n}({at})"
        for column in table.columns:
            if column.raw_field:
                values[column.raw_field] = f"row[{self.position(column.name, group)}]"
        keywords, body = [], ["    record = new(make)"]
        for n, (name, default) in enumerate(_settable_fields(table.record_type)):
            names[f"set{n}"] = getattr(table.record_type, name).__set__
            if name not in values:
                names[f"default{n}"] = default
                keywords.append(f"{name}=default{n}")
            body.append(f"    set{n}(record, {values.get(name, name)})")
        source = (f"def build(row, *, {', '.join(keywords)}):\n" if keywords
                  else "def build(row):\n") + "\n".join(body) + "\n    return record\n"
        exec(compile(source, f"<reader of {table.name}>", "exec"), names)  # noqa: S102
        return names["build"]  # type: ignore[no-any-return]

    def read(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row by name: each group a {column: value} dict, each expression its value."""
        out: dict[str, Any] = {}
        for (group, name, _sql), value in zip(self._items, row, strict=True):
            if group is None:
                out[name] = value
            else:
                out.setdefault(group, {})[name] = value
        return out


def _settable_fields(record_type: type | None) -> list[tuple[str, Any]]:
    """(name, default) of each field of a frozen slots dataclass whose `__init__` only stores
    its arguments (no `__post_init__`, no default factory), so a reader may set its slots
    itself, as every record of a table is."""
    params = getattr(record_type, "__dataclass_params__", None)
    if (params is None or not params.frozen or not hasattr(record_type, "__slots__")
            or hasattr(record_type, "__post_init__")
            or any(f.default_factory is not MISSING or not f.init for f in fields(record_type))):
        raise TypeError(f"{record_type!r} is not a frozen slots dataclass of plain fields")
    return [(f.name, f.default) for f in fields(record_type)]


def _key(name: str = "Id", attr: str = "id") -> Column:
    return Column(name, attr, str, key=True)


def _text(name: str, attr: str, *, read: Callable[[Any], Any] = text_or_none,
          **kwargs: Any) -> Column:
    """A nullable TEXT column (the seed's form); NULL and "" read alike as absent by default."""
    return Column(name, attr, str, nullable=True, read=read, **kwargs)


def _json(name: str, attr: str, field_name: str | None, **kwargs: Any) -> Column:
    return Column(name, attr, str, nullable=True, read=JsonText, field=field_name, **kwargs)


def _when(name: str, attr: str, *, nullable: bool = False, **kwargs: Any) -> Column:
    return Column(name, attr, datetime, nullable=nullable, read=parse_datetime, **kwargs)


def _span(name: str, attr: str, *, nullable: bool = False, **kwargs: Any) -> Column:
    return Column(name, attr, timedelta, nullable=nullable, read=parse_timespan, **kwargs)


def _number(name: str, attr: str, kind: type = int, **kwargs: Any) -> Column:
    read = _enum(kind) if issubclass(kind, Enum) else kind
    return Column(name, attr, kind, read=read, **kwargs)


SESSIONS = Table("Sessions", (
    _key(),
    _text("Name", "name"),
    _number("Type", "type", SessionType, default=0),
    _number("Status", "status", SessionStatus, default=0, index="IX_Sessions_Status"),
    _text("WorkingDirectory", "working_directory"),
    _text("ProjectId", "project_id", index="IX_Sessions_ProjectId"),
    _when("CreatedAt", "created_at", default=utc_now, index="IX_Sessions_CreatedAt"),
    _when("LastActivityAt", "last_activity_at", default=utc_now),
    _when("CompletedAt", "completed_at", nullable=True),
    _json("ContextJson", "context_json", "context"),
    _json("MetadataJson", "metadata_json", "metadata"),
), r.SessionRecord, "Session", "session")

MESSAGES = Table("Messages", (
    _key(),
    _text("SessionId", "session_id", index="IX_Messages_SessionId"),
    _text("Content", "content", read=_same),
    _number("Role", "role", MessageRole, default=0),
    _text("AgentId", "agent_id", index="IX_Messages_AgentId"),
    _text("ParentMessageId", "parent_message_id"),
    _when("Timestamp", "timestamp", default=utc_now, index="IX_Messages_Timestamp",
          raw_field="timestamp_text"),
    _number("SequenceNumber", "sequence_number", default=0),
    _json("MetadataJson", "metadata_json", "metadata"),
    _json("TokenUsageJson", "token_usage_json", "token_usage_json"),
), r.MessageRecord, "Message", "message")

AGENTS = Table("Agents", (
    _key(),
    _text("Name", "name", unique=True),
    _number("Type", "type", AgentType, default=3, index="IX_Agents_Type"),
    _text("Description", "description"),
    _text("WorkingDirectory", "working_directory"),
    _number("IsActive", "is_active", bool, default=True, index="IX_Agents_IsActive"),
    _when("CreatedAt", "created_at", default=utc_now),
    _when("LastUsedAt", "last_used_at", nullable=True),
    _number("TotalSessions", "total_sessions", default=0),
    _number("TotalMessages", "total_messages", default=0),
    _number("TotalTokensUsed", "total_tokens_used", default=0, size=64),
), r.AgentRecord, "Agent", "agent", today_extra=("IsDefault",))

AGENT_CONFIGURATIONS = Table("AgentConfigurations", (
    _key(),
    _text("AgentId", "agent_id", read=_same, unique=True),
    _text("Model", "model"),
    _number("Temperature", "temperature", float, default=0.7),
    _number("MaxTokens", "max_tokens", default=4096),
    _text("SystemPrompt", "system_prompt", read=_same),
    _number("RequireApproval", "require_approval", bool, default=False),
    _json("CustomSettingsJson", "custom_settings_json", "custom_settings"),
    _json("EnabledToolsJson", "enabled_tools_json", "enabled_tools"),
    _json("CapabilitiesJson", "capabilities_json", "capabilities"),
), r.AgentConfigurationRecord, "AgentConfiguration", "agent configuration")

SESSION_AGENTS = Table("SessionAgents", (
    Column("SessionId", "session_id", str, key=True),
    Column("AgentId", "agent_id", str, key=True, index="IX_SessionAgents_AgentId"),
    _when("JoinedAt", "joined_at", default=utc_now),
    _when("LeftAt", "left_at", nullable=True),
    _text("Role", "role"),
), r.SessionAgentRecord, "SessionAgent", "session membership")

ATTACHMENTS = Table("Attachments", (
    _key(),
    _text("MessageId", "message_id", read=_same, index="IX_Attachments_MessageId"),
    _text("FileName", "file_name"),
    _text("MimeType", "mime_type"),
    Column("Size", "size", int, read=_count, default=0, size=64),
    _text("StoragePath", "storage_path"),
    _text("Url", "url"),
    _when("UploadedAt", "uploaded_at", default=utc_now),
), r.AttachmentRecord, "Attachment", "attachment")

TOOL_CALLS = Table("ToolCalls", (
    _key(),
    _text("MessageId", "message_id", read=_same, index="IX_ToolCalls_MessageId"),
    _text("ToolName", "tool_name"),
    _json("ParametersJson", "parameters_json", "parameters"),
    _number("Success", "success", bool, default=False),
    _text("Output", "output"),
    _text("Error", "error"),
    _span("ExecutionTime", "execution_time", default="00:00:00"),
    _when("ExecutedAt", "executed_at", default=utc_now),
), r.ToolCallRecord, "ToolCall", "tool call")

SESSION_SNAPSHOTS = Table("SessionSnapshots", (
    _key(),
    _text("SessionId", "session_id", index="IX_SessionSnapshots_SessionId"),
    _text("Name", "name"),
    _text("Description", "description"),
    _when("CreatedAt", "created_at", default=utc_now),
    _number("MessageCount", "message_count", default=0),
    _json("SessionStateJson", "session_state_json", None, lazy=True),
    _json("AgentStatesJson", "agent_states_json", None, lazy=True),
), r.SnapshotRecord, "SessionSnapshot", "snapshot")

ORCHESTRATION_PLANS = Table("OrchestrationPlans", (
    _key(),
    _text("SessionId", "session_id", index="IX_OrchestrationPlans_SessionId"),
    _text("Goal", "goal"),
    _number("Strategy", "strategy", OrchestrationStrategy, default=0),
    _when("CreatedAt", "created_at", default=utc_now, index="IX_OrchestrationPlans_CreatedAt"),
    _when("StartedAt", "started_at", nullable=True),
    _when("CompletedAt", "completed_at", nullable=True),
    _number("Success", "success", bool, default=False),
    _json("SharedContextJson", "shared_context_json", "shared_context"),
    _json("ResultJson", "result_json", "result"),
), r.PlanRecord, "OrchestrationPlan", "orchestration plan")

ORCHESTRATION_STEPS = Table("OrchestrationSteps", (
    _key(),
    _text("PlanId", "plan_id", read=_same),
    _number("Order", "order", default=0),
    _text("AgentId", "agent_id", index="IX_OrchestrationSteps_AgentId"),
    _text("Task", "task"),
    _number("Status", "status", StepStatus, default=0, index="IX_OrchestrationSteps_Status"),
    _when("StartedAt", "started_at", nullable=True),
    _when("CompletedAt", "completed_at", nullable=True),
    _span("Duration", "duration", nullable=True),
    _json("InputJson", "input_json", "input"),
    _json("OutputJson", "output_json", "output"),
    _json("DependsOnJson", "depends_on_json", "depends_on_json"),
), r.StepRecord, "OrchestrationStep", "orchestration step")

# Today's tables (no entity: read by SQL, written by snapshot restores). Every column NOT NULL
# but the optional times, as today's application makes them.
TEAMS = Table("Teams", (
    _key(),
    Column("SessionId", "session_id", str),
    Column("PoliciesJson", "policies_json", str, read=JsonText, field="policies"),
    _when("CreatedAt", "created_at"),
    _when("UpdatedAt", "updated_at"),
), r.TeamRecord, kind="team")

TEAM_MEMBERS = Table("TeamMembers", (
    Column("TeamId", "team_id", str, key=True, field=None),
    Column("AgentId", "agent_id", str, key=True),
    Column("Role", "role", str, read=text_or_none),
    _when("JoinedAt", "joined_at"),
), r.TeamMemberRecord, kind="team member")

PLANS = Table("Plans", (
    _key(),
    Column("SessionId", "session_id", str),
    Column("Name", "name", str, read=text_or_none),
    Column("Goal", "goal", str, read=text_or_none),
    _when("CreatedAt", "created_at"),
    _when("UpdatedAt", "updated_at", nullable=True),
    _when("CommittedAt", "committed_at", nullable=True),
), r.WorkPlanRecord, kind="plan")

PLAN_STEPS = Table("PlanSteps", (
    _key(),
    Column("PlanId", "plan_id", str, field=None),
    Column("StepOrder", "order", int, read=_count),
    Column("Title", "title", str, read=text_or_none),
    Column("Owner", "owner", str, read=text_or_none),
    Column("Description", "description", str, read=text_or_none),
    Column("AcceptanceCriteria", "acceptance_criteria", str, read=text_or_none),
), r.PlanStepRecord, kind="plan step")

CONTRACT = (SESSIONS, MESSAGES, AGENTS, AGENT_CONFIGURATIONS, SESSION_AGENTS, ATTACHMENTS,
            TOOL_CALLS, SESSION_SNAPSHOTS, ORCHESTRATION_PLANS, ORCHESTRATION_STEPS)
TODAY_ONLY = (TEAMS, TEAM_MEMBERS, PLANS, PLAN_STEPS)
TABLES: dict[str, Table] = {t.name: t for t in CONTRACT + TODAY_ONLY}


# A snapshot's columns but its documents: what a listing reads.
SNAPSHOT_LISTED = tuple(c.name for c in SESSION_SNAPSHOTS.columns if not c.lazy)


def snapshot_record(values: Mapping[str, Any], size: Any = 0, form: Any = "") -> r.SnapshotRecord:
    """A snapshot listed without its documents: its columns, and the size and form its facts
    give (`snapshot_facts.py`)."""
    return SESSION_SNAPSHOTS.record(values, size=int(size or 0), format=form or "")
