"""Opening files: .NET-made files unchanged, migrations with a backup, and bad files refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from dotnet_files import (
    AGENT_ID,
    MESSAGE_IDS,
    SESSION_ID,
    make_dotnet_database,
    schema_sql,
    table_dump,
)
from orchestrator_desktop.data import (
    DamagedDatabaseError,
    NotADatabaseError,
    ReadOnlyError,
    open_store,
)
from orchestrator_desktop.data.backups import list_backups
from orchestrator_desktop.data.enums import (
    AgentType,
    MessageRole,
    SessionStatus,
    SessionType,
    StepStatus,
)
from orchestrator_desktop.data.migrations import LATEST_VERSION
from orchestrator_desktop.data.schema import CONTRACT_TABLES
from orchestrator_desktop.data.search import IndexState

ALL_CONTRACT = (*CONTRACT_TABLES, "__EFMigrationsHistory")


def _user_version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def test_dotnet_file_opens_without_any_change_to_its_tables(dotnet_path: Path) -> None:
    rows_before = table_dump(dotnet_path, ALL_CONTRACT)
    schema_before = schema_sql(dotnet_path, ALL_CONTRACT)
    store = open_store(dotnet_path)
    assert store.sessions.count() == 2
    assert _user_version(dotnet_path) == 0, "opening alone must not migrate"
    store.run_maintenance()
    assert table_dump(dotnet_path, ALL_CONTRACT) == rows_before
    after = schema_sql(dotnet_path, ALL_CONTRACT)
    for name, sql in schema_before.items():
        assert after[name] == sql, name
    added = set(after) - set(schema_before)
    assert added and all(name.startswith("desktop_") for name in added)
    store.close()


def test_first_change_to_an_existing_file_is_preceded_by_a_backup(dotnet_path: Path) -> None:
    rows_before = table_dump(dotnet_path, ALL_CONTRACT)
    store = open_store(dotnet_path)
    reports: list[tuple[str, float]] = []
    store.run_maintenance(progress=lambda text, fraction: reports.append((text, fraction)))
    backups = list_backups(dotnet_path, dotnet_path.parent / "backups")
    assert [b.reason for b in backups] == ["before-update"]
    assert _user_version(backups[0].path) == 0
    assert table_dump(backups[0].path, ALL_CONTRACT) == rows_before
    assert _user_version(dotnet_path) == LATEST_VERSION and store.meta("fts_state") == "ready"
    assert reports[0][0] == "Backing up the database"
    assert reports[-1] == ("Search index ready", 1.0)
    store.run_maintenance()  # a second run has nothing to do and makes no second backup
    assert len(list_backups(dotnet_path, dotnet_path.parent / "backups")) == 1
    store.close()


def test_search_reads_the_newest_messages_until_the_index_has_some(dotnet_path: Path) -> None:
    store = open_store(dotnet_path)
    result = store.search.search("tokenizer")
    assert result.state is IndexState.BUILDING and not result.ranked
    assert {hit.message_id for hit in result.hits} == {MESSAGE_IDS[0], MESSAGE_IDS[1]}
    assert result.coverage_text == "Searched the newest 5 of 5 messages; still indexing."
    store.run_maintenance()
    assert {hit.message_id for hit in store.search.search("tokenizer").hits} == {
        MESSAGE_IDS[0], MESSAGE_IDS[1]}
    store.close()


def test_maintenance_stopped_midway_resumes_where_it_left_off(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "big.db")
    con = sqlite3.connect(path)
    con.executemany('INSERT INTO "Messages" VALUES (?,?,?,0,NULL,NULL,?,?,NULL,NULL)',
                    [(f"bulk-{n}", SESSION_ID, f"bulk message number {n} zebra",
                      "2024-02-01 00:00:00", 100 + n) for n in range(45_000)])
    con.commit()
    con.close()
    store = open_store(path)
    chunks = []

    def stop_after_first_chunk() -> bool:
        return len(chunks) >= 1

    def record(text: str, fraction: float) -> None:
        if text == "Building the search index":
            chunks.append(fraction)

    store.run_maintenance(progress=record, should_stop=stop_after_first_chunk)
    assert store.meta("fts_state") == "building"
    assert store.meta("fts_cursor")  # where the walk, newest first, is to go on
    state, progress = store.search.state()
    assert state is IndexState.BUILDING and 0 < progress < 1
    store.close()
    reopened = open_store(path)
    reopened.run_maintenance()
    assert reopened.search.index_is_consistent()
    assert len(reopened.search.search("zebra", limit=100_000).hits) == 45_000
    reopened.close()


def test_dotnet_values_read_as_python_types(dotnet_store) -> None:
    session = dotnet_store.sessions.require(SESSION_ID)
    assert session.type is SessionType.Orchestrated and session.status is SessionStatus.Paused
    assert session.created_at.microsecond == 123456
    assert session.context.mapping() == {"Goal": "refactor", "Depth": 3}
    assert not session.metadata.is_valid and session.metadata.raw == "not json at all"
    odd = dotnet_store.sessions.require("empty-strings-session")
    assert odd.name is None and odd.project_id is None and odd.working_directory is None
    assert odd.status.label == "Unknown (7)" and odd.context.is_absent
    agent = dotnet_store.agents.with_configuration(AGENT_ID)
    assert agent.type.label == "Unknown (9)" and agent.description is None
    assert agent.configuration.enabled_tools.items() == ["search", "shell"]
    assert not agent.configuration.custom_settings.is_valid
    page = dotnet_store.sessions.messages_page(SESSION_ID)
    assert [m.sequence_number for m in page.messages] == [1, 2, 3, 4, 5]
    tool_message = page.messages[2]
    assert tool_message.role is MessageRole.Tool and tool_message.token_usage is None
    calls = {c.id: c for c in tool_message.tool_calls}
    assert calls["tool-2"].execution_time.days == 1 and not calls["tool-2"].parameters.is_valid
    assert page.messages[3].role.label == "Unknown (9)" and page.messages[3].content is None
    assert page.messages[1].token_usage.total_tokens == 150
    assert page.messages[1].attachments[0].file_name == "tokenizer.py"
    plan = dotnet_store.plans.for_session(SESSION_ID)[0]
    assert [s.order for s in plan.steps] == [1, 2, 3]
    assert plan.steps[1].depends_on == ["step-1"] and plan.steps[0].depends_on == []
    assert plan.steps[2].status.label == "Unknown (7)" and plan.steps[2].depends_on == []
    assert plan.steps[2].duration.total_seconds() == -5
    assert plan.strategy.label == "Unknown (9)" and not plan.result.is_valid
    assert AgentType.Claude == dotnet_store.agents.require("default-claude").type


def test_entities_read_and_write_dotnet_encodings_through_pony(dotnet_store) -> None:
    from pony.orm import db_session

    entities = dotnet_store.entities
    with db_session:
        call = entities.ToolCall["tool-2"]
        assert call.execution_time.days == 1
        session = entities.Session[SESSION_ID]
        assert session.status is SessionStatus.Paused
        session.name = "Renamed through Pony"
    con = sqlite3.connect(dotnet_store.path)
    row = con.execute('SELECT "Name", "CreatedAt" FROM "Sessions" WHERE "Id" = ?',
                      (SESSION_ID,)).fetchone()
    assert row == ("Renamed through Pony", "2024-01-30 09:05:00.1234567")
    assert StepStatus.Running == con.execute(
        "SELECT \"Status\" FROM \"OrchestrationSteps\" WHERE \"Id\" = 'step-2'").fetchone()[0]


@pytest.mark.parametrize(("content", "error", "words"), [
    (b"", NotADatabaseError, "empty file"),
    (b"hello, I am a text file\n" * 20, NotADatabaseError, "not an SQLite database"),
    (b"SQLite format 3\x00" + b"\x00" * 20, DamagedDatabaseError, "truncated"),
])
def test_files_that_are_not_databases_are_refused_untouched(tmp_path, content, error, words):
    path = tmp_path / "orchestrator.db"
    path.write_bytes(content)
    with pytest.raises(error, match=words):
        open_store(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orchestrator.db"]


def test_damaged_header_is_reported_and_file_left_alone(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "d.db", wal=False)
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x07"  # an impossible page size
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError, match="damaged"):
        open_store(path)
    assert path.read_bytes() == bytes(data)


def test_truncated_database_is_reported(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "t.db", wal=False)
    data = path.read_bytes()
    path.write_bytes(data[:4096])
    with pytest.raises((DamagedDatabaseError, NotADatabaseError)):
        store = open_store(path)
        store.sessions.with_messages(SESSION_ID)
    assert path.read_bytes() == data[:4096]


def test_other_sqlite_databases_are_refused(tmp_path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError, match="not an OrchestratorChat one"):
        open_store(path)
    assert path.read_bytes() == before


def test_newer_schema_version_opens_read_only(dotnet_path) -> None:
    con = sqlite3.connect(dotnet_path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    rows = table_dump(dotnet_path, ALL_CONTRACT)
    store = open_store(dotnet_path)
    assert store.read_only and "newer version" in store.read_only_reason
    assert store.sessions.require(SESSION_ID).name == "Refactor the parser"
    with pytest.raises(ReadOnlyError, match="read-only"):
        store.sessions.update(SESSION_ID, name="changed")
    store.run_maintenance()
    assert table_dump(dotnet_path, ALL_CONTRACT) == rows and _user_version(dotnet_path) == 99
    store.close()


def test_read_only_file_is_browsable_and_searchable_but_not_writable(dotnet_path) -> None:
    dotnet_path.chmod(0o444)
    try:
        store = open_store(dotnet_path)
        assert store.read_only and store.read_only_reason == "The file is read-only."
        assert len(store.sessions.messages_page(SESSION_ID).messages) == 5
        result = store.search.search("tokenizer")
        assert result.state is IndexState.UNAVAILABLE
        assert {hit.message_id for hit in result.hits} == {MESSAGE_IDS[0], MESSAGE_IDS[1]}
        with pytest.raises(ReadOnlyError):
            store.sessions.create("new")
        assert not store.needs_maintenance()
        store.close()
    finally:
        dotnet_path.chmod(0o644)
    assert _user_version(dotnet_path) == 0


def test_new_file_in_read_only_folder_gives_a_clear_error(tmp_path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyError, match="not writable"):
            open_store(folder / "orchestrator.db")
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []
