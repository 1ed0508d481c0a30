"""The agent editor's data operations: validation, conflict-checked save, duplicate, activate,
the listing and usage over time, checked against the file with a separate connection."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from dotnet_files import AGENT_ID, query_one
from orchestrator_desktop.data import ConflictError, NotFoundError, ValidationError
from orchestrator_desktop.data.agent_editing import (
    UsagePoint,
    setting_text,
    setting_value,
    unique_copy_name,
    validate_agent_fields,
)
from orchestrator_desktop.data.encoding import JsonText
from orchestrator_desktop.data.enums import AgentType
from orchestrator_desktop.data.errors import StaleEditError


def _other_process(path: Path, sql: str) -> None:
    """Change the file from another process, as the .NET application would."""
    script = textwrap.dedent(f"""
        import sqlite3
        con = sqlite3.connect({str(path)!r})
        con.execute({sql!r})
        con.commit()
        con.close()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_validate_reports_every_field_at_once() -> None:
    errors = validate_agent_fields({
        "name": "  ", "type": AgentType(9), "temperature": 2.5, "max_tokens": 0,
        "custom_settings": [("a", "1"), ("a", "2")], "capabilities": "{not json",
        "enabled_tools": ["read", " "], "model": "gpt-4",
    })
    assert errors == {
        "name": "is required", "type": "is not a known agent type",
        "temperature": "must be between 0 and 2", "max_tokens": "must be between 1 and 1,000,000",
        "custom_settings": "“a” is set twice", "capabilities": "is not valid JSON",
        "enabled_tools": "every tool needs a name",
    }
    assert validate_agent_fields({"name": "Taken"}, taken_names={"Taken"}) == {
        "name": "is already used by another agent"}
    assert validate_agent_fields({"type": AgentType(9)}, stored_type=AgentType(9)) == {}
    assert validate_agent_fields({"custom_settings": [(" ", "x")]}) == {
        "custom_settings": "every setting needs a name"}
    assert validate_agent_fields({"capabilities": {"MaxConcurrentRequests": 0}}) == {
        "capabilities": "MaxConcurrentRequests must be between 1 and 1,000"}
    assert validate_agent_fields({"capabilities": {"SupportsTools": "yes"}}) == {
        "capabilities": "SupportsTools must be true or false"}
    assert validate_agent_fields({"capabilities": "[1]"}) == {
        "capabilities": "must be a JSON object"}
    assert validate_agent_fields({"temperature": 2.0, "max_tokens": 1_000_000}) == {}


def test_setting_text_round_trips_values() -> None:
    for value in ("plain", "42", "true", 42, 1.5, True, None, [1, "a"], {"k": {"n": 1}}):
        assert setting_value(setting_text(value)) == value
    assert setting_value("not json") == "not json"
    assert unique_copy_name("A", {"Copy of A", "Copy of A (2)"}) == "Copy of A (3)"


def test_save_writes_every_field_in_one_transaction(store) -> None:
    loaded = store.agents.with_configuration("default-claude")
    saved = store.agents.save("default-claude", loaded, {
        "name": " Writer ", "type": AgentType.GPT4, "description": "Writes",
        "working_directory": "/tmp/w", "is_active": False, "model": "gpt-4o",
        "temperature": 1.25, "max_tokens": 1000, "system_prompt": "Be kind.",
        "require_approval": True, "enabled_tools": ["read", "write"],
        "capabilities": {"SupportsTools": False, "MaxTokens": 5, "Extra": [1]},
        "custom_settings": [("retries", "3"), ("mode", "fast")],
    })
    assert saved.name == "Writer" and saved.configuration.model == "gpt-4o"
    row = query_one(store.path, 'SELECT a."Name", a."Type", a."Description", a."WorkingDirectory", '
               'a."IsActive", c."Model", c."Temperature", c."MaxTokens", c."SystemPrompt", '
               'c."RequireApproval", c."EnabledToolsJson", c."CapabilitiesJson", '
               'c."CustomSettingsJson" FROM "Agents" a JOIN "AgentConfigurations" c '
               'ON c."AgentId" = a."Id" WHERE a."Id" = ?', "default-claude")
    assert row == ("Writer", 2, "Writes", "/tmp/w", 0, "gpt-4o", 1.25, 1000, "Be kind.", 1,
                   '["read","write"]', '{"SupportsTools":false,"MaxTokens":5,"Extra":[1]}',
                   '{"retries":3,"mode":"fast"}')


def test_save_rejects_invalid_and_duplicate_names_without_writing(store) -> None:
    loaded = store.agents.with_configuration("default-claude")
    with pytest.raises(ValidationError) as caught:
        store.agents.save("default-claude", loaded, {"name": "Saturn Developer"})
    assert caught.value.field == "name"
    with pytest.raises(ValidationError) as caught:
        store.agents.save("default-claude", loaded, {"temperature": 3.0, "model": "x"})
    assert caught.value.field == "temperature"
    assert query_one(store.path, 'SELECT "Model" FROM "AgentConfigurations" WHERE "AgentId" = ?',
                "default-claude") == ("claude-3-sonnet-20240229",)


def test_other_process_edit_is_a_conflict_but_usage_counters_are_not(store) -> None:
    loaded = store.agents.with_configuration("default-claude")
    _other_process(store.path, 'UPDATE "Agents" SET "TotalMessages" = 99, "LastUsedAt" = '
                   '\'2024-05-01 10:00:00\' WHERE "Id" = \'default-claude\'')
    saved = store.agents.save("default-claude", loaded, {"description": "mine"})
    assert saved.description == "mine" and saved.total_messages == 99

    _other_process(store.path, 'UPDATE "AgentConfigurations" SET "Temperature" = 0.1 '
                   'WHERE "AgentId" = \'default-claude\'')
    with pytest.raises(StaleEditError) as caught:
        store.agents.save("default-claude", saved, {"description": "again"})
    assert isinstance(caught.value, ConflictError)
    assert caught.value.current.configuration.temperature == 0.1
    assert query_one(store.path, 'SELECT "Description" FROM "Agents" WHERE "Id" = ?',
                "default-claude") == ("mine",)
    store.agents.save("default-claude", saved, {"description": "again"}, overwrite=True)
    assert query_one(store.path, 'SELECT a."Description", c."Temperature" FROM "Agents" a JOIN '
                '"AgentConfigurations" c ON c."AgentId" = a."Id" WHERE a."Id" = ?',
                "default-claude") == ("again", 0.7)


def test_values_the_form_cannot_show_are_kept(dotnet_store) -> None:
    loaded = dotnet_store.agents.with_configuration(AGENT_ID)
    assert loaded.type.label == "Unknown (9)"
    assert not loaded.configuration.custom_settings.is_valid
    dotnet_store.agents.save(AGENT_ID, loaded, {"model": "gpt-4o"})
    assert query_one(dotnet_store.path, 'SELECT a."Type", c."CustomSettingsJson", c."Model" FROM '
                '"Agents" a JOIN "AgentConfigurations" c ON c."AgentId" = a."Id" WHERE a."Id" = ?',
                AGENT_ID) == (9, '{"Verbose": true', "gpt-4o")
    again = dotnet_store.agents.with_configuration(AGENT_ID)
    with pytest.raises(ValidationError) as caught:
        dotnet_store.agents.save(AGENT_ID, again, {"custom_settings": '{"Verbose": true'})
    assert caught.value.field == "custom_settings"
    dotnet_store.agents.save(AGENT_ID, again, {"custom_settings": JsonText('{"Verbose": true'),
                                               "type": AgentType.Custom})
    assert query_one(dotnet_store.path, 'SELECT "Type" FROM "Agents" WHERE "Id" = ?',
                AGENT_ID) == (3,)


def test_save_of_a_deleted_agent_says_so(store) -> None:
    record = store.agents.create("Short-lived")
    store.agents.delete(record.id)
    with pytest.raises(NotFoundError):
        store.agents.save(record.id, record, {"description": "x"})


def test_duplicate_and_set_active(dotnet_store) -> None:
    copy = dotnet_store.agents.duplicate(AGENT_ID)
    again = dotnet_store.agents.duplicate(AGENT_ID)
    assert (copy.name, again.name) == ("Copy of Researcher", "Copy of Researcher (2)")
    assert copy.total_messages == 0 and int(copy.type) == 9
    assert query_one(dotnet_store.path, 'SELECT "CustomSettingsJson", "EnabledToolsJson" FROM '
                '"AgentConfigurations" WHERE "AgentId" = ?', copy.id) == (
        '{"Verbose": true', '["search", "shell"]')
    assert not dotnet_store.agents.set_active(copy.id, False).is_active
    assert query_one(dotnet_store.path, 'SELECT "IsActive" FROM "Agents" WHERE "Id" = ?',
                copy.id) == (0,)
    with pytest.raises(NotFoundError):
        dotnet_store.agents.set_active("nope", True)


def test_listing_offers_known_models(dotnet_store) -> None:
    loaded = dotnet_store.agents.with_configuration(AGENT_ID)
    dotnet_store.agents.save(AGENT_ID, loaded, {"capabilities": {"SupportedModels": ["o1"]}})
    agents, models = dotnet_store.agents.listing()
    assert [a.name for a in agents] == ["Claude Assistant", "Researcher"]
    assert {"gpt-4", "o1", "claude-3-opus-20240229", "claude-3-sonnet-20240229"} <= set(models)


def test_usage_over_time_per_day_and_week(store) -> None:
    agent = store.agents.with_configuration("default-saturn")
    session = store.sessions.create("Usage")
    other = store.sessions.create("Usage 2")
    with store.writing():
        for stamp, session_id, tokens in (("2024-03-04 10:00:00", session.id, 10),
                                          ("2024-03-04 11:00:00", other.id, 5),
                                          ("2024-03-06 09:00:00", session.id, 7),
                                          ("2024-03-12 09:00:00", session.id, 1)):
            message = store.messages.add(session_id=session_id, agent_id=agent.id, role=1,
                                         timestamp=stamp, content="x",
                                         token_usage_json=f'{{"TotalTokens": {tokens}}}')
        store.tool_calls.add(message_id=message.id, tool_name="read")
        store.tool_calls.add(message_id=message.id, tool_name="write")
    period, days = store.agents.usage_over_time(agent.id, "day")
    assert period == "day" and len(days) == 9
    assert days[0] == UsagePoint(date(2024, 3, 4), 2, 2, 15, 0)
    assert days[1].messages == 0 and days[-1] == UsagePoint(date(2024, 3, 12), 1, 1, 1, 2)
    period, weeks = store.agents.usage_over_time(agent.id, "week")
    assert [(w.start, w.messages, w.tokens, w.tool_calls) for w in weeks] == [
        (date(2024, 3, 4), 3, 22, 0), (date(2024, 3, 11), 1, 1, 2)]
    assert store.agents.usage_over_time(agent.id)[0] == "day"
    assert store.agents.usage_over_time("default-claude") == ("day", [])


def test_every_custom_setting_value_survives_being_shown_and_read_back() -> None:
    from orchestrator_desktop.data.agent_editing import setting_text, setting_value

    for value in ('"quoted"', "plain", "1", "true", "null", '{"a": 1}', "", 1, 2.5, True,
                  None, {"a": [1, "b"]}, ["x"], "مرحبا"):
        assert setting_value(setting_text(value)) == value, value


@pytest.mark.parametrize("fields", [
    {"max_tokens": "12"},
    {"max_tokens": True},
    {"enabled_tools": [1, "", "a", "a"]},
    {"capabilities": {"SupportsTools": "yes"}},
    {"capabilities": {"MaxTokens": -5}},
    {"temperature": 9},
    {"custom_settings": ["not", "pairs"]},
])
def test_one_set_of_rules_for_the_editor_new_agent_and_the_command_line(fields) -> None:
    """What the editor calls invalid, New Agent and `agent set` refuse too (they disagreed)."""
    from orchestrator_desktop.data.agents import validate_configuration

    [(field, value)] = fields.items()
    editor_says = validate_agent_fields({field: value})
    assert field in editor_says
    with pytest.raises(ValidationError) as refused:
        validate_configuration(fields)
    assert refused.value.field == field and refused.value.reason == editor_says[field]
