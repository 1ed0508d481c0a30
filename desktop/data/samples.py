"""Sample sessions shipped in resources/samples/, loaded into a database in one transaction.

The sessions have fixed ids, so loading twice adds only those not already there (a sample the
person deleted comes back; the others are left as they are). Agents are matched by id, then by
name, and created when missing. Times are moved so the newest lands a few minutes before now;
messages, plans and steps get new ids every time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..resources import SAMPLES
from .connection import new_id
from .encoding import dump_json, utc_now
from .enums import (
    AgentType,
    MessageRole,
    OrchestrationStrategy,
    SessionStatus,
    SessionType,
    StepStatus,
)
from .errors import DataError

if TYPE_CHECKING:
    from .database import Store

FORMAT = "orchestrator-desktop/samples"
NEWEST_MINUTES_AGO = 12


@dataclass(frozen=True)
class SampleLoad:
    """What loading the samples did."""

    added: tuple[str, ...]  # ids of the sessions added
    already_there: int  # samples skipped because the file has them

    @property
    def summary(self) -> str:
        """A sentence for a person."""
        if not self.added:
            return "The sample sessions are already in this database."
        text = f"Added {len(self.added)} sample session{'s' if len(self.added) != 1 else ''}"
        if self.already_there:
            text += f" ({self.already_there} were already there)"
        return text + "."


def read_samples(path: str | os.PathLike[str] = SAMPLES) -> dict[str, Any]:
    """The samples document, checked for its form."""
    source = Path(path)
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"The sample sessions cannot be read from {source} "
                        f"({exc.strerror or exc}); the installation may be incomplete.") from exc
    except ValueError as exc:
        raise DataError(f"{source} is not a valid samples file ({exc}).") from exc
    if not isinstance(document, dict) or document.get("Format") != FORMAT:
        raise DataError(f"{source} is not a samples file of OrchestratorChat Desktop.")
    return document


def load_samples(store: Store, path: str | os.PathLike[str] = SAMPLES,
                 now: datetime | None = None) -> SampleLoad:
    """Add the sample sessions missing from `store`, all in one transaction."""
    document = read_samples(path)
    sessions = document.get("Sessions", [])
    shift = _shift(sessions, now or utc_now())
    added: list[str] = []
    with store.unit_of_work():
        agents = _ensure_agents(store, document.get("Agents", []))
        for session in sessions:
            if store.sessions.exists(session["id"]):
                continue
            _add_session(store, session, agents, shift)
            added.append(session["id"])
    return SampleLoad(tuple(added), len(sessions) - len(added))


def _when(text: str | None, shift: timedelta) -> datetime | None:
    return datetime.fromisoformat(text) + shift if text else None


def _shift(sessions: list[dict[str, Any]], now: datetime) -> timedelta:
    """How far to move the samples' times so the newest is a few minutes ago."""
    times = [datetime.fromisoformat(m["at"]) for s in sessions for m in s.get("messages", [])]
    times += [datetime.fromisoformat(s[key]) for s in sessions
              for key in ("created_at", "completed_at") if s.get(key)]
    if not times:
        return timedelta(0)
    return now - timedelta(minutes=NEWEST_MINUTES_AGO) - max(times)


def _ensure_agents(store: Store, agents: list[dict[str, Any]]) -> dict[str, str]:
    """Sample agent id -> agent id in this file (the same agent by id or by name, or a new
    one with the sample's id)."""
    mapping: dict[str, str] = {}
    for agent in agents:
        if store.agents.exists(agent["id"]):
            mapping[agent["id"]] = agent["id"]
            continue
        same_name = store.agents.find(name=agent["name"], limit=1)
        if same_name:
            mapping[agent["id"]] = same_name[0].id
            continue
        store.agents.add(id=agent["id"], name=agent["name"],
                         type=AgentType.from_name(agent["type"]),
                         description=agent.get("description"))
        store.configurations.add(agent_id=agent["id"], model=agent.get("model"))
        mapping[agent["id"]] = agent["id"]
    return mapping


def _tokens(values: list[float] | None) -> dict[str, Any] | None:
    if not values:
        return None
    prompt, completion, cost = values
    return {"InputTokens": int(prompt), "OutputTokens": int(completion),
            "TotalTokens": int(prompt + completion), "EstimatedCost": cost}


def _add_session(store: Store, session: dict[str, Any], agents: dict[str, str],
                 shift: timedelta) -> None:
    session_id = session["id"]
    messages = session.get("messages", [])
    created = _when(session["created_at"], shift)
    last = _when(messages[-1]["at"], shift) if messages else created
    store.sessions.add(
        id=session_id, name=session["name"], type=SessionType.from_name(session["type"]),
        status=SessionStatus.from_name(session["status"]), project_id=session.get("project"),
        working_directory=session.get("working_directory"), created_at=created,
        last_activity_at=last, completed_at=_when(session.get("completed_at"), shift),
        metadata_json=dump_json({"Sample": True}))
    for member in session.get("members", []):
        store.memberships.add(session_id=session_id, agent_id=agents[member["agent"]],
                              role=member.get("role"),
                              joined_at=_when(member["joined_at"], shift))
    rows = []
    for message in messages:
        at = _when(message["at"], shift)
        rows.append({
            "content": message.get("content"), "role": MessageRole.from_name(message["role"]),
            "agent_id": agents[message["agent"]] if message.get("agent") else None,
            "timestamp": at, "token_usage": _tokens(message.get("tokens")),
            "tool_calls": [{
                "tool_name": call["tool"], "parameters_json": dump_json(call.get("parameters")),
                "success": call.get("success", False), "output": call.get("output"),
                "error": call.get("error"),
                "execution_time": timedelta(seconds=call.get("seconds", 0)), "executed_at": at,
            } for call in message.get("tool_calls", [])],
            "attachments": [dict(attachment, uploaded_at=at)
                            for attachment in message.get("attachments", [])],
        })
    store.sessions.import_messages(session_id, rows)
    # importing moves the last activity to now; the sample keeps its own
    store.sessions.update(session_id, last_activity_at=last)
    if session.get("plan"):
        _add_plan(store, session_id, session["plan"], agents, shift)
    if session.get("snapshot"):
        snapshot = session["snapshot"]
        store.snapshots.create(session_id, snapshot["name"], snapshot.get("description"))


def _add_plan(store: Store, session_id: str, plan: dict[str, Any], agents: dict[str, str],
              shift: timedelta) -> None:
    record = store.plans.add(
        session_id=session_id, goal=plan["goal"],
        strategy=OrchestrationStrategy.from_name(plan["strategy"]),
        created_at=_when(plan["created_at"], shift),
        started_at=_when(plan.get("started_at"), shift),
        completed_at=_when(plan.get("completed_at"), shift), success=plan.get("success", False),
        shared_context_json=dump_json(plan.get("shared_context")),
        result_json=dump_json(plan.get("result")))
    ids = {step["key"]: new_id() for step in plan.get("steps", [])}
    for order, step in enumerate(plan.get("steps", []), 1):
        started = _when(step.get("started_at"), shift)
        completed = _when(step.get("completed_at"), shift)
        store.steps.add(
            id=ids[step["key"]], plan_id=record.id, order=order,
            agent_id=agents[step["agent"]] if step.get("agent") else
            store.agent_for(session_id, "OrchestrationSteps"), task=step["task"],
            status=StepStatus.from_name(step["status"]), started_at=started,
            completed_at=completed,
            duration=completed - started if started and completed else None,
            input_json=dump_json(step.get("input")), output_json=dump_json(step.get("output")),
            depends_on_json=dump_json([ids[key] for key in step.get("depends_on", [])]))
