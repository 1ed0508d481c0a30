"""Session operations: listing, threads of messages, statistics and adding messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from . import records as r
from .connection import new_id
from .encoding import (
    dump_json,
    encode_value,
    format_datetime,
    now_text,
    parse_datetime,
    utc_now,
)
from .enums import MessageRole, SessionStatus, SessionType
from .errors import NotFoundError, ValidationError
from .repository import Repository
from .tables import (
    ATTACHMENTS,
    MESSAGES,
    SESSION_AGENTS,
    SESSIONS,
    TABLES,
    TOOL_CALLS,
    Selection,
    Table,
)

# A message's total tokens in SQL; invalid or absent JSON counts as zero instead of failing,
# and a value outside 0..MAX_MESSAGE_TOKENS is clamped so that sum() cannot overflow.
MAX_MESSAGE_TOKENS = 10**12
TOKENS_SQL = ("CASE WHEN json_valid(m.\"TokenUsageJson\") THEN min(max(coalesce(CAST(json_extract("
              "m.\"TokenUsageJson\", '$$.TotalTokens') AS INTEGER), 0), 0), "
              f"{MAX_MESSAGE_TOKENS}) ELSE 0 END")

SORT_COLUMNS = {
    "name": 'coalesce(s."Name", \'\')', "status": 's."Status"', "type": 's."Type"',
    "project_id": 'coalesce(s."ProjectId", \'\')', "created_at": 's."CreatedAt"',
    "last_activity_at": 's."LastActivityAt"',
    "message_count": '(SELECT count(*) FROM "Messages" c WHERE c."SessionId" = s."Id")',
    "agents": '(SELECT count(*) FROM "SessionAgents" c WHERE c."SessionId" = s."Id")',
}


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """What the session list shows; every field narrows it in SQL."""

    status: SessionStatus | None = None
    type: SessionType | None = None
    project_id: str | None = None
    text: str | None = None


# A thread's order: time first (the .NET application leaves SequenceNumber 0), the sequence
# number and then the id breaking ties. Cursors are (Timestamp text, SequenceNumber, Id).
THREAD_ORDER = ('m."Timestamp" {d}, m."SequenceNumber" {d}, m."Id" {d}')
THREAD_KEY = '(m."Timestamp", m."SequenceNumber", m."Id")'
# The ids of a page's rows, given as one JSON array ($ids): one statement for any number of
# them, and quicker to bind than a parameter each.
ID_LIST = '(SELECT "value" FROM json_each($ids))'
Cursor = tuple[Any, int, str]

# What the hot listings select, and readers building their records by position.
_SESSION_COLUMNS = Selection().columns(SESSIONS, "s")
_SESSION_RECORD = _SESSION_COLUMNS.reader(SESSIONS, "s")
_PAGE_COLUMNS = Selection().columns(MESSAGES, "m").value("agent", 'a."Name"')
_PAGE_RECORD = _PAGE_COLUMNS.reader(MESSAGES, "m")
_PAGE_AGENT = _PAGE_COLUMNS.position("agent")
_PAGE_CURSOR = tuple(_PAGE_COLUMNS.position(name, "m")
                     for name in ("Timestamp", "SequenceNumber", "Id"))
_ATTACHMENT_COLUMNS = Selection().columns(ATTACHMENTS)
_ATTACHMENT_RECORD = _ATTACHMENT_COLUMNS.reader(ATTACHMENTS)
_TOOL_CALL_COLUMNS = Selection().columns(TOOL_CALLS)
_TOOL_CALL_RECORD = _TOOL_CALL_COLUMNS.reader(TOOL_CALLS)


@dataclass(frozen=True, slots=True)
class MessagePage:
    """A run of consecutive messages of one session, in thread (time) order."""

    messages: tuple[r.MessageRecord, ...]
    has_before: bool
    has_after: bool

    @property
    def first_cursor(self) -> Cursor | None:
        return self.messages[0].cursor if self.messages else None

    @property
    def last_cursor(self) -> Cursor | None:
        return self.messages[-1].cursor if self.messages else None

    @property
    def numbered(self) -> bool:
        """Whether its messages have their places in the thread (a last page read with
        `numbered=False` has none until `ending_at` gives them)."""
        return not self.messages or self.messages[0].position is not None

    def ending_at(self, count: int) -> MessagePage:
        """The page with its messages numbered as the last of a thread of `count`."""
        first = count - len(self.messages) + 1
        return replace(self, messages=tuple(replace(m, position=first + n)
                                            for n, m in enumerate(self.messages)))


@dataclass(frozen=True, slots=True)
class ThreadExtent:
    """How long a thread is and where it ends: for "messages 1–20 of 20,000", for Go to, and
    for telling how many messages arrived after the end the person last saw."""

    count: int
    first_time: datetime | None
    last_time: datetime | None
    last_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class SessionThread:
    """A session with its members and one page of its messages."""

    session: r.SessionRecord
    members: tuple[r.SessionAgentRecord, ...]
    page: MessagePage


class Reader(Protocol):
    """What `session_page` reads through: a store inside a read, or a plain connection."""

    def select(self, sql: str, **params: Any) -> list[tuple[Any, ...]]: ...


def session_page(reader: Reader, *, filters: SessionFilter = SessionFilter(),
                 sort: str = "last_activity_at", descending: bool = True,
                 after: tuple[Any, str] | None = None, limit: int = 100) -> r.Page:
    """A keyset page of sessions with message counts and member names: three statements,
    to be run in one read. `after` is the `next_cursor` of the previous page."""
    if sort not in SORT_COLUMNS:
        raise ValidationError("sort", f"cannot sort sessions by {sort!r}")
    key = SORT_COLUMNS[sort]
    clauses, params = [], {"limit": int(limit) + 1}
    if filters.status is not None:
        clauses.append('s."Status" = $status')
        params["status"] = int(filters.status)
    if filters.type is not None:
        clauses.append('s."Type" = $type')
        params["type"] = int(filters.type)
    if filters.project_id is not None:
        clauses.append('s."ProjectId" = $project')
        params["project"] = filters.project_id
    if filters.text:
        clauses.append("(instr(lower(coalesce(s.\"Name\", '')), $text) > 0 OR "
                       "instr(lower(coalesce(s.\"ProjectId\", '')), $text) > 0 OR "
                       "s.\"Id\" = $raw_text)")
        params["text"] = filters.text.strip().lower()
        params["raw_text"] = filters.text.strip()
    if after is not None:
        op = "<" if descending else ">"
        clauses.append(f'({key}, s."Id") {op} ($after_key, $after_id)')
        params["after_key"], params["after_id"] = after
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    direction = "DESC" if descending else "ASC"
    rows = reader.select(f'SELECT {_SESSION_COLUMNS.sql}, {key} FROM "Sessions" s{where} '
                         f'ORDER BY {key} {direction}, s."Id" {direction} LIMIT $limit',
                         **params)
    sessions = [_SESSION_RECORD(row) for row in rows[:limit]]
    cursor = None
    if len(rows) > limit:  # (the sort key, the last column; the session's id)
        cursor = (rows[limit - 1][-1], sessions[-1].id)
    if not sessions:
        return r.Page((), cursor)
    ids = json.dumps([s.id for s in sessions])
    counts = dict(reader.select(
        f'SELECT "SessionId", count(*) FROM "Messages" WHERE "SessionId" IN {ID_LIST} '
        'GROUP BY "SessionId"', ids=ids))
    names: dict[str, list[str]] = {}
    for session_id, name in reader.select(
            f'SELECT sa."SessionId", coalesce(a."Name", sa."AgentId") FROM "SessionAgents" sa '
            f'LEFT JOIN "Agents" a ON a."Id" = sa."AgentId" WHERE sa."SessionId" IN {ID_LIST} '
            'ORDER BY sa."JoinedAt"', ids=ids):
        names.setdefault(session_id, []).append(name)
    return r.Page(tuple(r.SessionSummary(s, counts.get(s.id, 0), tuple(names.get(s.id, ())))
                        for s in sessions), cursor)


class SessionRepository(Repository[r.SessionRecord]):
    """The seed's session repository, with its whole-table loads replaced by SQL."""

    # -- listings --------------------------------------------------------------------------

    def summaries(self, *, filters: SessionFilter = SessionFilter(),
                  sort: str = "last_activity_at", descending: bool = True,
                  after: tuple[Any, str] | None = None, limit: int = 100,
                  with_last_message: bool = False) -> r.Page:
        """A keyset page of sessions with message counts and member names (`session_page`).

        `after` is the `next_cursor` of the previous page: (sort value, id).
        """
        with self.store.reading():
            page = session_page(self.store, filters=filters, sort=sort, descending=descending,
                                after=after, limit=limit)
            if not with_last_message:
                return page
            items = []
            for item in page.items:
                last = self.messages_page(item.session.id, last=True, limit=1,
                                          with_children=False).messages
                items.append(replace(item, last_message=last[-1]) if last else item)
        return replace(page, items=tuple(items))

    def active(self, limit: int = 1000) -> list[r.SessionSummary]:
        """Active sessions with their agents, most recent activity first."""
        page = self.summaries(filters=SessionFilter(status=SessionStatus.Active), limit=limit)
        return list(page.items)

    def recent(self, count: int) -> list[r.SessionSummary]:
        """The `count` most recently active sessions, each with its last message."""
        return list(self.summaries(limit=count, with_last_message=True).items)

    def by_project(self, project_id: str, limit: int = 1000) -> list[r.SessionSummary]:
        """The project's sessions, most recent activity first."""
        return list(self.summaries(filters=SessionFilter(project_id=project_id),
                                   limit=limit).items)

    def projects(self) -> list[str]:
        """Every project id in use, sorted."""
        with self.store.reading():
            return [row[0] for row in self.store.select(
                'SELECT DISTINCT "ProjectId" FROM "Sessions" WHERE coalesce("ProjectId", \'\') '
                '<> \'\' ORDER BY 1')]

    # -- one session -----------------------------------------------------------------------

    def members(self, session_id: str) -> tuple[r.SessionAgentRecord, ...]:
        """The session's agent memberships with agent names, in joining order."""
        with self.store.reading():
            selection = Selection().columns(SESSION_AGENTS, "sa").value("agent", 'a."Name"')
            rows = self.store.select(
                f'SELECT {selection.sql} FROM "SessionAgents" sa '
                'LEFT JOIN "Agents" a ON a."Id" = sa."AgentId" WHERE sa."SessionId" = $id '
                'ORDER BY sa."JoinedAt", sa."AgentId"', id=session_id)
        return tuple(SESSION_AGENTS.record(row["sa"], agent_name=row["agent"])
                     for row in map(selection.read, rows))

    def with_messages(self, session_id: str, limit: int = 100) -> SessionThread:
        """The session, its members and its first page of messages (with their children)."""
        with self.store.reading():
            session = self.require(session_id)
            return SessionThread(session, self.members(session_id),
                                 self.messages_page(session_id, limit=limit))

    def cursor_at(self, session_id: str, position: int) -> Cursor | None:
        """The cursor of the message at 1-based `position` in thread order (None past the
        end), for a page that starts after it."""
        with self.store.reading():
            rows = self.store.select(
                'SELECT "Timestamp", "SequenceNumber", "Id" FROM "Messages" '
                'WHERE "SessionId" = $sid ORDER BY "Timestamp", "SequenceNumber", "Id" '
                'LIMIT 1 OFFSET $skip', sid=session_id, skip=position - 1)
        return (rows[0][0], int(rows[0][1]), rows[0][2]) if rows else None

    def messages_page(self, session_id: str, *, after: Cursor | None = None,
                      before: Cursor | None = None, last: bool = False,
                      limit: int = 100, with_children: bool = True,
                      include_cursor: bool = False,
                      first_position: int | None = None,
                      total: int | None = None, numbered: bool = True) -> MessagePage:
        """A keyset page of messages in thread order (Timestamp, SequenceNumber, Id), each
        with its 1-based `position` in the thread.

        With no cursor: the first page (or the last, with `last=True`). `after`/`before` take
        a page's `last_cursor`/`first_cursor`; `include_cursor` starts at the `after` message
        itself. `first_position`, when the caller knows it, spares counting the messages
        before the page (which costs one index entry per message); so does `total`, the
        thread's length, for the last page (the caller's `thread_extent` in the same read).
        `numbered=False` leaves a last page's `position`s None rather than count the thread
        (`MessagePage.ending_at` gives them once its length is known).
        """
        params: dict[str, Any] = {"sid": session_id, "limit": int(limit) + 1}
        backwards = last or before is not None
        where = 'm."SessionId" = $sid'
        if after is not None:
            op = ">=" if include_cursor else ">"
            where += f" AND {THREAD_KEY} {op} ($ts, $seq, $mid)"
            params["ts"], params["seq"], params["mid"] = after
        if before is not None:
            where += f" AND {THREAD_KEY} < ($ts, $seq, $mid)"
            params["ts"], params["seq"], params["mid"] = before
        order = THREAD_ORDER.format(d="DESC" if backwards else "ASC")
        sql = (f'SELECT {_PAGE_COLUMNS.sql} FROM "Messages" m '
               f'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" WHERE {where} '
               f"ORDER BY {order} LIMIT $limit")
        with self.store.reading():
            rows = self.store.select(sql, **params)
            more = len(rows) > limit
            rows = rows[:limit]
            if backwards:
                rows.reverse()
            if rows and first_position is None:
                if after is None and not backwards:
                    first_position = 1
                elif last and before is None and not more:
                    first_position = 1  # the whole thread fits in the page
                elif last and before is None:  # a plain count: no row-value test per entry
                    if numbered or total is not None:
                        first_position = (self._count(session_id) if total is None
                                          else total) - len(rows) + 1
                else:
                    time, sequence, first_id = (rows[0][n] for n in _PAGE_CURSOR)
                    first_position = self._count_before(
                        session_id, (time, int(sequence), first_id)) + 1
            ids = [row[_PAGE_CURSOR[2]] for row in rows]
            attachments, calls = self._children(ids) if with_children and rows else ({}, {})
        # each record built once, with its place and its children
        start = first_position or 0
        messages = [_PAGE_RECORD(row, agent_name=row[_PAGE_AGENT],
                                 position=start + n if start else None,
                                 attachments=attachments.get(mid, ()),
                                 tool_calls=calls.get(mid, ()))
                    for n, (row, mid) in enumerate(zip(rows, ids, strict=True))]
        if backwards:
            has_before, has_after = more, before is not None
        else:
            has_before, has_after = after is not None and not include_cursor, more
        return MessagePage(tuple(messages), has_before, has_after)

    def _rows(self, table: Table, where: str, **params: Any) -> list[dict[str, Any]]:
        """The table's rows (every column, by name) that `where` picks."""
        selection = Selection().columns(table)
        return [selection.read(row)[table.name] for row in self.store.select(
            f'SELECT {selection.sql} FROM "{table.name}" {where}', **params)]

    def _count(self, session_id: str) -> int:
        return int(self.store.scalar(
            'SELECT count(*) FROM "Messages" WHERE "SessionId" = $sid', sid=session_id))

    def _count_before(self, session_id: str, cursor: Cursor) -> int:
        return int(self.store.scalar(
            f'SELECT count(*) FROM "Messages" m WHERE m."SessionId" = $sid AND {THREAD_KEY} < '
            "($ts, $seq, $mid)", sid=session_id, ts=cursor[0], seq=cursor[1], mid=cursor[2]))

    def _cursor_of(self, session_id: str, message_id: str) -> Cursor | None:
        row = self.store.select(
            'SELECT "Timestamp", "SequenceNumber", "Id" FROM "Messages" '
            'WHERE "Id" = $mid AND "SessionId" = $sid', mid=message_id, sid=session_id)
        return (row[0][0], int(row[0][1]), row[0][2]) if row else None

    def _with_children(self, messages: list[r.MessageRecord]) -> list[r.MessageRecord]:
        attachments, calls = self._children([m.id for m in messages])
        if not attachments and not calls:
            return messages
        return [replace(m, attachments=attachments.get(m.id, ()),
                        tool_calls=calls.get(m.id, ()))
                if m.id in attachments or m.id in calls else m for m in messages]

    def _children(self, message_ids: list[str]) -> tuple[
            dict[str, tuple[r.AttachmentRecord, ...]], dict[str, tuple[r.ToolCallRecord, ...]]]:
        """The attachments and tool calls of these messages, by message id (only those that
        have any: `.get(id, ())` for the others)."""
        ids = json.dumps(message_ids)
        attachments: dict[str, list[r.AttachmentRecord]] = {}
        for row in self.store.select(
                f'SELECT {_ATTACHMENT_COLUMNS.sql} FROM "Attachments" '
                f'WHERE "MessageId" IN {ID_LIST} ORDER BY "UploadedAt", "Id"', ids=ids):
            record = _ATTACHMENT_RECORD(row)
            attachments.setdefault(record.message_id, []).append(record)
        calls: dict[str, list[r.ToolCallRecord]] = {}
        for row in self.store.select(
                f'SELECT {_TOOL_CALL_COLUMNS.sql} FROM "ToolCalls" '
                f'WHERE "MessageId" IN {ID_LIST} ORDER BY "ExecutedAt", "Id"', ids=ids):
            record = _TOOL_CALL_RECORD(row)
            calls.setdefault(record.message_id, []).append(record)
        return ({mid: tuple(found) for mid, found in attachments.items()},
                {mid: tuple(found) for mid, found in calls.items()})

    def messages_around(self, session_id: str, message_id: str, *, context: int = 25,
                        position: int | None = None) -> MessagePage | None:
        """A page holding the message with up to `context` messages on each side; None when
        the message is not in the session. `position` is the message's place when known."""
        with self.store.reading():
            cursor = self._cursor_of(session_id, message_id)
            if cursor is None:
                return None
            if position is None:
                position = self._count_before(session_id, cursor) + 1
            before = self.messages_page(session_id, before=cursor, limit=context,
                                        first_position=1)
            rest = self.messages_page(session_id, after=cursor, include_cursor=True,
                                      limit=context + 1, first_position=position)
        start = position - len(before.messages)
        earlier = tuple(replace(m, position=start + n) for n, m in enumerate(before.messages))
        return MessagePage(earlier + rest.messages, before.has_before, rest.has_after)

    def thread_extent(self, session_id: str) -> ThreadExtent:
        """The thread's length, first and last times and last message (counting costs one
        index entry per message: about 1.5 ms for 20,000, 100 ms for a million)."""
        with self.store.reading():
            count = int(self.store.scalar(
                'SELECT count(*) FROM "Messages" WHERE "SessionId" = $sid', sid=session_id))
            ends = [self.store.select(
                'SELECT "Timestamp", "SequenceNumber", "Id" FROM "Messages" m '
                f'WHERE m."SessionId" = $sid ORDER BY {THREAD_ORDER.format(d=d)} LIMIT 1',
                sid=session_id) for d in ("ASC", "DESC")]
        first, last = (rows[0] if rows else None for rows in ends)
        return ThreadExtent(count, parse_datetime(first[0]) if first else None,
                            parse_datetime(last[0]) if last else None,
                            (last[0], int(last[1]), last[2]) if last else None)

    def count_after(self, session_id: str, cursor: Cursor) -> int:
        """How many messages come after `cursor` in the thread (one index entry each)."""
        with self.store.reading():
            return int(self.store.scalar(
                f'SELECT count(*) FROM "Messages" m WHERE m."SessionId" = $sid AND {THREAD_KEY} '
                "> ($ts, $seq, $mid)", sid=session_id, ts=cursor[0], seq=cursor[1],
                mid=cursor[2]))

    def message_at(self, session_id: str, number: int, *, count: int | None = None
                   ) -> str | None:
        """The id of the thread's `number`-th message (1-based), or None when there is none.

        SQLite has no rank lookup in an index: this steps over the covering index
        desktop_ix_messages_session_time from whichever end of the thread is nearer, one entry
        per message skipped (about 1.5 ms to the middle of 20,000, 50 ms to the middle of a
        million). `count`, when known, spares counting the thread to find its nearer end.
        """
        if number < 1:
            return None
        with self.store.reading():
            if count is None:
                count = int(self.store.scalar(
                    'SELECT count(*) FROM "Messages" WHERE "SessionId" = $sid', sid=session_id))
            if number > count:
                return None
            backwards = number > (count + 1) // 2
            skip = count - number if backwards else number - 1
            order = THREAD_ORDER.format(d="DESC" if backwards else "ASC")
            return self.store.scalar(
                f'SELECT m."Id" FROM "Messages" m WHERE m."SessionId" = $sid ORDER BY {order} '
                "LIMIT 1 OFFSET $skip", sid=session_id, skip=skip)

    def message_at_time(self, session_id: str, when: datetime) -> str | None:
        """The id of the first message at or after `when` (UTC, or aware) in thread order,
        or None when every message is older. Compares the stored text as the thread's order
        does, through the index: one index lookup."""
        with self.store.reading():
            return self.store.scalar(
                f'SELECT m."Id" FROM "Messages" m WHERE m."SessionId" = $sid AND m."Timestamp" '
                f'>= $ts ORDER BY {THREAD_ORDER.format(d="ASC")} LIMIT 1', sid=session_id,
                ts=format_datetime(when))

    def message_position(self, session_id: str, message_id: str) -> int | None:
        """How many messages come before this one in the thread (for scrolling to it)."""
        with self.store.reading():
            cursor = self._cursor_of(session_id, message_id)
            return None if cursor is None else self._count_before(session_id, cursor)

    def statistics(self, session_id: str) -> r.SessionStatistics:
        """Counts, duration and token totals, computed by SQLite without loading messages."""
        with self.store.reading():
            session = self.require(session_id)
            by_agent = self.store.select(
                f'SELECT m."AgentId", count(*), sum({TOKENS_SQL}) FROM "Messages" m '
                'WHERE m."SessionId" = $id GROUP BY m."AgentId"', id=session_id)
            tool_calls = self.store.scalar(
                'SELECT count(*) FROM "ToolCalls" t JOIN "Messages" m ON m."Id" = t."MessageId" '
                'WHERE m."SessionId" = $id', id=session_id)
            agents = self.store.scalar(
                'SELECT count(*) FROM "SessionAgents" WHERE "SessionId" = $id', id=session_id)
            names = dict(self.store.select('SELECT "Id", coalesce("Name", "Id") FROM "Agents"'))
        end = session.completed_at or session.last_activity_at or session.created_at
        duration = end - session.created_at if session.created_at and end else timedelta(0)
        tokens = {}
        for agent_id, _count, total in by_agent:
            label = names.get(agent_id, agent_id) if agent_id else "(no agent)"
            tokens[label] = tokens.get(label, 0) + int(total or 0)
        return r.SessionStatistics(
            session_id=session_id,
            message_count=sum(int(row[1]) for row in by_agent),
            agent_count=int(agents or 0),
            duration=max(duration, timedelta(0)),
            total_tokens=sum(tokens.values()),
            tool_call_count=int(tool_calls or 0),
            tokens_by_agent=tokens,
            ongoing=session.completed_at is None,
        )

    # -- writes ----------------------------------------------------------------------------

    def create(self, name: str | None = None, *, type: SessionType = SessionType.SingleAgent,
               status: SessionStatus = SessionStatus.Active, project_id: str | None = None,
               working_directory: str | None = None, context: Any = None,
               metadata: Any = None) -> r.SessionRecord:
        """A new session, created and last active now."""
        return self.add(name=name, type=type, status=status, project_id=project_id,
                        working_directory=working_directory, context_json=dump_json(context),
                        metadata_json=dump_json(metadata))

    def add_message(self, session_id: str, content: str | None, role: MessageRole, *,
                    agent_id: str | None = None, parent_message_id: str | None = None,
                    metadata: Any = None, token_usage: r.TokenUsage | dict | None = None,
                    attachments: Sequence[dict[str, Any]] = (),
                    tool_calls: Sequence[dict[str, Any]] = (),
                    message_id: str | None = None) -> r.MessageRecord:
        """Append a message: the next sequence number is taken inside the write transaction,
        and the session's last activity moves to now. Children are added in the same
        transaction."""
        if isinstance(token_usage, r.TokenUsage):
            token_usage = {"InputTokens": token_usage.input_tokens,
                           "OutputTokens": token_usage.output_tokens,
                           "TotalTokens": token_usage.total_tokens,
                           "EstimatedCost": token_usage.estimated_cost}
        message_id = message_id or new_id()
        now = now_text()
        with self.store.writing():
            if not self.exists(session_id):
                raise NotFoundError("session", session_id)
            if agent_id is not None and not self.store.agents.exists(agent_id):
                raise NotFoundError("agent", agent_id)
            agent_id = agent_id or self.store.agent_for(session_id)
            sequence = int(self.store.scalar(
                'SELECT coalesce(max("SequenceNumber"), 0) + 1 FROM "Messages" '
                'WHERE "SessionId" = $sid', sid=session_id))
            self.store.insert_row("Messages", {
                "Id": message_id, "SessionId": session_id, "Content": content,
                "Role": int(MessageRole(role)), "AgentId": agent_id,
                "ParentMessageId": parent_message_id, "Timestamp": now,
                "SequenceNumber": sequence, "MetadataJson": dump_json(metadata),
                "TokenUsageJson": dump_json(token_usage)})
            for attachment in attachments:
                self.store.attachments.add(message_id=message_id, **attachment)
            for call in tool_calls:
                self.store.tool_calls.add(message_id=message_id, **call)
            self.store.execute('UPDATE "Sessions" SET "LastActivityAt" = $now WHERE "Id" = $sid',
                               now=now, sid=session_id)
            message = MESSAGES.record(self._rows(MESSAGES, 'WHERE "Id" = $id', id=message_id)[0])
            return self._with_children([message])[0]

    def import_messages(self, session_id: str, messages: Sequence[dict[str, Any]], *,
                        chunk: int = 5000, progress: Any = None) -> int:
        """Append many messages in one transaction, numbered after the session's last.

        Each item takes `content`, `role`, and optionally `id`, `agent_id`,
        `parent_message_id`, `timestamp` (datetime or .NET text), `metadata`, `token_usage`,
        `attachments` and `tool_calls` (lists of column dicts, as for `add_message`).
        Returns how many messages were added.
        """
        now = now_text()
        with self.store.writing():
            if not self.exists(session_id):
                raise NotFoundError("session", session_id)
            wanted = {m["agent_id"] for m in messages if m.get("agent_id")}
            known = {row[0] for row in self.store.select('SELECT "Id" FROM "Agents"')}
            missing = sorted(wanted - known)
            if missing:
                raise NotFoundError("agent", missing[0])
            fallback = self.store.agent_for(session_id)
            sequence = int(self.store.scalar(
                'SELECT coalesce(max("SequenceNumber"), 0) FROM "Messages" '
                'WHERE "SessionId" = $sid', sid=session_id))
            for start in range(0, len(messages), chunk):
                rows, attachment_rows, call_rows = [], [], []
                for item in messages[start:start + chunk]:
                    sequence += 1
                    message_id = item.get("id") or new_id()
                    rows.append((
                        message_id, session_id, item.get("content"),
                        int(MessageRole(item.get("role", MessageRole.User))),
                        item.get("agent_id") or fallback, item.get("parent_message_id"),
                        encode_value(item.get("timestamp")) or now, sequence,
                        dump_json(item.get("metadata")), dump_json(item.get("token_usage"))))
                    for key, table, target in (("attachments", "Attachments", attachment_rows),
                                               ("tool_calls", "ToolCalls", call_rows)):
                        for child in item.get(key) or ():
                            values = {"id": new_id(), **child, "message_id": message_id}
                            target.append(_child_row(table, values, now))
                self.store.bulk_insert("Messages", rows)
                self.store.bulk_insert("Attachments", attachment_rows)
                self.store.bulk_insert("ToolCalls", call_rows)
                if progress:
                    progress(min((start + chunk) / max(len(messages), 1), 1.0))
            self.store.execute('UPDATE "Sessions" SET "LastActivityAt" = $now WHERE "Id" = $sid',
                               now=now, sid=session_id)
        return len(messages)

    def set_status(self, session_id: str, status: SessionStatus) -> r.SessionRecord:
        """Change the status; Completed/Failed/Cancelled also set CompletedAt when unset."""
        with self.store.writing():
            session = self.require(session_id)
            changes: dict[str, Any] = {"status": status}
            finished = status in (SessionStatus.Completed, SessionStatus.Failed,
                                  SessionStatus.Cancelled)
            if finished and session.completed_at is None:
                changes["completed_at"] = utc_now()
            return self.update(session_id, **changes)

    def rename(self, session_id: str, name: str | None) -> r.SessionRecord:
        """Give the session a new name; an empty one clears it ("Untitled session")."""
        return self.update(session_id, name=(name or "").strip() or None)

    def deletion_effects(self, session_id: str) -> dict[str, int]:
        """What `delete` removes with the session, by kind; `plans_kept` counts the file's
        Plans, which have no cascade and stay, as the .NET application leaves them."""
        form = self.store.form
        counts = {
            "messages": 'SELECT count(*) FROM "Messages" WHERE "SessionId" = $id',
            "tool_calls": 'SELECT count(*) FROM "ToolCalls" t JOIN "Messages" m '
                          'ON m."Id" = t."MessageId" WHERE m."SessionId" = $id',
            "attachments": 'SELECT count(*) FROM "Attachments" a JOIN "Messages" m '
                           'ON m."Id" = a."MessageId" WHERE m."SessionId" = $id',
            "snapshots": 'SELECT count(*) FROM "SessionSnapshots" WHERE "SessionId" = $id',
            "agent_memberships": 'SELECT count(*) FROM "SessionAgents" WHERE "SessionId" = $id',
            "orchestration_plans":
                'SELECT count(*) FROM "OrchestrationPlans" WHERE "SessionId" = $id',
        }
        if form.has_table("Teams"):
            counts["teams"] = 'SELECT count(*) FROM "Teams" WHERE "SessionId" = $id'
        if form.has_table("Plans"):
            counts["plans_kept"] = 'SELECT count(*) FROM "Plans" WHERE "SessionId" = $id'
        with self.store.reading():
            return {kind: int(self.store.scalar(sql, id=session_id))
                    for kind, sql in counts.items()}

    def delete(self, key: Any) -> bool:
        """Delete the session and everything that belongs to it, plans included, in one
        transaction (plans have no cascade in the contract)."""
        with self.store.writing():
            self.store.execute(
                'DELETE FROM "OrchestrationPlans" WHERE "SessionId" = $id', id=key)
            return super().delete(key)



_CHILD_DEFAULTS = {
    "Attachments": {"size": 0},
    "ToolCalls": {"success": False, "execution_time": "00:00:00"},
}
_CHILD_DATES = {"Attachments": "uploaded_at", "ToolCalls": "executed_at"}


def _child_row(table: str, values: dict[str, Any], now: str) -> tuple[Any, ...]:
    """A full attachment or tool-call row from snake_case values, .NET-encoded."""
    merged = {**_CHILD_DEFAULTS[table], _CHILD_DATES[table]: now, **values}
    snake = TABLES[table].attr_to_column
    unknown = set(merged) - set(snake)
    if unknown:
        raise ValidationError(sorted(unknown)[0], f"is not a column of {table}")
    by_column = {snake[name]: encode_value(value) for name, value in merged.items()}
    return tuple(by_column.get(column) for column in TABLES[table].names)
