"""Comparing a snapshot with its session as it is now, computed by SQLite.

The snapshot's messages are read from its `SessionStateJson` with `json_each`, so a session of
any size is compared without decoding the document in Python. Messages match by `Id` (a
restored copy has new ids, so a snapshot is compared with its own session, `SessionId`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import records as r
from .enums import MessageRole
from .errors import NotFoundError

if TYPE_CHECKING:
    from .database import Store

PREVIEW_CHARS = 240
DEFAULT_LIMIT = 2000

# Message columns compared, with the words a person reads for each.
MESSAGE_FIELDS = (
    ("Content", "content"), ("Role", "role"), ("AgentId", "agent"),
    ("ParentMessageId", "reply to"), ("SequenceNumber", "position"), ("Timestamp", "time"),
    ("MetadataJson", "metadata"), ("TokenUsageJson", "token usage"),
)
SESSION_FIELDS = (
    ("Name", "name"), ("Type", "type"), ("Status", "status"),
    ("WorkingDirectory", "working directory"), ("ProjectId", "project"),
    ("CompletedAt", "completion time"), ("ContextJson", "context"), ("MetadataJson", "metadata"),
)
CHILD_COLUMNS = {
    "Attachments": ("Id", "FileName", "MimeType", "Size", "StoragePath", "Url", "UploadedAt"),
    "ToolCalls": ("Id", "ToolName", "ParametersJson", "Success", "Output", "Error",
                  "ExecutionTime", "ExecutedAt"),
}


@dataclass(frozen=True, slots=True)
class MessageChange:
    """One message that differs: added since the snapshot, removed since, or changed."""

    kind: str  # "added", "removed" or "changed"
    message_id: str
    sequence_number: int | None
    role: MessageRole | None
    before: str | None  # the start of the content in the snapshot
    after: str | None  # the start of the content now
    fields: tuple[str, ...] = ()  # for "changed": what differs, in words


@dataclass(frozen=True, slots=True)
class SnapshotComparison:
    """What changed in a session since a snapshot of it was taken."""

    snapshot: r.SnapshotRecord
    session_id: str
    added: int
    removed: int
    changed: int
    unchanged: int
    changes: tuple[MessageChange, ...]  # in position order, at most `limit` of each kind
    session_fields: tuple[str, ...] = ()  # session columns that differ, in words
    members_changed: bool = False

    @property
    def truncated(self) -> bool:
        """True when some changes were counted but not listed."""
        return len(self.changes) < self.added + self.removed + self.changed

    @property
    def is_same(self) -> bool:
        """True when nothing the comparison looks at differs."""
        return not (self.added or self.removed or self.changed or self.session_fields
                    or self.members_changed)


def _json(path: str, source: str = "v") -> str:
    return f"json_extract({source}, '$$.{path}')"


_OLD_MESSAGES = ", ".join(f'{_json(c)} AS "{c}"' for c in ("Id", *[f for f, _ in MESSAGE_FIELDS]))
_NOW_MESSAGES = ", ".join(f'"{c}"' for c in ("Id", *[f for f, _ in MESSAGE_FIELDS]))


def _children_sql(table: str) -> str:
    columns = CHILD_COLUMNS[table]
    old = ", ".join(f"{_json(c, 'c.value')}" for c in columns)
    now = ", ".join(f'c."{c}"' for c in columns)
    return (f'old_{table} AS (SELECT {_json("Id", "s.v")} AS "MessageId", {old} FROM snap s, '
            f"json_each(s.v, '$$.{table}') c), "
            f'now_{table} AS (SELECT c."MessageId", {now} FROM "{table}" c JOIN "Messages" m '
            f'ON m."Id" = c."MessageId" WHERE m."SessionId" = $session), '
            f'diff_{table} AS (SELECT "MessageId" FROM (SELECT * FROM old_{table} EXCEPT '
            f'SELECT * FROM now_{table}) UNION SELECT "MessageId" FROM (SELECT * FROM '
            f"now_{table} EXCEPT SELECT * FROM old_{table}))")


_FLAGS = " || ".join(
    [f"CASE WHEN coalesce(o.\"{c}\", '') IS NOT coalesce(n.\"{c}\", '') THEN '{word}|' "
     "ELSE '' END"
     for c, word in MESSAGE_FIELDS]
    + [f"CASE WHEN o.\"Id\" IN (SELECT \"MessageId\" FROM diff_{t}) THEN '{w}|' ELSE '' END"
       for t, w in (("Attachments", "attachments"), ("ToolCalls", "tool calls"))])

# Pony's raw select() wants a statement that starts with SELECT, so the WITH is a subquery's.
COMPARE_SQL = f"""SELECT * FROM (
WITH snap AS MATERIALIZED (
    SELECT j.value AS v FROM json_each($state, '$$.Messages') j),
old AS MATERIALIZED (SELECT {_OLD_MESSAGES} FROM snap),
now AS MATERIALIZED (SELECT {_NOW_MESSAGES} FROM "Messages" WHERE "SessionId" = $session),
{_children_sql("Attachments")},
{_children_sql("ToolCalls")},
changes AS (
    SELECT 'removed' AS kind, o."Id" AS id, o."SequenceNumber" AS seq, o."Role" AS role,
           substr(o."Content", 1, {PREVIEW_CHARS}) AS before, NULL AS after, '' AS flags
    FROM old o WHERE o."Id" NOT IN (SELECT "Id" FROM now)
    UNION ALL
    SELECT 'added', n."Id", n."SequenceNumber", n."Role", NULL,
           substr(n."Content", 1, {PREVIEW_CHARS}), ''
    FROM now n WHERE n."Id" NOT IN (SELECT "Id" FROM old WHERE "Id" IS NOT NULL)
    UNION ALL
    SELECT * FROM (
        SELECT 'changed', n."Id", n."SequenceNumber", n."Role",
               substr(o."Content", 1, {PREVIEW_CHARS}), substr(n."Content", 1, {PREVIEW_CHARS}),
               {_FLAGS} AS flags
        FROM old o JOIN now n ON n."Id" = o."Id") WHERE flags <> ''),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY kind ORDER BY seq, id) AS place,
           count(*) OVER (PARTITION BY kind) AS total FROM changes)
SELECT kind, id, seq, role, before, after, flags, total FROM ranked WHERE place <= $limit)
ORDER BY seq, kind, id"""

_STATE = "$state"
_SESSION_FLAGS = " || ".join(
    f"CASE WHEN coalesce({_json('Session.' + c, _STATE)}, '') IS NOT coalesce(s.\"{c}\", '') "
    f"THEN '{word}|' ELSE '' END"
    for c, word in SESSION_FIELDS)
_OLD_MEMBERS = (f'SELECT {_json("AgentId", "j.value")}, {_json("JoinedAt", "j.value")}, '
                f'{_json("LeftAt", "j.value")}, {_json("Role", "j.value")} '
                f"FROM json_each({_STATE}, '$$.SessionAgents') j")
_NOW_MEMBERS = ('SELECT "AgentId", "JoinedAt", "LeftAt", "Role" FROM "SessionAgents" '
                'WHERE "SessionId" = s."Id"')

SESSION_SQL = f"""SELECT {_SESSION_FLAGS},
       json_array_length({_STATE}, '$$.Messages'),
       EXISTS (SELECT 1 FROM ({_OLD_MEMBERS} EXCEPT {_NOW_MEMBERS}))
       OR EXISTS (SELECT 1 FROM ({_NOW_MEMBERS} EXCEPT {_OLD_MEMBERS}))
FROM "Sessions" s WHERE s."Id" = $session
"""

def compare(store: Store, snapshot_id: str, *, limit: int = DEFAULT_LIMIT) -> SnapshotComparison:
    """Messages added, removed and changed in the snapshot's session since it was taken.

    SnapshotFormatError when the snapshot is not in a form this version reads (a .NET one),
    NotFoundError when the snapshot or its session is gone.
    """
    snapshots = store.snapshots
    with store.reading():
        # every form we read (ours of either version, the .NET one) in one shape for SQLite
        record, state, _agents = snapshots.load_state(snapshot_id)
        session_id = record.session_id or state["Session"].get("Id")
        if not session_id or not store.sessions.exists(session_id):
            raise NotFoundError("session", str(session_id))
        shaped = json.dumps({k: state[k] for k in ("Session", "Messages", "SessionAgents")},
                            ensure_ascii=False)
        flags, before_total, members_changed = store.select(
            SESSION_SQL, state=shaped, session=session_id)[0]
        rows = store.select(COMPARE_SQL, state=shaped, session=session_id, limit=int(limit))
    totals = {"added": 0, "removed": 0, "changed": 0}
    changes = []
    for kind, message_id, sequence, role, before, after, change_flags, total in rows:
        totals[kind] = int(total)
        changes.append(MessageChange(
            kind, message_id, int(sequence) if sequence is not None else None,
            MessageRole(int(role)) if isinstance(role, int) else None, before, after,
            tuple(word for word in (change_flags or "").split("|") if word)))
    unchanged = int(before_total or 0) - totals["removed"] - totals["changed"]
    return SnapshotComparison(
        record, session_id, totals["added"], totals["removed"], totals["changed"],
        max(unchanged, 0), tuple(changes),
        tuple(word for word in (flags or "").split("|") if word), bool(members_changed))
