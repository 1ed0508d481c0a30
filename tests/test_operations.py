"""The seed's repository operations, on real files, checked against what lands in the file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta

import pytest
from dotnet_files import AGENT_ID, SESSION_ID
from orchestrator_desktop.data import (
    ConflictError,
    NotFoundError,
    ReadOnlyError,
    Rollback,
    ValidationError,
)
from orchestrator_desktop.data.enums import AgentType, MessageRole, SessionStatus, SessionType
from orchestrator_desktop.data.records import SessionRecord, TokenUsage
from orchestrator_desktop.data.sessions import SessionFilter


def _rows(store, sql, *params):
    con = sqlite3.connect(store.path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# -- generic operations ---------------------------------------------------------------------

def test_generic_add_get_update_exists_count_delete(store) -> None:
    repo = store.sessions
    added = repo.add(name="Generic", type=SessionType.MultiAgent, project_id="p1")
    assert isinstance(added, SessionRecord) and len(added.id) == 36 and added.id.islower()
    assert repo.get(added.id) == added and repo.exists(added.id)
    assert repo.count() == 1 and repo.count(project_id="p1") == 1
    assert repo.count(project_id="x") == 0
    updated = repo.update(added.id, status=SessionStatus.Completed, name="Renamed")
    assert updated.status is SessionStatus.Completed and updated.name == "Renamed"
    assert _rows(store, 'SELECT "Name", "Status", "Type" FROM "Sessions"') == [("Renamed", 2, 1)]
    created_text = _rows(store, 'SELECT "CreatedAt" FROM "Sessions"')[0][0]
    assert len(created_text) <= 27 and created_text[10] == " " and "T" not in created_text
    assert repo.delete(added.id) and not repo.exists(added.id) and not repo.delete(added.id)
    assert repo.get("missing") is None


def test_generic_find_filters_orders_and_pages_by_key(store) -> None:
    for n in range(7):
        store.sessions.add(id=f"s{n}", name=f"n{n % 3}", project_id=None if n % 2 else "even")
    assert [s.id for s in store.sessions.find(project_id="even")] == ["s0", "s2", "s4", "s6"]
    assert [s.id for s in store.sessions.find(project_id=None)] == ["s1", "s3", "s5"]
    assert [s.id for s in store.sessions.find(order_by="-name", limit=2)][0] in {"s2", "s5"}
    seen, cursor = [], None
    while True:
        page = store.sessions.page(after=cursor, limit=3)
        seen += [s.id for s in page.items]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == [f"s{n}" for n in range(7)]
    with pytest.raises(ValidationError, match="no attribute 'colour'"):
        store.sessions.find(colour="red")


def test_composite_key_table_pages_and_gets(store) -> None:
    session = store.sessions.create("Members")
    store.memberships.add(session_id=session.id, agent_id="default-claude", role="Primary")
    store.memberships.add(session_id=session.id, agent_id="default-saturn", role="Observer")
    assert store.memberships.get((session.id, "default-saturn")).role == "Observer"
    first = store.memberships.page(limit=1)
    second = store.memberships.page(after=first.next_cursor, limit=1)
    assert {first.items[0].agent_id, second.items[0].agent_id} == {
        "default-claude", "default-saturn"}
    assert not second.has_more


def test_invalid_values_are_validation_errors_and_write_nothing(store) -> None:
    with pytest.raises(ValidationError):
        store.sessions.add(name="x", created_at="not a date")
    with pytest.raises(ValidationError):
        store.messages.add(session_id=None, role="Wizard")
    with pytest.raises(NotFoundError):
        store.sessions.update("nope", name="x")
    assert store.sessions.count() == 0 and store.messages.count() == 0


# -- sessions ---------------------------------------------------------------------------------

def test_add_message_numbers_in_order_and_updates_last_activity(store) -> None:
    session = store.sessions.add(name="Chat", last_activity_at=datetime(2020, 1, 1))
    first = store.sessions.add_message(session.id, "hi", MessageRole.User)
    second = store.sessions.add_message(
        session.id, "hello", MessageRole.Assistant, agent_id="default-claude",
        parent_message_id=first.id, token_usage=TokenUsage(5, 7, 12, 0.5),
        tool_calls=[{"tool_name": "search", "parameters_json": '{"q": "x"}', "success": True,
                     "execution_time": timedelta(seconds=1.5)}],
        attachments=[{"file_name": "notes.md", "mime_type": "text/markdown", "size": 10}])
    assert (first.sequence_number, second.sequence_number) == (1, 2)
    assert second.token_usage == TokenUsage(5, 7, 12, 0.5)
    assert second.tool_calls[0].execution_time == timedelta(seconds=1.5)
    assert store.sessions.require(session.id).last_activity_at > datetime(2024, 1, 1)
    assert _rows(store, 'SELECT "TokenUsageJson" FROM "Messages" WHERE "Id" = ?', second.id) == [
        ('{"InputTokens":5,"OutputTokens":7,"TotalTokens":12,"EstimatedCost":0.5}',)]
    assert _rows(store, 'SELECT "ExecutionTime" FROM "ToolCalls"') == [("00:00:01.5000000",)]
    # the seed numbered by count + 1, which repeats numbers after a delete
    store.messages.delete(first.id)
    third = store.sessions.add_message(session.id, "again", MessageRole.User)
    assert third.sequence_number == 3


def test_add_message_from_many_threads_never_repeats_a_number(store) -> None:
    session = store.sessions.create("Busy")
    errors = []

    def writer() -> None:
        try:
            for _ in range(15):
                store.sessions.add_message(session.id, "x", MessageRole.User)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = [row[0] for row in _rows(store, 'SELECT "SequenceNumber" FROM "Messages" ORDER BY 1')]
    assert numbers == list(range(1, 61))


def test_add_message_to_missing_session_or_agent_is_refused(store) -> None:
    with pytest.raises(NotFoundError, match="session"):
        store.sessions.add_message("nope", "x", MessageRole.User)
    session = store.sessions.create("s")
    with pytest.raises(NotFoundError, match="agent"):
        store.sessions.add_message(session.id, "x", MessageRole.User, agent_id="ghost")
    assert store.messages.count() == 0


def test_message_pages_walk_both_ways_and_jump_to_the_end(store) -> None:
    session = store.sessions.create("Long")
    with store.unit_of_work():
        for n in range(25):
            store.sessions.add_message(session.id, f"m{n}", MessageRole.User)
    first = store.sessions.messages_page(session.id, limit=10)
    assert [m.content for m in first.messages] == [f"m{n}" for n in range(10)]
    assert not first.has_before and first.has_after
    second = store.sessions.messages_page(session.id, after=first.last_cursor, limit=10)
    assert second.messages[0].content == "m10" and second.has_before and second.has_after
    last = store.sessions.messages_page(session.id, last=True, limit=10)
    assert [m.content for m in last.messages] == [f"m{n}" for n in range(15, 25)]
    assert last.has_before and not last.has_after
    back = store.sessions.messages_page(session.id, before=last.first_cursor, limit=10)
    assert back.messages[-1].content == "m14" and back.has_after
    target = second.messages[3]
    assert store.sessions.message_position(session.id, target.id) == 13


def test_with_messages_includes_members_children_and_agent_names(dotnet_store) -> None:
    thread = dotnet_store.sessions.with_messages(SESSION_ID, limit=3)
    assert thread.session.name == "Refactor the parser"
    assert [(m.agent_name, m.role) for m in thread.members] == [
        ("Researcher", "Primary"), ("Claude Assistant", None)]
    assert thread.page.messages[1].agent_name == "Researcher"
    assert len(thread.page.messages[2].tool_calls) == 2 and thread.page.has_after


def test_summaries_sort_filter_and_page_in_sql(store) -> None:
    base = datetime(2024, 5, 1)
    for n in range(12):
        store.sessions.add(id=f"s{n:02}", name=f"Session {n:02}" if n != 5 else None,
                           status=SessionStatus.Active if n % 3 else SessionStatus.Completed,
                           project_id="alpha" if n < 6 else "beta",
                           last_activity_at=base + timedelta(hours=n))
    store.sessions.add_message("s03", "hello", MessageRole.User)
    store.memberships.add(session_id="s03", agent_id="default-claude")
    page = store.sessions.summaries(limit=5)
    assert [s.session.id for s in page.items][:2] == ["s03", "s11"]  # s03 got a message just now
    ids = [s.session.id for s in page.items]
    while page.has_more:
        page = store.sessions.summaries(after=page.next_cursor, limit=5)
        ids += [s.session.id for s in page.items]
    assert len(ids) == 12 and len(set(ids)) == 12
    summary = next(s for s in store.sessions.summaries(limit=20).items if s.session.id == "s03")
    assert summary.message_count == 1 and summary.agent_names == ("Claude Assistant",)
    by_name = store.sessions.summaries(sort="name", descending=False, limit=3).items
    assert by_name[0].session.display_name == "Untitled session"
    done = store.sessions.summaries(filters=SessionFilter(status=SessionStatus.Completed))
    assert {s.session.id for s in done.items} == {"s00", "s03", "s06", "s09"}
    text = store.sessions.summaries(filters=SessionFilter(text="SESSION 1", project_id="beta"))
    assert {s.session.id for s in text.items} == {"s10", "s11"}
    assert [s.session.id for s in store.sessions.active()][:1] == ["s11"]
    assert {s.session.id for s in store.sessions.by_project("alpha")} == {
        f"s{n:02}" for n in range(6)}
    recent = store.sessions.recent(2)
    assert recent[0].last_message.content == "hello" and recent[1].last_message is None
    assert store.sessions.projects() == ["alpha", "beta"]


def test_statistics_are_computed_in_sql_and_survive_bad_json(dotnet_store) -> None:
    stats = dotnet_store.sessions.statistics(SESSION_ID)
    assert stats.message_count == 5 and stats.agent_count == 2 and stats.tool_call_count == 2
    assert stats.total_tokens == 175  # 150 + 25; "{broken" counts as nothing
    assert stats.duration == timedelta(days=1) - timedelta(microseconds=123456)
    assert stats.tokens_by_agent == {"Researcher": 150, "(no agent)": 25}


def test_deleting_a_session_removes_everything_that_belongs_to_it(dotnet_store) -> None:
    assert dotnet_store.sessions.delete(SESSION_ID)
    for table in ("Messages", "Attachments", "ToolCalls", "SessionAgents", "SessionSnapshots",
                  "OrchestrationPlans", "OrchestrationSteps"):
        assert _rows(dotnet_store, f'SELECT count(*) FROM "{table}"') == [(0,)], table
    assert dotnet_store.search.search("tokenizer").hits == ()
    assert dotnet_store.search.index_is_consistent()


def test_set_status_completes_the_session(store) -> None:
    session = store.sessions.create("Work")
    done = store.sessions.set_status(session.id, SessionStatus.Completed)
    assert done.status is SessionStatus.Completed and done.completed_at is not None


# -- agents ---------------------------------------------------------------------------------

def test_agents_with_configuration_and_active_list(store) -> None:
    agent = store.agents.with_configuration("default-saturn")
    assert agent.configuration.model == "claude-3-opus-20240229"
    assert agent.configuration.capabilities.mapping()["MaxTokens"] == 100000
    store.agents.update("default-claude", is_active=False)
    assert [a.id for a in store.agents.active()] == ["default-saturn"]


def test_update_configuration_validates_and_creates_when_missing(store) -> None:
    agent = store.agents.add(name="Bare", type=AgentType.Custom)
    assert store.agents.with_configuration(agent.id).configuration is None
    updated = store.agents.update_configuration(
        agent.id, model="gpt-4", temperature=1.5, max_tokens=1000, enabled_tools=["a", "b"],
        custom_settings={"x": 1}, require_approval=True)
    config = updated.configuration
    assert (config.model, config.temperature, config.max_tokens) == ("gpt-4", 1.5, 1000)
    stored = _rows(store, 'SELECT "EnabledToolsJson", "CustomSettingsJson" FROM '
                   '"AgentConfigurations" WHERE "AgentId" = ?', agent.id)
    assert stored == [('["a","b"]', '{"x":1}')]
    for field, value in (("temperature", 2.5), ("temperature", "warm"), ("max_tokens", 0),
                         ("custom_settings", "{oops"), ("enabled_tools", {"a": 1})):
        with pytest.raises(ValidationError, match=field):
            store.agents.update_configuration(agent.id, **{field: value})
    assert store.agents.with_configuration(agent.id).configuration == config
    with pytest.raises(NotFoundError):
        store.agents.update_configuration("ghost", model="x")


def test_agent_names_stay_unique(store) -> None:
    store.agents.create("Unique")
    with pytest.raises(ConflictError, match="already exists"):
        store.agents.create("Unique")
    with pytest.raises(ConflictError, match="already exists"):
        store.agents.rename("default-claude", "Unique")
    with pytest.raises(ValidationError, match="name"):
        store.agents.create("  ")


def test_usage_statistics_in_sql_with_since(dotnet_store) -> None:
    stats = dotnet_store.agents.usage_statistics(AGENT_ID)
    assert (stats.message_count, stats.session_count, stats.total_tokens,
            stats.tool_call_count) == (2, 1, 150, 2)
    later = dotnet_store.agents.usage_statistics(AGENT_ID, since=datetime(2024, 1, 30, 9, 6, 1))
    assert (later.message_count, later.tool_call_count) == (1, 2)
    assert dotnet_store.agents.usage_by_day(AGENT_ID) == [("2024-01-30", 2, 150)]


def test_increment_usage_adds_and_marks_last_use(store) -> None:
    store.agents.increment_usage("default-claude", 3, 500)
    store.agents.increment_usage("default-claude", 2, 100)
    agent = store.agents.require("default-claude")
    assert (agent.total_messages, agent.total_tokens_used) == (5, 600)
    assert agent.last_used_at is not None
    with pytest.raises(NotFoundError):
        store.agents.increment_usage("ghost", 1, 1)


def test_agent_still_referred_to_cannot_be_deleted(dotnet_store) -> None:
    with pytest.raises(ConflictError, match="deactivate it instead"):
        dotnet_store.agents.delete(AGENT_ID)
    assert dotnet_store.agents.exists(AGENT_ID)
    unused = dotnet_store.agents.create("Unused")
    assert dotnet_store.agents.delete(unused.id)
    assert _rows(dotnet_store, 'SELECT count(*) FROM "AgentConfigurations" WHERE "AgentId" = ?',
                 unused.id) == [(0,)]


# -- unit of work ------------------------------------------------------------------------------

def test_unit_of_work_commits_everything_together(store) -> None:
    with store.unit_of_work() as uow:
        session = uow.sessions.create("Together")
        uow.sessions.add_message(session.id, "one", MessageRole.User)
        uow.agents.increment_usage("default-claude", 1, 10)
    assert store.messages.count(session_id=session.id) == 1


def test_unit_of_work_rolls_back_on_error_leaving_nothing(store) -> None:
    before = _rows(store, 'SELECT * FROM "Agents" ORDER BY "Id"')
    with pytest.raises(NotFoundError), store.unit_of_work() as uow:
        session = uow.sessions.create("Doomed")
        uow.sessions.add_message(session.id, "one", MessageRole.User)
        uow.agents.increment_usage("default-claude", 1, 10)
        uow.sessions.add_message("no-such-session", "two", MessageRole.User)
    assert _rows(store, 'SELECT count(*) FROM "Sessions"') == [(0,)]
    assert _rows(store, 'SELECT count(*) FROM "Messages"') == [(0,)]
    assert _rows(store, 'SELECT * FROM "Agents" ORDER BY "Id"') == before
    with store.unit_of_work() as uow:
        uow.sessions.create("Discarded")
        raise Rollback
    assert store.sessions.count() == 0


def test_read_only_store_refuses_unit_of_work(dotnet_path) -> None:
    from orchestrator_desktop.data import open_store

    store = open_store(dotnet_path, read_only=True)
    with pytest.raises(ReadOnlyError), store.unit_of_work():
        pass
    store.close()


# -- plans ---------------------------------------------------------------------------------------

def test_plans_with_ordered_steps_and_decoded_dependencies(dotnet_store) -> None:
    plans = dotnet_store.plans.for_session(SESSION_ID)
    assert len(plans) == 1 and plans[0].goal == "Refactor safely"
    steps = plans[0].steps
    assert [(s.id, s.agent_name) for s in steps] == [
        ("step-1", "Researcher"), ("step-2", "Claude Assistant"), ("step-3", None)]
    assert steps[1].depends_on == ["step-1"]
    assert steps[0].input.mapping() == {"File": "tokenizer.py"}
    assert steps[0].duration == timedelta(minutes=1)
    assert dotnet_store.plans.for_session("empty-strings-session") == []


def test_import_messages_appends_in_one_transaction(store) -> None:
    session = store.sessions.create("Imported")
    store.sessions.add_message(session.id, "first", MessageRole.User)
    items = [{"content": f"imported {n}", "role": MessageRole.Assistant,
              "agent_id": "default-claude", "timestamp": datetime(2024, 1, 30, 9, 5, 0, 500000),
              "token_usage": {"TotalTokens": 2},
              "tool_calls": [{"tool_name": "t", "success": True,
                              "execution_time": timedelta(seconds=2)}] if n == 3 else [],
              "attachments": [{"file_name": "a.txt", "size": 3}] if n == 4 else []}
             for n in range(12_000)]
    fractions = []
    assert store.sessions.import_messages(session.id, items, progress=fractions.append) == 12_000
    assert fractions == [5000 / 12000, 10000 / 12000, 1.0]
    rows = _rows(store, 'SELECT "SequenceNumber", "Content", "Timestamp", "TokenUsageJson" '
                 'FROM "Messages" WHERE "SessionId" = ? ORDER BY 1 LIMIT 3', session.id)
    assert rows[1] == (2, "imported 0", "2024-01-30 09:05:00.5", '{"TotalTokens":2}')
    assert store.sessions.statistics(session.id).tool_call_count == 1
    assert _rows(store, 'SELECT "ExecutionTime", "Success" FROM "ToolCalls"') == [
        ("00:00:02", 1)]
    assert _rows(store, 'SELECT "FileName", "Size" FROM "Attachments"') == [("a.txt", 3)]
    assert len(store.search.search("imported", limit=20_000).hits) == 12_000
    assert store.search.index_is_consistent() and store.search.check() == []
    with pytest.raises(NotFoundError, match="agent"):
        store.sessions.import_messages(session.id, [{"content": "x", "agent_id": "ghost"}])
    assert store.messages.count(session_id=session.id) == 12_001
