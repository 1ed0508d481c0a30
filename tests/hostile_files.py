"""A .NET-shaped database full of hostile content, written with raw sqlite3.

Everything here is something a real file can hold: the .NET application (or a newer build of
it, or a crash half-way through its work) writes text as it comes, does not validate JSON,
may add enum values, and leaves rows behind whose agent or parent is gone.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from dotnet_files import make_dotnet_database
from orchestrator_desktop.data.schema import COLUMNS, CONTRACT_DDL

HOSTILE_ID = "6e5d4c3b-0000-4000-8000-00000000bad1"
EMPTY_ID = "6e5d4c3b-0000-4000-8000-00000000bad2"
NULLS_ID = "6e5d4c3b-0000-4000-8000-00000000bad3"
HOSTILE_AGENT = "6e5d4c3b-0000-4000-8000-0000000a9e77"
GONE_AGENT = "6e5d4c3b-0000-4000-8000-00000000dead"
GONE_PARENT = "6e5d4c3b-0000-4000-8000-0000000fade0"
HOSTILE_PLAN = "6e5d4c3b-0000-4000-8000-0000000f1a90"

BIG_ID, CODE_ID, HTML_ID, RTL_ID, UNKNOWN_ID, NULL_MSG_ID, HUGE_TOKENS_ID, NUL_ID = (
    f"6e5d4c3b-1111-4111-8111-00000000000{n}" for n in range(1, 9))

BIG_SIZE = 5 * 1024 * 1024
BIG_WORD = "gargantuan"  # the first word of the 5 MB message, for searching
CODE_LINES = 100_000
CODE_WORD = "centimillennial"  # in the first line of the 100,000-line block
SCRIPT = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[click me](javascript:alert(document.cookie))"
HTML_TEXT = (f"Look: {SCRIPT} and {IMG} and <b>not bold</b> <iframe src='http://evil'></iframe> "
             f"{JS_LINK} <a href=\"javascript:alert(2)\">anchor</a> htmlword")
RTL_TEXT = ("مرحبا بالعالم 👩‍👩‍👧‍👦 שלום עולם 🇺🇳 e\u0301\u0301\u0301 Z\u0334\u0321\u0353\u035a "
            "a\u202eevil\u202c \uffff \ufeff zero\u200bwidth 🏳️‍🌈 rtlword")
NUL_TEXT = "before\x00after nulword \x01\x02\x1b[31mred\x1b[0m"
ODD_TIMES = ("0001-01-01 00:00:00", "9999-12-31 23:59:59.9999999", "2024-02-29 23:59:59.9999999",
             "2024-01-30 09:05:00.0000001", "2024-01-30 09:05:00.1")
TIMESPAN_MAX, TIMESPAN_MIN = "10675199.02:48:05.4775807", "-10675199.02:48:05.4775808"
BAD_JSON = ('{"Unclosed": ', "<not json/>", "[1, 2,", "{'single': 'quotes'}", "NaN garbage",
            "\ufeff{}x")

_NULLABLE = re.compile(r'^\s*"(\w+)" \w+ NULL,?$')
_TABLE = re.compile(r'CREATE TABLE "(\w+)"')


def nullable_columns() -> dict[str, tuple[str, ...]]:
    """Every nullable column of every contract table, read from the contract's DDL."""
    found: dict[str, tuple[str, ...]] = {}
    for statement in CONTRACT_DDL:
        table = _TABLE.search(statement)
        if table and table.group(1) in COLUMNS:
            found[table.group(1)] = tuple(
                m.group(1) for line in statement.splitlines() if (m := _NULLABLE.match(line)))
    return found


def json_columns() -> dict[str, tuple[str, ...]]:
    """Every JSON column of every contract table."""
    return {t: tuple(c for c in cols if c.endswith("Json")) for t, cols in COLUMNS.items()
            if any(c.endswith("Json") for c in cols)}


def big_message() -> str:
    words = f"{BIG_WORD} " + "lorem ipsum dolor sit amet " * (BIG_SIZE // 27 + 1)
    return words[:BIG_SIZE]


def code_block() -> str:
    lines = [f"x_{n} = {n}  # line {n} 'str' \"s\"" for n in range(CODE_LINES)]
    lines[0] = f"def {CODE_WORD}(): return 1"
    return "```python\n" + "\n".join(lines) + "\n```"


def _insert(con: sqlite3.Connection, table: str, values: dict[str, object]) -> None:
    columns = COLUMNS[table]
    con.execute(f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
                f'VALUES ({", ".join("?" * len(columns))})', [values.get(c) for c in columns])


def _bad(n: int) -> str:
    return BAD_JSON[n % len(BAD_JSON)]


def make_hostile_database(path: Path) -> Path:
    """The small .NET file plus a hostile session, an empty one and rows of NULLs."""
    make_dotnet_database(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = OFF")  # as a crashed or older writer may leave a file
    _insert(con, "Agents", {
        "Id": HOSTILE_AGENT, "Name": "<b>Evil</b> وكيل 🤖", "Type": 99, "Description": SCRIPT,
        "IsActive": 1, "CreatedAt": ODD_TIMES[0], "LastUsedAt": ODD_TIMES[1],
        "TotalSessions": -1, "TotalMessages": 2**63 - 1, "TotalTokensUsed": -(2**63)})
    _insert(con, "Agents", {"Id": "6e5d4c3b-0000-4000-8000-0000000a9e78", "Type": -1,
                            "IsActive": 0, "CreatedAt": ODD_TIMES[2], "TotalSessions": 0,
                            "TotalMessages": 0, "TotalTokensUsed": 0})
    _insert(con, "AgentConfigurations", {
        "Id": "bad-config", "AgentId": HOSTILE_AGENT, "Model": RTL_TEXT, "Temperature": -1e308,
        "MaxTokens": -1, "SystemPrompt": HTML_TEXT, "RequireApproval": 7,
        "CustomSettingsJson": _bad(0), "EnabledToolsJson": _bad(1), "CapabilitiesJson": _bad(2)})
    _insert(con, "AgentConfigurations", {  # the configuration of an agent that is gone
        "Id": "gone-config", "AgentId": GONE_AGENT, "Temperature": 0, "MaxTokens": 0,
        "RequireApproval": 0, "CustomSettingsJson": "[]", "EnabledToolsJson": '{"a": 1}',
        "CapabilitiesJson": '"just a string"'})
    _insert(con, "Sessions", {
        "Id": HOSTILE_ID, "Name": f"Hostile ‮txt.exe‬ {SCRIPT} مرحبا 👩‍👩‍👧", "Type": 99,
        "Status": -1, "WorkingDirectory": "/tmp/" + "deep/" * 300 + "\u202e", "ProjectId":
        "<i>proj</i>", "CreatedAt": ODD_TIMES[0], "LastActivityAt": ODD_TIMES[1],
        "CompletedAt": ODD_TIMES[2], "ContextJson": _bad(0) + "x" * 200_000,
        "MetadataJson": _bad(1)})
    _insert(con, "Sessions", {"Id": EMPTY_ID, "Name": "No messages at all", "Type": 1,
                              "Status": 0, "CreatedAt": ODD_TIMES[3],
                              "LastActivityAt": ODD_TIMES[4]})
    messages = [
        (BIG_ID, big_message(), 1, HOSTILE_AGENT, None, ODD_TIMES[3], {}),
        (CODE_ID, code_block(), 1, HOSTILE_AGENT, BIG_ID, ODD_TIMES[4], {}),
        (HTML_ID, HTML_TEXT, 0, None, None, ODD_TIMES[2], {}),
        (RTL_ID, RTL_TEXT, 2, HOSTILE_AGENT, None, ODD_TIMES[0], {}),
        (UNKNOWN_ID, "unknown role, gone agent, gone parent unknownword", 99, GONE_AGENT,
         GONE_PARENT, ODD_TIMES[1], {"MetadataJson": '{"Score": NaN}',  # Python-only JSON
                                     "TokenUsageJson": _bad(3)}),
        (NULL_MSG_ID, None, -1, None, None, ODD_TIMES[3], {}),
        (HUGE_TOKENS_ID, "tokens beyond any integer", 1, HOSTILE_AGENT, None, ODD_TIMES[3],
         {"TokenUsageJson": '{"InputTokens": 1e400, "OutputTokens": -1, "TotalTokens": '
                            '9223372036854775807, "EstimatedCost": "free"}'}),
        (NUL_ID, NUL_TEXT, 3, HOSTILE_AGENT, None, ODD_TIMES[4],
         {"TokenUsageJson": '{"TotalTokens": 9223372036854775807}', "MetadataJson": "[" * 5000}),
    ]
    for seq, (mid, content, role, agent, parent, when, extra) in enumerate(messages, start=1):
        _insert(con, "Messages", {"Id": mid, "SessionId": HOSTILE_ID, "Content": content,
                                  "Role": role, "AgentId": agent, "ParentMessageId": parent,
                                  "Timestamp": when, "SequenceNumber": seq, **extra})
    _insert(con, "Attachments", {
        "Id": "bad-attachment-1", "MessageId": HTML_ID, "FileName": f"{SCRIPT}.png",
        "MimeType": "<b>text/html</b>", "Size": -1, "StoragePath": "/tmp/a\x00b",
        "Url": "javascript:alert(1)", "UploadedAt": ODD_TIMES[0]})
    _insert(con, "Attachments", {
        "Id": "bad-attachment-2", "MessageId": HTML_ID, "FileName": "ملف.txt", "Size": 2**62,
        "StoragePath": "/" + "x" * 5000, "UploadedAt": ODD_TIMES[1]})
    _insert(con, "ToolCalls", {
        "Id": "bad-call-1", "MessageId": HTML_ID, "ToolName": SCRIPT, "ParametersJson": _bad(4),
        "Success": 5, "Output": "o" * 1_000_000, "Error": HTML_TEXT,
        "ExecutionTime": TIMESPAN_MAX, "ExecutedAt": ODD_TIMES[0]})
    _insert(con, "ToolCalls", {
        "Id": "bad-call-2", "MessageId": HTML_ID, "ParametersJson": "[" * 100_000,
        "Success": 0, "ExecutionTime": TIMESPAN_MIN, "ExecutedAt": ODD_TIMES[1]})
    for table, values in (("Attachments", {"Size": 1, "UploadedAt": ODD_TIMES[2]}),
                          ("ToolCalls", {"Success": 1, "ExecutionTime": "00:00:01",
                                         "ExecutedAt": ODD_TIMES[2]})):
        _insert(con, table, {"Id": f"gone-message-{table}", "MessageId": GONE_PARENT,
                             **values})  # belongs to a message that is gone
    for agent, role in ((HOSTILE_AGENT, "<script>Boss</script>"), (GONE_AGENT, "Observer")):
        _insert(con, "SessionAgents", {"SessionId": HOSTILE_ID, "AgentId": agent,
                                       "JoinedAt": ODD_TIMES[0], "LeftAt": ODD_TIMES[1],
                                       "Role": role})
    _insert(con, "OrchestrationPlans", {
        "Id": HOSTILE_PLAN, "SessionId": HOSTILE_ID, "Goal": HTML_TEXT, "Strategy": 99,
        "CreatedAt": ODD_TIMES[0], "StartedAt": ODD_TIMES[1], "CompletedAt": ODD_TIMES[0],
        "Success": -3, "SharedContextJson": _bad(5), "ResultJson": _bad(0)})
    for n, (status, agent, duration) in enumerate(((99, GONE_AGENT, TIMESPAN_MAX),
                                                   (-1, HOSTILE_AGENT, TIMESPAN_MIN),
                                                   (2, None, "not a timespan"))):
        _insert(con, "OrchestrationSteps", {
            "Id": f"bad-step-{n}", "PlanId": HOSTILE_PLAN, "Order": [2**31, -5, 0][n],
            "AgentId": agent, "Task": [RTL_TEXT, SCRIPT, "x" * 50_000][n], "Status": status,
            "StartedAt": ODD_TIMES[n], "CompletedAt": ODD_TIMES[n + 1], "Duration": duration,
            "InputJson": _bad(n), "OutputJson": _bad(n + 1),
            "DependsOnJson": [_bad(n + 2), '[1, null, {"a": 2}, "bad-step-0"]', '"x"'][n]})
    _insert(con, "SessionSnapshots", {
        "Id": "bad-snapshot-1", "SessionId": HOSTILE_ID, "Name": f"Snap {RTL_TEXT}",
        "Description": HTML_TEXT, "CreatedAt": ODD_TIMES[1], "MessageCount": -7,
        "SessionStateJson": _bad(1), "AgentStatesJson": _bad(2)})
    _insert(con, "SessionSnapshots", {
        "Id": "bad-snapshot-2", "SessionId": HOSTILE_ID, "Name": SCRIPT, "CreatedAt":
        ODD_TIMES[0], "MessageCount": 0, "SessionStateJson": '{"Format": 5, "Messages": 3}',
        "AgentStatesJson": "[]"})
    _null_rows(con)
    con.commit()
    con.close()
    return path


def _null_rows(con: sqlite3.Connection) -> None:
    """Rows with NULL in every nullable column: one linked into a session (so the window shows
    it) and one linked to nothing, per table; NOT NULL columns hold unknown enum values."""
    nullable = nullable_columns()
    required = {
        "Sessions": {"Type": -1, "Status": 99},
        "Messages": {"Role": 99, "SequenceNumber": 1},
        "Agents": {"Type": 99, "IsActive": 1, "TotalSessions": 0, "TotalMessages": 0,
                   "TotalTokensUsed": 0},
        "AgentConfigurations": {"Temperature": 0.5, "MaxTokens": 1, "RequireApproval": 0},
        "SessionAgents": {"SessionId": NULLS_ID, "AgentId": GONE_AGENT},
        "Attachments": {"Size": 0},
        "ToolCalls": {"Success": 0, "ExecutionTime": "00:00:00"},
        "SessionSnapshots": {"MessageCount": 0},
        "OrchestrationPlans": {"Strategy": 99, "Success": 0},
        "OrchestrationSteps": {"Order": 1, "Status": 99},
    }
    links = {"Messages": {"SessionId": NULLS_ID}, "Attachments": {"MessageId": "null-msg"},
             "ToolCalls": {"MessageId": "null-msg"}, "SessionSnapshots": {"SessionId": NULLS_ID},
             "OrchestrationPlans": {"SessionId": NULLS_ID},
             "OrchestrationSteps": {"PlanId": "null-plan"},
             "AgentConfigurations": {"AgentId": "null-agent"}}
    ids = {"Messages": "null-msg", "OrchestrationPlans": "null-plan", "Agents": "null-agent",
           "Sessions": NULLS_ID}
    for table, columns in COLUMNS.items():
        base: dict[str, object] = {c: ODD_TIMES[0] for c in columns
                                   if c not in nullable[table] and ("At" in c or c in (
                                       "Timestamp", "JoinedAt"))}
        base.update(required[table])
        for c in nullable[table]:
            base[c] = None
        if "Id" in columns:
            base["Id"] = ids.get(table, f"null-{table}")
        _insert(con, table, {**base, **links.get(table, {})})
        if table not in ("Sessions", "Agents", "SessionAgents"):
            _insert(con, table, {**base, "Id": f"orphan-{table}"})
