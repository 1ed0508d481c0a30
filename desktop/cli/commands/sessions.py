"""`session list`, `session show`, `session stats`, `session rename`, `session status` and
`session delete`."""

from __future__ import annotations

import argparse
from typing import Any

from ...data import Store
from ...data import records as r
from ...data.enums import SessionStatus
from ...data.sessions import MessagePage, SessionFilter
from .. import jsonform
from .. import tables as t
from ..opening import reading, writing
from ..output import Outcome
from ..parser import command, command_group, non_negative_int, positive_int, session_status


def register(commands: Any) -> None:
    group = command_group(commands, "session",
                          "list sessions, show one with its messages or its statistics, "
                          "rename one, change its status, delete it")
    statuses = ", ".join(SessionStatus.__members__)
    parser = command(
        group, "list", summary="sessions, most recent activity first", handler=list_sessions,
        description="List sessions with their status, message count and agents, the most "
                    "recently active first.",
        examples="""
            orchestrator-desktop session list
            orchestrator-desktop session list --status Active --limit 20
            orchestrator-desktop session list --project proj-42 --json""")
    parser.add_argument("--status", type=session_status, metavar="NAME",
                        help=f"only sessions with this status ({statuses})")
    parser.add_argument("--project", metavar="ID", help="only sessions of this project")
    parser.add_argument("--limit", type=positive_int, default=100, metavar="N",
                        help="at most N sessions (default 100)")

    parser = command(
        group, "show", summary="a session and a page of its messages", handler=show_session,
        description="Show a session, its agents, and a page of its messages in order, with "
                    "their tool calls and attachments.",
        examples="""
            orchestrator-desktop session show 3f2b8c1e-0d4a-4e7b-9c61-2a5f7e8d9b10
            orchestrator-desktop session show 3f2b8c1e-... --offset 50 --limit 50
            orchestrator-desktop --json session show 3f2b8c1e-... | jq '.messages[].content'""")
    parser.add_argument("id", metavar="ID", help="the session's id")
    parser.add_argument("--limit", type=positive_int, default=50, metavar="N",
                        help="at most N messages (default 50)")
    parser.add_argument("--offset", type=non_negative_int, default=0, metavar="N",
                        help="skip the first N messages (default 0)")

    parser = command(
        group, "stats", summary="a session's statistics", handler=session_stats,
        description="Count a session's messages, agents, tokens and tool calls, and give its "
                    "duration (until it completed; if it has not, until its last activity).",
        examples="""
            orchestrator-desktop session stats 3f2b8c1e-0d4a-4e7b-9c61-2a5f7e8d9b10
            orchestrator-desktop session stats 3f2b8c1e-... --json""")
    parser.add_argument("id", metavar="ID", help="the session's id")

    from .export import register as register_export

    register_export(group)

    parser = command(
        group, "rename", summary="give a session a new name", handler=rename_session,
        description="Rename a session, as Rename in the window does. An empty name clears it "
                    "(the session is then shown as \"Untitled session\").",
        examples="""
            orchestrator-desktop session rename 3f2b8c1e-... "Parser refactor, part 2"
            orchestrator-desktop session rename 3f2b8c1e-... "" --json""")
    parser.add_argument("id", metavar="ID", help="the session's id")
    parser.add_argument("name", metavar="NAME", help="the new name (empty to clear it)")

    parser = command(
        group, "status", summary="change a session's status", handler=change_status,
        description=f"Set a session's status ({statuses}, in any case), as the window's "
                    "Status menu does. Completed, Failed and Cancelled also set the time it "
                    "completed, when it has none yet.",
        examples="""
            orchestrator-desktop session status 3f2b8c1e-... completed
            orchestrator-desktop session status 3f2b8c1e-... Paused --json""")
    parser.add_argument("id", metavar="ID", help="the session's id")
    parser.add_argument("status", type=session_status, metavar="STATUS",
                        help=f"the new status ({statuses})")

    parser = command(
        group, "delete", summary="delete a session with its messages", handler=delete_session,
        description="Delete a session with everything that belongs to it, as Delete in the "
                    "window does: its messages with their tool calls and attachments, its "
                    "snapshots, agent memberships, orchestration plans and team. The Plans of "
                    "today's files stay, as the .NET application leaves them. Deleting cannot "
                    "be undone, so it needs --yes; without it the command only says what would "
                    "be deleted.",
        examples="""
            orchestrator-desktop session delete 3f2b8c1e-... --yes
            orchestrator-desktop session delete 3f2b8c1e-...   # says what would go; exit 2
            orchestrator-desktop snapshot create 3f2b8c1e-... --name last && \\
              orchestrator-desktop db backup ~/backups/ && \\
              orchestrator-desktop session delete 3f2b8c1e-... --yes""")
    parser.add_argument("id", metavar="ID", help="the session's id")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="really delete (needed: deleting cannot be undone)")
    parser.set_defaults(usage=parser)


# -- session list ---------------------------------------------------------------------------

def list_sessions(options: argparse.Namespace) -> Outcome:
    filters = SessionFilter(status=options.status, project_id=options.project)
    with reading(options) as store:
        page = store.sessions.summaries(filters=filters, limit=options.limit)
    summaries: tuple[r.SessionSummary, ...] = page.items
    text = t.table(
        ["id", "name", "status", "type", "project", "messages", "last activity", "agents"],
        [(s.session.id, s.session.display_name, s.session.status.label, s.session.type.label,
          s.session.project_id or t.EMPTY, t.number(s.message_count),
          t.when(s.session.last_activity_at), ", ".join(s.agent_names) or t.EMPTY)
         for s in summaries],
        widths={1: 40, 4: 20, 7: 40}, right={5}) if summaries else "No sessions."
    notes = (f"there are more sessions than the {options.limit} shown; raise --limit to see "
             "them",) if page.has_more else ()
    return Outcome([jsonform.session_summary(s) for s in summaries], text, notes)


# -- session show ---------------------------------------------------------------------------

def page_at(store: Store, session_id: str, offset: int, limit: int) -> MessagePage:
    """`limit` messages of the session starting after the first `offset` (in order)."""
    if offset == 0:
        return store.sessions.messages_page(session_id, limit=limit)
    cursor = store.sessions.cursor_at(session_id, offset)
    if cursor is None:
        return MessagePage((), has_before=True, has_after=False)
    return store.sessions.messages_page(session_id, after=cursor, limit=limit)


def show_session(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        session = store.sessions.require(options.id)
        members = store.sessions.members(options.id)
        total = store.messages.count(session_id=options.id)
        page = page_at(store, options.id, options.offset, options.limit)
        teams, plans = store.plans.teams(options.id), store.plans.work_plans(options.id)
    data = {
        "session": {**jsonform.session(session), "message_count": total,
                    "agent_names": [m.agent_name or m.agent_id for m in members]},
        "members": [jsonform.member(m) for m in members],
        "teams": [jsonform.team(t) for t in teams],
        "plans": [jsonform.work_plan(p) for p in plans],
        "offset": options.offset, "limit": options.limit, "has_more": page.has_after,
        "messages": [jsonform.message(m) for m in page.messages],
    }
    return Outcome(data, _session_text(session, members, total, page, options.offset))


def _session_text(session: r.SessionRecord, members: tuple[r.SessionAgentRecord, ...],
                  total: int, page: MessagePage, offset: int) -> str:
    parts = [session.display_name, t.fields([
        ("ID", session.id), ("Status", session.status.label), ("Type", session.type.label),
        ("Project", session.project_id), ("Working directory", session.working_directory),
        ("Created", t.when(session.created_at)),
        ("Last activity", t.when(session.last_activity_at)),
        ("Completed", t.when(session.completed_at) if session.completed_at else None),
        ("Context", t.json_text(session.context, 80)),
        ("Metadata", t.json_text(session.metadata, 80)),
        ("Messages", t.number(total)),
    ], indent="  ")]
    if members:
        parts.append("Agents:")
        for m in members:
            details = [f"joined {t.when(m.joined_at)}"]
            if m.left_at:
                details.append(f"left {t.when(m.left_at)}")
            role = f" ({m.role})" if m.role else ""
            parts.append(f"  {m.agent_name or m.agent_id}{role}, {', '.join(details)}")
    parts.append("")
    if not page.messages:
        parts.append("No messages." if total == 0 else
                     f"No messages after the first {offset:,} (the session has {total:,}).")
    else:
        first = offset + 1
        parts.append(f"Messages {first:,}–{offset + len(page.messages):,} of {total:,}:")
        parts.extend(_message_text(m) for m in page.messages)
        if page.has_after:
            parts.append(f"(more: --offset {offset + len(page.messages)})")
    return "\n".join(parts)


def _message_text(message: r.MessageRecord) -> str:
    heading = [message.number, t.when(message.timestamp), message.role.label]
    if message.agent_id:
        heading.append(message.agent_name or message.agent_id)
    usage = message.token_usage
    if usage and usage.total_tokens:
        heading.append(f"{usage.total_tokens:,} tokens")
    lines = ["  ".join(heading[:2]) + "  " + " · ".join(heading[2:])]
    lines.append(t.block(message.content) if message.content else "    (no content)")
    for a in message.attachments:
        kind = f"{a.mime_type}, " if a.mime_type else ""
        lines.append(f"    attachment: {a.file_name or a.id} ({kind}{t.size(a.size)})")
    for call in message.tool_calls:
        result = "ok" if call.success else "failed"
        if call.error:
            result += f": {t.truncate(t.one_line(call.error), 60)}"
        lines.append(f"    tool call: {call.tool_name or call.id} — {result}, "
                     f"{t.duration(call.execution_time)}")
    return "\n".join(lines)


# -- session stats --------------------------------------------------------------------------

def session_stats(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        session = store.sessions.require(options.id)
        stats = store.sessions.statistics(options.id)
    text = "\n".join([f"{session.display_name} ({session.id})", t.fields([
        ("Messages", t.number(stats.message_count)), ("Agents", t.number(stats.agent_count)),
        (stats.duration_label, t.duration(stats.duration)),
        ("Total tokens", t.number(stats.total_tokens)),
        ("Tool calls", t.number(stats.tool_call_count)),
    ], indent="  ")])
    if stats.tokens_by_agent:
        text += "\nTokens by agent:\n" + t.fields(
            [(name, t.number(count)) for name, count in sorted(
                stats.tokens_by_agent.items(), key=lambda item: (-item[1], item[0]))],
            indent="  ")
    return Outcome(jsonform.statistics(stats), text)


# -- session rename, status, delete ---------------------------------------------------------

def rename_session(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        before = store.sessions.require(options.id)
    with writing(options) as store:
        after = store.sessions.rename(options.id, options.name)
    text = (f"Renamed session {after.id}: “{before.display_name}” → “{after.display_name}”"
            if before.name != after.name else
            f"Session {after.id} is already named “{after.display_name}” (unchanged)")
    return Outcome(jsonform.session(after), text)


def change_status(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        before = store.sessions.require(options.id)
    with writing(options) as store:
        after = store.sessions.set_status(options.id, options.status)
    old, new = before.status.label, after.status.label
    text = f"Session “{after.display_name}” ({after.id}): " + (
        f"{old} → {new}" if before.status != after.status else f"{new} (unchanged)")
    if after.completed_at and before.completed_at is None:
        text += f"\n  Completed: {t.when(after.completed_at)}"
    return Outcome(jsonform.session(after), text)


def delete_session(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        session = store.sessions.require(options.id)
        effects = store.sessions.deletion_effects(options.id)
    kept = effects.pop("plans_kept", 0)
    going = t.listing([t.count_of(count, kind[:-1]) for kind, count in effects.items()
                       if count] or ["nothing else"])
    name = session.display_name
    if not options.yes:
        options.usage.error(f"deleting cannot be undone: add --yes to delete session “{name}” "
                            f"({session.id}) with {going}")
    with writing(options) as store:
        store.sessions.delete(options.id)
    notes = (f"the session's {t.count_of(kept, 'plan')} {'stays' if kept == 1 else 'stay'} "
             "in the file (the .NET application leaves Plans too)",) if kept else ()
    data = {"id": session.id, "name": session.name, "deleted": True, "removed": effects,
            "plans_kept": kept}
    return Outcome(data, f"Deleted session “{name}” ({session.id}) with {going}.", notes)
