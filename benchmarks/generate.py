"""Write a realistic OrchestratorChat database, as the .NET application leaves it, fast.

The file has exactly the contract's schema (`CONTRACT_DDL`, the EF history row, WAL mode) and
nothing of this application's own (no `desktop_*` objects, `user_version` 0), so opening it
measures opening a file the application has never seen. Values use the .NET encodings: ids are
lower-case GUIDs, dates `yyyy-MM-dd HH:mm:ss.FFFFFFF`, durations TimeSpan "c" text.

Messages are written in time order across all sessions (as a live system writes them), so one
session's messages are spread over the table as they would be. Everything comes from one seeded
`random.Random`: the same arguments give the same file.

    python -m benchmarks.generate OUT.db [--sessions N] [--messages N] [--big-session N]
                                         [--snapshot-session N] [--seed S] [--small] [--force]
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import queue
import random
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from orchestrator_desktop.data.schema import CONTRACT_DDL, EF_HISTORY_INSERT
from orchestrator_desktop.data.seed import DEFAULT_AGENTS, DEFAULT_CAPABILITIES_JSON

FULL = {"sessions": 10_000, "messages": 1_000_000, "big_session": 100_000,
        "snapshot_session": 20_000}
SMALL = {"sessions": 200, "messages": 20_000, "big_session": 5_000, "snapshot_session": 2_000}
DEFAULT_SEED = 8
GENERATOR_VERSION = 1  # part of cached file names: bump when the generated data changes

# Words a benchmark searches for: one in about 5% of messages, one in about 0.1%.
COMMON_WORD = "database"
RARE_WORD = "heisenbug"

TICKS = 10_000_000  # .NET ticks (100 ns) per second
ORIGIN = datetime(2024, 7, 1)  # midnight: tick 0 of the generated history
SPAN_DAYS = 365
TABLE_SIZE = 8192  # samples per lookup table of random lengths and gaps
CHUNK_MESSAGES = 20_000

USER, ASSISTANT, SYSTEM, TOOL = 0, 1, 2, 3

# The most frequent words first (their rank sets their frequency, Zipf-like).
COMMON = """
the to and a of is in it that for you this with be on not can i are we as if or
but have from by an at will so do use your what my there should all when which
file one code function test error need then here now would also just more like
data value run change new return make check it's add get these out line call
same only some than does case other let before first because into see set
see type time try way class two after work version test using file back name
config server request problem path issue list update still fix output method
module user model string build query result object database field default import
response value instead log system step example local support message parameter
source read current variable instance option session command package process
another already without error change both each where could memory index
table script result schema cache thread client async await token route handler
service branch commit merge deploy container image docker pipeline release
migration column record key array loop window event state component render
prop hook store action reducer payload header cookie auth login password
permission role account email timeout retry connection socket port host
network proxy certificate compile compiler runtime exception stack trace
debug breakpoint warning lint format style refactor rename extract interface
abstract generic template pattern factory adapter wrapper helper utility
library dependency framework plugin extension setting environment secret
variable argument flag default benchmark performance latency throughput
memory leak profile optimize parallel queue worker job schedule cron batch
stream buffer chunk encode decode parse serialize json yaml xml csv binary
upload download storage bucket blob volume disk partition replica shard
primary secondary backup restore snapshot rollback transaction lock
deadlock isolation consistency integrity constraint foreign unique nullable
agent orchestrator plan prompt model temperature completion embedding
vector context window summary review approve reject merge conflict rebase
flaky regression coverage fixture mock stub assertion snapshot golden
"""

# Real words at the far end of the tail.
RARE = "heisenbug segfault idempotency tombstone backpressure"

CODE_TEMPLATES = (
    ("python", 'def {a}_{b}(self, {c}: str) -> dict:\n    """{s}"""\n    if not {c}:\n'
               '        raise ValueError("{c} is required")\n    result = self.{d}.get({c})\n'
               '    return {{"{a}": result, "{b}": len(result or [])}}\n'),
    ("python", "import {a}\n\n\nclass {A}{B}:\n    def __init__(self, {c}=None):\n"
               "        self.{c} = {c} or []\n\n    def {d}(self):\n"
               "        for item in self.{c}:\n            yield item.{b}()\n"),
    ("csharp", "public async Task<{A}> {B}Async(Guid {c}Id)\n{{\n"
               "    var {d} = await _context.{A}s.FirstOrDefaultAsync(x => x.Id == {c}Id);\n"
               "    if ({d} == null) throw new {B}Exception(\"{s}\");\n    return {d};\n}}\n"),
    ("typescript", "export function {a}{B}({c}: {A}[]): number {{\n"
                   "  return {c}.filter((x) => x.{d} !== undefined).length;\n}}\n"),
    ("sql", "SELECT {a}, count(*) AS {b}_count\nFROM {c}\nWHERE {d} IS NOT NULL\n"
            "GROUP BY {a}\nORDER BY {b}_count DESC\nLIMIT 20;\n"),
    ("bash", "cd ~/projects/{a}-{b}\ngit checkout -b fix/{c}-{d}\n"
             "dotnet test --filter {A}{B}Tests\n"),
    ("json", '{{\n  "{a}": "{b}",\n  "{c}": [1, 2, 3],\n  "{d}": {{ "enabled": true }}\n}}\n'),
    ("diff", "--- a/src/{a}/{b}.py\n+++ b/src/{a}/{b}.py\n@@ -12,7 +12,8 @@\n"
             "-    return {c}\n+    if {c} is None:\n+        return {d}\n+    return {c}\n"),
)

TOOLS = ("read_file", "write_file", "run_shell", "search_code", "list_directory", "run_tests",
         "git_diff", "apply_patch", "web_search")
TOOL_ERRORS = ("Process exited with code 1", "File not found", "Permission denied",
               "Timed out after 30 seconds", "2 tests failed")
ATTACHMENT_KINDS = (
    ("py", "text/x-python"), ("cs", "text/plain"), ("png", "image/png"), ("log", "text/plain"),
    ("json", "application/json"), ("pdf", "application/pdf"), ("csv", "text/csv"),
    ("md", "text/markdown"),
)
MODELS = ("claude-3-sonnet-20240229", "claude-3-opus-20240229", "gpt-4-turbo", "gpt-4o")
SESSION_VERBS = ("Refactor", "Fix", "Add", "Investigate", "Review", "Document", "Speed up",
                 "Migrate", "Test", "Design", "Debug", "Clean up", "Explain", "Plan")
MEMBER_ROLES = ("Primary", "Secondary", "Observer")


@dataclass
class GenerationReport:
    """What `generate()` wrote."""

    path: Path
    seed: int
    seconds: float
    counts: dict[str, int]
    big_session_id: str
    snapshot_session_id: str
    parameters: dict[str, int] = field(default_factory=dict)


def _guid_maker(rng: random.Random) -> Callable[[], str]:
    """Fast GUIDs in `Guid.ToString()` form (version 4 bits set), from the seeded generator."""
    bits = rng.getrandbits

    def guid() -> str:
        h = f"{bits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    return guid


def _datetime_formatter(origin: datetime) -> Callable[[int], str]:
    """Ticks since `origin` (a midnight) as .NET writes a DateTime: `yyyy-MM-dd HH:mm:ss` and
    up to seven fraction digits, trailing zeros dropped."""
    days: dict[int, str] = {}
    clock = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def fmt(ticks: int) -> str:
        seconds, fraction = divmod(ticks, TICKS)
        day, second = divmod(seconds, 86_400)
        date = days.get(day)
        if date is None:
            date = days[day] = (origin + timedelta(days=day)).strftime("%Y-%m-%d")
        if fraction:
            return date + clock[second] + "." + f"{fraction:07d}".rstrip("0")
        return date + clock[second]

    return fmt


def _lognormal_table(rng: random.Random, median: float, sigma: float) -> list[float]:
    """Samples of a log-normal distribution, to draw from by index (far cheaper per draw)."""
    mu = math.log(median)
    return [rng.lognormvariate(mu, sigma) for _ in range(TABLE_SIZE)]


def format_ticks_timespan(ticks: int) -> str:
    """A duration in .NET's TimeSpan "c" form: `[d.]hh:mm:ss[.fffffff]`."""
    seconds, fraction = divmod(ticks, TICKS)
    days, seconds = divmod(seconds, 86_400)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{days}." if days else "") + f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + f".{fraction:07d}" if fraction else text


def _vocabulary(rng: random.Random) -> list[str]:
    """Common words in rank order, then a long tail of made-up identifiers."""
    words: list[str] = []
    seen: set[str] = set()
    for word in COMMON.split():
        if word not in seen:
            seen.add(word)
            words.append(word)
    syllables = ("ka", "lo", "ri", "ven", "tor", "mi", "sa", "del", "xo", "qua", "ne", "bri",
                 "zan", "po", "lu", "ter", "gra", "fi", "mon", "yel", "dro", "ce", "ush", "ak")
    while len(words) < 4000:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words + [w for w in RARE.split() if w not in seen]


def _corpus(rng: random.Random, words: list[str], size_words: int) -> str:
    """Sentences and paragraphs of Zipf-distributed words, to cut message texts from."""
    weights = [1.0 / (rank + 2.7) ** 1.07 for rank in range(len(words))]
    drawn = rng.choices(words, weights=weights, k=size_words)
    parts: list[str] = []
    position = 0
    while position < size_words:
        length = rng.randint(5, 22)
        sentence = drawn[position:position + length]
        position += length
        sentence[0] = sentence[0].capitalize()
        end = "?" if rng.random() < 0.08 else "."
        if rng.random() < 0.05:
            sentence.insert(rng.randrange(len(sentence)), f"`{rng.choice(words)}()`")
        parts.append(" ".join(sentence) + end)
        parts.append("\n\n" if rng.random() < 0.18 else " ")
    return "".join(parts)


def _code_snippets(rng: random.Random, words: list[str], count: int) -> list[str]:
    """Fenced code blocks made from templates and vocabulary words."""
    pool = words[:1500]
    snippets = []
    for _ in range(count):
        language, template = rng.choice(CODE_TEMPLATES)
        a, b, c, d = (rng.choice(pool).replace("'", "") for _ in range(4))
        sentence = " ".join(rng.choice(pool) for _ in range(6)).capitalize() + "."
        body = template.format(a=a, b=b, c=c, d=d, A=a.capitalize(), B=b.capitalize(),
                               s=sentence)
        snippets.append(f"```{language}\n{body}```")
    return snippets


def _session_sizes(rng: random.Random, sessions: int, messages: int, big: int,
                   snapshot: int) -> list[int]:
    """Messages per session: index 0 is the big session, index 1 the snapshot-sized one, the
    rest heavy-tailed (a few long conversations, many short ones, some empty)."""
    sizes = [0] * sessions
    special = [big, snapshot][:sessions]
    for index, size in enumerate(special):
        sizes[index] = size
    rest = messages - sum(special)
    others = sessions - len(special)
    if rest < 0:
        raise ValueError("--messages must be at least --big-session + --snapshot-session")
    if others <= 0:
        if rest:
            sizes[0] += rest
        return sizes
    weights = [0.0 if rng.random() < 0.015 else rng.lognormvariate(0.0, 1.1)
               for _ in range(others)]
    total = sum(weights) or 1.0
    cap = max(snapshot - 1, 1) if snapshot else rest
    counts = [min(int(w / total * rest), cap) for w in weights]
    short = rest - sum(counts)
    index = 0
    while short > 0:
        if weights[index % others] and counts[index % others] < cap:
            counts[index % others] += 1
            short -= 1
        index += 1
        if index > others * (rest + 1):  # every session is at the cap
            sizes[0] += short
            break
    sizes[len(special):] = counts
    return sizes


def _insert_sql(table: str, width: int) -> str:
    return f'INSERT INTO "{table}" VALUES ({", ".join("?" * width)})'


def generate(path: str | os.PathLike[str], *, sessions: int = FULL["sessions"],
             messages: int = FULL["messages"], big_session: int = FULL["big_session"],
             snapshot_session: int = FULL["snapshot_session"], seed: int = DEFAULT_SEED,
             force: bool = False, quiet: bool = True) -> GenerationReport:
    """Write the database at `path` (atomically, through a `.partial` file)."""
    started = time.perf_counter()
    path = Path(path).expanduser().absolute()
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists (use force=True / --force to replace it)")
    if sessions < 1 or messages < 0 or big_session < 0 or snapshot_session < 0:
        raise ValueError("sizes must be positive")
    big_session = min(big_session, messages)
    snapshot_session = min(snapshot_session, messages - big_session)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"),
                     Path(f"{partial}-journal")):
        leftover.unlink(missing_ok=True)

    def say(text: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    con = sqlite3.connect(str(partial), isolation_level=None, check_same_thread=False)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000",
                       "temp_store = MEMORY"):
            con.execute(f"PRAGMA {pragma}")
        tables = [s for s in CONTRACT_DDL if s.startswith("CREATE TABLE")]
        indexes = [s for s in CONTRACT_DDL if not s.startswith("CREATE TABLE")]
        if (*tables, *indexes) != CONTRACT_DDL:
            raise RuntimeError("the contract's DDL no longer lists tables before indexes")
        con.execute("BEGIN")
        for statement in tables:
            con.execute(statement)
        con.execute(EF_HISTORY_INSERT)
        writer = _Writer(con, random.Random(seed), say)
        big_id, snapshot_id = writer.write(sessions, messages, big_session, snapshot_session)
        say("creating the contract's indexes")
        # Built after loading (same schema, same sqlite_master order, much faster than
        # maintaining them row by row).
        for statement in indexes:
            con.execute(statement)
        writer.snapshots()
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")
        counts = {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                  for table in ("Sessions", "Messages", "Agents", "AgentConfigurations",
                                "SessionAgents", "Attachments", "ToolCalls",
                                "SessionSnapshots", "OrchestrationPlans", "OrchestrationSteps")}
    finally:
        con.close()
    os.replace(partial, path)
    seconds = time.perf_counter() - started
    say(f"wrote {path} ({path.stat().st_size / 1e6:,.0f} MB)")
    return GenerationReport(path, seed, seconds, counts, big_id, snapshot_id, {
        "sessions": sessions, "messages": messages, "big_session": big_session,
        "snapshot_session": snapshot_session})


class _Inserter:
    """`executemany` in a second thread, so SQLite stores one chunk while Python makes the next
    (the sqlite3 module lets go of the GIL while SQLite works)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.queue: queue.Queue[tuple[str, list[tuple]] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="generate-inserts", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.con.executemany(*item)
                except BaseException as exc:  # handed to the producing thread
                    self.error = exc

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if self.error is not None:
            raise self.error
        if rows:
            self.queue.put((sql, rows))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class _Writer:
    """Makes the rows of every table and inserts them in chunks."""

    def __init__(self, con: sqlite3.Connection, rng: random.Random,
                 say: Callable[[str], None]) -> None:
        self.con = con
        self.rng = rng
        self.say = say
        self.guid = _guid_maker(rng)
        self.random = rng.random
        self.start_ticks = 0
        self.fmt = _datetime_formatter(ORIGIN)

    # -- the whole file ----------------------------------------------------------------------

    def write(self, sessions: int, messages: int, big: int, snapshot: int) -> tuple[str, str]:
        rng = self.rng
        words = _vocabulary(rng)
        self.words = words
        self.corpus = _corpus(rng, words, min(max(messages * 2, 100_000), 2_000_000))
        self.code = _code_snippets(rng, words, 400)
        self.tool_words = [w.replace("'", "") for w in words[:800]]
        self.output_lengths = [int(x) for x in _lognormal_table(rng, 150, 1.0)]
        self.durations = [int(x) for x in _lognormal_table(rng, 0.7 * TICKS, 1.3)]
        self.say(f"corpus ready ({len(self.corpus) / 1e6:.1f} M characters)")
        agent_ids = self._agents()
        sizes = _session_sizes(rng, sessions, messages, big, snapshot)
        session_ids = [self.guid() for _ in range(sessions)]
        members = [self._members(len(agent_ids), size, n < 2) for n, size in enumerate(sizes)]
        span = SPAN_DAYS * 86_400 * TICKS
        # Short sessions are one sitting; long ones stretch over weeks or months.
        mean_gap = [int(span * 0.85 / size) if size >= 2000 else 45 * TICKS for size in sizes]
        starts = [int(rng.random() * max(span - size * gap * 1.15, 0))
                  for size, gap in zip(sizes, mean_gap, strict=True)]
        last = self._messages(session_ids, sizes, members, agent_ids, mean_gap, starts)
        self.say("writing sessions, memberships and plans")
        self._sessions(session_ids, sizes, members, agent_ids, starts, last)
        self._agent_totals(agent_ids)
        self.session_ids, self.sizes = session_ids, sizes
        return session_ids[0], session_ids[1 if sessions > 1 else 0]

    def _agents(self) -> list[str]:
        rng, fmt = self.rng, self.fmt
        rows, configs = [], []
        ids = [agent["id"] for agent in DEFAULT_AGENTS]
        for agent in DEFAULT_AGENTS:
            rows.append((agent["id"], agent["name"], int(agent["type"]), agent["description"],
                         None, 1, fmt(0), None, 0, 0, 0))
            configs.append((self.guid(), agent["id"], agent["model"], agent["temperature"],
                            agent["max_tokens"], agent["system_prompt"],
                            int(agent["require_approval"]), None, None,
                            DEFAULT_CAPABILITIES_JSON))
        kinds = ("Reviewer", "Planner", "Researcher", "Tester", "Writer", "Architect", "Fixer")
        for n in range(22):
            agent_id = self.guid()
            ids.append(agent_id)
            created = int(rng.random() * 30 * 86_400 * TICKS)
            rows.append((agent_id, f"{kinds[n % len(kinds)]} {n + 1}", rng.choice((0, 1, 2, 3, 4)),
                         f"Agent for {rng.choice(self.words[100:600])} work",
                         f"/home/dev/agents/{n + 1}" if n % 3 else None,
                         0 if n % 9 == 8 else 1, fmt(created), None, 0, 0, 0))
            configs.append((self.guid(), agent_id, rng.choice(MODELS),
                            round(rng.choice((0.2, 0.3, 0.5, 0.7, 1.0)), 1),
                            rng.choice((2048, 4096, 8192)), "You are a careful assistant.",
                            int(rng.random() < 0.2),
                            '{"Verbose":false}' if n % 4 == 0 else None,
                            '["read_file","run_shell"]' if n % 2 else None,
                            DEFAULT_CAPABILITIES_JSON))
        self.con.executemany(_insert_sql("Agents", 11), rows)
        self.con.executemany(_insert_sql("AgentConfigurations", 10), configs)
        self.agent_messages = [0] * len(ids)
        self.agent_tokens = [0] * len(ids)
        self.agent_sessions = [0] * len(ids)
        self.agent_last = [0] * len(ids)
        return ids

    def _members(self, agents: int, size: int, special: bool) -> list[int]:
        """Agent indexes of a session's members, the primary first."""
        rng = self.rng
        x = rng.random()
        count = 4 if special else 1 if x < 0.55 else 2 if x < 0.8 else 3 if x < 0.93 else 4
        y = rng.random()
        primary = 0 if y < 0.4 else 1 if y < 0.55 else rng.randrange(2, agents)
        chosen = [primary]
        while len(chosen) < count:
            other = rng.randrange(agents)
            if other not in chosen:
                chosen.append(other)
        for agent in chosen:
            self.agent_sessions[agent] += 1
        return chosen

    # -- messages, tool calls, attachments ----------------------------------------------------

    def _text(self, length: int) -> str:
        corpus = self.corpus
        offset = int(self.random() * (len(corpus) - length - 400))
        start = corpus.find(". ", offset) + 2
        end = corpus.rfind(".", start, start + length) + 1
        if end <= start:
            end = corpus.find(" ", start + max(length, 1))
        return corpus[start:end].strip()

    def _messages(self, session_ids: Sequence[str], sizes: Sequence[int],
                  members: Sequence[list[int]], agent_ids: Sequence[str],
                  mean_gap: Sequence[int], starts: Sequence[int]) -> list[int]:
        """Write every message in time order; return each session's last timestamp (ticks)."""
        rng, fmt, guid, text = self.rng, self.fmt, self.guid, self._text
        con = _Inserter(self.con)
        rand = rng.random

        def choice(items: Sequence) -> object:
            return items[int(rand() * len(items))]

        size = TABLE_SIZE
        gaps = _lognormal_table(rng, math.exp(-0.72), 1.2)  # mean 1
        user_lengths = [min(int(x), 4000) for x in _lognormal_table(rng, 110, 1.0)]
        assistant_lengths = [min(int(x), 7000) for x in _lognormal_table(rng, 420, 0.9)]
        tool_lengths = [min(int(x), 6000) for x in _lognormal_table(rng, 260, 1.2)]
        system_lengths = [int(x) for x in _lognormal_table(rng, 65, 0.6)]
        prompts = [int(x) for x in _lognormal_table(rng, 1800, 0.8)]
        code, corpus_words = self.code, self.words[:1500]
        left = list(sizes)
        sequence = [0] * len(sizes)
        previous = [-1] * len(sizes)  # role of the previous message, 4 = assistant with calls
        last_user: list[str | None] = [None] * len(sizes)
        last_assistant: list[str | None] = [None] * len(sizes)
        last_time = list(starts)
        agent_messages, agent_tokens, agent_last = (self.agent_messages, self.agent_tokens,
                                                    self.agent_last)
        message_sql = _insert_sql("Messages", 10)
        call_sql = _insert_sql("ToolCalls", 9)
        attachment_sql = _insert_sql("Attachments", 8)
        metadata = [f'{{"Model":"{m}","StopReason":"end_turn"}}' for m in MODELS]
        heap = [(start + int(rng.random() * 60 * TICKS), n)
                for n, start in enumerate(starts) if sizes[n]]
        heapq.heapify(heap)
        rows: list[tuple] = []
        calls: list[tuple] = []
        attachments: list[tuple] = []
        written = 0
        while heap:
            ticks, s = heap[0]
            left[s] -= 1
            if left[s]:
                gap = int(mean_gap[s] * gaps[int(rand() * size)]) + 2 * TICKS
                heapq.heapreplace(heap, (ticks + gap, s))
            else:
                heapq.heappop(heap)
            last_time[s] = ticks
            sequence[s] += 1
            message_id = guid()
            stamp = fmt(ticks)
            before = previous[s]
            x = rand()
            agent = None
            parent = None
            meta = None
            tokens = None
            if before == 4:
                role = TOOL
            elif before == TOOL:
                role = ASSISTANT if x < 0.85 else TOOL
            elif before == USER:
                role = ASSISTANT if x < 0.95 else SYSTEM
            elif before == ASSISTANT:
                role = USER if x < 0.9 else ASSISTANT
            else:
                role = SYSTEM if before == -1 and x < 0.2 else USER
            if role == USER:
                content = text(user_lengths[int(rand() * size)])
                last_user[s] = message_id
                previous[s] = USER
                if rand() < 0.055:
                    for _ in range(1 if rand() < 0.8 else 2):
                        extension, mime = choice(ATTACHMENT_KINDS)
                        name = f"{choice(corpus_words)}_{choice(corpus_words)}.{extension}"
                        folder = guid()
                        attachments.append((
                            guid(), message_id, name, mime, int(rng.lognormvariate(9.5, 1.5)),
                            f"/home/dev/.orchestrator/attachments/{folder}/{name}"
                            if rand() < 0.8 else None,
                            f"https://files.example.com/{folder}" if rand() < 0.2 else None,
                            stamp))
            elif role == SYSTEM:
                content = "Session context: " + text(system_lengths[int(rand() * size)])
                previous[s] = SYSTEM
            else:
                team = members[s]
                who = team[0] if rand() < 0.7 else choice(team)
                agent = agent_ids[who]
                if role == TOOL:
                    parent = last_assistant[s]
                    content = (choice(code) if rand() < 0.4
                               else text(tool_lengths[int(rand() * size)]))
                    previous[s] = TOOL
                else:
                    parent = last_user[s] if rand() < 0.7 else None
                    length = assistant_lengths[int(rand() * size)]
                    if rand() < 0.25:
                        content = (text(length // 2) + "\n\n" + choice(code) + "\n\n"
                                   + text(length // 3))
                    else:
                        content = text(length)
                    last_assistant[s] = message_id
                    prompt = prompts[int(rand() * size)]
                    output = len(content) // 4 + 1
                    total = prompt + output
                    tokens = (f'{{"InputTokens":{prompt},"OutputTokens":{output},'
                              f'"TotalTokens":{total},'
                              f'"EstimatedCost":{prompt * 3e-6 + output * 15e-6:.6f}}}')
                    agent_tokens[who] += total
                    if rand() < 0.3:
                        meta = choice(metadata)
                    if rand() < 0.22:
                        previous[s] = 4
                        y = rand()
                        for n in range(1 if y < 0.7 else 2 if y < 0.92 else 3):
                            calls.append(self._tool_call(message_id, ticks - (n + 1) * TICKS))
                    else:
                        previous[s] = ASSISTANT
                agent_messages[who] += 1
                if ticks > agent_last[who]:
                    agent_last[who] = ticks
            rows.append((message_id, session_ids[s], content, role, agent, parent, stamp,
                         sequence[s], meta, tokens))
            if len(rows) >= CHUNK_MESSAGES:
                con.executemany(message_sql, rows)
                con.executemany(call_sql, calls)
                con.executemany(attachment_sql, attachments)
                written += len(rows)
                rows, calls, attachments = [], [], []
                if written % 200_000 == 0:
                    self.say(f"{written:,} messages")
        con.executemany(message_sql, rows)
        con.executemany(call_sql, calls)
        con.executemany(attachment_sql, attachments)
        con.close()
        return last_time

    def _tool_call(self, message_id: str, ticks: int) -> tuple:
        rand = self.random
        words = self.tool_words
        tool = TOOLS[int(rand() * len(TOOLS))]
        word = words[int(rand() * len(words))]
        other = words[int(rand() * len(words))]
        if tool in ("read_file", "write_file", "apply_patch"):
            parameters = f'{{"path":"src/{word}/{other}.py"}}'
        elif tool in ("run_shell", "run_tests"):
            parameters = f'{{"command":"dotnet test --filter {word.capitalize()}","timeout":30}}'
        else:
            parameters = f'{{"query":"{word} {other}","limit":10}}'
        ok = rand() < 0.92
        output = None
        if ok:
            output = (self.code[int(rand() * len(self.code))] if rand() < 0.5
                      else self._text(self.output_lengths[int(rand() * TABLE_SIZE)]))
        duration = self.durations[int(rand() * TABLE_SIZE)]
        return (self.guid(), message_id, tool, parameters, int(ok), output,
                None if ok else TOOL_ERRORS[int(rand() * len(TOOL_ERRORS))],
                format_ticks_timespan(duration), self.fmt(max(ticks, 0)))

    # -- sessions, memberships, plans, snapshots ---------------------------------------------

    def _sessions(self, session_ids: Sequence[str], sizes: Sequence[int],
                  members: Sequence[list[int]], agent_ids: Sequence[str],
                  starts: Sequence[int], last: Sequence[int]) -> None:
        rng, fmt, words = self.rng, self.fmt, self.words
        projects = [f"proj-{w}" for w in rng.sample(words[200:1500], 40)]
        rows, memberships, plans, steps = [], [], [], []
        order = sorted(range(len(session_ids)), key=lambda n: starts[n])
        for n in order:
            created = max(starts[n] - int(rng.random() * 30 * TICKS), 0)
            team = members[n]
            kind = 0 if len(team) == 1 else (2 if rng.random() < 0.3 else 1)
            x = rng.random()
            recent = last[n] > (SPAN_DAYS - 7) * 86_400 * TICKS
            status = (0 if recent and x < 0.7 else 1 if recent else
                      2 if x < 0.7 else 3 if x < 0.8 else 4 if x < 0.88 else 0 if x < 0.95 else 1)
            completed = fmt(last[n] + 5 * TICKS) if status in (2, 3, 4) else None
            project = rng.choice(projects) if rng.random() < 0.75 else None
            name = (None if rng.random() < 0.02 else
                    f"{rng.choice(SESSION_VERBS)} the {rng.choice(words[150:1500])} "
                    f"{rng.choice(words[150:1500])}")
            context = (f'{{"Goal":"{rng.choice(words[150:900])}","Files":["src/'
                       f'{rng.choice(words[150:900])}.py"]}}' if rng.random() < 0.4 else None)
            meta = ('{"CreatedBy":"web","Tags":["' + rng.choice(words[150:900]) + '"]}'
                    if rng.random() < 0.2 else None)
            rows.append((session_ids[n], name, kind, status,
                         f"/home/dev/projects/{project or 'scratch'}" if rng.random() < 0.7
                         else None, project, fmt(created), fmt(max(last[n], created)),
                         completed, context, meta))
            for position, agent in enumerate(team):
                joined = created + (position * int(rng.random() * 600 * TICKS))
                left = fmt(last[n]) if position and rng.random() < 0.15 else None
                memberships.append((session_ids[n], agent_ids[agent], fmt(joined), left,
                                    MEMBER_ROLES[min(position, 2)] if rng.random() < 0.9
                                    else None))
            if kind == 2:
                for _ in range(1 if rng.random() < 0.8 else 2):
                    self._plan(session_ids[n], created, last[n], team, agent_ids, plans, steps)
        self.con.executemany(_insert_sql("Sessions", 11), rows)
        self.con.executemany(_insert_sql("SessionAgents", 5), memberships)
        self.con.executemany(_insert_sql("OrchestrationPlans", 10), plans)
        self.con.executemany(_insert_sql("OrchestrationSteps", 12), steps)

    def _plan(self, session_id: str, created: int, last: int, team: list[int],
              agent_ids: Sequence[str], plans: list[tuple], steps: list[tuple]) -> None:
        rng, fmt, words = self.rng, self.fmt, self.words
        plan_id = self.guid()
        success = rng.random() < 0.75
        started = created + int(rng.random() * 120 * TICKS)
        finished = max(last, started) if rng.random() < 0.85 else None
        plans.append((plan_id, session_id, f"{rng.choice(SESSION_VERBS)} "
                      f"{rng.choice(words[150:900])} across the {rng.choice(words[150:900])} "
                      "module", rng.randrange(4), fmt(created), fmt(started),
                      fmt(finished) if finished is not None else None, int(success),
                      '{"Repository":"main","Branch":"develop"}' if rng.random() < 0.5 else None,
                      '{"Summary":"done","ChangedFiles":3}' if success and finished else None))
        previous = None
        clock = started
        for order in range(1, rng.randint(2, 6) + 1):
            step_id = self.guid()
            duration = int(rng.lognormvariate(19.5, 1.2))  # ticks: median ~30 s
            status = 2 if finished else rng.choice((0, 1, 2, 3, 4))
            steps.append((step_id, plan_id, order, agent_ids[rng.choice(team)],
                          f"{rng.choice(SESSION_VERBS)} {rng.choice(words[150:900])}", status,
                          fmt(clock) if status else None,
                          fmt(clock + duration) if status in (2, 3) else None,
                          format_ticks_timespan(duration) if status in (2, 3) else None,
                          '{"Files":["src/a.py"]}' if rng.random() < 0.5 else None,
                          '{"Ok":true}' if status == 2 and rng.random() < 0.6 else None,
                          f'["{previous}"]' if previous else "[]"))
            previous = step_id
            clock += duration

    def snapshots(self) -> None:
        """A few snapshots of small sessions, in a .NET-style form (a serialised session);
        run once the indexes exist."""
        session_ids = self.session_ids
        small = [n for n, size in enumerate(self.sizes) if 3 <= size <= 40][:20]
        for n in small:
            self.con.execute(
                'INSERT INTO "SessionSnapshots" SELECT ?, s."Id", ?, ?, '
                's."LastActivityAt", (SELECT count(*) FROM "Messages" m WHERE m."SessionId" = '
                's."Id"), json_object(\'Id\', s."Id", \'Name\', s."Name", \'Status\', s."Status", '
                '\'Messages\', (SELECT json_group_array(json_object(\'Id\', m."Id", \'Content\', '
                'm."Content", \'Role\', m."Role", \'Timestamp\', m."Timestamp")) FROM '
                '"Messages" m WHERE m."SessionId" = s."Id")), \'{}\' FROM "Sessions" s '
                'WHERE s."Id" = ?',
                (self.guid(), f"Checkpoint {n}", "Before a risky change", session_ids[n]))

    def _agent_totals(self, agent_ids: Sequence[str]) -> None:
        self.con.executemany(
            'UPDATE "Agents" SET "TotalSessions" = ?, "TotalMessages" = ?, "TotalTokensUsed" = ?, '
            '"LastUsedAt" = ? WHERE "Id" = ?',
            [(self.agent_sessions[n], self.agent_messages[n], self.agent_tokens[n],
              self.fmt(self.agent_last[n]) if self.agent_messages[n] else None, agent_id)
             for n, agent_id in enumerate(agent_ids)])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a database and print what it holds."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Write a realistic OrchestratorChat database (.NET schema and encodings).")
    parser.add_argument("out", type=Path, help="the database file to write")
    parser.add_argument("--small", action="store_true",
                        help=f"quick size: {SMALL['sessions']:,} sessions, "
                             f"{SMALL['messages']:,} messages")
    parser.add_argument("--sessions", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--big-session", type=int, help="messages in the one big session")
    parser.add_argument("--snapshot-session", type=int,
                        help="messages in the session the snapshot benchmark uses")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    sizes = dict(SMALL if args.small else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    try:
        report = generate(args.out, seed=args.seed, force=args.force, quiet=False, **sizes)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{report.path}: {report.seconds:.1f} s, seed {report.seed}")
    for table, count in report.counts.items():
        print(f"  {table:<20} {count:>10,}")
    print(f"  big session          {report.big_session_id}")
    print(f"  snapshot session     {report.snapshot_session_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
