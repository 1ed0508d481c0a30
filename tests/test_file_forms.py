"""Every file form the application meets: the seed's, today's upgraded and fresh ones, and a
later one with a column and a table we do not know. Reading, every kind of write, and what is
left alone, each checked on each form in the file itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from dotnet_files import (
    AGENT_ID,
    NET_SNAPSHOT_ID,
    SESSION_ID,
    THREAD_ORDER,
    TODAY_SESSION_ID,
    make_form_database,
    query,
    query_one,
)
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.enums import AgentType, MessageRole
from orchestrator_desktop.data.samples import load_samples
from processes import APP


def session_of(store) -> str:
    return SESSION_ID if store.test_form == "seed" else TODAY_SESSION_ID


def not_null_violations(path: Path) -> list[tuple]:
    """(table, column) pairs holding NULL where the file's schema says NOT NULL."""
    con = sqlite3.connect(path)
    try:
        found = []
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for _cid, name, _type, notnull, _d, _pk in con.execute(f'PRAGMA table_info("{table}")'):
                if notnull and con.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{name}" IS NULL').fetchone()[0]:
                    found.append((table, name))
        return found
    finally:
        con.close()


def test_the_form_is_told_from_the_schema(form_store) -> None:
    expected = {"seed": "seed", "upgraded": "upgraded", "fresh": "fresh", "later": "fresh"}
    assert form_store.form.name == expected[form_store.test_form]
    if form_store.test_form == "later":
        assert form_store.form.unknown_tables() == ["Workspaces"]
        assert form_store.form.unknown_columns() == ["Messages.Channel", "Sessions.Priority"]
        assert "later version" in form_store.form.describe()
    else:
        assert not form_store.form.unknown_tables() and not form_store.form.unknown_columns()


def test_a_new_agent_fills_every_not_null_column(form_store, form_path) -> None:
    agent = form_store.agents.create("Planner", AgentType.Custom, model="gpt-4")
    row = query_one(form_path, 'SELECT "Name", "Description", "WorkingDirectory" FROM "Agents" '
                               'WHERE "Id" = ?', agent.id)
    strict = form_store.test_form != "seed"
    assert row == ("Planner", "" if strict else None, "" if strict else None)
    if strict:
        assert query_one(form_path, 'SELECT "IsDefault" FROM "Agents" WHERE "Id" = ?',
                         agent.id) == (0,)
        assert query_one(form_path, 'SELECT "SystemPrompt", "CapabilitiesJson" FROM '
                                    '"AgentConfigurations" WHERE "AgentId" = ?',
                         agent.id) == ("", "")
    assert not_null_violations(form_path) == []


def test_duplicate_copies_an_agent_on_every_form(form_store, form_path) -> None:
    seed = form_store.test_form == "seed"
    copy = form_store.agents.duplicate(AGENT_ID if seed else "default-claude")
    assert copy.name == ("Copy of Researcher" if seed else "Copy of Claude Assistant")
    assert query_one(form_path, 'SELECT "Model" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                     copy.id) == ("gpt-4" if seed else "claude-3-sonnet-20240229",)
    assert not_null_violations(form_path) == []


def test_sessions_and_messages_are_written_on_every_form(form_store, form_path) -> None:
    session = form_store.sessions.create("Fresh start")
    message = form_store.sessions.add_message(session.id, "hello", MessageRole.User)
    form_store.sessions.import_messages(session.id, [
        {"content": "one", "role": MessageRole.Assistant},
        {"content": "two", "role": MessageRole.User, "tool_calls": [{"tool_name": "ls"}]}])
    assert [m.content for m in form_store.sessions.messages_page(session.id).messages] == [
        "hello", "one", "two"]
    stored = query_one(form_path, 'SELECT "AgentId", "ParentMessageId" FROM "Messages" '
                                  'WHERE "Id" = ?', message.id)
    if form_store.test_form == "seed":
        assert stored == (None, None)
    else:  # today's form needs a real agent and "" for "no parent"
        assert stored == ("default-claude", "")
    if form_store.test_form == "later":
        assert query(form_path, 'SELECT DISTINCT "Priority" FROM "Sessions" WHERE "Id" = ?',
                     session.id) == [(0,)]
        assert query(form_path, 'SELECT DISTINCT "Channel" FROM "Messages" WHERE "SessionId" = ?',
                     session.id) == [("",)]
    assert not_null_violations(form_path) == []


def test_updates_touch_only_the_columns_they_change(form_store, form_path) -> None:
    sid = session_of(form_store)
    before = query_one(form_path, 'SELECT * FROM "Sessions" WHERE "Id" = ?', sid)
    form_store.sessions.update(sid, name="Renamed")
    after = query_one(form_path, 'SELECT * FROM "Sessions" WHERE "Id" = ?', sid)
    names = [c[1] for c in query(form_path, 'PRAGMA table_info("Sessions")')]
    changed = [n for n, a, b in zip(names, before, after, strict=True) if a != b]
    assert changed == ["Name"]


def test_unknown_tables_and_columns_stay_exactly_as_they_are(tmp_path) -> None:
    path = make_form_database(tmp_path / "later.db", "later")
    before = (query(path, 'SELECT * FROM "Workspaces"'),
              query(path, 'SELECT "Id", "Priority" FROM "Sessions"'),
              query(path, "SELECT sql FROM sqlite_master WHERE name = 'Workspaces'"))
    store = open_store(path)
    store.run_maintenance()
    store.sessions.update(TODAY_SESSION_ID, name="Renamed")
    store.snapshots.restore(store.snapshots.create(TODAY_SESSION_ID).id)
    store.close()
    assert query(path, 'SELECT * FROM "Workspaces"') == before[0]
    assert (TODAY_SESSION_ID, 2) in query(path, 'SELECT "Id", "Priority" FROM "Sessions"')
    assert query(path, "SELECT sql FROM sqlite_master WHERE name = 'Workspaces'") == before[2]


def test_snapshot_restore_and_revert_on_every_form(form_store, form_path) -> None:
    sid = session_of(form_store)
    snapshot = form_store.snapshots.create(sid, "mine")
    restored = form_store.snapshots.restore(snapshot.id)
    original = [m.content for m in form_store.sessions.messages_page(sid).messages]
    assert [m.content for m in form_store.sessions.messages_page(restored.id).messages] == original
    form_store.sessions.add_message(sid, "after the snapshot", MessageRole.User)
    form_store.snapshots.revert(snapshot.id)
    assert [m.content for m in form_store.sessions.messages_page(sid).messages] == original
    assert not_null_violations(form_path) == []


def test_snapshot_export_and_import_on_every_form(form_store, form_path, tmp_path) -> None:
    sid = session_of(form_store)
    snapshot = form_store.snapshots.create(sid, "to export")
    exported = form_store.snapshots.export(snapshot.id, tmp_path / "snap.json")
    imported = form_store.snapshots.import_file(exported)
    assert imported.session_id == sid and imported.name == "to export"
    assert not_null_violations(form_path) == []


def test_sample_sessions_load_on_every_form(form_store, form_path) -> None:
    result = load_samples(form_store)
    assert result.added
    for session_id in result.added:
        assert form_store.sessions.messages_page(session_id).messages
    assert not_null_violations(form_path) == []


def test_a_dotnet_snapshot_restores_as_a_new_session(form_store) -> None:
    if form_store.test_form == "seed":
        pytest.skip("the seed's fixture holds a .NET snapshot without messages")
    restored = form_store.snapshots.restore(NET_SNAPSHOT_ID)
    contents = [m.content for m in form_store.sessions.messages_page(restored.id).messages]
    assert contents == ["Please review the parser change.", "Reading it now.",
                        "I can help with the tests.", "Thanks, both of you."][:len(contents)]
    assert len(contents) == 4
    assert restored.name == "Review the parser (Restored)"
    assert restored.context.mapping() == {"Goal": "review"}


def test_threads_read_in_time_order(form_store) -> None:
    if form_store.test_form == "seed":
        pytest.skip("the seed's fixture numbers its messages")
    page = form_store.sessions.messages_page(TODAY_SESSION_ID)
    assert [m.id for m in page.messages] == THREAD_ORDER
    assert [m.position for m in page.messages] == [1, 2, 3, 4, 5]


ZEBU = (3, 4, 5, 9, 30, 31)  # three hits at one time, two at another, one alone


def test_paging_jumps_and_positions_agree_with_time_order(tmp_path) -> None:
    """Many messages with repeated timestamps and SequenceNumber 0, as the .NET app writes
    them: pages both ways, the last page, a jump to a hit and positions all follow one order."""
    import uuid

    path = make_form_database(tmp_path / "fresh.db", "fresh")
    con = sqlite3.connect(path)
    rows = [(str(uuid.UUID(int=(n * 7919) % 1000 * 2**64 + n)), TODAY_SESSION_ID,
             f"m{n}" + (" okapi" if n % 7 == 3 else "") + (" zebu" if n in ZEBU else ""),
             n % 2, "default-claude", "", f"2025-09-01 10:{n // 3:02d}:00", 0, "", "")
            for n in range(60)]
    con.executemany('INSERT INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)', rows)
    con.commit()
    expected = [row[0] for row in con.execute(
        'SELECT "Id" FROM "Messages" WHERE "SessionId" = ? ORDER BY "Timestamp", "Id"',
        (TODAY_SESSION_ID,))]
    con.close()
    store = open_store(path)  # before maintenance: no time-order index yet, pages still come
    assert not query(path, "SELECT 1 FROM sqlite_master WHERE name = "
                           "'desktop_ix_messages_session_time'")
    first = store.sessions.messages_page(TODAY_SESSION_ID, limit=10)
    assert [m.id for m in first.messages] == expected[:10]
    store.run_maintenance()
    assert query(path, "SELECT 1 FROM sqlite_master WHERE name = "
                       "'desktop_ix_messages_session_time'")
    walked, page = [], store.sessions.messages_page(TODAY_SESSION_ID, limit=7)
    while True:
        walked += [(m.id, m.position) for m in page.messages]
        if not page.has_after:
            break
        page = store.sessions.messages_page(TODAY_SESSION_ID, after=page.last_cursor, limit=7)
    assert walked == [(mid, n) for n, mid in enumerate(expected, 1)]
    last = store.sessions.messages_page(TODAY_SESSION_ID, last=True, limit=8)
    assert [(m.id, m.position) for m in last.messages] == [
        (mid, n) for n, mid in enumerate(expected, 1)][-8:]
    # the window knows the length from the thread's extent, read just before: not counted again
    statements: list[str] = []
    with store.reading():
        store.db.get_connection().set_trace_callback(statements.append)
        extent = store.sessions.thread_extent(TODAY_SESSION_ID)
        known = store.sessions.messages_page(TODAY_SESSION_ID, last=True, limit=8,
                                             total=extent.count)
        store.db.get_connection().set_trace_callback(None)
    assert known == last
    assert sum("count(*)" in statement for statement in statements) == 1
    back = store.sessions.messages_page(TODAY_SESSION_ID, before=last.first_cursor, limit=8)
    assert [m.id for m in back.messages] == expected[-16:-8]
    target = expected[33]
    around = store.sessions.messages_around(TODAY_SESSION_ID, target, context=3)
    assert [m.id for m in around.messages] == expected[30:37]
    assert [m.position for m in around.messages] == list(range(31, 38))
    assert store.sessions.message_position(TODAY_SESSION_ID, target) == 33
    hits = store.search.search("m33").hits
    assert [(h.message_id, h.position) for h in hits] == [
        (rows[33][0], expected.index(rows[33][0]) + 1)]
    # several hits in one thread: each counted from the one before it, summed along the thread
    hits = store.search.search("okapi", limit=50).hits
    assert sorted((h.message_id, h.position) for h in hits) == sorted(
        (row[0], expected.index(row[0]) + 1) for n, row in enumerate(rows) if n % 7 == 3)
    # hits sharing a time: counted among that time's messages by (SequenceNumber, Id)
    hits = store.search.search("zebu", limit=50).hits
    assert sorted((h.message_id, h.position) for h in hits) == sorted(
        (rows[n][0], expected.index(rows[n][0]) + 1) for n in ZEBU)
    store.close()


# -- teams and plans -------------------------------------------------------------------------------

def test_team_and_plans_are_read_where_the_file_has_them(form_store) -> None:
    sid = session_of(form_store)
    teams, plans = form_store.plans.teams(sid), form_store.plans.work_plans(sid)
    if form_store.test_form == "seed":
        assert teams == [] and plans == []
        return
    assert [(m.agent_name, m.role) for m in teams[0].members] == [
        ("Reviewer", "lead"), ("Claude Assistant", "contributor"),
        ("Saturn Developer", "reviewer")]
    assert teams[0].policies.mapping() == {"RequireReview": True, "MaxParallel": 2}
    if form_store.test_form == "upgraded":
        assert plans == []  # an upgraded file has no Plans tables
    else:
        assert [(s.order, s.title, s.owner_name) for s in plans[0].steps] == [
            (1, "Review the diff", "Reviewer"), (2, "Run the tests", "Claude Assistant")]


def test_the_team_travels_in_a_snapshot_and_its_restore(form_store, form_path) -> None:
    if form_store.test_form == "seed":
        pytest.skip("the seed's form has no teams")
    snapshot = form_store.snapshots.create(TODAY_SESSION_ID, "with the team")
    restored = form_store.snapshots.restore(snapshot.id)
    team = form_store.plans.teams(restored.id)[0]
    assert team.id != form_store.plans.teams(TODAY_SESSION_ID)[0].id and team.id.isupper()
    assert [m.role for m in team.members] == ["lead", "contributor", "reviewer"]
    assert team.policies.raw == '{"RequireReview":true,"MaxParallel":2}'
    form_store.snapshots.revert(snapshot.id)
    assert len(form_store.plans.teams(TODAY_SESSION_ID)) == 1


def test_deleting_a_session_takes_its_team_as_dotnet_cascades_do(form_store, form_path) -> None:
    if form_store.test_form == "seed":
        pytest.skip("the seed's form has no teams")
    assert form_store.sessions.delete(TODAY_SESSION_ID)
    assert query(form_path, 'SELECT count(*) FROM "Teams"') == [(0,)]
    assert query(form_path, 'SELECT count(*) FROM "TeamMembers"') == [(0,)]
    if form_store.test_form != "upgraded":
        # Plans has no foreign key: the .NET application leaves them, and so do we
        assert query(form_path, 'SELECT count(*) FROM "Plans"') == [(1,)]


def test_session_show_json_has_the_team_and_plans(tmp_path) -> None:
    import json
    import os
    import subprocess

    path = make_form_database(tmp_path / "fresh.db", "fresh")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_STATE_HOME": str(tmp_path)}
    out = subprocess.run([*APP, "--db", str(path), "--json",
                          "session", "show", TODAY_SESSION_ID], capture_output=True, text=True,
                         env=env, timeout=60, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [m["role"] for m in data["teams"][0]["members"]] == ["lead", "contributor", "reviewer"]
    assert data["teams"][0]["policies"] == {"RequireReview": True, "MaxParallel": 2}
    assert [s["title"] for s in data["plans"][0]["steps"]] == ["Review the diff", "Run the tests"]
    assert [m["position"] for m in data["messages"]] == [1, 2, 3, 4, 5]
    assert [m["id"] for m in data["messages"]] == THREAD_ORDER


def test_details_panel_shows_the_team_and_plans(qtbot, tmp_path) -> None:
    from orchestrator_desktop.gui.sessions.details_panel import DetailsPanel, SessionDetails

    store = open_store(make_form_database(tmp_path / "fresh.db", "fresh"))
    sid = TODAY_SESSION_ID
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.show_details(SessionDetails(
        store.sessions.require(sid), store.sessions.members(sid), store.sessions.statistics(sid),
        store.plans.for_session(sid), store.plans.teams(sid), store.plans.work_plans(sid)))
    team = [(panel.team.topLevelItem(i).text(0), panel.team.topLevelItem(i).text(1))
            for i in range(panel.team.topLevelItemCount())]
    assert team == [("Reviewer", "Lead"), ("Claude Assistant", "Contributor"),
                    ("Saturn Developer", "Reviewer")]
    assert panel.policies.text() == "Policies: RequireReview: true; MaxParallel: 2"
    plan = panel.work_plans.topLevelItem(0)
    assert plan.text(1) == "Merge plan (committed)"
    assert [plan.child(i).text(1) for i in range(plan.childCount())] == [
        "Review the diff", "Run the tests"]
    assert not panel.no_team.isVisibleTo(panel) and not panel.no_work_plans.isVisibleTo(panel)
    store.close()


def test_check_reads_empty_references_as_none(form_store) -> None:
    from orchestrator_desktop.data.health import check_database

    found = check_database(form_store)
    assert not found.problems
    if form_store.test_form != "seed":  # every ParentMessageId is "" there
        assert not [n for n in found.notes if "parent message" in n]


def test_what_a_window_shows_first_then_numbers_matches_the_whole_read(form_store) -> None:
    """A page or a search shown before its count (`numbered=False`), numbered after, is what
    the numbered read gives, on every form of the file."""
    sid = session_of(form_store)
    form_store.sessions.import_messages(sid, [
        {"content": f"lantern {n}", "role": MessageRole.User} for n in range(30)])
    quick = form_store.sessions.messages_page(sid, last=True, limit=10, numbered=False)
    whole = form_store.sessions.messages_page(sid, last=True, limit=10)
    assert not quick.numbered and whole.numbered
    assert quick.ending_at(form_store.sessions.thread_extent(sid).count) == whole
    form_store.search.fill_deferred()
    shown = form_store.search.search("lantern", limit=10, numbered=False)
    assert len(shown.hits) == 10 and shown.total is None
    assert form_store.search.number(shown) == form_store.search.search("lantern", limit=10)
    assert form_store.search.number(shown).total == 30
