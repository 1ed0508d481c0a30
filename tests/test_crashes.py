"""A process killed with SIGKILL in the middle of a write leaves a sound file holding
everything committed before it and no part of the killed transaction.

(The restore of a snapshot killed half-way is in test_snapshot_manager.py.)
"""

from __future__ import annotations

from pathlib import Path

from dotnet_files import AGENT_ID, SESSION_ID, make_dotnet_database, query
from orchestrator_desktop.data import open_store
from processes import kill_when

ROOT = Path(__file__).resolve().parents[1]


def _counts(path: Path) -> dict[str, int]:
    return {table: query(path, f'SELECT count(*) FROM "{table}"')[0][0]
            for table in ("Sessions", "Messages", "ToolCalls", "Attachments", "Agents",
                          "AgentConfigurations", "desktop_message_keys")}


def _sound(path: Path) -> None:
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    store = open_store(path)  # the application opens it again and its index agrees
    try:
        assert store.search.index_is_consistent()
        assert store.search.check() == []
    finally:
        store.close()


def test_killed_bulk_import_leaves_no_partial_messages(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "import.db")
    store = open_store(path)
    store.run_maintenance()
    store.sessions.import_messages(SESSION_ID, [
        {"content": f"committed earlier {n}", "role": 1, "agent_id": AGENT_ID}
        for n in range(100)])
    store.close()
    before = _counts(path)
    script = """
        import sys, time
        from orchestrator_desktop.data import open_store

        store = open_store(sys.argv[1])
        messages = [{"content": f"imported message {n} " + "text " * 40, "role": 1,
                     "agent_id": sys.argv[3],
                     "tool_calls": [{"tool_name": "grep", "parameters_json": "{}"}]}
                    for n in range(40_000)]

        def progress(fraction):
            if fraction >= 0.5:
                print("half-way", flush=True)
                time.sleep(120)

        store.sessions.import_messages(sys.argv[2], messages, progress=progress)
        print("finished", flush=True)
    """
    kill_when(path, script, "half-way", SESSION_ID, AGENT_ID)
    assert _counts(path) == before
    assert query(path, 'SELECT count(*) FROM "Messages" WHERE "Content" LIKE '
                  "'imported message%'") == [(0,)]
    assert query(path, 'SELECT max("SequenceNumber") FROM "Messages" WHERE "SessionId" = '
                  f"'{SESSION_ID}'") == [(105,)]
    _sound(path)


def test_killed_agent_save_keeps_the_last_saved_version_whole(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "agents.db")
    store = open_store(path)
    store.run_maintenance()
    store.close()
    script = """
        import sys, time
        from orchestrator_desktop.data import open_store

        store = open_store(sys.argv[1])
        agent_id = sys.argv[2]
        original = store.execute
        saving = 0

        def execute(sql, **params):
            result = original(sql, **params)
            if saving == 3 and sql.startswith('UPDATE "AgentConfigurations"'):
                print("mid-save", flush=True)  # Agents and configuration written, no commit
                time.sleep(120)
            return result

        store.execute = execute
        for saving in range(1, 4):
            loaded = store.agents.with_configuration(agent_id)
            store.agents.save(agent_id, loaded, {
                "name": f"Agent v{saving}", "description": f"saved {saving} times",
                "temperature": saving / 10, "max_tokens": 1000 + saving,
                "system_prompt": f"prompt v{saving} " + "x" * 3_000_000})
            print(f"saved {saving}", flush=True)
    """
    printed = kill_when(path, script, "mid-save", AGENT_ID)
    assert printed == ["saved 1", "saved 2"]
    row = query(path, 'SELECT a."Name", a."Description", c."Temperature", c."MaxTokens", '
                 'substr(c."SystemPrompt", 1, 10), length(c."SystemPrompt") FROM "Agents" a '
                 'JOIN "AgentConfigurations" c ON c."AgentId" = a."Id" '
                 f"WHERE a.\"Id\" = '{AGENT_ID}'")
    assert row == [("Agent v2", "saved 2 times", 0.2, 1002, "prompt v2 ", 3_000_010)]
    assert query(path, 'SELECT count(*) FROM "AgentConfigurations" WHERE "AgentId" = '
                  f"'{AGENT_ID}'") == [(1,)]
    _sound(path)
