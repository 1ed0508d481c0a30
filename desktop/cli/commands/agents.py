"""`agent list`, `agent show`, `agent stats` and `agent set`."""

from __future__ import annotations

import argparse
from typing import Any

from ...data import NotFoundError, Store
from ...data import records as r
from ...data.agents import MAX_TOKENS_RANGE, TEMPERATURE_RANGE, validate_configuration
from .. import jsonform
from .. import tables as t
from ..opening import reading, writing
from ..output import Outcome
from ..parser import command, command_group, since_date, yes_no

# `agent set` option -> configuration field, in the order changes are reported
CONFIG_OPTIONS = ("model", "temperature", "max_tokens", "system_prompt", "require_approval")


def register(commands: Any) -> None:
    group = command_group(commands, "agent",
                          "list agents, show one with its configuration or usage, edit one")
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
