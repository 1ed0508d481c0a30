"""The command line's writes that complete "every data operation": agent create, duplicate and
delete, session rename, status and delete. Each runs as a real subprocess on every file form
(the seed's, today's upgraded and fresh ones, a later one), and is checked in the file itself;
then the failures: bad ids and values, deletes without --yes, read-only and locked files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from dotnet_files import (
    AGENT_ID,
    REVIEWER_ID,
    SESSION_ID,
    TODAY_SESSION_ID,
    make_dotnet_database,
    query,
    query_one,
    table_dump,
)
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.seed import DEFAULT_AGENTS, DEFAULT_CAPABILITIES_JSON
from test_cli import TABLES, Cli
from test_file_forms import not_null_violations

TODAY_TABLES = TABLES + ("Teams", "TeamMembers", "Plans", "PlanSteps")
STATUSES = "Active, Paused, Completed, Failed, Cancelled"


def tables_of(path: Path) -> tuple[str, ...]:
    have = {row[0] for row in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return tuple(t for t in TODAY_TABLES if t in have)


def session_of(path: Path) -> str:
    return SESSION_ID if path.stem == "seed" else TODAY_SESSION_ID


def used_agent_of(path: Path) -> str:
    """An agent that messages refer to."""
    return AGENT_ID if path.stem == "seed" else REVIEWER_ID


@pytest.fixture
def form_cli(tmp_path: Path, form_path: Path) -> Cli:
    return Cli(tmp_path, form_path)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, make_dotnet_database(tmp_path / "orchestrator.db"))


def db_of(cli: Cli) -> Path:
    return Path(cli.env["ORCHESTRATOR_DESKTOP_DB"])


# -- on every form ----------------------------------------------------------------------------

def test_agent_create_gives_the_new_agent_defaults_on_every_form(form_cli, form_path) -> None:
    made = form_cli.json("agent", "create", "  Planner ", "--type", "gpt4")
    defaults = DEFAULT_AGENTS[0]
    assert made["name"] == "Planner" and made["type"] == "GPT4" and made["is_active"] is True
    assert made["total_messages"] == 0 and made["configuration"]["enabled_tools_json"] == []
    assert query_one(form_path, 'SELECT "Name", "Type", "IsActive" FROM "Agents" WHERE "Id" = ?',
                     made["id"]) == ("Planner", 2, 1)
    assert query_one(form_path, 'SELECT "Model", "Temperature", "MaxTokens", "CapabilitiesJson" '
                                'FROM "AgentConfigurations" WHERE "AgentId" = ?', made["id"]) == (
        defaults["model"], defaults["temperature"], defaults["max_tokens"],
        DEFAULT_CAPABILITIES_JSON)
    assert not_null_violations(form_path) == []


def test_agent_duplicate_copies_with_a_unique_name_on_every_form(form_cli, form_path) -> None:
    seed = form_path.stem == "seed"
    source = AGENT_ID if seed else "default-claude"
    result = form_cli.ok("agent", "duplicate", source)
    copy_id = result.stdout.strip()
    name = "Copy of Researcher" if seed else "Copy of Claude Assistant"
    assert f"as “{name}”" in result.stderr
    assert query_one(form_path, 'SELECT "Name", "TotalMessages", "TotalTokensUsed" FROM "Agents" '
                                'WHERE "Id" = ?', copy_id) == (name, 0, 0)
    config = ('SELECT "Model", "Temperature", "MaxTokens", "SystemPrompt", "CapabilitiesJson", '
              '"CustomSettingsJson" FROM "AgentConfigurations" WHERE "AgentId" = ?')
    assert query_one(form_path, config, copy_id) == query_one(form_path, config, source)
    assert not_null_violations(form_path) == []


def test_agent_delete_on_every_form(form_cli, form_path) -> None:
    if form_path.stem == "seed":  # every agent of the seed's fixture wrote messages
        store = open_store(form_path)
        target = store.agents.create("Scratch", model="gpt-4").id
        store.close()
    else:  # no messages, but a team member: the file's cascade takes the membership
        target = "default-saturn"
    members = query_one(form_path, 'SELECT count(*) FROM "TeamMembers"') \
        if form_path.stem != "seed" else None
    deleted = form_cli.json("agent", "delete", target, "--yes")
    assert deleted["id"] == target and deleted["deleted"] is True
    assert query(form_path, 'SELECT count(*) FROM "Agents" WHERE "Id" = ?', target) == [(0,)]
    assert query(form_path, 'SELECT count(*) FROM "AgentConfigurations" WHERE "AgentId" = ?',
                 target) == [(0,)]
    if members is not None:
        assert deleted["removed"]["team_memberships"] == 1
        assert query_one(form_path, 'SELECT count(*) FROM "TeamMembers"') == (members[0] - 1,)
    else:
        assert deleted["removed"]["configurations"] == 1
    assert query(form_path, "PRAGMA foreign_key_check") == []


def test_an_agent_messages_refer_to_is_not_deleted_on_any_form(form_cli, form_path) -> None:
    """Today's files cascade Messages from Agents: a delete would take the agent's messages."""
    before = table_dump(form_path, tables_of(form_path))
    agent = used_agent_of(form_path)
    form_cli.fails("agent", "delete", agent, "--yes", says=(
        f"so it cannot be deleted without losing who wrote them; deactivate it instead: "
        f"orchestrator-desktop agent set {agent} --active no"))
    assert table_dump(form_path, tables_of(form_path)) == before


def test_session_rename_touches_only_the_name_on_every_form(form_cli, form_path) -> None:
    sid = session_of(form_path)
    row = 'SELECT * FROM "Sessions" WHERE "Id" = ?'
    before = query_one(form_path, row, sid)
    result = form_cli.ok("session", "rename", sid, "Parser, part 2")
    assert result.stdout.strip().endswith("→ “Parser, part 2”")
    after = query_one(form_path, row, sid)
    names = [c[1] for c in query(form_path, 'PRAGMA table_info("Sessions")')]
    assert [n for n, a, b in zip(names, before, after, strict=True) if a != b] == ["Name"]
    assert query_one(form_path, 'SELECT "Name" FROM "Sessions" WHERE "Id" = ?', sid) == (
        "Parser, part 2",)


def test_session_status_on_every_form(form_cli, form_path) -> None:
    sid = session_of(form_path)
    completed = query_one(form_path, 'SELECT "CompletedAt" FROM "Sessions" WHERE "Id" = ?', sid)[0]
    changed = form_cli.json("session", "status", sid, "CANCELLED")
    assert changed["id"] == sid and changed["status"] == "Cancelled"
    status, now_completed = query_one(
        form_path, 'SELECT "Status", "CompletedAt" FROM "Sessions" WHERE "Id" = ?', sid)
    assert status == 4
    if completed is None:  # today's session was active: it completes now
        assert now_completed and changed["completed_at"]
    else:  # a time it already has is kept
        assert now_completed == completed


def test_session_delete_takes_what_the_cascades_take_on_every_form(form_cli, form_path) -> None:
    sid = session_of(form_path)
    messages = [row[0] for row in query(form_path, 'SELECT "Id" FROM "Messages" WHERE '
                                                   '"SessionId" = ?', sid)]
    others = query(form_path, 'SELECT * FROM "Sessions" WHERE "Id" <> ? ORDER BY "Id"', sid)
    deleted = form_cli.json("session", "delete", sid, "--yes")
    assert deleted["id"] == sid and deleted["removed"]["messages"] == len(messages) == 5
    assert deleted["removed"]["snapshots"] == 1
    for table in ("Sessions", "Messages", "SessionSnapshots", "SessionAgents",
                  "OrchestrationPlans"):
        column = "Id" if table == "Sessions" else "SessionId"
        assert query(form_path, f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?',
                     sid) == [(0,)], table
    marks = ",".join("?" * len(messages))
    for table in ("ToolCalls", "Attachments"):
        assert query(form_path, f'SELECT count(*) FROM "{table}" WHERE "MessageId" IN ({marks})',
                     *messages) == [(0,)]
    if form_path.stem == "seed":
        assert deleted["removed"]["tool_calls"] == 2 and deleted["removed"]["attachments"] == 1
        assert deleted["removed"]["orchestration_plans"] == 1
        assert query(form_path, 'SELECT count(*) FROM "OrchestrationSteps"') == [(0,)]
    else:
        assert deleted["removed"]["teams"] == 1
        assert query(form_path, 'SELECT count(*) FROM "TeamMembers"') == [(0,)]
    if form_path.stem in ("fresh", "later"):  # Plans have no foreign key: they stay
        assert deleted["plans_kept"] == 1
        assert query(form_path, 'SELECT count(*) FROM "Plans"') == [(1,)]
    assert query(form_path, 'SELECT * FROM "Sessions" WHERE "Id" <> ? ORDER BY "Id"',
                 sid) == others
    assert query(form_path, "PRAGMA foreign_key_check") == []


# -- failures -----------------------------------------------------------------------------

def test_deletes_without_yes_say_what_would_go_and_change_nothing(cli) -> None:
    db = db_of(cli)
    raw = db.read_bytes()
    cli.fails("session", "delete", SESSION_ID, code=2, says=(
        "add --yes to delete session “Refactor the parser” (3f2b8c1e-0d4a-4e7b-9c61-2a5f7e8d9b10)"
        " with 5 messages, 2 tool calls, 1 attachment, 1 snapshot, 2 agent memberships and 1 "
        "orchestration plan"))
    store = open_store(db)
    scratch = store.agents.create("Scratch").id
    store.close()
    raw = db.read_bytes()
    cli.fails("agent", "delete", scratch, code=2,
              says=f"add --yes to delete agent “Scratch” ({scratch}) with its configuration")
    assert db.read_bytes() == raw
    result = cli.ok("agent", "delete", scratch, "-y")
    assert result.stdout.strip() == f"Deleted agent “Scratch” ({scratch}) with its configuration."


def test_bad_ids_are_user_errors_that_change_nothing(cli) -> None:
    db = db_of(cli)
    raw = db.read_bytes()
    cli.fails("agent", "duplicate", "nope", says="No agent with id 'nope'")
    cli.fails("agent", "delete", "nope", "--yes", says="No agent with id 'nope'")
    cli.fails("session", "rename", "nope", "x", says="No session with id 'nope'")
    cli.fails("session", "status", "nope", "Paused", says="No session with id 'nope'")
    cli.fails("session", "delete", "nope", "--yes", says="No session with id 'nope'")
    assert db.read_bytes() == raw


def test_bad_names_and_types_change_nothing(cli) -> None:
    db = db_of(cli)
    raw = db.read_bytes()
    cli.fails("agent", "create", "   ", says="error: name: is required")
    cli.fails("agent", "create", "x" * 201, says="name: must be at most 200 characters")
    cli.fails("agent", "create", "Researcher", says="An agent named 'Researcher' already exists")
    stderr = cli.fails("agent", "create", "X", "--type", "gtp4", code=2,
                       says="'gtp4' is not an agent type (did you mean GPT4?)")
    assert "choose one of Claude, Saturn, GPT4, Custom, Orchestrator" in stderr
    cli.fails("session", "status", SESSION_ID, "complted", code=2, says=(
        f"'complted' is not a session status (did you mean Completed?); choose one of "
        f"{STATUSES}"))
    cli.fails("session", "status", SESSION_ID, "Sleeping", code=2,
              says=f"'Sleeping' is not a session status; choose one of {STATUSES}")
    assert db.read_bytes() == raw


WRITES = [
    ("agent", "create", "Planner"),
    ("agent", "duplicate", AGENT_ID),
    ("agent", "delete", "default-claude", "--yes"),
    ("session", "rename", SESSION_ID, "Renamed"),
    ("session", "status", SESSION_ID, "Completed"),
    ("session", "delete", SESSION_ID, "--yes"),
]


def _free_default_claude(db: Path) -> None:
    """Let `agent delete default-claude` get past its checks: no message refers to it."""
    con = sqlite3.connect(db)
    con.execute('UPDATE "Messages" SET "AgentId" = ? WHERE "AgentId" = ?', (AGENT_ID,
                                                                             "default-claude"))
    con.execute('DELETE FROM "OrchestrationSteps" WHERE "AgentId" = ?', ("default-claude",))
    con.commit()
    con.close()


def test_a_read_only_file_is_never_changed(cli) -> None:
    db = db_of(cli)
    _free_default_claude(db)
    raw = db.read_bytes()
    db.chmod(0o444)
    try:
        for args in WRITES:
            cli.fails(*args, says="cannot be changed: The file is read-only.")
    finally:
        db.chmod(0o644)
    assert db.read_bytes() == raw


def test_a_locked_file_is_a_user_error(cli) -> None:
    db = db_of(cli)
    _free_default_claude(db)
    before = table_dump(db, TABLES)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for args in WRITES:
            cli.fails("--wait", "0.2", *args, says="busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert table_dump(db, TABLES) == before
    assert json.loads(cli.ok("--json", "agent", "show", "default-claude").stdout)["name"] == \
        "Claude Assistant"
