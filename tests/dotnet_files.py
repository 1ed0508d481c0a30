"""Database files as the OrchestratorChat .NET application writes them, built with raw sqlite3.

These never go through the application's own code, so tests can check how it reads what the
other side wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from orchestrator_desktop.data.schema import CONTRACT_DDL, EF_HISTORY_INSERT

SESSION_ID = "3f2b8c1e-0d4a-4e7b-9c61-2a5f7e8d9b10"
AGENT_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
GONE_AGENT_ID = "00000000-dead-4bee-8000-000000000000"
PLAN_ID = "a1b2c3d4-0000-4000-8000-000000000001"
MESSAGE_IDS = [f"0000000{n}-1111-4111-8111-111111111111" for n in range(1, 6)]


def make_dotnet_database(path: Path, *, wal: bool = True) -> Path:
    """A small file with every .NET encoding the contract names, plus awkward values."""
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode = 'wal'")
    for statement in CONTRACT_DDL:
        con.execute(statement)
    con.execute(EF_HISTORY_INSERT)
    con.executemany('INSERT INTO "Agents" VALUES (?,?,?,?,?,?,?,?,?,?,?)', [
        ("default-claude", "Claude Assistant", 0, "Default Claude agent", None, 1,
         "2024-01-30 09:00:00", None, 0, 0, 0),
        (AGENT_ID, "Researcher", 9, "", "", 1, "2024-01-30 09:05:00.1234567",
         "2024-02-01 10:00:00.5", 3, 120, 98765),
    ])
    con.execute('INSERT INTO "AgentConfigurations" VALUES (?,?,?,?,?,?,?,?,?,?)',
                ("cfg-1", AGENT_ID, "gpt-4", 0.25, 2048, "Be brief.", 1,
                 '{"Verbose": true', '["search", "shell"]',
                 '{"SupportsStreaming": true, "MaxTokens": 9000}'))
    con.execute('INSERT INTO "Sessions" VALUES (?,?,?,?,?,?,?,?,?,?,?)', (
        SESSION_ID, "Refactor the parser", 2, 1, "/home/dev/parser", "proj-42",
        "2024-01-30 09:05:00.1234567", "2024-01-30 11:00:00", "2024-01-31 09:05:00",
        '{"Goal": "refactor", "Depth": 3}', "not json at all"))
    con.execute('INSERT INTO "Sessions" VALUES (?,?,?,?,?,?,?,?,?,?,?)', (
        "empty-strings-session", "", 0, 7, "", "", "2024-03-01 00:00:00",
        "2024-03-01 00:00:00", None, "", None))
    messages = [
        (MESSAGE_IDS[0], SESSION_ID, "Please refactor the tokenizer module.", 0, None, None,
         "2024-01-30 09:05:01.1234567", 1, None, None),
        (MESSAGE_IDS[1], SESSION_ID, "Looking at <script>alert(1)</script> tokenizer.py now",
         1, AGENT_ID, MESSAGE_IDS[0], "2024-01-30 09:06:00", 2, '{"Model": "gpt-4"}',
         '{"InputTokens": 100, "OutputTokens": 50, "TotalTokens": 150, '
         '"EstimatedCost": 0.0123}'),
        (MESSAGE_IDS[2], SESSION_ID, "", 3, AGENT_ID, MESSAGE_IDS[1],
         "2024-01-30 09:06:30.5", 3, "", "{broken"),
        (MESSAGE_IDS[3], SESSION_ID, None, 9, None, "no-such-parent",
         "2024-01-30 09:07:00", 4, None, '{"TotalTokens": 25}'),
        (MESSAGE_IDS[4], SESSION_ID, "مرحبا 🎉 emoji and right-to-left text", 2, None, None,
         "2024-01-30 09:08:00", 5, None, None),
    ]
    con.executemany('INSERT INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)', messages)
    con.execute('INSERT INTO "Attachments" VALUES (?,?,?,?,?,?,?,?)', (
        "att-1", MESSAGE_IDS[1], "tokenizer.py", "text/x-python", 2048, "/tmp/tokenizer.py",
        None, "2024-01-30 09:06:00.0000001"))
    con.executemany('INSERT INTO "ToolCalls" VALUES (?,?,?,?,?,?,?,?,?)', [
        ("tool-1", MESSAGE_IDS[2], "read_file", '{"path": "tokenizer.py"}', 1, "def tokenize():",
         None, "00:00:01.2500000", "2024-01-30 09:06:29"),
        ("tool-2", MESSAGE_IDS[2], "run_tests", "{bad json", 0, None, "2 failed",
         "1.02:03:04.0000001", "2024-01-30 09:06:30"),
    ])
    con.executemany('INSERT INTO "SessionAgents" VALUES (?,?,?,?,?)', [
        (SESSION_ID, AGENT_ID, "2024-01-30 09:05:00", None, "Primary"),
        (SESSION_ID, "default-claude", "2024-01-30 09:05:30", "2024-01-30 10:00:00", None),
    ])
    con.execute('INSERT INTO "OrchestrationPlans" VALUES (?,?,?,?,?,?,?,?,?,?)', (
        PLAN_ID, SESSION_ID, "Refactor safely", 9, "2024-01-30 09:05:00",
        "2024-01-30 09:05:01", None, 0, None, "[oops"))
    con.executemany('INSERT INTO "OrchestrationSteps" VALUES (?,?,?,?,?,?,?,?,?,?,?,?)', [
        ("step-2", PLAN_ID, 2, "default-claude", "Run the tests", 1, None, None, None, None,
         None, '["step-1"]'),
        ("step-1", PLAN_ID, 1, AGENT_ID, "Read the module", 2, "2024-01-30 09:05:01",
         "2024-01-30 09:06:01", "00:01:00", '{"File": "tokenizer.py"}', None, ""),
        ("step-3", PLAN_ID, 3, None, "Report", 7, None, None, "-00:00:05", None, None,
         "not a list"),
    ])
    con.execute('INSERT INTO "SessionSnapshots" VALUES (?,?,?,?,?,?,?,?)', (
        "dotnet-snap", SESSION_ID, "Made by .NET", None, "2024-01-30 10:00:00", 5,
        '{"Id": "' + SESSION_ID + '", "Name": "Refactor the parser", "Messages": []}', "{}"))
    con.commit()
    con.close()
    return path


def table_dump(path: Path, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every row of the given tables, sorted, for before/after comparisons."""
    con = sqlite3.connect(path)
    try:
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
    finally:
        con.close()


def schema_sql(path: Path, tables: tuple[str, ...]) -> dict[str, str]:
    """The CREATE statements of the given tables and their indexes."""
    con = sqlite3.connect(path)
    try:
        marks = ",".join("?" * len(tables))
        return dict(con.execute(
            f"SELECT name, sql FROM sqlite_master WHERE tbl_name IN ({marks})", tables))
    finally:
        con.close()


def add_sessions(path: Path, count: int, prefix: str = "bulk") -> list[str]:
    """`count` sessions, last active one minute apart (newest has the highest number)."""
    ids = [f"{prefix}-session-{n:05d}" for n in range(count)]
    con = sqlite3.connect(path)
    con.executemany('INSERT INTO "Sessions" VALUES (?,?,0,0,NULL,?,?,?,NULL,NULL,NULL)', [
        (sid, f"{prefix} session {n:05d}", "proj-bulk", "2024-04-01 00:00:00",
         f"2024-04-{1 + n // 1440:02d} {(n // 60) % 24:02d}:{n % 60:02d}:00")
        for n, sid in enumerate(ids)])
    con.commit()
    con.close()
    return ids


def add_messages(path: Path, session_id: str, count: int, *, first_sequence: int = 1,
                 text: str = "message number {n}") -> list[str]:
    """`count` messages appended to a session the way the .NET side writes them."""
    ids = [f"{session_id}-m{first_sequence + n:06d}" for n in range(count)]
    con = sqlite3.connect(path)
    con.executemany(
        'INSERT INTO "Messages" VALUES (?,?,?,?,NULL,NULL,?,?,NULL,NULL)',
        [(mid, session_id, text.format(n=first_sequence + n), (first_sequence + n) % 2,
          "2024-05-01 00:00:00", first_sequence + n) for n, mid in enumerate(ids)])
    con.commit()
    con.close()
    return ids


def query(path: Path, sql: str, *params: object) -> list[tuple]:
    """The rows of `sql`, read with a connection of its own: what really landed in the file."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def query_one(path: Path, sql: str, *params: object) -> tuple | None:
    """The first row of `sql` (see `query`)."""
    found = query(path, sql, *params)
    return found[0] if found else None


# -- today's forms ---------------------------------------------------------------------------
# Built from the facts in docs/upstream-files.md: today's DDL as EF Core 8.0.19 writes it, rows as
# the running application's SessionRepositoryAdapter leaves them (SequenceNumber 0, repeated
# timestamps, "" for every unset string, its own snapshot form, a team).

FORMS = ("seed", "upgraded", "fresh", "later")
TODAY_SESSION_ID = "5d0c3a9e-7b1f-4c2d-8e6a-9f4b2c1d0e3a"
REVIEWER_ID = "b7e4f2a1-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
TEAM_ID = "4F9C2B7A-1D3E-4A5B-8C6D-7E8F9A0B1C2D"  # EF Core writes a Guid upper-case
NET_SNAPSHOT_ID = "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7"
TODAY_PLAN_ID = "c0ffee00-1234-4abc-8def-000000000001"
# Ids deliberately out of time order: GUID order is not the thread's order.
THREAD = [  # (id, role, agent, timestamp, content)
    ("f0000000-0000-4000-8000-000000000001", 0, REVIEWER_ID, "2025-08-31 09:00:00.1234567",
     "Please review the parser change."),
    ("a0000000-0000-4000-8000-000000000002", 1, REVIEWER_ID, "2025-08-31 09:00:05",
     "Reading it now."),
    ("c0000000-0000-4000-8000-000000000003", 1, "default-claude", "2025-08-31 09:00:05",
     "I can help with the tests."),
    ("10000000-0000-4000-8000-000000000004", 0, REVIEWER_ID, "2025-08-31 09:01:00",
     "Thanks, both of you."),
    ("b0000000-0000-4000-8000-000000000005", 1, REVIEWER_ID, "2025-08-31 09:02:30.5",
     "Looks good to merge."),
]
# The thread in the order a reader must see it: time, then (SequenceNumber 0 for all) the id.
THREAD_ORDER = [THREAD[0][0], THREAD[1][0], THREAD[2][0], THREAD[3][0], THREAD[4][0]]
if THREAD[2][0] < THREAD[1][0]:
    THREAD_ORDER[1], THREAD_ORDER[2] = THREAD[2][0], THREAD[1][0]


def _later_ddl() -> list[str]:
    """Today's fresh DDL with a NOT NULL column in Sessions and Messages that no form we know
    has, and a table we do not know: what a later .NET version might add."""
    from orchestrator_desktop.data.schema import TODAY_DDL

    out = []
    for statement in TODAY_DDL:
        if statement.startswith('CREATE TABLE "Sessions"'):
            statement = statement.replace(
                '"MetadataJson" TEXT NOT NULL', '"MetadataJson" TEXT NOT NULL,\n'
                '    "Priority" INTEGER NOT NULL')
        if statement.startswith('CREATE TABLE "Messages"'):
            statement = statement.replace(
                '"TokenUsageJson" TEXT NOT NULL', '"TokenUsageJson" TEXT NOT NULL,\n'
                '    "Channel" TEXT NOT NULL')
        out.append(statement)
    out.append('CREATE TABLE "Workspaces" ("Id" TEXT NOT NULL CONSTRAINT "PK_Workspaces" '
               'PRIMARY KEY, "Title" TEXT NOT NULL)')
    return out


def _insert(con: sqlite3.Connection, table: str, row: dict) -> None:
    """Insert by column name, dropping columns the table lacks and filling NOT NULL columns
    it has that `row` does not name the way the .NET side would ("" or 0)."""
    info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    values = {}
    for _cid, name, kind, notnull, default, _pk in info:
        if name in row:
            value = row[name]
            if value is None and notnull:
                value = "" if kind == "TEXT" else 0
            values[name] = value
        elif notnull and default is None:
            values[name] = "" if kind == "TEXT" else 0
    names = ", ".join(f'"{n}"' for n in values)
    con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(values))})',
                tuple(values.values()))


def net_session_json(session_id: str, name: str, messages: list[tuple]) -> str:
    """A snapshot's SessionStateJson exactly as System.Text.Json serialises the Core Session."""
    import json

    def iso(text: str) -> str:
        day, _, time = text.partition(" ")
        whole, _, fraction = time.partition(".")
        return f"{day}T{whole}.{fraction.ljust(7, '0')}Z" if fraction else f"{day}T{whole}Z"

    return json.dumps({
        "Id": session_id, "Name": name, "Type": 1, "Status": 0,
        "CreatedAt": "2025-08-31T08:59:00Z", "LastActivityAt": iso(messages[-1][3]),
        "LastActivity": iso(messages[-1][3]),
        "ParticipantAgentIds": [REVIEWER_ID, "default-claude"], "ParticipantAgents": [],
        "Messages": [{"Id": m[0], "Content": m[4], "Role": m[1], "AgentId": m[2],
                      "SessionId": session_id, "Timestamp": iso(m[3]), "Attachments": [],
                      "Metadata": {}, "ParentMessageId": None, "SenderId": None}
                     for m in messages],
        "Context": {"Goal": "review"}, "WorkingDirectory": "/home/dev/parser", "ProjectId": None,
    }, separators=(",", ":"))


def make_today_database(path: Path, form: str = "fresh", *, wal: bool = True) -> Path:
    """A file in today's "upgraded", "fresh" or "later" form, filled as the .NET app fills it."""
    from orchestrator_desktop.data.schema import TODAY_DDL, TODAY_HISTORY_INSERT

    assert form in ("upgraded", "fresh", "later")
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode = 'wal'")
    ddl = _later_ddl() if form == "later" else list(TODAY_DDL)
    if form == "upgraded":
        ddl = [s for s in ddl if '"Plans"' not in s and '"PlanSteps"' not in s]
    for statement in ddl:
        con.execute(statement)
    if form == "upgraded":
        con.execute(TODAY_HISTORY_INSERT)
    for agent_id, name, kind, description in (
            ("default-claude", "Claude Assistant", 0,
             "Default Claude agent for general assistance"),
            ("default-saturn", "Saturn Developer", 1, "Saturn agent for development tasks"),
            (REVIEWER_ID, "Reviewer", 3, "Custom Agent")):
        _insert(con, "Agents", {"Id": agent_id, "Name": name, "Type": kind,
                                "Description": description, "WorkingDirectory": "",
                                "IsActive": 1, "IsDefault": 0,
                                "CreatedAt": "2025-08-31 08:00:00.1234567", "TotalSessions": 0,
                                "TotalMessages": 0, "TotalTokensUsed": 0})
    _insert(con, "AgentConfigurations", {
        "Id": "cfg-claude", "AgentId": "default-claude", "Model": "claude-3-sonnet-20240229",
        "Temperature": 0.7, "MaxTokens": 4096, "SystemPrompt": "You are a helpful AI assistant.",
        "RequireApproval": 0, "CustomSettingsJson": "", "EnabledToolsJson": "",
        "CapabilitiesJson": '{"SupportsStreaming":true,"SupportsTools":true,'
                            '"SupportsFileOperations":true,"SupportsWebSearch":false,'
                            '"SupportedModels":[],"AvailableTools":[],"MaxTokens":100000,'
                            '"MaxConcurrentRequests":1,"SupportsToolExecution":true}'})
    _insert(con, "Sessions", {
        "Id": TODAY_SESSION_ID, "Name": "Review the parser", "Type": 1, "Status": 0,
        "WorkingDirectory": "/home/dev/parser", "ProjectId": "",
        "CreatedAt": "2025-08-31 08:59:00", "LastActivityAt": THREAD[-1][3],
        "CompletedAt": None, "ContextJson": '{"Goal":"review"}', "MetadataJson": "",
        "Priority": 2})
    for message_id, role, agent, timestamp, content in THREAD:
        _insert(con, "Messages", {
            "Id": message_id, "SessionId": TODAY_SESSION_ID, "Content": content, "Role": role,
            "AgentId": agent, "ParentMessageId": "", "Timestamp": timestamp,
            "SequenceNumber": 0, "MetadataJson": "", "TokenUsageJson": "", "Channel": "web"})
    for agent, role in ((REVIEWER_ID, "Primary"), ("default-claude", "Secondary")):
        _insert(con, "SessionAgents", {"SessionId": TODAY_SESSION_ID, "AgentId": agent,
                                       "JoinedAt": "2025-08-31 08:59:00", "LeftAt": None,
                                       "Role": role})
    _insert(con, "SessionSnapshots", {
        "Id": NET_SNAPSHOT_ID, "SessionId": TODAY_SESSION_ID, "Name": "Before merging",
        "Description": "Before merging", "CreatedAt": "2025-08-31 09:01:30.7654321",
        "MessageCount": 0, "SessionStateJson": net_session_json(
            TODAY_SESSION_ID, "Review the parser", THREAD[:4]), "AgentStatesJson": ""})
    _insert(con, "Teams", {"Id": TEAM_ID, "SessionId": TODAY_SESSION_ID,
                           "PoliciesJson": '{"RequireReview":true,"MaxParallel":2}',
                           "CreatedAt": "2025-08-31 08:59:01", "UpdatedAt": "2025-08-31 09:00:00"})
    for agent, role in ((REVIEWER_ID, "lead"), ("default-claude", "contributor"),
                        ("default-saturn", "reviewer")):
        _insert(con, "TeamMembers", {"TeamId": TEAM_ID, "AgentId": agent, "Role": role,
                                     "JoinedAt": "2025-08-31 08:59:02"})
    if form != "upgraded":
        _insert(con, "Plans", {"Id": TODAY_PLAN_ID, "SessionId": TODAY_SESSION_ID,
                               "Name": "Merge plan", "Goal": "Merge the parser safely",
                               "CreatedAt": "2025-08-31 09:00:10", "UpdatedAt": None,
                               "CommittedAt": "2025-08-31 09:01:10"})
        for order, title, owner in ((2, "Run the tests", "default-claude"),
                                    (1, "Review the diff", REVIEWER_ID)):
            _insert(con, "PlanSteps", {
                "Id": f"{TODAY_PLAN_ID[:-1]}{order + 1}", "PlanId": TODAY_PLAN_ID,
                "StepOrder": order, "Title": title, "Owner": owner,
                "Description": f"{title}.", "AcceptanceCriteria": "" if order == 2 else
                "No open comments"})
    if form == "later":
        _insert(con, "Workspaces", {"Id": "ws-1", "Title": "Main"})
    con.commit()
    con.close()
    return path


def make_form_database(path: Path, form: str) -> Path:
    """A file of any of the FORMS: the seed's (`make_dotnet_database`) or one of today's."""
    return make_dotnet_database(path) if form == "seed" else make_today_database(path, form)
