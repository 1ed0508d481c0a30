"""The sample sessions in resources/samples/: loaded in one transaction, never twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from orchestrator_desktop.data import NotFoundError, ReadOnlyError, open_store
from orchestrator_desktop.data.enums import SessionType, StepStatus
from orchestrator_desktop.data.samples import load_samples, read_samples
from orchestrator_desktop.resources import SAMPLES

MULTI_AGENT = "5a3d9c1e-2f4b-4a6d-8c1e-7b9f0a2c4d02"
ORCHESTRATED = "5a3d9c1e-2f4b-4a6d-8c1e-7b9f0a2c4d03"


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()


def test_samples_land_in_the_file_with_agents_tools_and_a_plan(store) -> None:
    result = load_samples(store)
    document = read_samples()
    assert len(result.added) == len(document["Sessions"]) == 5 and result.already_there == 0
    assert result.summary == "Added 5 sample sessions."
    path = store.path
    assert _count(path, "Sessions") == 5
    assert _count(path, "Messages") == sum(len(s["messages"]) for s in document["Sessions"])
    messages = [m for s in document["Sessions"] for m in s["messages"]]
    assert _count(path, "ToolCalls") == sum(len(m.get("tool_calls", [])) for m in messages) > 5
    assert _count(path, "Attachments") == sum(len(m.get("attachments", [])) for m in messages)
    assert _count(path, "SessionSnapshots") == 1
    types = {store.sessions.get(i).type for i in result.added}
    assert types == {SessionType.SingleAgent, SessionType.MultiAgent, SessionType.Orchestrated}
    assert len(store.sessions.members(MULTI_AGENT)) == 3
    [plan] = store.plans.for_session(ORCHESTRATED)
    assert [s.status for s in plan.steps] == [StepStatus.Completed] * 3 + [
        StepStatus.Failed, StepStatus.Skipped]
    step_ids = [s.id for s in plan.steps]
    assert list(plan.steps[3].depends_on) == step_ids[1:3]  # keys became the new ids
    thread = store.sessions.with_messages(ORCHESTRATED)
    failed_calls = [c for m in thread.page.messages for c in m.tool_calls if not c.success]
    assert failed_calls and "deploy freeze" in failed_calls[0].error
    assert store.search.search("deploy freeze").hits  # the search index has them too


def test_loading_twice_adds_nothing_and_says_so(store) -> None:
    load_samples(store)
    before = {t: _count(store.path, t) for t in ("Sessions", "Messages", "Agents", "ToolCalls")}
    again = load_samples(store)
    assert again.added == () and again.already_there == 5
    assert again.summary == "The sample sessions are already in this database."
    assert {t: _count(store.path, t) for t in before} == before


def test_a_deleted_sample_comes_back_alone(store) -> None:
    load_samples(store)
    store.sessions.delete(ORCHESTRATED)
    result = load_samples(store)
    assert result.added == (ORCHESTRATED,) and result.already_there == 4
    assert result.summary == "Added 1 sample session (4 were already there)."
    assert len(store.plans.for_session(ORCHESTRATED)) == 1


def test_an_agent_of_the_same_name_is_reused(store) -> None:
    from orchestrator_desktop.data.enums import AgentType

    mine = store.agents.create("Research Assistant", AgentType.GPT4)
    agents = _count(store.path, "Agents")
    load_samples(store)
    assert _count(store.path, "Agents") == agents + 1  # only the orchestrator is new
    members = {m.agent_id for m in store.sessions.members(MULTI_AGENT)}
    assert mine.id in members


def test_samples_load_into_a_file_of_the_dotnet_application(dotnet_store) -> None:
    sessions = _count(dotnet_store.path, "Sessions")
    assert len(load_samples(dotnet_store).added) == 5
    assert _count(dotnet_store.path, "Sessions") == sessions + 5


def test_a_broken_samples_file_changes_nothing(store, tmp_path) -> None:
    document = json.loads(SAMPLES.read_text(encoding="utf-8"))
    document["Sessions"][3]["messages"][1]["agent"] = "no-such-agent"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    before = {t: _count(store.path, t) for t in ("Sessions", "Messages", "Agents")}
    with pytest.raises((KeyError, NotFoundError)):
        load_samples(store, broken)
    assert {t: _count(store.path, t) for t in before} == before  # one transaction: all or none


def test_a_read_only_file_is_refused(tmp_path) -> None:
    path = tmp_path / "orchestrator.db"
    open_store(path).close()
    path.chmod(0o444)
    try:
        store = open_store(path)
        with pytest.raises(ReadOnlyError):
            load_samples(store)
        store.close()
    finally:
        path.chmod(0o644)
    assert _count(path, "Sessions") == 0


def test_a_missing_samples_file_is_explained(store, tmp_path) -> None:
    from orchestrator_desktop.data import DataError

    with pytest.raises(DataError, match="installation may be incomplete"):
        load_samples(store, tmp_path / "missing.json")
