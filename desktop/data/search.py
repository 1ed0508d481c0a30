"""Full-text search over message content: safe queries, ranked hits with highlighted snippets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from . import fts
from .encoding import encode_value, parse_datetime
from .enums import MessageRole
from .errors import DamagedDatabaseError
from .fts_build import COVERAGE_SQL, CURSOR_KEY, Coverage

if TYPE_CHECKING:
    from .database import Store

MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_MAX = 400  # characters of a snippet handed to the view
COUNT_LIMIT = 10_000  # matches counted exactly; past it a search says "more than"
# The index keeps no text (fts.py), so a hit's snippet is cut from the message itself: about
# 1,200 bytes around the first word searched for, marked and shortened in Python. Unlike FTS5's
# snippet(), whose cost is the square of a message's matches, it costs the same for any message.
# It is cut as bytes, since SQLite's substr() and length() stop at a NUL in text.
_BYTES = 'CAST(m."Content" AS BLOB)'
_AT = f"max(instr(CAST(lower({_BYTES}) AS BLOB), CAST($first_word AS BLOB)) - 300, 1)"
EXCERPT_SQL = (f"substr({_BYTES}, {_AT}, 1200), {_AT} > 1, "
               f"length({_BYTES}) >= {_AT} + 1200")
_QUERY_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD_CHARS = re.compile(r"[^\W_]", re.UNICODE)


class IndexState(Enum):
    READY = "ready"
    BUILDING = "building"
    UNAVAILABLE = "unavailable"  # read-only file without an index: search scans instead


@dataclass(frozen=True)
class SearchFilter:
    session_id: str | None = None
    role: MessageRole | None = None
    agent_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    message_id: str
    session_id: str | None
    session_name: str | None
    role: MessageRole
    agent_id: str | None
    agent_name: str | None
    timestamp: datetime | None
    sequence_number: int
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float
    position: int = 0  # 1-based place in its thread's time order (0: not counted)

    @property
    def number(self) -> str:
        """`#N` where the hit's place is known, else nothing (never `#0`)."""
        return f"#{self.position}" if self.position else ""


@dataclass(frozen=True)
class SearchResult:
    state: IndexState
    progress: float
    hits: tuple[SearchHit, ...] = ()
    query: str | None = None
    note: str = field(default="")
    total: int | None = None  # matches in all, counted on a first page; COUNT_LIMIT + 1 = more
    next_page: tuple[Any, ...] | None = None  # `after` for the next page; None: no more
    searched: int | None = None  # while the index is built: messages it covered, newest first
    ranked: bool = True  # best first; False: newest first (no index to rank with yet)
    messages: int | None = None  # ... of this many in the file

    @property
    def coverage_text(self) -> str:
        """"Searched the newest 140,000 of 1,000,000 messages; still indexing." while the index
        is built ("" when the search covered every message)."""
        if self.searched is None or self.messages is None:
            return ""
        return (f"Searched the newest {self.searched:,} of {self.messages:,} messages; "
                "still indexing.")

    @property
    def ready(self) -> bool:
        return self.state is not IndexState.BUILDING

    @property
    def total_text(self) -> str:
        """"1 match", "1,226 matches", "more than 10,000 matches" ("" when not counted)."""
        if self.total is None:
            return ""
        if self.total > COUNT_LIMIT:
            return f"more than {COUNT_LIMIT:,} matches"
        return "1 match" if self.total == 1 else f"{self.total:,} matches"


def to_fts_query(text: str) -> str | None:
    """Turn what a person typed into an FTS5 query that cannot be a syntax error.

    Words are matched as literal strings (so NEAR, col:x and brackets are just text), all
    words must match, "quoted text" is a phrase, a trailing * makes a prefix, and OR / NOT
    in capitals between two words work as operators. None when nothing searchable.
    """
    parts: list[str] = []
    operators: list[str] = []
    operator: str | None = None
    text = (text or "").replace("\x00", " ")  # SQLite ends an FTS5 string at a NUL
    for match in _QUERY_TOKEN.finditer(text):
        phrase, word = match.groups()
        if phrase is None and word in ("OR", "NOT", "AND"):
            operator = word if parts else None
            operators.append(word)
            continue
        raw = phrase if phrase is not None else word
        prefix = phrase is None and raw.endswith("*")
        raw = raw.rstrip("*") if prefix else raw
        if not _WORD_CHARS.search(raw):
            continue
        if operator in ("OR", "NOT"):
            parts.append(operator)
        operator = None
        parts.append('"' + raw.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not parts and operators:  # "NOT" or "OR NOT" alone: the words themselves
        parts = [f'"{word}"' for word in operators]
    return " ".join(parts) if parts else None


def query_words(text: str) -> list[str]:
    """The words of what a person typed, without the OR / NOT / AND operators (unless there
    is nothing else)."""
    found = list(dict.fromkeys(re.findall(r"[^\W_]+", (text or "").replace("\x00", " "))))
    words = [w for w in found if w not in ("OR", "NOT", "AND")]
    return words or found


def mark_words(text: str, words: list[str] | tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Spans of the words in `text`, case-insensitively (for excerpts FTS5 did not mark)."""
    spans = []
    for word in words:
        spans.extend(m.span() for m in re.finditer(re.escape(word), text, re.IGNORECASE))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return tuple(merged)


def shorten_snippet(text: str, spans: tuple[tuple[int, int], ...]
                    ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """At most SNIPPET_MAX characters around the first highlight (a single huge token can make
    FTS5 return a huge snippet)."""
    if len(text) <= SNIPPET_MAX:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, min(first - SNIPPET_MAX // 4, len(text) - SNIPPET_MAX))
    end = start + SNIPPET_MAX
    kept = tuple((max(a, start) - start, min(b, end) - start) for a, b in spans
                 if b > start and a < end)
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return (prefix + text[start:end] + suffix,
            tuple((a + shift, b + shift) for a, b in kept))


def split_snippet(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove highlight markers from a snippet; return the text and (start, end) spans."""
    text, spans, start = [], [], None
    length = 0
    for chunk in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if chunk == MARK_START:
            start = length
        elif chunk == MARK_END:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            text.append(chunk)
            length += len(chunk)
    return "".join(text), tuple(spans)


class SearchService:
    """Search over one store, plus the state and upkeep of its index."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def state(self) -> tuple[IndexState, float]:
        """Whether the index is complete, and how far its build has come (0..1)."""
        state, coverage = self._state()
        if state is IndexState.BUILDING:
            return state, coverage.fraction if coverage else 0.0
        return state, 1.0 if state is IndexState.READY else 0.0

    def _state(self) -> tuple[IndexState, Coverage | None]:
        """The index's state and, while it is built and can answer from what it has, how
        many messages it covers (two counts)."""
        with self.store.reading():
            status = self.store.meta("fts_state")
            intact = status is not None and self.intact()
            if status == "ready" and intact:
                return IndexState.READY, None
            if self.store.read_only:
                return IndexState.UNAVAILABLE, None
            if status != "building" or not intact:  # not made yet, or out of date: another
                return IndexState.BUILDING, None  # program rebuilt Messages (maintenance
            indexed, messages = self.store.select(COVERAGE_SQL)[0]  # refills it)
        return IndexState.BUILDING, Coverage(int(indexed), int(messages))

    def search(self, text: str, filters: SearchFilter = SearchFilter(), limit: int = 50,
               after: tuple[Any, ...] | None = None, *, numbered: bool = True) -> SearchResult:
        """One page of ranked hits for `text`, best first; `after` is the `next_page` of the
        page before. While the index is being built, answers from what it has indexed (the
        newest messages first) and says how much that was (`searched` of `messages`); before
        it has anything, from the newest SCAN_NEWEST messages read word by word, newest first.

        `numbered` also counts the matches (on a first page, up to COUNT_LIMIT) and gives each
        hit its place in its thread, as `number()` does; a window shows the hits first and
        asks `number()` after, since those two reads can take longer than the page itself."""
        state, coverage = self._state()
        progress = 1.0 if state is IndexState.READY else coverage.fraction if coverage else 0.0
        query = to_fts_query(text)
        if query is None:
            return SearchResult(state, progress, query=None)
        where, params = self._filters(filters)
        params["limit"] = int(limit)
        words = query_words(text)
        # before the index has anything (the backup and schema steps of a first open), the
        # newest messages are read instead; a search paged that way goes on that way
        early = state is IndexState.BUILDING and (
            not (coverage and coverage.indexed) or (after is not None and len(after) == 1))
        indexed = state is not IndexState.UNAVAILABLE and not early
        if indexed:
            params["query"] = query
            params["first_word"] = words[0].lower() if words else ""
            if after is not None:
                params["after_score"], params["after_key"] = after
            sql = _ranked_sql(where, after is not None, keyed_after=not where)
            note = ""
        else:
            params["offset"] = int(after[0]) if after else 0
            if early:
                with self.store.reading():
                    messages = int(self.store.scalar('SELECT count(*) FROM "Messages"'))
                    oldest = self.store.scalar(
                        'SELECT "Timestamp" FROM "Messages" ORDER BY "Timestamp" DESC '
                        'LIMIT 1 OFFSET $n', n=SCAN_NEWEST - 1)
                coverage = Coverage(min(SCAN_NEWEST, messages), messages)
                if oldest is not None:
                    where += ' AND m."Timestamp" >= $oldest'
                    params["oldest"] = oldest
            sql, note = self._scan_sql(text, where, params)
            if early:
                note = ""
        with self.store.reading():
            rows = self.store.select(sql, **params)
            if indexed and not where and len(rows) < limit:  # the end, or keyless entries
                rows = self.store.select(_ranked_sql(where, after is not None), **params)
        hits = tuple(self._hit(row, words) for row in rows)
        next_page = None
        if len(rows) == limit:
            next_page = ((rows[-1][11], rows[-1][12]) if indexed
                         else (params["offset"] + len(rows),))
        result = SearchResult(state, progress, hits, query, note, next_page=next_page,
                              ranked=indexed, searched=coverage.indexed if coverage else None,
                              messages=coverage.messages if coverage else None)
        return self.number(result, filters, count=after is None) if numbered else result

    def number(self, result: SearchResult, filters: SearchFilter = SearchFilter(), *,
               count: bool = True) -> SearchResult:
        """`result` with each hit's place in its thread (the first POSITIONED_HITS) and, with
        `count` and a ranked result, the number of matches in all (up to COUNT_LIMIT), both
        read together: the thread walk takes about 6 ms for a rare word's hits in a
        100,000-message thread, the count 1 ms per 2,000 matches."""
        where, params = self._filters(filters)
        with self.store.reading():
            total = result.total
            if count and result.ranked and result.query is not None:
                total = int(self.store.scalar(_count_sql(where), query=result.query, **params))
            positions = self._positions(
                [(h.message_id, h.session_id) for h in result.hits[:POSITIONED_HITS]])
        hits = tuple(replace(h, position=positions.get(h.message_id, h.position))
                     for h in result.hits)
        return replace(result, hits=hits, total=total)

    def _positions(self, hits: list[tuple[str, str | None]]) -> dict[str, int]:
        """Each hit's place in its thread's time order, in one statement: the hits of a thread
        taken in its order, each counts the covering time index's entries from the hit before
        it (the first from the thread's start), and the counts are summed along the thread.

        So a thread is walked once up to its last hit, and the walk is a plain range of
        `Timestamp` (about 0.05 µs an entry); only the entries sharing the two ends' times
        compare (SequenceNumber, Id). Given a row value in this correlated form, SQLite bounds
        the walk by `Timestamp` alone and tests the row value on every entry: four times the
        cost (21 ms instead of 6.4 for 50 hits of a rare word, six of them deep in a
        100,000-message thread)."""
        ids = [message_id for message_id, session_id in hits if session_id]
        if not ids:
            return {}
        marks = ", ".join(f"$i{n}" for n in range(len(ids)))
        key = '"Timestamp", "SequenceNumber", "Id"'
        same_thread = 'FROM "Messages" c WHERE c."SessionId" = h."SessionId" AND '
        after_previous = (  # from the hit before (itself included) to this one's time
            f'(SELECT count(*) {same_thread}c."Timestamp" > h."T0" AND c."Timestamp" < h."T") + '
            f'(SELECT count(*) {same_thread}c."Timestamp" = h."T0" AND (c."SequenceNumber", '
            'c."Id") >= (h."S0", h."I0") AND (h."T0" < h."T" OR (c."SequenceNumber", c."Id") '
            '< (h."S", h."Id")))')
        at_its_time = (  # before this one among the messages of its time
            f'(SELECT count(*) {same_thread}c."Timestamp" = h."T" AND (c."SequenceNumber", '
            'c."Id") < (h."S", h."Id"))')
        return dict(self.store.select(
            'WITH h AS (SELECT "Id", "SessionId", "Timestamp" AS "T", "SequenceNumber" AS "S", '
            'lag("Timestamp") OVER w AS "T0", lag("SequenceNumber") OVER w AS "S0", '
            'lag("Id") OVER w AS "I0" FROM "Messages" '
            f'WHERE "Id" IN ({marks}) WINDOW w AS (PARTITION BY "SessionId" ORDER BY {key})), '
            f'g AS (SELECT h.*, CASE WHEN h."I0" IS NULL THEN (SELECT count(*) {same_thread}'
            f'c."Timestamp" < h."T") ELSE {after_previous} END + CASE WHEN h."I0" IS NULL OR '
            f'h."T0" < h."T" THEN {at_its_time} ELSE 0 END AS "Gap" FROM h) '
            'SELECT "Id", 1 + sum("Gap") OVER (PARTITION BY "SessionId" ORDER BY "T", "S", "Id") '
            'FROM g', **{f"i{n}": mid for n, mid in enumerate(ids)}))

    def _filters(self, filters: SearchFilter) -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        if filters.session_id:
            clauses.append('m."SessionId" = $sid')
            params["sid"] = filters.session_id
        if filters.role is not None:
            clauses.append('m."Role" = $role')
            params["role"] = int(filters.role)
        if filters.agent_id:
            clauses.append('m."AgentId" = $agent')
            params["agent"] = filters.agent_id
        if filters.since is not None:
            clauses.append('m."Timestamp" >= $since')
            params["since"] = encode_value(filters.since)
        if filters.until is not None:
            clauses.append('m."Timestamp" <= $until')
            params["until"] = encode_value(filters.until)
        return "".join(f" AND {c}" for c in clauses), params

    def _scan_sql(self, text: str, where: str, params: dict[str, Any]) -> tuple[str, str]:
        """Without an index (a read-only file): a plain scan for every word, newest first."""
        words = [w.strip('"*') for w in text.replace("\x00", " ").split()
                 if _WORD_CHARS.search(w)]
        for n, word in enumerate(words[:8]):
            where += f' AND instr(lower(m."Content"), $w{n}) > 0'
            params[f"w{n}"] = word.lower()
        sql = ('SELECT m."Id", m."SessionId", s."Name", m."Role", m."AgentId", a."Name", '
               'm."Timestamp", m."SequenceNumber", substr(m."Content", 1, 200), 0, 0, 0, 0 '
               'FROM "Messages" m LEFT JOIN "Sessions" s ON s."Id" = m."SessionId" '
               'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" '
               f'WHERE m."Content" IS NOT NULL{where} ORDER BY m."Timestamp" DESC, m."Id" '
               'LIMIT $limit OFFSET $offset')
        return sql, "This file is read-only and has no search index, so search scans every message."

    @staticmethod
    def _hit(row: tuple[Any, ...], words: list[str] | tuple[str, ...] = ()) -> SearchHit:
        excerpt = row[8]
        if isinstance(excerpt, bytes):  # cut anywhere: a character split at an end is dropped
            excerpt = ("…" if row[9] else "") + excerpt.decode("utf-8", "ignore").replace(
                "\x00", " ") + ("…" if row[10] else "")
        snippet, spans = split_snippet(excerpt or "")
        if not spans:
            spans = mark_words(snippet, words)
        snippet, spans = shorten_snippet(snippet, spans)
        return SearchHit(row[0], row[1], row[2] or None, MessageRole(row[3]), row[4],
                         row[5], parse_datetime(row[6]), int(row[7]), snippet, spans,
                         float(row[11] or 0))

    # -- upkeep -----------------------------------------------------------------------------

    def intact(self) -> bool:
        """Whether the index's tables and the triggers that keep it right are all there (a .NET
        migration that rebuilds `Messages` drops the triggers); one query of the schema."""
        with self.store.reading():
            return self.store.scalar(fts.MISSING_SQL) == fts.EXPECTED_OBJECTS

    def index_is_consistent(self) -> bool:
        """Cheap check: one index key per message."""
        with self.store.reading():
            keys = self.store.scalar(f'SELECT count(*) FROM "{fts.KEYS_TABLE}"')
            messages = self.store.scalar('SELECT count(*) FROM "Messages"')
        return keys == messages

    def clear_index(self) -> None:
        """Empty the index and mark it for a rebuild by the next maintenance run."""
        with self.store.writing():
            for statement in fts.CLEAR_SQL:
                self.store.execute(statement)
            self.store.execute("UPDATE \"desktop_meta\" SET \"Value\" = 'building' "
                               "WHERE \"Key\" = 'fts_state'")
            self.store.execute("UPDATE \"desktop_meta\" SET \"Value\" = '0' "
                               "WHERE \"Key\" = 'fts_position'")
            self.store.execute(f"DELETE FROM \"desktop_meta\" WHERE \"Key\" = '{CURSOR_KEY}'")
            if self.store.scalar("SELECT count(*) FROM sqlite_master WHERE name = $n",
                                 n=fts.DEFERRED_TABLE):
                self.store.execute(fts.CLEAR_DEFERRED_SQL)

    def fill_deferred(self, should_stop: Callable[[], bool] = lambda: False,
                      chunk: int = 2000) -> int:
        """Index the messages of sessions a restore or revert left to index after its commit
        (fts.DEFERRED_TABLE), a chunk per short transaction; resumable. Returns how many."""
        done, after, current = 0, 0, None
        while not should_stop():
            with self.store.writing():
                if not self.store.scalar("SELECT count(*) FROM sqlite_master WHERE name = $n",
                                         n=fts.DEFERRED_TABLE):
                    return done
                session_id = self.store.scalar(
                    f'SELECT "SessionId" FROM "{fts.DEFERRED_TABLE}" LIMIT 1')
                if session_id is None:
                    return done
                if session_id != current:
                    current, after = session_id, 0
                end = self.store.scalar(
                    'SELECT max(rowid) FROM (SELECT rowid FROM "Messages" WHERE "SessionId" = '
                    '$sid AND rowid > $after ORDER BY rowid LIMIT $limit)', sid=session_id,
                    after=after, limit=chunk)
                if end is None:
                    self.store.execute(f'DELETE FROM "{fts.DEFERRED_TABLE}" WHERE '
                                       '"SessionId" = $sid', sid=session_id)
                    continue
                before = int(self.store.scalar(
                    f'SELECT coalesce(max("Key"), 0) FROM "{fts.KEYS_TABLE}"'))
                self.store.execute(fts.FILL_DEFERRED_KEYS_SQL, sid=session_id, after=after,
                                   end=end)
                self.store.execute(fts.FILL_TEXT_SQL, before=before)
                done += int(self.store.scalar(
                    f'SELECT count(*) FROM "{fts.KEYS_TABLE}" WHERE "Key" > $b', b=before))
                after = int(end)
        return done

    def check(self) -> list[str]:
        """Problems found in the index (empty when it is sound); may take a while."""
        state, _ = self.state()
        if state is not IndexState.READY:
            return [f"The search index is {state.value}."]
        problems = []
        if not self.index_is_consistent():
            problems.append("The search index does not cover every message.")
        if self.store.read_only:
            return problems  # SQLite's own index check needs a writable file
        try:
            with self.store.writing():
                self.store.execute(
                    f"INSERT INTO \"{fts.FTS_TABLE}\" (\"{fts.FTS_TABLE}\", rank) "
                    "VALUES ('integrity-check', 1)")
        except DamagedDatabaseError as exc:  # SQLite reports index damage as SQLITE_CORRUPT
            cause = exc.__cause__ or exc
            detail = str(getattr(cause, "original_exc", None) or cause).rstrip(".")
            problems.append(f"The search index is damaged (SQLite says: {detail}).")
        # anything else (another program's lock, a full disk) is not damage: it propagates
        return problems


# Before the index has anything, a search reads this many of the newest messages.
SCAN_NEWEST = 20_000

# Hits that get their place in the thread (the ones a person looks at).
POSITIONED_HITS = 500


def _matches_sql(where: str) -> str:
    """Every match with its bm25 score ("Key", "Score"); joined to its key always (an entry
    whose key is gone belongs to a deleted message, see fts.DEFERRED_TABLE), to messages only
    when the filters need them."""
    index, keys = fts.FTS_TABLE, fts.KEYS_TABLE
    joins = f'JOIN "{keys}" k ON k."Key" = "{index}".rowid ' + (
        'JOIN "Messages" m ON m."Id" = k."MessageId" ' if where else "")
    return (f'SELECT "{index}".rowid AS "Key", bm25("{index}") AS "Score" FROM "{index}" '
            f'{joins}WHERE "{index}" MATCH $query{where}')


def _count_sql(where: str) -> str:
    return f"SELECT count(*) FROM (SELECT 1 FROM ({_matches_sql(where)}) LIMIT {COUNT_LIMIT + 1})"


def _ranked_sql(where: str, after: bool, *, keyed_after: bool = False) -> str:
    """One page of hits, best first (score, then key: a total order, so a page can start
    after the last hit of the one before); snippets are made only for the page.

    `keyed_after` (no filters only) ranks the index's entries before joining them to their
    keys, taking twice the page, and keeps the first `$limit` that have a key: the join of
    every match to its key cost a rare word's page half as much again as FTS5's ranking. An
    entry without a key (a deleted message's, see `_matches_sql`) is rare, so twice the
    page almost always holds a whole page of hits; a page that comes back short is read
    again with the join first (`SearchService.search`), so no hit is ever skipped."""
    keys, index = fts.KEYS_TABLE, fts.FTS_TABLE
    keyset = ' WHERE ("Score", "Key") > ($after_score, $after_key)' if after else ""
    if keyed_after:
        matches = (f'SELECT "{index}".rowid AS "Key", bm25("{index}") AS "Score" '
                   f'FROM "{index}" WHERE "{index}" MATCH $query')
        top = (f'WITH ranked AS MATERIALIZED (SELECT * FROM ({matches}){keyset} '
               'ORDER BY "Score", "Key" LIMIT 2 * $limit), '
               f'top AS MATERIALIZED (SELECT ranked.* FROM ranked JOIN "{keys}" k '
               'ON k."Key" = ranked."Key" ORDER BY ranked."Score", ranked."Key" LIMIT $limit) ')
    else:
        top = (f'WITH top AS MATERIALIZED (SELECT * FROM ({_matches_sql(where)}){keyset} '
               'ORDER BY "Score", "Key" LIMIT $limit) ')
    return (
        f'SELECT * FROM ({top}'
        'SELECT m."Id", m."SessionId", s."Name", m."Role", m."AgentId", a."Name", '
        f'm."Timestamp", m."SequenceNumber", {EXCERPT_SQL}, top."Score", top."Key" FROM top '
        f'JOIN "{keys}" k ON k."Key" = top."Key" JOIN "Messages" m ON m."Id" = k."MessageId" '
        'LEFT JOIN "Sessions" s ON s."Id" = m."SessionId" '
        'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" ORDER BY top."Score", top."Key")'
    )
