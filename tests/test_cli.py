"""The command line, run as a real subprocess against real files; checked on stdout, stderr,
the exit status and, with raw sqlite3, what lands in the file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from dotnet_files import AGENT_ID, MESSAGE_IDS, SESSION_ID, make_dotnet_database, table_dump
from orchestrator_desktop.data.migrations import LATEST_VERSION
from processes import APP

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("Sessions", "Messages", "Agents", "AgentConfigurations", "SessionAgents",
          "Attachments", "ToolCalls", "SessionSnapshots")


class Cli:
    """Runs `python -m orchestrator_desktop ...` with its folders and default database in
    tmp_path."""

    def __init__(self, tmp_path: Path, default_db: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {**os.environ, "ORCHESTRATOR_DESKTOP_DB": str(default_db),
                    "XDG_DATA_HOME": str(tmp_path / "data"),
                    "XDG_STATE_HOME": str(tmp_path / "state"),
                    "QT_QPA_PLATFORM": "offscreen", "TZ": "UTC", "PYTHONIOENCODING": "utf-8"}

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*APP, *args], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=60,
                                encoding="utf-8")
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self(*args)
        assert result.returncode == 0, result.stderr
        return result

    def json(self, *args: str):
        return json.loads(self.ok("--json", *args).stdout)

    def fails(self, *args: str, code: int = 1, says: str = "") -> str:
        """Run a command that must fail; for user errors, one `error:` line on stderr."""
        result = self(*args)
        assert result.returncode == code, (result.stdout, result.stderr)
        assert result.stdout == ""
        if code == 1:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert says in result.stderr, result.stderr
        return result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A file as the .NET application leaves it; also the CLI's default database."""
    return make_dotnet_database(tmp_path / "orchestrator.db")


@pytest.fixture
def cli(tmp_path: Path, db: Path) -> Cli:
    return Cli(tmp_path, db)


def rows(path: Path, sql: str, *params):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# -- dispatch, help, Qt -----------------------------------------------------------------------

@pytest.mark.portable
def test_help_mentions_the_window_and_no_qt_is_loaded(cli, db) -> None:
    result = cli.ok("--help")
    assert "opens the window" in result.stdout and "examples:" in result.stdout
    for word in ("session", "search", "agent", "snapshot", "db"):
        assert f"    {word}" in result.stdout
    script = ("import sys; from orchestrator_desktop.app import main; "
              f"code = main(['--db', {str(db)!r}, 'session', 'list', '--json']); "
              "print('QT LOADED' if 'PySide6' in sys.modules else 'NO QT', code)")
    probe = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cli.env,
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip().endswith("NO QT 0"), probe.stderr


@pytest.mark.portable
def test_usage_errors_exit_2(cli) -> None:
    cli.fails("session", code=2, says="required")
    cli.fails("session", "list", "--status", "Sleeping", code=2, says="Active, Paused")
    cli.fails("session", "list", "--limit", "0", code=2, says="must be 1 or more")
    cli.fails("agent", "stats", AGENT_ID, "--since", "yesterday", code=2, says="not a date")
    cli.fails("agent", "set", AGENT_ID, code=2, says="nothing to change")
    cli.fails("agent", "set", AGENT_ID, "--active", "maybe", code=2, says="not yes or no")


@pytest.mark.portable
def test_a_mistyped_command_is_a_usage_error_with_a_suggestion_and_no_window(cli) -> None:
    # as over SSH: no display, so a window would abort the process
    env = {k: v for k, v in cli.env.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([*APP, "sesion", "list"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("usage: orchestrator-desktop")
    assert "unknown command 'sesion' (did you mean `session`?)" in result.stderr
    cli.fails("--json", "serach", "x", code=2, says="did you mean `search`?")
    cli.fails("frobnicate", code=2, says="invalid choice: 'frobnicate'")


# -- sessions ---------------------------------------------------------------------------------

@pytest.mark.portable
def test_session_list_human_and_json(cli, db) -> None:
    text = cli.ok("session", "list").stdout.splitlines()
    assert text[0].split()[:3] == ["ID", "NAME", "STATUS"]
    assert text[1].startswith("empty-strings-session") and "Unknown (7)" in text[1]
    assert SESSION_ID in text[2] and "Refactor the parser" in text[2]
    assert "2024-01-30 11:00" in text[2] and "Researcher, Claude Assistant" in text[2]

    listed = cli.json("session", "list")
    assert [s["id"] for s in listed] == ["empty-strings-session", SESSION_ID]
    s = listed[1]
    assert s == {
        "id": SESSION_ID, "name": "Refactor the parser", "type": "Orchestrated",
        "status": "Paused", "working_directory": "/home/dev/parser", "project_id": "proj-42",
        "created_at": "2024-01-30T09:05:00.123456Z", "last_activity_at": "2024-01-30T11:00:00Z",
        "completed_at": "2024-01-31T09:05:00Z",
        "context_json": {"Goal": "refactor", "Depth": 3},
        "metadata_json": {"raw": "not json at all", "valid": False},
        "message_count": 5, "agent_names": ["Researcher", "Claude Assistant"]}
    assert listed[0]["name"] is None and listed[0]["status"] == "Unknown (7)"

    assert [s["id"] for s in cli.json("session", "list", "--status", "paused")] == [SESSION_ID]
    assert [s["id"] for s in cli.json("session", "list", "--project", "proj-42")] == [
        SESSION_ID]
    assert cli.json("session", "list", "--project", "nope") == []
    limited = cli.ok("session", "list", "--limit", "1", "--json", "--db", str(db))
    assert len(json.loads(limited.stdout)) == 1 and "raise --limit" in limited.stderr


def test_session_show_pages_messages_with_tool_calls_and_attachments(cli) -> None:
    shown = cli.json("session", "show", SESSION_ID)
    assert shown["session"]["id"] == SESSION_ID and shown["session"]["message_count"] == 5
    assert [m["agent_id"] for m in shown["members"]] == [AGENT_ID, "default-claude"]
    assert shown["members"][0]["role"] == "Primary" and shown["members"][1]["left_at"]
    assert shown["offset"] == 0 and shown["has_more"] is False
    messages = shown["messages"]
    assert [m["id"] for m in messages] == MESSAGE_IDS
    assert messages[0]["timestamp"] == "2024-01-30T09:05:01.123456Z"
    assert messages[1]["agent_name"] == "Researcher" and messages[1]["role"] == "Assistant"
    assert messages[1]["token_usage_json"]["TotalTokens"] == 150
    assert messages[1]["attachments"] == [{
        "id": "att-1", "message_id": MESSAGE_IDS[1], "file_name": "tokenizer.py",
        "mime_type": "text/x-python", "size": 2048, "storage_path": "/tmp/tokenizer.py",
        "url": None, "uploaded_at": "2024-01-30T09:06:00Z"}]
    calls = {c["id"]: c for c in messages[2]["tool_calls"]}
    assert calls["tool-1"]["parameters_json"] == {"path": "tokenizer.py"}
    assert calls["tool-1"]["success"] is True and calls["tool-1"]["execution_time_seconds"] == 1.25
    assert calls["tool-2"]["parameters_json"] == {"raw": "{bad json", "valid": False}
    assert calls["tool-2"]["execution_time_seconds"] == 93784.0
    assert messages[2]["token_usage_json"] == {"raw": "{broken", "valid": False}
    assert messages[3]["role"] == "Unknown (9)" and messages[3]["content"] is None
    assert messages[4]["content"] == "مرحبا 🎉 emoji and right-to-left text"

    page = cli.json("session", "show", SESSION_ID, "--offset", "2", "--limit", "2")
    assert [m["id"] for m in page["messages"]] == MESSAGE_IDS[2:4] and page["has_more"]
    assert cli.json("session", "show", SESSION_ID, "--offset", "9")["messages"] == []

    text = cli.ok("session", "show", SESSION_ID).stdout
    for expected in ("Refactor the parser", "Messages 1–5 of 5:", "#2  2024-01-30 09:06",
                     "Please refactor the tokenizer module.", "attachment: tokenizer.py",
                     "tool call: run_tests — failed: 2 failed", "مرحبا 🎉",
                     "Metadata:          not json at all  (not valid JSON)"):
        assert expected in text
    cli.fails("session", "show", "no-such-session", says="No session with id 'no-such-session'")


def test_session_stats(cli) -> None:
    stats = cli.json("session", "stats", SESSION_ID)
    assert stats == {"session_id": SESSION_ID, "message_count": 5, "agent_count": 2,
                     "duration_seconds": pytest.approx(86399.876544), "ongoing": False,
                     "total_tokens": 175, "tool_call_count": 2,
                     "tokens_by_agent": {"Researcher": 150, "(no agent)": 25}}
    text = cli.ok("session", "stats", SESSION_ID).stdout
    assert "Total tokens: 175" in text and "23h 59m" in text
    cli.fails("session", "stats", "nope", says="No session")


# -- search -----------------------------------------------------------------------------------

@pytest.mark.portable
def test_search_builds_the_index_once_then_ranks_hits(cli, db, tmp_path) -> None:
    first = cli("--json", "search", "tokenizer")
    assert first.returncode == 0 and "building its search index" in first.stderr
    hits = json.loads(first.stdout)
    assert {h["message_id"] for h in hits} == set(MESSAGE_IDS[:2])
    hit = next(h for h in hits if h["message_id"] == MESSAGE_IDS[0])
    assert hit["snippet"] == "Please refactor the tokenizer module."
    assert hit["highlights"] == [[20, 29]] and hit["session_name"] == "Refactor the parser"
    assert hit["role"] == "User" and hit["sequence_number"] == 1 and hit["timestamp"]
    assert hit["position"] == 1
    assert rows(db, "PRAGMA user_version") == [(LATEST_VERSION,)]
    assert rows(db, "SELECT \"Value\" FROM desktop_meta WHERE \"Key\" = 'fts_state'") == [
        ("ready",)]
    assert list((tmp_path / "data").rglob("*-before-update.db"))  # backup before migrating

    again = cli("search", "refactor", "--session", SESSION_ID, "--limit", "1")
    assert again.returncode == 0 and again.stderr == ""
    assert "Refactor the parser · #1 · User" in again.stdout and again.stdout.count(" · #") == 1
    assert cli.json("search", "nothing-matches-this") == []
    cli.fails("search", "tokenizer", "--session", "nope", says="No session")
    cli.fails("search", '"" ***', says="Nothing to search for")


# -- agents -----------------------------------------------------------------------------------

def test_agent_list_show_and_stats(cli) -> None:
    agents = {a["id"]: a for a in cli.json("agent", "list")}
    assert set(agents) == {"default-claude", AGENT_ID}
    researcher = agents[AGENT_ID]
    assert researcher["type"] == "Unknown (9)" and researcher["total_tokens_used"] == 98765
    assert researcher["last_used_at"] == "2024-02-01T10:00:00.500000Z"
    assert agents["default-claude"]["configuration"] is None

    shown = cli.json("agent", "show", AGENT_ID)
    assert shown["configuration"] == {
        "id": "cfg-1", "agent_id": AGENT_ID, "model": "gpt-4", "temperature": 0.25,
        "max_tokens": 2048, "system_prompt": "Be brief.", "require_approval": True,
        "custom_settings_json": {"raw": '{"Verbose": true', "valid": False},
        "enabled_tools_json": ["search", "shell"],
        "capabilities_json": {"SupportsStreaming": True, "MaxTokens": 9000}}
    text = cli.ok("agent", "show", AGENT_ID).stdout
    assert "Temperature:      0.25" in text and "    Be brief." in text
    table = cli.ok("agent", "list").stdout
    assert "Researcher" in table and "98,765" in table

    usage = cli.json("agent", "stats", AGENT_ID)
    assert usage == {"agent_id": AGENT_ID, "agent_name": "Researcher", "since": None,
                     "message_count": 2, "session_count": 1, "total_tokens": 150,
                     "tool_call_count": 2}
    later = cli.json("agent", "stats", AGENT_ID, "--since", "2024-01-30T09:06:10Z")
    assert later["message_count"] == 1 and later["since"] == "2024-01-30T09:06:10Z"
    assert cli.json("agent", "stats", AGENT_ID, "--since", "2024-02-01")["message_count"] == 0
    cli.fails("agent", "show", "nope", says="No agent with id 'nope'")
    cli.fails("agent", "stats", "nope", says="No agent")


def test_agent_set_changes_everything_in_one_go(cli, db) -> None:
    result = cli.ok("agent", "set", AGENT_ID, "--temperature", "0.5", "--model", "gpt-4o",
                    "--max-tokens", "8192", "--system-prompt", "Be thorough.",
                    "--require-approval", "no", "--active", "no")
    assert "temperature:      0.25 → 0.5" in result.stdout
    assert "active:           yes → no" in result.stdout
    assert rows(db, 'SELECT "Model", "Temperature", "MaxTokens", "SystemPrompt", '
                '"RequireApproval", "CustomSettingsJson" FROM "AgentConfigurations" '
                'WHERE "AgentId" = ?', AGENT_ID) == [
        ("gpt-4o", 0.5, 8192, "Be thorough.", 0, '{"Verbose": true')]
    assert rows(db, 'SELECT "IsActive" FROM "Agents" WHERE "Id" = ?', AGENT_ID) == [(0,)]

    updated = cli.json("agent", "set", "default-claude", "--temperature", "1")
    assert updated["configuration"]["temperature"] == 1.0  # a configuration is created
    assert rows(db, 'SELECT "Temperature" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                "default-claude") == [(1.0,)]


def test_agent_set_rejects_bad_values_and_ids_without_touching_the_file(cli, db) -> None:
    before = db.read_bytes()
    cli.fails("agent", "set", AGENT_ID, "--temperature", "5",
              says="error: temperature: must be between 0 and 2")
    cli.fails("agent", "set", AGENT_ID, "--active", "no", "--max-tokens", "0",
              says="max_tokens: must be between")
    cli.fails("agent", "set", "nope", "--temperature", "1", says="No agent with id 'nope'")
    cli.fails("agent", "set", AGENT_ID, "--temperature", "warm", code=2,
              says="invalid float value: 'warm'")
    assert db.read_bytes() == before


# -- snapshots --------------------------------------------------------------------------------

def test_snapshot_create_list_restore(cli, db) -> None:
    made = cli.json("snapshot", "create", SESSION_ID, "--name", "before the refactor")
    assert made["name"] == "before the refactor" and made["message_count"] == 5
    assert made["restorable"] is True and made["session_id"] == SESSION_ID
    assert rows(db, 'SELECT "Name", "MessageCount" FROM "SessionSnapshots" WHERE "Id" = ?',
                made["id"]) == [("before the refactor", 5)]

    listed = cli.json("snapshot", "list", SESSION_ID)
    assert [s["id"] for s in listed] == [made["id"], "dotnet-snap"]
    assert listed[1]["restorable"] is True  # the .NET form restores as a new session
    table = cli.ok("snapshot", "list", SESSION_ID).stdout
    assert "before the refactor" in table and "Made by .NET" in table

    restored = cli.json("snapshot", "restore", made["id"])
    new_id = restored["session_id"]
    assert new_id != SESSION_ID and restored["snapshot_id"] == made["id"]
    assert rows(db, 'SELECT "Name" FROM "Sessions" WHERE "Id" = ?', new_id) == [
        ("Refactor the parser (Restored)",)]
    assert rows(db, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?', new_id) == [(5,)]
    plain = cli.ok("snapshot", "restore", made["id"])
    assert rows(db, 'SELECT count(*) FROM "Sessions" WHERE "Id" = ?', plain.stdout.strip()) == [
        (1,)]


def test_snapshot_revert_takes_a_safety_snapshot(cli, db) -> None:
    made = cli.json("snapshot", "create", SESSION_ID, "--name", "good state")
    con = sqlite3.connect(db)
    con.execute('INSERT INTO "Messages" VALUES (?,?,?,?,NULL,NULL,?,?,NULL,NULL)',
                ("late-message", SESSION_ID, "a late mistake", 0, "2024-02-02 00:00:00", 6))
    con.commit()
    con.close()
    result = cli.ok("snapshot", "revert", made["id"])
    assert "Safety snapshot: Before reverting to “good state”" in result.stdout
    assert rows(db, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?', SESSION_ID) == [
        (5,)]
    assert rows(db, 'SELECT "MessageCount" FROM "SessionSnapshots" WHERE "Name" = ?',
                "Before reverting to “good state”") == [(6,)]
    reverted = cli.json("snapshot", "revert", made["id"])
    assert reverted["session_id"] == SESSION_ID and reverted["snapshot_id"] == made["id"]
    assert reverted["safety_snapshot"]["message_count"] == 5


def test_snapshot_failures_change_nothing(cli, db) -> None:
    before = table_dump(db, TABLES)
    raw = db.read_bytes()
    cli.fails("snapshot", "revert", "dotnet-snap", says="restore it as a new session instead")
    cli.fails("snapshot", "restore", "nope", says="No snapshot with id 'nope'")
    cli.fails("snapshot", "revert", "nope", says="No snapshot")
    cli.fails("snapshot", "create", "nope", "--name", "x", says="No session")
    cli.fails("snapshot", "create", SESSION_ID, "--name", "  ", says="name: is required")
    cli.fails("snapshot", "list", "nope", says="No session")
    cli.fails("snapshot", "create", SESSION_ID, code=2, says="--name")
    assert table_dump(db, TABLES) == before and db.read_bytes() == raw


# -- the file ---------------------------------------------------------------------------------

@pytest.mark.portable
def test_db_info_check_and_backup(cli, db, tmp_path) -> None:
    info = cli.json("db", "info")
    assert info["path"] == str(db) and info["size_bytes"] == db.stat().st_size
    assert info["journal_mode"] == "wal" and info["schema_version"] == 0
    assert info["read_only"] is False and info["read_only_reason"] is None
    assert info["counts"] == {"sessions": 2, "messages": 5, "agents": 2, "snapshots": 1}
    assert info["search_index"] == {"state": "absent", "progress": 0.0}
    assert "Journal mode:   wal" in cli.ok("db", "info").stdout

    checked = cli.ok("db", "check")
    assert "No problems found." in checked.stdout
    report = cli.json("db", "check")
    assert report["ok"] is True and report["integrity_check"] == ["ok"]
    assert report["search_index"] == "absent" and report["notes"]

    copy = tmp_path / "backups" / "copy.db"
    made = cli.json("db", "backup", str(copy))
    assert made["path"] == str(copy) and made["size_bytes"] == copy.stat().st_size
    assert table_dump(copy, TABLES) == table_dump(db, TABLES)
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    cli.fails("db", "backup", str(copy), says="add --force")
    assert "Backed up" in cli.ok("db", "backup", str(copy), "--force").stdout
    cli.fails("db", "backup", str(db), "--force", says="cannot overwrite the database")


def test_db_check_runs_the_search_index_check_once_the_index_exists(cli, db) -> None:
    cli.ok("search", "tokenizer")
    report = cli.json("db", "check")
    assert report == {"ok": True, "problems": [], "integrity_check": ["ok"],
                      "search_index": "ready", "notes": [
                          "1 message whose parent message no longer exists (left so by "
                          "another program; shown without it)"]}
    con = sqlite3.connect(db)  # lose one message's index key behind the triggers' back
    con.execute('DELETE FROM "desktop_message_keys" WHERE "MessageId" = ?', (MESSAGE_IDS[0],))
    con.commit()
    con.close()
    result = cli("db", "check")
    assert result.returncode == 1 and "does not cover every message" in result.stdout


def test_a_file_that_is_not_a_database_is_left_alone(cli, tmp_path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n")
    for args in (("session", "list"), ("agent", "set", AGENT_ID, "--temperature", "1"),
                 ("db", "info"), ("db", "check")):
        cli.fails("--db", str(text), *args, says="is not an SQLite database")
    assert text.read_text() == "just some notes\n"
    missing = tmp_path / "missing.db"
    cli.fails("--db", str(missing), "agent", "list", says="does not exist")
    assert not missing.exists()


def test_a_read_only_file_is_readable_but_never_changed(cli, db) -> None:
    raw = db.read_bytes()
    db.chmod(0o444)
    try:
        assert len(cli.json("session", "list")) == 2
        assert cli.json("agent", "show", AGENT_ID)["name"] == "Researcher"
        info = cli.json("db", "info")
        assert info["read_only"] is True and "read-only" in info["read_only_reason"]
        found = cli("--json", "search", "tokenizer")
        assert found.returncode == 0 and "scans every message" in found.stderr
        assert {h["message_id"] for h in json.loads(found.stdout)} == set(MESSAGE_IDS[:2])
        cli.fails("agent", "set", AGENT_ID, "--temperature", "1", says="read-only")
        cli.fails("snapshot", "create", SESSION_ID, "--name", "x", says="read-only")
        assert cli.json("db", "check")["ok"] is True
    finally:
        db.chmod(0o644)
    assert db.read_bytes() == raw


def test_a_locked_file_is_a_user_error(cli, db) -> None:
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        cli.fails("--wait", "0.2", "agent", "set", AGENT_ID, "--temperature", "1",
                  says="busy")
        assert cli.json("session", "list", "--wait", "0.2")  # WAL: readers are not blocked
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rows(db, 'SELECT "Temperature" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                AGENT_ID) == [(0.25,)]


def test_the_default_database_is_created_on_first_use(tmp_path) -> None:
    default = tmp_path / "data-home" / "orchestrator.db"
    cli = Cli(tmp_path, default)
    result = cli("--json", "agent", "list")
    assert result.returncode == 0 and "created a new database" in result.stderr
    assert "default-claude" in {a["id"] for a in json.loads(result.stdout)}
    assert rows(default, 'SELECT count(*) FROM "Agents"')[0][0] >= 1


def test_a_failed_change_does_not_even_switch_the_journal_mode(tmp_path) -> None:
    """Opening for writing switches a file to WAL; a command that fails its checks never
    gets that far."""
    path = make_dotnet_database(tmp_path / "rollback-journal.db", wal=False)
    raw = path.read_bytes()
    cli = Cli(tmp_path, path)
    cli.fails("agent", "set", "nope", "--model", "x", says="No agent")
    cli.fails("snapshot", "revert", "dotnet-snap", says="restore it as a new session instead")
    assert path.read_bytes() == raw and rows(path, "PRAGMA journal_mode") == [("delete",)]


def test_db_backups_lists_and_db_restore_puts_the_file_back(cli, db) -> None:
    assert "No backups of" in cli.ok("db", "backups").stdout
    cli.ok("search", "tokenizer")  # prepares the file, backing it up first
    [before_update] = cli.json("db", "backups")
    assert before_update["reason"] == "before-update"
    assert before_update["description"] == "Before a database update"
    original = rows(db, 'SELECT "Temperature" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                    AGENT_ID)
    cli.ok("agent", "set", AGENT_ID, "--temperature", "1.5")
    cli.fails("db", "restore", "7", says="no backup number 7; `db backups` lists 1")
    cli.fails("db", "restore", str(db), says="cannot be restored from itself")

    restored = cli.json("db", "restore", "1")
    assert restored["restored_from"] == before_update["path"]
    assert rows(db, 'SELECT "Temperature" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                AGENT_ID) == original
    assert rows(db, "PRAGMA user_version") == [(0,)], "the whole file, schema version included"
    listed = cli.json("db", "backups")
    assert [b["reason"] for b in listed] == ["before-restore", "before-update"]
    assert restored["previous_contents"] == listed[0]["path"]
    assert rows(Path(listed[0]["path"]), 'SELECT "Temperature" FROM "AgentConfigurations" '
                'WHERE "AgentId" = ?', AGENT_ID) == [(1.5,)]
    text = cli.ok("db", "backups").stdout
    assert "Before restoring a backup" in text and "Before a database update" in text

    db.chmod(0o444)
    try:
        cli.fails("db", "restore", "2", says="cannot be changed: The file is read-only.")
    finally:
        db.chmod(0o644)


def test_db_restore_replaces_a_file_sqlite_cannot_read(cli, db) -> None:
    cli.ok("search", "tokenizer")  # a backup before the update
    damaged = bytearray(db.read_bytes())
    damaged[16:18] = b"\x00\x07"
    db.write_bytes(bytes(damaged))
    cli.fails("session", "list", says="damaged")
    restored = cli.json("db", "restore", "1")
    assert restored["previous_contents"].endswith("-damaged.bak")
    assert Path(restored["previous_contents"]).read_bytes() == bytes(damaged)
    assert len(cli.json("session", "list")) == 2
