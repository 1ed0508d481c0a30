"""Snapshots: the versioned form, restore as a new session, revert in place, and refusals."""

from __future__ import annotations

import json
import sqlite3

import pytest
from dotnet_files import AGENT_ID, MESSAGE_IDS, SESSION_ID
from orchestrator_desktop.data import DataError, NotFoundError, SnapshotFormatError, ValidationError
from orchestrator_desktop.data.enums import MessageRole
from orchestrator_desktop.data.schema import COLUMNS
from orchestrator_desktop.data.snapshots import FORMAT, Cancelled


def _con(store) -> sqlite3.Connection:
    return sqlite3.connect(store.path)


def _session_rows(store, session_id: str) -> dict[str, list[dict]]:
    """Every row belonging to the session, as column dicts, in a stable order."""
    con = _con(store)
    con.row_factory = sqlite3.Row

    def fetch(sql: str) -> list[dict]:
        return [dict(row) for row in con.execute(sql, (session_id,))]

    result = {
        "Sessions": fetch('SELECT * FROM "Sessions" WHERE "Id" = ?'),
        "Messages": fetch('SELECT * FROM "Messages" WHERE "SessionId" = ? '
                          'ORDER BY "SequenceNumber", "Id"'),
        "Attachments": fetch('SELECT a.* FROM "Attachments" a JOIN "Messages" m ON m."Id" = '
                             'a."MessageId" WHERE m."SessionId" = ? ORDER BY a."FileName"'),
        "ToolCalls": fetch('SELECT t.* FROM "ToolCalls" t JOIN "Messages" m ON m."Id" = '
                           't."MessageId" WHERE m."SessionId" = ? ORDER BY t."ToolName"'),
        "SessionAgents": fetch('SELECT * FROM "SessionAgents" WHERE "SessionId" = ? '
                               'ORDER BY "AgentId"'),
    }
    con.close()
    return result


def test_snapshot_records_the_versioned_form(dotnet_store) -> None:
    snapshot = dotnet_store.snapshots.create(SESSION_ID, "Before the refactor")
    assert snapshot.message_count == 5 and snapshot.name == "Before the refactor"
    assert snapshot.format == FORMAT and snapshot.size > 0
    raw_state, raw_agents = _con(dotnet_store).execute(
        'SELECT "SessionStateJson", "AgentStatesJson" FROM "SessionSnapshots" WHERE "Id" = ?',
        (snapshot.id,)).fetchone()
    state, agents = json.loads(raw_state), json.loads(raw_agents)
    assert state["DesktopFormat"] == FORMAT and state["DesktopVersion"] == 2
    assert list(state["DesktopSession"]) == list(COLUMNS["Sessions"])
    assert [m["Id"] for m in state["Messages"]] == MESSAGE_IDS
    assert state["Messages"][2]["DesktopRow"]["ToolCalls"][1]["ExecutionTime"] == \
        "1.02:03:04.0000001"
    assert set(agents) == {AGENT_ID, "default-claude"}
    assert agents[AGENT_ID]["Configuration"]["Model"] == "gpt-4"
    default = dotnet_store.snapshots.create(SESSION_ID)
    assert default.name.startswith("Refactor the parser at ")
    assert default.description == "Snapshot of Refactor the parser"


def test_restore_copies_every_field_with_new_ids_and_remapped_parents(dotnet_store) -> None:
    original = _session_rows(dotnet_store, SESSION_ID)
    snapshot = dotnet_store.snapshots.create(SESSION_ID, "Copy me")
    restored = dotnet_store.snapshots.restore(snapshot.id)
    assert restored.name == "Refactor the parser (Restored)" and restored.id != SESSION_ID
    copy = _session_rows(dotnet_store, restored.id)
    old_session, new_session = original["Sessions"][0], copy["Sessions"][0]
    for column in COLUMNS["Sessions"]:
        if column not in ("Id", "Name"):  # the dates too: the copy is the session as it was
            assert new_session[column] == old_session[column], column
    id_map = {}
    assert len(copy["Messages"]) == len(original["Messages"]) == 5
    for old, new in zip(original["Messages"], copy["Messages"], strict=True):
        assert new["Id"] != old["Id"] and new["SessionId"] == restored.id
        id_map[old["Id"]] = new["Id"]
        for column in COLUMNS["Messages"]:
            if column not in ("Id", "SessionId", "ParentMessageId"):
                assert new[column] == old[column], column
    for old, new in zip(original["Messages"], copy["Messages"], strict=True):
        parent = old["ParentMessageId"]
        assert new["ParentMessageId"] == id_map.get(parent, parent)
    assert copy["Messages"][3]["ParentMessageId"] == "no-such-parent"  # dangling stays as it was
    for table in ("Attachments", "ToolCalls"):
        assert len(copy[table]) == len(original[table])
        for old, new in zip(original[table], copy[table], strict=True):
            assert new["Id"] != old["Id"] and new["MessageId"] == id_map[old["MessageId"]]
            for column in COLUMNS[table]:
                if column not in ("Id", "MessageId"):
                    assert new[column] == old[column], (table, column)
    def members(rows: list[dict]) -> list[tuple]:
        return [(m["AgentId"], m["JoinedAt"], m["LeftAt"], m["Role"]) for m in rows]

    assert members(copy["SessionAgents"]) == members(original["SessionAgents"])
    assert _session_rows(dotnet_store, SESSION_ID) == original  # the source is untouched
    hits = dotnet_store.search.search("tokenizer", limit=10).hits
    assert {hit.session_id for hit in hits} == {SESSION_ID, restored.id}


def test_restore_brings_back_an_agent_deleted_since(store) -> None:
    agent = store.agents.create("Temporary", model="m1")
    session = store.sessions.create("Uses a temporary agent")
    store.sessions.add_message(session.id, "hi", MessageRole.Assistant, agent_id=agent.id)
    store.memberships.add(session_id=session.id, agent_id=agent.id, role="Primary")
    snapshot = store.snapshots.create(session.id, "with agent")
    con = _con(store)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute('DELETE FROM "Agents" WHERE "Id" = ?', (agent.id,))
    con.commit()
    con.close()
    restored = store.snapshots.restore(snapshot.id)
    assert store.agents.with_configuration(agent.id).configuration.model == "m1"
    assert store.sessions.members(restored.id)[0].agent_name == "Temporary"


def test_revert_in_place_takes_a_safety_snapshot_first(dotnet_store) -> None:
    before = _session_rows(dotnet_store, SESSION_ID)
    snapshot = dotnet_store.snapshots.create(SESSION_ID, "Good state")
    dotnet_store.sessions.add_message(SESSION_ID, "a wrong turn", MessageRole.User)
    dotnet_store.messages.delete(MESSAGE_IDS[0])
    dotnet_store.sessions.update(SESSION_ID, name="Changed")
    result = dotnet_store.snapshots.revert(snapshot.id)
    assert result.safety_snapshot.name == "Before reverting to “Good state”"
    assert result.safety_snapshot.message_count == 5  # 5 - 1 deleted + 1 added
    after = _session_rows(dotnet_store, SESSION_ID)
    for table in ("Messages", "Attachments", "ToolCalls", "SessionAgents"):
        assert after[table] == before[table], table
    for column in COLUMNS["Sessions"]:
        if column != "LastActivityAt":
            assert after["Sessions"][0][column] == before["Sessions"][0][column], column
    names = {s.name for s in dotnet_store.snapshots.for_session(SESSION_ID)}
    assert {"Good state", "Before reverting to “Good state”"} <= names
    assert dotnet_store.search.search("wrong turn").hits == ()
    dotnet_store.snapshots.revert(result.safety_snapshot.id)  # and back again
    assert dotnet_store.search.search("wrong turn").hits[0].session_id == SESSION_ID


def test_cancelled_restore_leaves_nothing_behind(store) -> None:
    session = store.sessions.create("Big")
    with store.unit_of_work():
        for n in range(4500):
            store.sessions.add_message(session.id, f"message {n}", MessageRole.User)
    snapshot = store.snapshots.create(session.id, "big")
    before = {t: _con(store).execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("Sessions", "Messages", "desktop_message_keys")}
    steps = []
    with pytest.raises(Cancelled, match="nothing was changed"):
        store.snapshots.restore(snapshot.id, progress=steps.append,
                                should_stop=lambda: len(steps) >= 1)
    after = {t: _con(store).execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
             for t in ("Sessions", "Messages", "desktop_message_keys")}
    assert after == before and steps == [0.9 * 2000 / 4500]  # staging is 90% of the way


def test_dotnet_shaped_snapshot_restores_as_a_new_session(dotnet_store) -> None:
    restored = dotnet_store.snapshots.restore("dotnet-snap")
    assert restored.name == "Refactor the parser (Restored)"
    assert dotnet_store.sessions.messages_page(restored.id).messages == ()
    listed = dotnet_store.snapshots.for_session(SESSION_ID)
    assert [s.id for s in listed] == ["dotnet-snap"] and listed[0].format == "dotnet-session"


@pytest.mark.parametrize(("state", "words"), [
    (None, "holds no session state"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"Format": "orchestrator-desktop/session-state", "Version": 7}', "newer version"),
    ('{"Format": "orchestrator-desktop/session-state", "Version": 1, "Session": {}}',
     "incomplete or damaged"),
    ('{"Whatever": 1}', "does not know"),
])
def test_unreadable_snapshots_are_refused_without_writing(store, state, words) -> None:
    session = store.sessions.create("s")
    store.snapshots.add(id="bad", session_id=session.id, name="bad", session_state_json=state)
    with pytest.raises(SnapshotFormatError, match=words):
        store.snapshots.restore("bad")
    with pytest.raises(SnapshotFormatError, match=words):
        store.snapshots.revert("bad")
    assert store.sessions.count() == 1 and store.snapshots.count() == 1


def test_missing_snapshot_or_session(store) -> None:
    with pytest.raises(NotFoundError):
        store.snapshots.restore("nope")
    with pytest.raises(NotFoundError):
        store.snapshots.create("nope", "x")
    session = store.sessions.create("s")
    renamed = store.snapshots.rename(store.snapshots.create(session.id, "a").id, "b", "desc")
    assert (renamed.name, renamed.description) == ("b", "desc")


# -- comparing, exporting, importing and listing ---------------------------------------------


def test_compare_lists_added_removed_and_changed_messages(dotnet_store) -> None:
    store = dotnet_store
    snapshot = store.snapshots.create(SESSION_ID, "then")
    same = store.snapshots.compare(snapshot.id)
    assert same.is_same and same.unchanged == 5 and same.changes == ()
    added = store.sessions.add_message(SESSION_ID, "new", MessageRole.User)
    store.messages.delete(MESSAGE_IDS[0])
    store.messages.update(MESSAGE_IDS[1], content="edited", role=MessageRole.System)
    store.tool_calls.delete("tool-1")
    store.attachments.update("att-1", file_name="renamed.py")
    store.sessions.update(SESSION_ID, name="Renamed")
    result = store.snapshots.compare(snapshot.id)
    assert (result.added, result.removed, result.changed, result.unchanged) == (1, 1, 2, 2)
    assert result.session_fields == ("name",) and not result.members_changed
    by_id = {c.message_id: c for c in result.changes}
    assert by_id[added.id].kind == "added" and by_id[added.id].after == "new"
    removed = by_id[MESSAGE_IDS[0]]
    assert removed.kind == "removed" and removed.before.startswith("Please refactor")
    edited = by_id[MESSAGE_IDS[1]]
    assert edited.fields == ("content", "role", "attachments")
    assert (edited.before[:10], edited.after) == ("Looking at", "edited")
    assert by_id[MESSAGE_IDS[2]].fields == ("tool calls",)
    assert [c.sequence_number for c in result.changes] == [1, 2, 3, 6]  # in position order
    store.memberships.delete((SESSION_ID, AGENT_ID))
    assert store.snapshots.compare(snapshot.id).members_changed
    limited = store.snapshots.compare(snapshot.id, limit=1)
    assert len(limited.changes) == 3 and limited.changed == 2 and limited.truncated
    store.snapshots.revert(snapshot.id)
    assert store.snapshots.compare(snapshot.id).is_same  # reverting undoes every difference


def test_compare_reads_dotnet_snapshots_and_refuses_missing_sessions(dotnet_store) -> None:
    result = dotnet_store.snapshots.compare("dotnet-snap")  # it holds no messages
    assert result.added == 5 and result.removed == 0
    with pytest.raises(NotFoundError):
        dotnet_store.snapshots.compare("no-such-snapshot")


def test_compare_of_a_large_session_runs_in_sqlite(tmp_path) -> None:
    import time

    from dotnet_files import add_messages, make_dotnet_database
    from orchestrator_desktop.data import open_store

    path = make_dotnet_database(tmp_path / "big.db")
    add_messages(path, SESSION_ID, 19_995, first_sequence=6)
    store = open_store(path)
    try:
        snapshot = store.snapshots.create(SESSION_ID, "big")
        add_messages(path, SESSION_ID, 10, first_sequence=20_001)
        started = time.perf_counter()
        result = store.snapshots.compare(snapshot.id)
        assert time.perf_counter() - started < 10  # a quadratic plan takes minutes here
        assert (result.added, result.removed, result.changed, result.unchanged) == \
            (10, 0, 0, 20_000)
    finally:
        store.close()


def test_export_and_import_keep_every_byte(dotnet_store, tmp_path) -> None:
    store = dotnet_store
    snapshot = store.snapshots.create(SESSION_ID, "Trip", "with “quotes” and emoji 🎉")
    (tmp_path / "out").mkdir()
    written = store.snapshots.export(snapshot.id, tmp_path / "out" / "trip.json")
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["Format"] == "orchestrator-desktop/snapshot-file"
    assert document["Version"] == 1 and list(document["Snapshot"]) == \
        list(COLUMNS["SessionSnapshots"])
    assert not (tmp_path / "out" / "trip.json.partial").exists()
    imported = store.snapshots.import_file(written)
    assert imported.id != snapshot.id and imported.session_id == SESSION_ID
    con = _con(store)
    rows = [con.execute('SELECT * FROM "SessionSnapshots" WHERE "Id" = ?', (i,)).fetchone()
            for i in (snapshot.id, imported.id)]
    assert rows[0][1:] == rows[1][1:]
    other = store.sessions.create("Somewhere else")
    elsewhere = store.snapshots.import_file(written, other.id)
    assert elsewhere.session_id == other.id
    restored = store.snapshots.restore(elsewhere.id)
    assert restored.name == "Refactor the parser (Restored)"
    dotnet = store.snapshots.export("dotnet-snap", tmp_path / "dotnet.json")
    copy = store.snapshots.import_file(dotnet)
    assert copy.format == "dotnet-session" and copy.message_count == 5  # kept as it is
    assert store.snapshots.restore(copy.id).name == "Refactor the parser (Restored)"


@pytest.mark.parametrize(("content", "error", "words"), [
    (b"\xff\xfe not text", SnapshotFormatError, "not text"),
    ("{oops", SnapshotFormatError, "not valid JSON"),
    ('{"Format": "something else"}', SnapshotFormatError, "not an OrchestratorChat Desktop"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 9, "Snapshot": {}}',
     SnapshotFormatError, "newer version"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 1}', SnapshotFormatError,
     "holds no snapshot"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 1, "Snapshot": '
     '{"CreatedAt": "yesterday", "MessageCount": 1}}', ValidationError, "CreatedAt"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 1, "Snapshot": '
     '{"CreatedAt": "2024-01-01 00:00:00", "MessageCount": -1}}', ValidationError,
     "MessageCount"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 1, "Snapshot": '
     '{"CreatedAt": "2024-01-01 00:00:00", "MessageCount": 1, "Name": 5}}', ValidationError,
     "Name"),
    ('{"Format": "orchestrator-desktop/snapshot-file", "Version": 1, "Snapshot": '
     '{"CreatedAt": "2024-01-01 00:00:00", "MessageCount": 1, "SessionStateJson": '
     '"{\\"Format\\": \\"orchestrator-desktop/session-state\\", \\"Version\\": 1}"}}',
     SnapshotFormatError, "incomplete or damaged"),
])
def test_import_refuses_a_bad_file_without_writing(store, tmp_path, content, error,
                                                   words) -> None:
    session = store.sessions.create("s")
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=words):
        store.snapshots.import_file(path, session.id)
    assert store.snapshots.count() == 0


def test_import_needs_a_session_that_exists(store, dotnet_store, tmp_path) -> None:
    written = dotnet_store.snapshots.export(
        dotnet_store.snapshots.create(SESSION_ID, "from elsewhere").id, tmp_path / "s.json")
    with pytest.raises(ValidationError, match="choose a session"):
        store.snapshots.import_file(written)
    with pytest.raises(NotFoundError):
        store.snapshots.import_file(written, "no-such-session")
    with pytest.raises(DataError, match="Cannot read"):
        store.snapshots.import_file(tmp_path / "missing.json")
    assert store.snapshots.count() == 0


def test_listing_covers_one_or_every_session_with_names(dotnet_store) -> None:
    store = dotnet_store
    other = store.sessions.create("Other")
    mine = store.snapshots.create(SESSION_ID, "mine")
    theirs = store.snapshots.create(other.id, "theirs")
    listed = store.snapshots.listing()
    assert [item.snapshot.id for item in listed] == [theirs.id, mine.id, "dotnet-snap"]
    assert [item.session_name for item in listed] == \
        ["Other", "Refactor the parser", "Refactor the parser"]
    assert all(item.session_exists for item in listed)
    assert listed[1].snapshot == mine  # the same record the repository gives
    assert [item.snapshot.id for item in store.snapshots.listing(SESSION_ID)] == \
        [mine.id, "dotnet-snap"]
    assert store.snapshots.listing(SESSION_ID, limit=1)[0].snapshot.id == mine.id


# -- the form both applications read -----------------------------------------------------------

_ISO = __import__("re").compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")


def _as_net_session(document: dict) -> None:
    """Check each property System.Text.Json maps onto the Core `Session` (and `AgentMessage`)
    has the JSON type its deserialiser requires: it throws on any other."""
    def text(value):  # string, or null
        assert value is None or isinstance(value, str), value

    def enum(value):
        assert isinstance(value, int) and not isinstance(value, bool), value

    def date(value):
        assert isinstance(value, str) and _ISO.match(value), value

    text(document["Id"])
    text(document["Name"])
    enum(document["Type"])
    enum(document["Status"])
    date(document["CreatedAt"])
    date(document["LastActivityAt"])
    assert isinstance(document["ParticipantAgentIds"], list)
    assert all(isinstance(a, str) for a in document["ParticipantAgentIds"])
    assert isinstance(document["ParticipantAgents"], list)
    assert isinstance(document["Context"], dict)
    text(document["WorkingDirectory"])
    text(document["ProjectId"])
    assert isinstance(document["Messages"], list)
    for message in document["Messages"]:
        for key in ("Id", "Content", "AgentId", "SessionId", "ParentMessageId", "SenderId"):
            text(message[key])
        enum(message["Role"])
        date(message["Timestamp"])
        assert isinstance(message["Attachments"], list)
        assert isinstance(message["Metadata"], dict)


def test_our_snapshot_reads_as_the_dotnet_session(dotnet_store) -> None:
    snapshot = dotnet_store.snapshots.create(SESSION_ID, "for both")
    raw = _con(dotnet_store).execute('SELECT "SessionStateJson" FROM "SessionSnapshots" '
                                     'WHERE "Id" = ?', (snapshot.id,)).fetchone()[0]
    document = json.loads(raw)
    _as_net_session(document)
    assert document["Id"] == SESSION_ID and document["Type"] == 2 and document["Status"] == 1
    assert document["CreatedAt"] == "2024-01-30T09:05:00.1234567Z"
    assert [m["Id"] for m in document["Messages"]] == MESSAGE_IDS
    assert document["Messages"][1]["Metadata"] == {"Model": "gpt-4"}
    assert document["Context"] == {"Goal": "refactor", "Depth": 3}


def test_a_version_1_snapshot_still_restores(dotnet_store) -> None:
    from orchestrator_desktop.data.database import new_id

    state = {"Format": FORMAT, "Version": 1,
             "Session": dict(zip(COLUMNS["Sessions"], _con(dotnet_store).execute(
                 'SELECT * FROM "Sessions" WHERE "Id" = ?', (SESSION_ID,)).fetchone(),
                 strict=True)),
             "Messages": [dict(zip(COLUMNS["Messages"], row, strict=True),
                               Attachments=[], ToolCalls=[])
                          for row in _con(dotnet_store).execute(
                 'SELECT * FROM "Messages" WHERE "SessionId" = ?', (SESSION_ID,))],
             "SessionAgents": []}
    snapshot_id = new_id()
    dotnet_store.snapshots.add(id=snapshot_id, session_id=SESSION_ID, name="old form",
                               message_count=5, session_state_json=json.dumps(state))
    restored = dotnet_store.snapshots.restore(snapshot_id)
    assert len(dotnet_store.sessions.messages_page(restored.id).messages) == 5
