"""`snapshot create`, `snapshot list`, `snapshot restore` and `snapshot revert`."""

from __future__ import annotations

import argparse
from typing import Any

from ...data import ValidationError
from ...data import records as r
from ...data.snapshots import require_revertable
from .. import jsonform
from .. import tables as t
from ..opening import reading, writing
from ..output import Outcome, progress_reporter
from ..parser import command, command_group


def register(commands: Any) -> None:
    group = command_group(commands, "snapshot",
                          "take, list, restore and revert session snapshots")
    parser = command(
        group, "create", summary="take a snapshot of a session", handler=create_snapshot,
        description="Save the session as it is now (its messages, tool calls, attachments and "
                    "agents) under a name.",
        examples="""
            orchestrator-desktop snapshot create 3f2b8c1e-... --name "before the refactor"
            orchestrator-desktop snapshot create 3f2b8c1e-... --name nightly --json""")
    parser.add_argument("session_id", metavar="SESSION_ID", help="the session's id")
    parser.add_argument("--name", required=True, metavar="NAME", help="the snapshot's name")

    parser = command(
        group, "list", summary="a session's snapshots, newest first", handler=list_snapshots,
        description="List the session's snapshots, newest first. Snapshots the .NET "
                    "application wrote are listed but cannot be restored here.",
        examples="""
            orchestrator-desktop snapshot list 3f2b8c1e-0d4a-4e7b-9c61-2a5f7e8d9b10
            orchestrator-desktop snapshot list 3f2b8c1e-... --json | jq -r '.[0].id'""")
    parser.add_argument("session_id", metavar="SESSION_ID", help="the session's id")

    parser = command(
        group, "restore", summary="restore a snapshot as a new session",
        handler=restore_snapshot,
        description="Restore the snapshot as a new session named \"<name> (Restored)\"; the "
                    "original session is left as it is. Prints the new session's id.",
        examples="""
            orchestrator-desktop snapshot restore 9d1c...
            NEW=$(orchestrator-desktop snapshot restore 9d1c...)
            orchestrator-desktop snapshot restore 9d1c... --json | jq -r .session_id""")
    parser.add_argument("snapshot_id", metavar="SNAPSHOT_ID", help="the snapshot's id")

    parser = command(
        group, "revert", summary="put a session back as a snapshot has it",
        handler=revert_snapshot,
        description="Put the snapshot's session back as it was when the snapshot was taken. "
                    "A safety snapshot of the session as it is now is taken first, in the same "
                    "transaction, so the revert can itself be undone.",
        examples="""
            orchestrator-desktop snapshot revert 9d1c...
            orchestrator-desktop snapshot revert 9d1c... --json""")
    parser.add_argument("snapshot_id", metavar="SNAPSHOT_ID", help="the snapshot's id")


def _row(s: r.SnapshotRecord) -> tuple[str, ...]:
    return (s.id, s.name or t.EMPTY, t.when(s.created_at), t.number(s.message_count),
            t.size(s.size), t.yes_no(jsonform.is_restorable(s)))


SNAPSHOT_HEADERS = ["id", "name", "created", "messages", "size", "restorable"]


def create_snapshot(options: argparse.Namespace) -> Outcome:
    name = options.name.strip()
    if not name:
        raise ValidationError("name", "is required")
    with reading(options) as store:
        store.sessions.require(options.session_id)
    with writing(options) as store:
        snapshot = store.snapshots.create(options.session_id, name)
    text = t.table(SNAPSHOT_HEADERS, [_row(snapshot)], widths={1: 50}, right={3, 4})
    return Outcome(jsonform.snapshot(snapshot), text)


def list_snapshots(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:
        store.sessions.require(options.session_id)
        snapshots = store.snapshots.described(store.snapshots.for_session(options.session_id))
    text = t.table(SNAPSHOT_HEADERS, [_row(s) for s in snapshots], widths={1: 50},
                   right={3, 4}) if snapshots else "No snapshots."
    return Outcome([jsonform.snapshot(s) for s in snapshots], text)


def restore_snapshot(options: argparse.Namespace) -> Outcome:
    # the state is checked as it is read, a message at a time (decoding it here whole took
    # 1 GB for a 300,000-message snapshot)
    with reading(options) as store:
        record = store.snapshots.require(options.snapshot_id)
    report = progress_reporter()
    with writing(options) as store:
        session = store.snapshots.restore(
            options.snapshot_id, progress=lambda done: report("Restoring", done))
    data = {"session_id": session.id, "name": session.name, "snapshot_id": record.id}
    note = f"restored snapshot “{record.name}” as the new session “{session.display_name}”"
    return Outcome(data, session.id, (note,))


def revert_snapshot(options: argparse.Namespace) -> Outcome:
    with reading(options) as store:  # refused before the file is opened for writing
        [record] = store.snapshots.described([store.snapshots.require(options.snapshot_id)])
        require_revertable({"Form": record.format})
        if record.session_id:
            store.sessions.require(record.session_id)
    report = progress_reporter()
    with writing(options) as store:
        result = store.snapshots.revert(
            options.snapshot_id, progress=lambda done: report("Reverting", done))
    session, safety = result.session, result.safety_snapshot
    data = {"session_id": session.id, "snapshot_id": record.id,
            "safety_snapshot": jsonform.snapshot(safety)}
    text = "\n".join([
        f"Reverted session “{session.display_name}” ({session.id}) to snapshot "
        f"“{record.name}”.",
        f"Safety snapshot: {safety.name} ({safety.id})",
    ])
    return Outcome(data, text)
