"""Big snapshot writes beside the .NET application: a second process writing as it does never
fails, the staging holds no lock, memory and listings do not grow with a snapshot, and what
cannot be right is refused in words (issue 14, items 5 and 9)."""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dotnet_files import (
    FORMS,
    SESSION_ID,
    add_messages,
    make_dotnet_database,
    make_form_database,
    query,
)
from orchestrator_desktop.data import json_stream, open_store, snapshot_staging
from orchestrator_desktop.data.errors import SnapshotFormatError
from orchestrator_desktop.data.snapshot_files import FILE_FORMAT
from processes import APP, kill_when

ROOT = Path(__file__).resolve().parents[1]
OTHER_SESSION = "empty-strings-session"
BIG = 30_000
# Microsoft.Data.Sqlite waits 30 s for the lock; the test's session is a tenth of the 300,000
# messages the goal names, so its writer waits a third of that.
WRITER_TIMEOUT = 10.0

WRITER = """
import os, sqlite3, sys, time
path, stop, session, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
con = sqlite3.connect(path, timeout=timeout, isolation_level=None)
n = 0
while not os.path.exists(stop):
    n += 1
    start = time.monotonic()
    try:
        con.execute('INSERT INTO "Messages" ("Id", "SessionId", "Content", "Role", '
                    '"Timestamp", "SequenceNumber") VALUES (?, ?, ?, 1, '
                    "'2024-06-01 00:00:00', ?)", (f"writer-{n}", session, f"writer {n}", n))
        print("ok", start, time.monotonic(), flush=True)
    except sqlite3.OperationalError as exc:
        print("failed", start, time.monotonic(), exc, flush=True)
    time.sleep(0.02)
"""


def _big_file(tmp_path: Path, count: int = BIG) -> tuple[Path, str]:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(path, SESSION_ID, count - 5, first_sequence=6,
                 text="message number {n} about the tokenizer " + "and its parser " * 20)
    store = open_store(path)
    store.run_maintenance()
    snapshot = store.snapshots.create(SESSION_ID, "big")
    store.close()
    return path, snapshot.id


def _with_writer(tmp_path: Path, path: Path, work) -> tuple[list[tuple[float, float]], list[str],
                                                               list[float]]:
    """Run `work(stages)` while a second process inserts a message every 20 ms; returns the
    writer's commits (start, end), its failures, and when `work` reported staging progress."""
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(WRITER), str(path),
                               str(stop), OTHER_SESSION, str(WRITER_TIMEOUT)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging: list[float] = []
    try:
        time.sleep(0.5)
        work(lambda fraction: staging.append(time.monotonic()) if fraction < 0.9 else None)
        time.sleep(0.3)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    commits, failures = [], []
    for line in out.splitlines():
        kind, start, end, *rest = line.split(" ", 3)
        if kind == "ok":
            commits.append((float(start), float(end)))
        else:
            failures.append(line)
    return commits, failures, staging


def _indexed(path: Path, session_id: str) -> int:
    """The session's messages that have a key in the search index."""
    return query(path, 'SELECT count(*) FROM "Messages" m JOIN "desktop_message_keys" k ON '
                 'k."MessageId" = m."Id" WHERE m."SessionId" = ?', session_id)[0][0]


def _lock_seconds(caplog) -> list[float]:
    return [float(m) for m in re.findall(r"write lock held ([\d.]+) s", caplog.text)]


@pytest.mark.parametrize("operation", ["restore", "revert"])
def test_a_writer_with_a_busy_timeout_never_fails_during_a_big_restore_or_revert(
        tmp_path, caplog, operation) -> None:
    path, snapshot_id = _big_file(tmp_path)
    if operation == "revert":  # most of the thread is gone since: the revert writes it again
        with sqlite3.connect(path) as con:
            con.execute('DELETE FROM "Messages" WHERE "SessionId" = ? AND "SequenceNumber" > ?',
                        (SESSION_ID, BIG // 10))
        con.close()
    store = open_store(path)
    caplog.set_level(logging.INFO, logger="orchestrator_desktop.data.snapshot_staging")
    results = []
    triggers = query(path, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "ORDER BY name")

    def work(progress) -> None:
        if operation == "restore":
            results.append(store.snapshots.restore(snapshot_id, progress=progress))
        else:
            results.append(store.snapshots.revert(snapshot_id, progress=progress))

    try:
        commits, failures, staging = _with_writer(tmp_path, path, work)
        assert failures == []
        landed = query(path, 'SELECT count(*) FROM "Messages" WHERE "Id" LIKE \'writer-%\'')
        assert landed == [(len(commits),)] and len(commits) > 10
        # the writer committed while the operation was staging: it held no lock then
        first, last = staging[0], staging[-1]
        assert any(first < end < last for _start, end in commits), (first, last)
        held = _lock_seconds(caplog)
        waits = max(end - start for start, end in commits)
        print(f"\n{operation} of {BIG:,} messages: write lock held {max(held):.2f} s "
              f"(transactions: {held}); the writer's longest insert {waits:.2f} s")
        # everything landed, and the index agrees (indexed after the commit)
        session_id = results[0].id if operation == "restore" else SESSION_ID
        assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                     session_id) == [(BIG,)]
        assert store.search.index_is_consistent() and store.search.check() == []
        assert query(path, 'SELECT count(*) FROM "desktop_fts_deferred"') == [(0,)]
        assert _indexed(path, session_id) == BIG
        assert store.search.search(f"{BIG - 1}").total == (2 if operation == "restore" else 1)
        # the search index's triggers are as they were (a restore drops some in its commit),
        # and a message written afterwards into the session is found
        assert query(path, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "ORDER BY name") == triggers
        add_messages(path, session_id, 1, first_sequence=BIG + 1, text="afterwards okapi")
        assert store.search.search("okapi").total == 1
    finally:
        store.close()
    assert not list(tmp_path.glob("*.staging"))


def _stored(path: Path, snapshot_id: str) -> tuple:
    return query(path, 'SELECT typeof(x."SessionStateJson"), json_valid(x."SessionStateJson"), '
                 'json_array_length(x."SessionStateJson", \'$.Messages\'), '
                 'length(CAST(x."SessionStateJson" AS BLOB)), f."Bytes", '
                 'CAST(x."SessionStateJson" AS TEXT), typeof(x."AgentStatesJson"), '
                 'CAST(x."AgentStatesJson" AS TEXT) FROM "SessionSnapshots" x JOIN '
                 '"desktop_snapshot_facts" f ON f."SnapshotId" = x."Id" WHERE x."Id" = ?',
                 snapshot_id)[0]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the blob API is Python 3.11+")
def test_a_big_document_is_stored_as_a_blob_of_its_text_and_read_as_before(
        tmp_path, monkeypatch) -> None:
    path, text_id = _big_file(tmp_path, 3_000)
    # a document from BLOB_FROM_BYTES on is written a piece at a time into a zeroblob (SQLite
    # holds a TEXT value whole, twice: 727 MB for a 361 MB one); a smaller one stays TEXT
    monkeypatch.setattr(snapshot_staging, "BLOB_FROM_BYTES", 1 << 20)
    store = open_store(path)
    try:
        blob_id = store.snapshots.create(SESSION_ID, "big as a blob").id
        as_text, as_blob = _stored(path, text_id), _stored(path, blob_id)
        assert as_text[0] == "text" and as_text[6] == "text"
        assert as_blob[0] == "blob" and as_blob[6] == "blob"
        # SQLite's JSON functions read it as text JSON, and what sqlite3_column_text gives
        # (Microsoft.Data.Sqlite's GetString, as EF Core reads the column) is the same document
        assert as_blob[1:3] == (1, 3_000) and as_blob[3] == as_blob[4] > 1 << 20
        assert as_blob[5] == as_text[5] and json.loads(as_blob[7]) == json.loads(as_text[7])
        _record, state, _agents = store.snapshots.load_state(blob_id)
        captured, _ = store.snapshots.capture(SESSION_ID)
        assert state["Messages"] == captured["Messages"]
        found = store.snapshots.compare(blob_id)
        assert (found.added, found.removed, found.changed, found.unchanged) == (0, 0, 0, 3_000)
        [listed] = [s for s in store.snapshots.for_session(SESSION_ID) if s.id == blob_id]
        assert listed.message_count == 3_000 and listed.size == as_blob[3]
        exported = json.loads(store.snapshots.export(blob_id, tmp_path / "out.json").read_text(
            encoding="utf-8"))
        assert exported["Snapshot"]["SessionStateJson"] == as_text[5]
        restored = store.snapshots.restore(blob_id)
        assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                     restored.id) == [(3_000,)]
        with sqlite3.connect(path) as con:
            con.execute('DELETE FROM "Messages" WHERE "SessionId" = ? AND "SequenceNumber" > '
                        "2990", (SESSION_ID,))
        con.close()
        result = store.snapshots.revert(blob_id)
        assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                     SESSION_ID) == [(3_000,)]
        assert _stored(path, result.safety_snapshot.id)[0] == "blob"
        assert query(path, "PRAGMA integrity_check") == [("ok",)]
    finally:
        store.close()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the blob API is Python 3.11+")
@pytest.mark.parametrize("form", FORMS)
def test_a_blob_snapshot_is_written_and_read_in_every_form_of_the_file(
        tmp_path, monkeypatch, form) -> None:
    path = make_form_database(tmp_path / "orchestrator.db", form)
    monkeypatch.setattr(snapshot_staging, "BLOB_FROM_BYTES", 0)
    session_id = query(path, 'SELECT "SessionId" FROM "Messages" GROUP BY "SessionId" '
                             'ORDER BY count(*) DESC LIMIT 1')[0][0]
    store = open_store(path)
    try:
        store.run_maintenance()
        snapshot = store.snapshots.create(session_id, "as a blob")
        assert query(path, 'SELECT typeof("SessionStateJson"), typeof("AgentStatesJson"), '
                           'json_valid("SessionStateJson") FROM "SessionSnapshots" WHERE '
                           '"Id" = ?', snapshot.id) == [("blob", "blob", 1)]
        restored = store.snapshots.restore(snapshot.id)
        assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                     restored.id) == query(path, 'SELECT count(*) FROM "Messages" WHERE '
                                                 '"SessionId" = ?', session_id)
        store.snapshots.revert(snapshot.id)
        found = store.snapshots.compare(snapshot.id)
        assert (found.added, found.removed, found.changed) == (0, 0, 0)
        assert query(path, "PRAGMA integrity_check") == [("ok",)]
    finally:
        store.close()


MEASURE = """
import resource, sys
from pathlib import Path
from orchestrator_desktop.cli import dispatch
from orchestrator_desktop.data import open_store
path, session_id, operation = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = open_store(path)
store.sessions.messages_page(session_id, limit=50)
snapshot_id = None if operation == "create" else store.snapshots.for_session(session_id)[0].id
store.close()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if operation == "create":
    code = dispatch.main(["snapshot", "create", "--db", str(path), "--name", "x", session_id])
else:
    code = dispatch.main(["snapshot", operation, "--db", str(path), snapshot_id])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(code, before, after, file=sys.stderr)
"""


@pytest.mark.skipif(sys.version_info < (3, 11) or sys.platform != "linux",
                    reason="the blob API is Python 3.11+; ru_maxrss in KiB on Linux")
@pytest.mark.parametrize("operation", ["create", "restore", "revert"])
def test_big_snapshot_writes_hold_a_piece_of_the_document_not_all_of_it(
        tmp_path, operation) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(path, SESSION_ID, 40_000, first_sequence=6,
                 text="message number {n} " + "about the tokenizer and its parser " * 40)
    if operation != "create":
        store = open_store(path)
        store.snapshots.create(SESSION_ID, "big")
        store.close()
    result = subprocess.run([sys.executable, "-c", MEASURE, str(path), SESSION_ID, operation],
                            capture_output=True, text=True, timeout=120)
    code, before, after = (int(word) for word in result.stderr.split()[-3:])
    assert code == 0, result.stderr
    size = query(path, 'SELECT max(length(CAST("SessionStateJson" AS BLOB))) FROM '
                 '"SessionSnapshots"')[0][0]
    grown = (after - before) * 1024
    print(f"\n{operation}, a {size / 1e6:.0f} MB document: peak memory grew {grown / 1e6:.0f} MB")
    assert size > 64 << 20  # over BLOB_FROM_BYTES
    # was twice the document to store one (the value read, then the row made of it), and
    # more than the document to restore or revert from the command line (decoded whole)
    assert grown < size // 4


def _rowids(path: Path, session_id: str = SESSION_ID) -> dict[str, int]:
    return dict(query(path, 'SELECT "Id", rowid FROM "Messages" WHERE "SessionId" = ?',
                      session_id))


def test_a_revert_writes_only_the_messages_that_differ(tmp_path) -> None:
    path, snapshot_id = _big_file(tmp_path, 8_000)
    before = _rowids(path)
    children = {t: query(path, f'SELECT * FROM "{t}" ORDER BY "Id"')
                for t in ("Attachments", "ToolCalls")}
    seed = dict(query(path, 'SELECT "Id", "Content" FROM "Messages" WHERE "SessionId" = ?',
                      SESSION_ID))
    # since the snapshot: 3 messages added, one edited, an attachment added to a fourth, a tool
    # call of a fifth changed
    added = add_messages(path, SESSION_ID, 3, first_sequence=9_000, text="added {n} zebra")
    edited, attached, tooled = (f"{SESSION_ID}-m{n:06d}" for n in (7_000, 7_001, 7_002))
    tool_message = query(path, 'SELECT "MessageId" FROM "ToolCalls" WHERE "Id" = ?',
                         "tool-1")[0][0]
    with sqlite3.connect(path) as con:
        con.execute('UPDATE "Messages" SET "Content" = \'edited giraffe\' WHERE "Id" = ?',
                    (edited,))
        con.execute('INSERT INTO "Attachments" VALUES (?,?,?,?,?,?,?,?)', (
            "att-new", attached, "new.txt", "text/plain", 3, None, None, "2024-06-01 00:00:00"))
        con.execute('UPDATE "ToolCalls" SET "Output" = \'changed\' WHERE "Id" = \'tool-1\'')
        con.execute('INSERT INTO "ToolCalls" VALUES (?,?,?,?,?,?,?,?,?)', (
            "tool-new", tooled, "grep", "{}", 1, "", None, "00:00:01", "2024-06-01 00:00:00"))
    con.close()
    add_messages(path, OTHER_SESSION, 1)  # above every rowid: a row written again moves
    store = open_store(path)
    try:
        assert store.search.search("zebra").total == 3
        store.snapshots.revert(snapshot_id)
        after = _rowids(path)
        assert set(after) == set(before) and not set(added) & set(after)
        rewritten = {mid for mid, rowid in after.items() if before[mid] != rowid}
        # on the old code every one of the 8,000 rows was deleted and inserted again
        assert rewritten == {edited, attached, tooled, tool_message}
        assert dict(query(path, 'SELECT "Id", "Content" FROM "Messages" WHERE "SessionId" = ?',
                          SESSION_ID)) == seed
        assert {t: query(path, f'SELECT * FROM "{t}" ORDER BY "Id"') for t in children} == \
            children
        assert store.search.search("zebra").total == 0
        assert store.search.search("giraffe").total == 0
        assert store.search.search("7000").total == 1
        assert store.search.index_is_consistent() and store.search.check() == []
    finally:
        store.close()


def test_a_revert_that_puts_back_thousands_indexes_them_after_its_commit(tmp_path) -> None:
    path, snapshot_id = _big_file(tmp_path, 8_000)
    with sqlite3.connect(path) as con:  # the other program removed most of the thread
        con.execute('DELETE FROM "Messages" WHERE "SessionId" = ? AND "SequenceNumber" > 1000',
                    (SESSION_ID,))
    con.close()
    add_messages(path, OTHER_SESSION, 1)  # above every rowid: a row written again moves
    kept = _rowids(path)
    store = open_store(path)
    try:
        assert store.search.search("7999").total == 0
        store.snapshots.revert(snapshot_id)
        after = _rowids(path)
        assert len(after) == 8_000 and all(after[mid] == rowid for mid, rowid in kept.items())
        assert query(path, 'SELECT count(*) FROM "desktop_fts_deferred"') == [(0,)]
        assert store.search.search("7999").total == 1 and _indexed(path, SESSION_ID) == 8_000
        assert store.search.index_is_consistent() and store.search.check() == []
    finally:
        store.close()


def test_a_session_changed_between_staging_and_commit_is_staged_again(tmp_path) -> None:
    path, snapshot_id = _big_file(tmp_path, 3_000)
    add_messages(path, SESSION_ID, 2, first_sequence=5_000, text="after the snapshot {n}")
    store = open_store(path)
    late: list[str] = []

    def progress(fraction: float) -> None:
        if fraction == 0.9 and not late:  # staged, not yet committed: another program writes
            late.extend(add_messages(path, SESSION_ID, 1, first_sequence=6_000,
                                     text="late arrival"))

    try:
        result = store.snapshots.revert(snapshot_id, progress=progress)
        # the safety snapshot holds the session as it really was just before the revert
        _record, state, _agents = store.snapshots.load_state(result.safety_snapshot.id)
        ids = {m["Id"] for m in state["Messages"]}
        assert late and late[0] in ids and len(ids) == 3_003
        assert len(_rowids(path)) == 3_000 and late[0] not in _rowids(path)
        assert store.search.search("arrival").total == 0
    finally:
        store.close()


def test_a_revert_killed_in_its_commit_leaves_nothing_and_search_right(tmp_path) -> None:
    path, snapshot_id = _big_file(tmp_path, 8_000)
    add_messages(path, SESSION_ID, 50, first_sequence=9_000, text="added later {n} zebra")
    before = {t: query(path, f'SELECT count(*) FROM "{t}"')[0][0]
              for t in ("Messages", "SessionSnapshots", "desktop_message_keys")}
    script = """
        import sys, time
        from orchestrator_desktop.data import open_store

        store = open_store(sys.argv[1])

        def progress(fraction):
            if fraction >= 0.95:
                print("in the commit", flush=True)
                time.sleep(120)

        store.snapshots.revert(sys.argv[2], progress=progress)
    """
    kill_when(path, script, "in the commit", snapshot_id)
    after = {t: query(path, f'SELECT count(*) FROM "{t}"')[0][0] for t in before}
    assert after == before
    store = open_store(path)
    try:
        assert store.search.search("zebra").total == 50
        result = store.snapshots.revert(snapshot_id)  # and it works afterwards
        assert store.search.search("zebra").total == 0  # the removed ones are never found
        assert store.search.search("7999").total == 1 and _indexed(path, SESSION_ID) == 8_000
        assert store.search.check() == []
        store.snapshots.revert(result.safety_snapshot.id)
        assert store.search.search("zebra").total == 50
    finally:
        store.close()


def test_a_restore_killed_before_indexing_is_indexed_by_the_next_maintenance(tmp_path) -> None:
    path, snapshot_id = _big_file(tmp_path, 8_000)
    script = """
        import sys
        from orchestrator_desktop.data import open_store

        store = open_store(sys.argv[1])
        store.search.fill_deferred = lambda *a, **k: print("committed", flush=True) or \\
            __import__("time").sleep(120)
        store.snapshots.restore(sys.argv[2])
    """
    kill_when(path, script, "committed", snapshot_id, wal=False)
    assert query(path, 'SELECT count(*) FROM "desktop_fts_deferred"') == [(1,)]
    store = open_store(path)
    try:
        copy = query(path, 'SELECT "Id" FROM "Sessions" WHERE "Name" LIKE \'%(Restored)\'')[0][0]
        # until then the copy is not found yet, and nothing wrong is
        assert store.search.search("7999").total == 1 and _indexed(path, copy) == 0
        store.run_maintenance()
        assert store.search.search("7999").total == 2 and _indexed(path, copy) == 8_000
        assert store.search.index_is_consistent()
    finally:
        store.close()


# -- item 9: limits ------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _state(messages: int, metadata: str = "{}") -> str:
    rows = ", ".join(
        f'{{"Id": "m{n}", "Content": "text {n}", "DesktopRow": {{"Id": "m{n}", "SessionId": '
        f'"s", "Role": 1, "Timestamp": "2024-01-01 00:00:00", "SequenceNumber": {n}, '
        f'"MetadataJson": {json.dumps(metadata)}, "Attachments": [], "ToolCalls": []}}}}'
        for n in range(messages))
    return ('{"Id": "s", "Messages": [' + rows + '], "DesktopFormat": '
            '"orchestrator-desktop/session-state", "DesktopVersion": 2, "DesktopSession": '
            '{"Id": "s", "Name": "x", "CreatedAt": "2024-01-01 00:00:00"}, '
            '"DesktopSessionAgents": [], "DesktopTeams": []}')


def _file(path: Path, state: str, count: int = 1) -> Path:
    row = {"Id": "x", "SessionId": SESSION_ID, "Name": "file", "Description": None,
           "CreatedAt": "2024-01-01 00:00:00", "MessageCount": count,
           "SessionStateJson": state, "AgentStatesJson": "{}"}
    path.write_text(json.dumps({"Format": FILE_FORMAT, "Version": 1, "Snapshot": row}),
                    encoding="utf-8")
    return path


def test_a_state_nested_100000_levels_deep_is_refused_in_words(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    store = open_store(path)
    deep = _state(1).replace('"DesktopTeams": []', f'"DesktopTeams": {_nested(100_000)}')
    with pytest.raises(SnapshotFormatError, match="nested too deeply"):
        store.snapshots.import_file(_file(tmp_path / "deep.json", deep))
    deep_file = tmp_path / "deep-file.json"
    deep_file.write_text('{"Format": ' + _nested(100_000) + "}", encoding="utf-8")
    with pytest.raises(SnapshotFormatError, match="nested too deeply"):
        store.snapshots.read_file(deep_file)
    assert query(path, 'SELECT count(*) FROM "SessionSnapshots"') == [(1,)]  # the .NET one
    store.close()
    # one the .NET application (or anyone) stored: restore says so and exits 1
    with sqlite3.connect(path) as con:
        con.execute('INSERT INTO "SessionSnapshots" VALUES (?,?,?,?,?,?,?,?)', (
            "deep", SESSION_ID, "deep", None, "2024-01-01 00:00:00", 0, deep, "{}"))
    con.close()
    result = subprocess.run([*APP, "--db", str(path), "snapshot",
                             "restore", "deep"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
                                 "XDG_STATE_HOME": str(tmp_path / "state")}, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


def test_a_big_file_is_read_a_message_at_a_time(tmp_path, monkeypatch) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    count = 20_000
    state = _state(count, metadata='{"note": "' + "x" * 200 + '"}')
    big = _file(tmp_path / "big.json", state, count)
    assert big.stat().st_size > 9_000_000
    spans: list[int] = []
    decoder = json_stream._DECODER

    class Watching:
        def raw_decode(self, text, pos):
            found, end = decoder.raw_decode(text, pos)
            spans.append(end - pos)
            return found, end

    loads: list[int] = []
    real_loads = json.loads
    monkeypatch.setattr(json_stream, "_DECODER", Watching())
    monkeypatch.setattr(json, "loads", lambda s, *a, **k: loads.append(len(s)) or
                        real_loads(s, *a, **k))
    store = open_store(path)
    try:
        record = store.snapshots.import_file(big)
        restored = store.snapshots.restore(record.id)
    finally:
        store.close()
    assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                 restored.id) == [(count,)]
    # no value decoded whole was bigger than one message; nothing parsed the document whole
    assert max(spans) < 2_000 and len(spans) > 2 * count
    assert max(loads, default=0) < 100_000


def test_listings_never_read_a_snapshots_document(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    store = open_store(path)
    store.run_maintenance()
    store.snapshots.create(SESSION_ID, "ours")
    statements: list[str] = []
    with store.reading():
        store.db.get_connection().set_trace_callback(statements.append)
        listed = store.snapshots.listing()
        mine = store.snapshots.for_session(SESSION_ID)
        store.db.get_connection().set_trace_callback(None)
    assert statements and not any("SessionStateJson" in s for s in statements)
    forms = {item.snapshot.name: (item.snapshot.format, item.snapshot.message_count)
             for item in listed}
    # ours described when taken; the .NET one by maintenance, once, in the background
    assert forms == {"ours": ("orchestrator-desktop/session-state", 5),
                     "Made by .NET": ("dotnet-session", 5)}
    assert {s.name for s in mine} == {"ours", "Made by .NET"}
    assert query(path, 'SELECT count(*) FROM "desktop_snapshot_facts"') == [(2,)]
    store.close()
