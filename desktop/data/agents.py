"""Agent operations: configurations, usage statistics and safe deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import records as r
from .agent_editing import duplicate_agent, known_models, save_agent, usage_over_time
from .agent_rules import (
    CONFIG_FIELDS,
    MAX_TOKENS_RANGE,
    NAME_MAX,
    TEMPERATURE_RANGE,
    column_value,
)
from .encoding import encode_value, now_text
from .enums import AgentType
from .errors import ConflictError, NotFoundError, ValidationError
from .repository import Repository
from .seed import _CAPABILITIES, DEFAULT_AGENTS
from .sessions import TOKENS_SQL
from .tables import AGENT_CONFIGURATIONS, AGENTS, Selection

__all__ = ["MAX_TOKENS_RANGE", "TEMPERATURE_RANGE", "AgentRepository", "validate_configuration"]


def validate_configuration(fields: dict[str, Any]) -> dict[str, Any]:
    """Check configuration fields by the agent rules (agent_rules.py, the editor's too) and
    return them as entity attributes (JSON columns as text).

    JSON fields take a Python value, or a `JsonText` that is kept as it is (so a value the
    editor could not represent is written back unchanged).
    """
    unknown = [name for name in fields if name not in CONFIG_FIELDS]
    if unknown:
        raise ValidationError(unknown[0], "is not a configuration field")
    out: dict[str, Any] = {}
    for name, value in fields.items():
        column = column_value(name, value, None, set())
        out[AGENT_CONFIGURATIONS.column_of_field(name).attr] = (
            bool(column) if name == "require_approval" else column)
    return out


def new_agent_configuration() -> dict[str, Any]:
    """The configuration a new agent gets (New Agent, `agent create`): the seed's first default
    agent's model, temperature and token limit, the seed's capabilities and no tools."""
    defaults = DEFAULT_AGENTS[0]
    return {"model": defaults["model"], "temperature": defaults["temperature"],
            "max_tokens": defaults["max_tokens"], "capabilities": dict(_CAPABILITIES),
            "enabled_tools": []}


class AgentRepository(Repository[r.AgentRecord]):
    """The seed's agent repository: configurations, usage and the active list."""

    def _with_configurations(self, where: str = "", order: str = 'a."Name"',
                             **params: Any) -> list[r.AgentRecord]:
        selection = Selection().columns(AGENTS, "a").columns(AGENT_CONFIGURATIONS, "c")
        sql = (f'SELECT {selection.sql} '
               'FROM "Agents" a LEFT JOIN "AgentConfigurations" c ON c."AgentId" = a."Id"'
               f'{where} ORDER BY {order}, a."Id"')
        with self.store.reading():
            rows = [selection.read(row) for row in self.store.select(sql, **params)]
        return [AGENTS.record(row["a"], configuration=AGENT_CONFIGURATIONS.record(row["c"])
                              if row["c"]["Id"] is not None else None) for row in rows]

    def with_configuration(self, agent_id: str) -> r.AgentRecord | None:
        """The agent and its configuration (None when it has none), or None."""
        found = self._with_configurations(' WHERE a."Id" = $id', id=agent_id)
        return found[0] if found else None

    def all_with_configuration(self) -> list[r.AgentRecord]:
        """Every agent with its configuration, by name."""
        return self._with_configurations()

    def active(self) -> list[r.AgentRecord]:
        """Active agents with their configurations, by name."""
        return self._with_configurations(' WHERE a."IsActive" = 1')

    def create(self, name: str, type: AgentType = AgentType.Custom, *,
               description: str | None = None, working_directory: str | None = None,
               is_active: bool = True, **configuration: Any) -> r.AgentRecord:
        """A new agent with a configuration, in one transaction; the name must be unique."""
        config = validate_configuration(configuration)
        with self.store.writing():
            name = self.check_new_name(name)
            agent = self.add(name=name, type=type, description=description,
                             working_directory=working_directory, is_active=is_active)
            self.store.configurations.add(agent_id=agent.id, **config)
        return self.with_configuration(agent.id)  # type: ignore[return-value]

    def check_new_name(self, name: str | None) -> str:
        """The name, stripped, for a new agent: ValidationError when empty or too long,
        ConflictError when another agent has it."""
        name = (name or "").strip()
        if not name:
            raise ValidationError("name", "is required")
        if len(name) > NAME_MAX:
            raise ValidationError("name", f"must be at most {NAME_MAX} characters")
        if self.count(name=name):
            raise ConflictError(f"An agent named {name!r} already exists.")
        return name

    def rename(self, agent_id: str, name: str) -> r.AgentRecord:
        """Give the agent a new, unique name."""
        name = (name or "").strip()
        if not name:
            raise ValidationError("name", "is required")
        with self.store.writing():
            clash = self.store.scalar('SELECT "Id" FROM "Agents" WHERE "Name" = $name AND '
                                      '"Id" <> $id', name=name, id=agent_id)
            if clash:
                raise ConflictError(f"An agent named {name!r} already exists.")
            return self.update(agent_id, name=name)

    def update_configuration(self, agent_id: str, **fields: Any) -> r.AgentRecord:
        """Change configuration fields, creating the configuration when the agent has none."""
        values = validate_configuration(fields)
        with self.store.writing():
            if not self.exists(agent_id):
                raise NotFoundError("agent", agent_id)
            config_id = self.store.scalar(
                'SELECT "Id" FROM "AgentConfigurations" WHERE "AgentId" = $id', id=agent_id)
            if config_id is None:
                self.store.configurations.add(agent_id=agent_id, **values)
            elif values:
                self.store.configurations.update(config_id, **values)
        return self.with_configuration(agent_id)  # type: ignore[return-value]

    def usage_statistics(self, agent_id: str, since: datetime | None = None
                         ) -> r.AgentUsageStatistics:
        """Messages, sessions, tokens and tool calls of the agent (from `since` on), in SQL."""
        if not self.exists(agent_id):
            raise NotFoundError("agent", agent_id)
        where = 'm."AgentId" = $id'
        params: dict[str, Any] = {"id": agent_id}
        if since is not None:
            where += ' AND m."Timestamp" >= $since'
            params["since"] = encode_value(since)
        with self.store.reading():
            messages, sessions, tokens = self.store.select(
                f'SELECT count(*), count(DISTINCT m."SessionId"), coalesce(sum({TOKENS_SQL}), 0) '
                f'FROM "Messages" m WHERE {where}', **params)[0]
            calls = self.store.scalar(
                'SELECT count(*) FROM "ToolCalls" t JOIN "Messages" m ON m."Id" = t."MessageId" '
                f'WHERE {where}', **params)
        return r.AgentUsageStatistics(agent_id, int(messages), int(sessions), int(tokens),
                                      int(calls), since)

    def usage_by_day(self, agent_id: str) -> list[tuple[str, int, int]]:
        """(day, messages, tokens) per day of the agent's messages, oldest first."""
        with self.store.reading():
            return [(row[0], int(row[1]), int(row[2])) for row in self.store.select(
                f'SELECT substr(m."Timestamp", 1, 10), count(*), coalesce(sum({TOKENS_SQL}), 0) '
                'FROM "Messages" m WHERE m."AgentId" = $id GROUP BY 1 ORDER BY 1', id=agent_id)]

    def increment_usage(self, agent_id: str, message_count: int, tokens_used: int) -> None:
        """Add to the agent's counters and mark it used now, without a read-modify-write race."""
        with self.store.writing():
            cursor = self.store.execute(
                'UPDATE "Agents" SET "TotalMessages" = "TotalMessages" + $messages, '
                '"TotalTokensUsed" = "TotalTokensUsed" + $tokens, "LastUsedAt" = $now '
                'WHERE "Id" = $id', messages=int(message_count), tokens=int(tokens_used),
                now=now_text(), id=agent_id)
            if cursor.rowcount == 0:
                raise NotFoundError("agent", agent_id)

    def references(self, agent_id: str) -> int:
        """How many messages and plan steps refer to the agent."""
        with self.store.reading():
            return int(self.store.scalar(
                'SELECT (SELECT count(*) FROM "Messages" WHERE "AgentId" = $id) + '
                '(SELECT count(*) FROM "OrchestrationSteps" WHERE "AgentId" = $id)', id=agent_id))

    def deletion_effects(self, agent_id: str) -> dict[str, int]:
        """What the file's cascades take with the agent: its configuration, session
        memberships and (where the file has teams) team memberships."""
        with self.store.reading():
            effects = {
                "configurations": int(self.store.scalar(
                    'SELECT count(*) FROM "AgentConfigurations" WHERE "AgentId" = $id',
                    id=agent_id)),
                "session_memberships": int(self.store.scalar(
                    'SELECT count(*) FROM "SessionAgents" WHERE "AgentId" = $id', id=agent_id)),
            }
            if self.store.form.has_table("TeamMembers"):
                effects["team_memberships"] = int(self.store.scalar(
                    'SELECT count(*) FROM "TeamMembers" WHERE "AgentId" = $id', id=agent_id))
        return effects

    def delete(self, key: Any) -> bool:
        """Delete an agent nothing refers to; otherwise ConflictError (deactivate it instead)."""
        with self.store.writing():
            used = self.references(key)
            if used:
                raise ConflictError(
                    f"The agent is still referred to by {used:,} messages or plan steps, so it "
                    "cannot be deleted; deactivate it instead.")
            return super().delete(key)

    # -- the agent editor ---------------------------------------------------------------------

    def save(self, agent_id: str, loaded: r.AgentRecord, changes: dict[str, Any], *,
             overwrite: bool = False) -> r.AgentRecord:
        """Write edited fields (see `agent_editing`) in one transaction. StaleEditError (with
        the current record) when another program changed the agent's editable columns since
        `loaded` was read, unless `overwrite`; usage counters never count as a change."""
        return save_agent(self, agent_id, loaded, changes, overwrite)

    def duplicate(self, agent_id: str) -> r.AgentRecord:
        """A copy named “Copy of X” (unique), with the same configuration and no usage."""
        return duplicate_agent(self, agent_id)

    def set_active(self, agent_id: str, active: bool) -> r.AgentRecord:
        """Activate or deactivate the agent."""
        with self.store.writing():
            cursor = self.store.execute('UPDATE "Agents" SET "IsActive" = $on WHERE "Id" = $id',
                                        on=int(bool(active)), id=agent_id)
            if cursor.rowcount == 0:
                raise NotFoundError("agent", agent_id)
            return self.with_configuration(agent_id)  # type: ignore[return-value]

    def listing(self) -> tuple[list[r.AgentRecord], list[str]]:
        """Every agent with its configuration (name, type, active, model, last used, totals),
        and the models to offer in the editor."""
        agents = self.all_with_configuration()
        return agents, known_models(agents, (a["model"] for a in DEFAULT_AGENTS))

    def usage_over_time(self, agent_id: str, period: str = "auto") -> tuple[str, list[Any]]:
        """(period, points) of messages, sessions, tokens and tool calls per day or week."""
        return usage_over_time(self, agent_id, period)
