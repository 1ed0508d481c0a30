"""Editing agents as a whole: validation of every field, a conflict-checked save, duplication
and usage over time. Used by `AgentRepository`; imports nothing from Qt.

Values use these forms: text fields as `str` (empty means absent), `type` as an `AgentType` (or
its integer), JSON fields as a Python value, as raw JSON text the person typed (`str`), or as a
`JsonText` read from the file, which is written back exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from . import records as r
from .agent_rules import (
    AGENT_FIELDS,
    CONFIG_FIELDS,
    MAX_TOKENS_RANGE,
    NAME_MAX,
    TEMPERATURE_RANGE,
    column_value,
    setting_value,
)
from .encoding import JsonText
from .errors import NotFoundError, StaleEditError, ValidationError
from .sessions import TOKENS_SQL
from .tables import AGENT_CONFIGURATIONS, AGENTS

if TYPE_CHECKING:
    from .agents import AgentRepository

__all__ = ["MAX_TOKENS_RANGE", "TEMPERATURE_RANGE", "UsagePoint", "validate_agent_fields"]

EDITABLE_FIELDS = AGENT_FIELDS + CONFIG_FIELDS
CONFIG_DEFAULTS = {"model": None, "temperature": 0.7, "max_tokens": 4096, "system_prompt": None,
                   "require_approval": False}


@dataclass(frozen=True, slots=True)
class UsagePoint:
    """One day (or week, starting on Monday) of an agent's messages."""

    start: date
    messages: int
    sessions: int
    tokens: int
    tool_calls: int


# -- values --------------------------------------------------------------------------------


def editable_values(agent: r.AgentRecord) -> dict[str, Any]:
    """The agent's editable fields in the data form (JSON columns as their stored JsonText)."""
    config = agent.configuration
    values: dict[str, Any] = {
        "name": agent.name or "", "type": agent.type, "description": agent.description or "",
        "working_directory": agent.working_directory or "", "is_active": agent.is_active,
    }
    if config is None:
        values.update({k: v for k, v in CONFIG_DEFAULTS.items()})
        values.update(model="", system_prompt="", enabled_tools=JsonText(None),
                      capabilities=JsonText(None), custom_settings=JsonText(None))
    else:
        values.update(model=config.model or "", temperature=config.temperature,
                      max_tokens=config.max_tokens, system_prompt=config.system_prompt or "",
                      require_approval=config.require_approval,
                      enabled_tools=config.enabled_tools, capabilities=config.capabilities,
                      custom_settings=config.custom_settings)
    return values


def fingerprint(agent: r.AgentRecord) -> tuple[Any, ...]:
    """What a concurrent edit is judged by: every editable column, not the usage counters."""
    values = editable_values(agent)
    config_id = agent.configuration.id if agent.configuration else None
    return (config_id, *(int(v) if k == "type" else v for k, v in values.items()))


def setting_text(value: Any) -> str:
    """The text that `setting_value` turns back into `value`."""
    if isinstance(value, str) and setting_value(value) != value:  # "1", "true", "\"x\""
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# -- validation ----------------------------------------------------------------------------


def validate_agent_fields(values: Mapping[str, Any], *, taken_names: Iterable[str] = (),
                          stored_type: Any = None) -> dict[str, str]:
    """Every field's problem as {field: message} (empty when all is well), for inline display.

    `taken_names` are the other agents' names; `stored_type` an unknown type the file already
    holds, which is kept."""
    taken = set(taken_names)
    errors = {}
    for field, value in values.items():
        try:
            column_value(field, value, stored_type, taken)
        except ValidationError as error:
            errors[error.field] = error.reason
    return errors


def column_values(values: Mapping[str, Any], stored_type: Any = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Agents columns, AgentConfigurations columns) for the given fields; the first problem
    raises ValidationError."""
    columns = {field: column_value(field, value, stored_type, set())
               for field, value in values.items()}
    agent = {f: columns[f] for f in AGENT_FIELDS if f in columns}
    config = {f: columns[f] for f in CONFIG_FIELDS if f in columns}
    return agent, config


# -- operations ----------------------------------------------------------------------------

# The editor's fields are the records' fields; their columns come from tables.py.
_AGENT_COLUMNS = {f: AGENTS.column_of_field(f).name for f in AGENT_FIELDS}
_CONFIG_COLUMNS = {f: AGENT_CONFIGURATIONS.column_of_field(f).name for f in CONFIG_FIELDS}
_CONFIG_ATTRS = {f: AGENT_CONFIGURATIONS.column_of_field(f).attr for f in CONFIG_FIELDS}


def save_agent(repo: AgentRepository, agent_id: str, loaded: r.AgentRecord,
               changes: Mapping[str, Any], overwrite: bool = False) -> r.AgentRecord:
    """Write the edited agent in one transaction; StaleEditError when its editable columns
    changed in the file since `loaded` was read (unless `overwrite`)."""
    unknown = [name for name in changes if name not in EDITABLE_FIELDS]
    if unknown:
        raise ValidationError(unknown[0], "is not an agent field")
    store = repo.store
    with store.writing():
        current = repo.with_configuration(agent_id)
        if current is None:
            raise NotFoundError("agent", agent_id)
        if not overwrite and fingerprint(current) != fingerprint(loaded):
            raise StaleEditError(current)
        # only what differs from the file is written: other columns stay byte for byte
        state = {**editable_values(loaded), **changes}
        theirs = editable_values(current)
        agent, config = column_values({f: v for f, v in state.items() if v != theirs[f]},
                                      stored_type=current.type)
        if "name" in agent and store.scalar(
                'SELECT "Id" FROM "Agents" WHERE "Name" = $name AND "Id" <> $id',
                name=agent["name"], id=agent_id):
            raise ValidationError("name", "is already used by another agent")
        agent = {f: store.form.none_for_update("Agents", _AGENT_COLUMNS[f], v)
                 for f, v in agent.items()}
        if agent:
            sets = ", ".join(f'"{_AGENT_COLUMNS[f]}" = ${f}' for f in agent)
            store.execute(f'UPDATE "Agents" SET {sets} WHERE "Id" = $agent_id',
                          agent_id=agent_id, **agent)
        if not config:
            pass
        elif current.configuration is None:
            store.configurations.add(agent_id=agent_id, **{
                _CONFIG_ATTRS[f]: (bool(v) if f == "require_approval" else v)
                for f, v in config.items()})
        else:
            config = {f: store.form.none_for_update("AgentConfigurations", _CONFIG_COLUMNS[f], v)
                      for f, v in config.items()}
            sets = ", ".join(f'"{_CONFIG_COLUMNS[f]}" = ${f}' for f in config)
            store.execute(f'UPDATE "AgentConfigurations" SET {sets} WHERE "Id" = $config_id',
                          config_id=current.configuration.id, **config)
        return repo.with_configuration(agent_id)  # type: ignore[return-value]


def unique_copy_name(name: str, taken: set[str]) -> str:
    """“Copy of X”, or “Copy of X (2)”, … the first one not taken."""
    base = f"Copy of {name}"[:NAME_MAX - 6]
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base} ({number})", number + 1
    return candidate


def duplicate_agent(repo: AgentRepository, agent_id: str) -> r.AgentRecord:
    """A new agent with the same fields and configuration (JSON text as it is), usage zero."""
    store = repo.store
    with store.writing():
        source = repo.with_configuration(agent_id)
        if source is None:
            raise NotFoundError("agent", agent_id)
        taken = {row[0] for row in store.select('SELECT "Name" FROM "Agents"') if row[0]}
        copy = repo.add(name=unique_copy_name(source.name or "agent", taken),
                        type=int(source.type), description=source.description,
                        working_directory=source.working_directory,
                        is_active=source.is_active)
        config = source.configuration
        if config is not None:
            store.configurations.add(
                agent_id=copy.id, model=config.model, temperature=config.temperature,
                max_tokens=config.max_tokens, system_prompt=config.system_prompt,
                require_approval=config.require_approval,
                custom_settings_json=config.custom_settings.raw,
                enabled_tools_json=config.enabled_tools.raw,
                capabilities_json=config.capabilities.raw)
        return repo.with_configuration(copy.id)  # type: ignore[return-value]


def known_models(agents: Iterable[r.AgentRecord], defaults: Iterable[str] = ()) -> list[str]:
    """Models to offer: the defaults, those in use, and every agent's SupportedModels."""
    models = dict.fromkeys(m for m in defaults if m)
    for agent in agents:
        config = agent.configuration
        if config is None:
            continue
        if config.model:
            models[config.model] = None
        for model in config.capabilities.mapping().get("SupportedModels") or []:
            if isinstance(model, str) and model.strip():
                models[model.strip()] = None
    return sorted(models, key=str.lower)


def usage_over_time(repo: AgentRepository, agent_id: str, period: str = "auto"
                    ) -> tuple[str, list[UsagePoint]]:
    """(period, points): the agent's messages, sessions, tokens and tool calls per day or per
    week (Mondays), counted in SQL; gaps are filled with zeros. "auto" picks days for a span
    of up to 62 days, else weeks."""
    day = 'substr(m."Timestamp", 1, 10)'
    week = (f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) "
            "|| ' days')")
    store = repo.store
    with store.reading():
        if not repo.exists(agent_id):
            raise NotFoundError("agent", agent_id)
        first, last = store.select(f'SELECT min({day}), max({day}) FROM "Messages" m '
                                   'WHERE m."AgentId" = $id', id=agent_id)[0]
        if period == "auto":
            span = (_day(last) - _day(first)).days if first and last else 0
            period = "day" if span <= 62 else "week"
        bucket = day if period == "day" else week
        rows = store.select(
            f'SELECT {bucket}, count(*), count(DISTINCT m."SessionId"), '
            f'coalesce(sum({TOKENS_SQL}), 0), coalesce(sum((SELECT count(*) FROM "ToolCalls" t '
            'WHERE t."MessageId" = m."Id")), 0) FROM "Messages" m WHERE m."AgentId" = $id '
            'GROUP BY 1 ORDER BY 1', id=agent_id)
    found = {_day(row[0]): row for row in rows if _day(row[0]) is not None}
    if not found:
        return period, []
    step = timedelta(days=1 if period == "day" else 7)
    points, when, end = [], min(found), max(found)
    while when <= end:
        row = found.get(when)
        points.append(UsagePoint(when, *(int(v) for v in row[1:])) if row
                      else UsagePoint(when, 0, 0, 0, 0))
        when += step
    return period, points


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
