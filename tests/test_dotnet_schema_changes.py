"""What this application adds to the file never stops the .NET application from changing its
own tables, and notices when they change underneath it; the search index stays right however
the other program writes (`INSERT OR REPLACE`, VACUUM, deletes and re-inserts).

Every change here is made by a separate process with plain `sqlite3`, the way EF Core and
Microsoft.Data.Sqlite send it: nothing in it knows this application's tables.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dotnet_files import MESSAGE_IDS, SESSION_ID, make_dotnet_database, query
from gui_helpers import open_window
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.health import check_database
from orchestrator_desktop.data.search import IndexState

# EF Core 8's SQLite provider alters a column by rebuilding the table: this is the sequence
# its migrations send (for Messages, with one new column), as separate transactions.
EF_REBUILD_MESSAGES = textwrap.dedent('''
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
    con.execute("BEGIN")
    con.execute(\'\'\'CREATE TABLE "ef_temp_Messages" (
        "Id" TEXT NOT NULL CONSTRAINT "PK_Messages" PRIMARY KEY,
        "SessionId" TEXT NULL, "Content" TEXT NULL, "Role" INTEGER NOT NULL,
        "AgentId" TEXT NULL, "ParentMessageId" TEXT NULL, "Timestamp" TEXT NOT NULL,
        "SequenceNumber" INTEGER NOT NULL, "MetadataJson" TEXT NULL, "TokenUsageJson" TEXT NULL,
        "Edited" INTEGER NOT NULL DEFAULT 0,
        CONSTRAINT "FK_Messages_Sessions_SessionId" FOREIGN KEY ("SessionId")
            REFERENCES "Sessions" ("Id") ON DELETE CASCADE)\'\'\')
    con.execute(\'\'\'INSERT INTO "ef_temp_Messages" ("Id", "SessionId", "Content", "Role",
        "AgentId", "ParentMessageId", "Timestamp", "SequenceNumber", "MetadataJson",
        "TokenUsageJson") SELECT "Id", "SessionId", "Content", "Role", "AgentId",
        "ParentMessageId", "Timestamp", "SequenceNumber", "MetadataJson", "TokenUsageJson"
        FROM "Messages"\'\'\')
    con.execute("COMMIT")
    con.execute("PRAGMA foreign_keys = 0")
    con.execute("BEGIN")
    con.execute(\'DROP TABLE "Messages"\')
    con.execute(\'ALTER TABLE "ef_temp_Messages" RENAME TO "Messages"\')
    con.execute("COMMIT")
    con.execute("PRAGMA foreign_keys = 1")
    con.execute("BEGIN")
    con.execute(\'CREATE INDEX "IX_Messages_SessionId" ON "Messages" ("SessionId")\')
    con.execute(\'CREATE INDEX "IX_Messages_Timestamp" ON "Messages" ("Timestamp")\')
    con.execute("COMMIT")
    # the application goes on writing as usual
    con.executemany(\'\'\'INSERT INTO "Messages" ("Id", "SessionId", "Content", "Role",
        "Timestamp", "SequenceNumber") VALUES (?, ?, ?, 1, '2024-06-01 10:00:00', 0)\'\'\',
        [(f"after-rebuild-{n}", sys.argv[2], f"porcupine number {n}") for n in range(90)])
    print("rebuilt")
''')

# Other ways a writer may change messages, each in its own process and transaction.
OTHER_WRITER = textwrap.dedent('''
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], timeout=30)
    action, message_id = sys.argv[2], sys.argv[3]
    if action == "replace":
        row = con.execute(\'SELECT * FROM "Messages" WHERE "Id" = ?\', (message_id,)).fetchone()
        con.execute(\'INSERT OR REPLACE INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)\',
                    (row[0], row[1], "an armadillo replaced it", *row[3:]))
    elif action == "delete-reinsert":
        row = con.execute(\'SELECT * FROM "Messages" WHERE "Id" = ?\', (message_id,)).fetchone()
        con.execute(\'DELETE FROM "Messages" WHERE "Id" = ?\', (message_id,))
        con.commit()
        con.execute(\'INSERT INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)\',
                    (row[0], row[1], "a wombat came back", *row[3:]))
    elif action == "vacuum":
        con.execute("VACUUM")
    elif action == "replace-new":
        con.execute(\'\'\'INSERT OR REPLACE INTO "Messages" ("Id", "SessionId", "Content",
            "Role", "Timestamp", "SequenceNumber") VALUES (?, ?, ?, 1, ?, 0)\'\'\',
            (message_id, sys.argv[4], "a brand new narwhal", "2024-06-02 00:00:00"))
    con.commit()
    print("done")
''')


def _run(script: str, *args: object) -> str:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _found(path: Path, text: str) -> list[str]:
    store = open_store(path)
    try:
        result = store.search.search(text)
        assert result.state is IndexState.READY, result.note
        return sorted(hit.message_id for hit in result.hits)
    finally:
        store.close()


@pytest.fixture
def prepared(tmp_path) -> Path:
    """A .NET file this application has opened and fully prepared (index built)."""
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    store = open_store(path)
    store.run_maintenance()
    assert store.search.state()[0] is IndexState.READY
    store.close()
    return path


def test_ef_core_can_rebuild_messages_in_a_file_we_prepared(prepared) -> None:
    assert _run(EF_REBUILD_MESSAGES, prepared, SESSION_ID) == "rebuilt"
    assert query(prepared, "PRAGMA integrity_check") == [("ok",)]
    assert query(prepared, 'SELECT count(*) FROM "Messages" WHERE "Edited" = 0') == [(95,)]


def test_after_a_rebuild_the_index_says_so_and_repairs_itself(prepared) -> None:
    _run(EF_REBUILD_MESSAGES, prepared, SESSION_ID)
    store = open_store(prepared)
    try:
        # the rebuild took the triggers with the old table: the index no longer says "ready"
        assert store.search.state()[0] is IndexState.BUILDING
        assert store.needs_maintenance()
        assert set(store.missing_objects()) >= {"desktop_messages_fts_insert",
                                                "desktop_ix_messages_session_sequence"}
        store.run_maintenance()
        assert store.missing_objects() == [] and not store.needs_maintenance()
        assert store.search.state()[0] is IndexState.READY
        assert len(store.search.search("porcupine", limit=500).hits) == 90
        assert store.search.check() == []
    finally:
        store.close()
    # and the triggers are back: the next message the other program writes is found at once
    _run(OTHER_WRITER, prepared, "replace-new", "newest-one", SESSION_ID)
    assert _found(prepared, "narwhal") == ["newest-one"]


def test_a_read_only_open_after_a_rebuild_scans_instead_of_trusting_the_index(prepared) -> None:
    _run(EF_REBUILD_MESSAGES, prepared, SESSION_ID)
    store = open_store(prepared, read_only=True)
    try:
        result = store.search.search("porcupine", limit=500)
        assert result.state is IndexState.UNAVAILABLE
        assert len(result.hits) == 90
    finally:
        store.close()


def test_insert_or_replace_leaves_no_stale_entry(prepared) -> None:
    target = MESSAGE_IDS[0]  # "Please refactor the tokenizer module."
    assert target in _found(prepared, "refactor")
    _run(OTHER_WRITER, prepared, "replace", target)
    assert target not in _found(prepared, "refactor")
    assert _found(prepared, "armadillo") == [target]
    store = open_store(prepared)
    try:
        assert store.search.check() == []
        assert store.search.index_is_consistent()
        assert [p for p in check_database(store).problems if "search" in p.lower()] == []
    finally:
        store.close()


def test_replaced_text_is_never_found_again_after_vacuum_and_reinserts(prepared) -> None:
    target = MESSAGE_IDS[1]
    for action in ("replace", "vacuum", "delete-reinsert", "replace", "vacuum"):
        _run(OTHER_WRITER, prepared, action, target)
    _run(OTHER_WRITER, prepared, "replace-new", "brand-new", SESSION_ID)
    assert _found(prepared, "tokenizer") == [MESSAGE_IDS[0]]  # the other mention stays
    assert _found(prepared, "armadillo") == [target]
    assert _found(prepared, "wombat") == []
    assert _found(prepared, "narwhal") == ["brand-new"]
    store = open_store(prepared)
    try:
        assert store.search.check() == [] and store.search.index_is_consistent()
    finally:
        store.close()


def test_the_open_window_repairs_the_index_after_a_rebuild(qtbot, prepared, tmp_path) -> None:
    window = open_window(qtbot, prepared, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    _run(EF_REBUILD_MESSAGES, prepared, SESSION_ID)
    # the window notices the change by itself, puts its triggers back and refills the index
    qtbot.waitUntil(lambda: window.store.missing_objects() == []
                    and window.store.search.state()[0] is IndexState.READY, timeout=20000)
    window.search.query.setText("porcupine")
    window.search.run_search()
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 50, timeout=5000)
    assert all(window.search.model.hit(row).message_id.startswith("after-rebuild-")
               for row in range(50))
