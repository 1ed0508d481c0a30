"""`agent list`, `agent show`, `agent stats`, `agent set`, `agent create`, `agent duplicate`
and `agent delete`."""

from __future__ import annotations

import argparse
from typing import Any

from ...data import NotFoundError, Store
from ...data import records as r
from ...data.agents import (
    MAX_TOKENS_RANGE,
    TEMPERATURE_RANGE,
    new_agent_configuration,
    validate_configuration,
)
from ...data.enums import AgentType
from ...data.errors import ConflictError
from .. import jsonform
from .. import tables as t
from ..opening import reading, writing
from ..output import Outcome
from ..parser import agent_type, command, command_group, since_date, yes_no

# `agent set` option -> configuration field, in the order changes are reported
CONFIG_OPTIONS = ("model", "temperature", "max_tokens", "system_prompt", "require_approval")


def register(commands: Any) -> None:
    group = command_group(commands, "agent",
                          "list agents, show one with its configuration or usage, edit, "
                          "create, duplicate or delete one")
    command(group, "list", summary="every agent with its model", handler=list_agents,
            description="List every agent with its type, model and usage counters, by name.",
            examples="""
                orchestrator-desktop agent list
                orchestrator-desktop agent list --json | jq '.[] | select(.is_active)'""")

    parser = command(
        group, "show", summary="one agent with its configuration", handler=show_agent,
        description="Show an agent and its configuration: model, temperature, token limit, "
                    "approval, system prompt, tools and capabilities.",
        examples="""
            orchestrator-desktop agent show default-claude
            orchestrator-desktop agent show default-claude --json""")
    parser.add_argument("id", metavar="ID", help="the agent's id")

    parser = command(
        group, "stats", summary="an agent's usage", handler=agent_stats,
        description="Count the agent's messages, sessions, tokens and tool calls, from the "
                    "file's messages (optionally from a date on).",
        examples="""
            orchestrator-desktop agent stats default-claude
            orchestrator-desktop agent stats default-claude --since 2024-01-30
            orchestrator-desktop agent stats default-claude --since 2024-01-30T14:00Z --json""")
    parser.add_argument("id", metavar="ID", help="the agent's id")
    parser.add_argument("--since", type=since_date, metavar="DATE", help=(
        "only messages from this date or time on (ISO 8601; local time unless it ends in Z "
        "or an offset such as +02:00)"))

    low, high = TEMPERATURE_RANGE
    parser = command(
        group, "set", summary="edit an agent's configuration", handler=set_agent,
        description="Change an agent's configuration. Every change is checked first and all "
                    "are made in one transaction: a rejected value changes nothing.",
        examples="""
            orchestrator-desktop agent set default-claude --temperature 0.2
            orchestrator-desktop agent set default-claude --model claude-3-opus --max-tokens 8192
            orchestrator-desktop agent set default-gpt4 --active no
            orchestrator-desktop agent set default-claude --system-prompt "$(cat prompt.txt)\"""")
    parser.add_argument("id", metavar="ID", help="the agent's id")
    parser.add_argument("--model", metavar="M", help="the model name (empty to clear)")
    parser.add_argument("--temperature", type=float, metavar="T",
                        help=f"sampling temperature, {low:g} to {high:g}")
    parser.add_argument("--max-tokens", type=int, metavar="N",
                        help=f"token limit, {MAX_TOKENS_RANGE[0]:,} to {MAX_TOKENS_RANGE[1]:,}")
    parser.add_argument("--system-prompt", metavar="TEXT", help="the system prompt (empty to "
                        "clear)")
    parser.add_argument("--require-approval", type=yes_no, metavar="yes/no",
                        help="ask before the agent's tool calls run")
    parser.add_argument("--active", type=yes_no, metavar="yes/no",
                        help="whether the agent can be used")
    parser.set_defaults(usage=parser)

    types = ", ".join(AgentType.__members__)
    parser = command(
        group, "create", summary="a new agent with the default configuration",
        handler=create_agent,
        description="Create an agent, as New Agent in the window does: the name must be new, "
                    "and it gets the default configuration (the Claude Assistant's model, "
                    "temperature and token limit, the default capabilities, no tools). Prints "
                    "the new agent's id; change its configuration with `agent set`.",
        examples="""
            orchestrator-desktop agent create Planner
            orchestrator-desktop agent create "Code reviewer" --type GPT4 --json
            ID=$(orchestrator-desktop agent create Planner)
            orchestrator-desktop agent set "$ID" --model gpt-4o""")
    parser.add_argument("name", metavar="NAME", help="the new agent's name (unique)")
    parser.add_argument("--type", type=agent_type, default=AgentType.Custom, metavar="T",
                        help=f"the agent's type ({types}; default Custom), in any case")

    parser = command(
        group, "duplicate", summary="copy an agent and its configuration",
        handler=duplicate_agent,
        description="Copy an agent with its configuration, as Duplicate in the window does: "
                    "the copy is named \"Copy of <name>\" (with a number when that is taken) "
                    "and its usage counters start at zero. Prints the copy's id.",
        examples="""
            orchestrator-desktop agent duplicate default-claude
            orchestrator-desktop agent duplicate default-claude --json | jq -r .name""")
    parser.add_argument("id", metavar="ID", help="the agent's id")

    parser = command(
        group, "delete", summary="delete an agent no message refers to",
        handler=delete_agent,
        description="Delete an agent and its configuration (its session and team memberships "
                    "go with it). An agent that messages or plan steps refer to is not deleted "
                    "(that would lose who wrote them): deactivate it with `agent set ID --active "
                    "no` instead. Deleting cannot be undone, so it needs --yes; without it the "
                    "command only says what would be deleted.",
        examples="""
            orchestrator-desktop agent delete 2b1f... --yes
            orchestrator-desktop agent delete 2b1f...        # says what would go; exit 2""")
    parser.add_argument("id", metavar="ID", help="the agent's id")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="really delete (needed: deleting cannot be undone)")
    parser.set_defaults(usage=parser)


def _require(store: Store, agent_id: str) -> r.AgentRecord:
    agent = store.agents.with_configuration(agent_id)
    if agent is None:
        raise NotFoundError("agent", agent_id)
    return agent


# -- agent list / show ----------------------------------------------------------------------

def list_agents(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        agents = store.agents.all_with_configuration()
    rows = []
    for a in agents:
        config = a.configuration
        rows.append((a.id, a.name or t.EMPTY, a.type.label, t.yes_no(a.is_active),
                     (config.model if config else None) or t.EMPTY,
                     f"{config.temperature:g}" if config else t.EMPTY,
                     t.number(a.total_messages), t.number(a.total_tokens_used),
                     t.when(a.last_used_at)))
    text = t.table(["id", "name", "type", "active", "model", "temp", "messages", "tokens",
                    "last used"], rows, widths={0: 40, 1: 30, 4: 30}, right={5, 6, 7}
                   ) if agents else "No agents."
    return Outcome([jsonform.agent(a) for a in agents], text)


def show_agent(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        agent = _require(store, options.id)
    return Outcome(jsonform.agent(agent), _agent_text(agent))


def _agent_text(agent: r.AgentRecord) -> str:
    text = "\n".join([agent.name or agent.id, t.fields([
        ("ID", agent.id), ("Type", agent.type.label), ("Active", t.yes_no(agent.is_active)),
        ("Description", agent.description), ("Working directory", agent.working_directory),
        ("Created", t.when(agent.created_at)), ("Last used", t.when(agent.last_used_at)),
        ("Sessions", t.number(agent.total_sessions)),
        ("Messages", t.number(agent.total_messages)),
        ("Tokens used", t.number(agent.total_tokens_used)),
    ], indent="  ")])
    config = agent.configuration
    if config is None:
        return text + "\nConfiguration: none"
    text += "\nConfiguration:\n" + t.fields([
        ("Model", config.model), ("Temperature", f"{config.temperature:g}"),
        ("Max tokens", t.number(config.max_tokens)),
        ("Require approval", t.yes_no(config.require_approval)),
        ("Enabled tools", t.json_text(config.enabled_tools, 80)),
        ("Capabilities", t.json_text(config.capabilities, 80)),
        ("Custom settings", t.json_text(config.custom_settings, 80)),
        *([] if config.system_prompt else [("System prompt", None)]),
    ], indent="  ")
    if config.system_prompt:
        text += "\n  System prompt:\n" + t.block(config.system_prompt)
    return text


# -- agent stats ----------------------------------------------------------------------------

def agent_stats(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        agent = _require(store, options.id)
        stats = store.agents.usage_statistics(options.id, since=options.since)
    heading = f"{agent.name or agent.id} ({agent.id})"
    if stats.since is not None:
        heading += f", since {t.when(stats.since)}"
    text = "\n".join([heading, t.fields([
        ("Messages", t.number(stats.message_count)),
        ("Sessions", t.number(stats.session_count)),
        ("Total tokens", t.number(stats.total_tokens)),
        ("Tool calls", t.number(stats.tool_call_count)),
    ], indent="  ")])
    return Outcome(jsonform.usage(stats, agent.name), text)


# -- agent set ------------------------------------------------------------------------------

def set_agent(options: argparse.Namespace) -> Outcome:
    fields = {name: getattr(options, name) for name in CONFIG_OPTIONS
              if getattr(options, name) is not None}
    if not fields and options.active is None:
        options.usage.error("nothing to change: give at least one option, such as "
                            "--temperature or --active")
    validate_configuration(fields)  # a rejected value fails before the file is opened
    with reading(options) as store:
        before = _require(store, options.id)
    with writing(options) as store:
        with store.unit_of_work():
            if fields:
                store.agents.update_configuration(options.id, **fields)
            if options.active is not None:
                store.agents.update(options.id, is_active=options.active)
        after = _require(store, options.id)
    changes = _changes(before, after, list(fields) + (
        ["is_active"] if options.active is not None else []))
    name = after.name or after.id
    text = f"Updated agent {name} ({after.id}):\n" + (
        t.fields(changes, indent="  ") if changes else "  nothing changed")
    return Outcome(jsonform.agent(after), text)


def _changes(before: r.AgentRecord, after: r.AgentRecord,
             names: list[str]) -> list[tuple[str, str]]:
    """`name: old → new` for each requested field (or `name: value (unchanged)`)."""

    def value(agent: r.AgentRecord, name: str) -> str:
        if name == "is_active":
            return t.yes_no(agent.is_active)
        config = agent.configuration
        found = getattr(config, name) if config else None
        if isinstance(found, bool):
            return t.yes_no(found)
        if isinstance(found, float):
            return f"{found:g}"
        return t.truncate(t.one_line(found), 50) if found not in (None, "") else "(none)"

    out = []
    for name in names:
        old, new = value(before, name), value(after, name)
        label = name.replace("_", " ").replace("is active", "active")
        out.append((label, f"{old} → {new}" if old != new else f"{new} (unchanged)"))
    return out


# -- agent create, duplicate, delete --------------------------------------------------------

def _created(agent: r.AgentRecord, note: str) -> Outcome:
    """The new agent's id on stdout (for `ID=$(...)`), what happened as a note."""
    return Outcome(jsonform.agent(agent), agent.id, (note,))


def create_agent(options: argparse.Namespace) -> Outcome:
    configuration = new_agent_configuration()
    with reading(options) as store:
        name = store.agents.check_new_name(options.name)
    with writing(options) as store:
        agent = store.agents.create(name, options.type, **configuration)
    model = agent.configuration.model if agent.configuration else None
    return _created(agent, f"created agent “{agent.name}” ({agent.type.label}"
                           f"{f', {model}' if model else ''})")


def duplicate_agent(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        source = _require(store, options.id)
    with writing(options) as store:
        copy = store.agents.duplicate(options.id)
    return _created(copy, f"duplicated “{source.name or source.id}” as “{copy.name}”")


def delete_agent(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        agent = _require(store, options.id)
        used = store.agents.references(options.id)
        effects = store.agents.deletion_effects(options.id)
    name = agent.name or agent.id
    if used:
        raise ConflictError(
            f"{used:,} messages or plan steps refer to agent “{name}”, so it cannot "
            "be deleted without losing who wrote them; deactivate it instead: "
            f"orchestrator-desktop agent set {agent.id} --active no")
    going = _agent_effects(effects)
    if not options.yes:
        options.usage.error(f"deleting cannot be undone: add --yes to delete agent “{name}” "
                            f"({agent.id}) with {going}")
    with writing(options) as store:
        store.agents.delete(options.id)
    data = {"id": agent.id, "name": agent.name, "deleted": True, "removed": effects}
    return Outcome(data, f"Deleted agent “{name}” ({agent.id}) with {going}.")


def _agent_effects(effects: dict[str, int]) -> str:
    parts = ["its configuration" if effects["configurations"] else "no configuration"]
    parts += [t.count_of(count, kind[:-1]) for kind, count in effects.items()
              if kind != "configurations" and count]
    return t.listing(parts)
