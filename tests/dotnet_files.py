"""Database files as the OrchestratorChat .NET application writes them, built with raw sqlite3.

These never go through the application's own code, so tests can check how it reads what the
other side wrote.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.data.schema import CONTRACT_DDL, EF_HISTORY_INSERT

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
