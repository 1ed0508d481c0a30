"""`db info`, `db check` and `db backup`: the file itself."""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ...data import DataError, Store
from ...data.migrations import LATEST_VERSION
from .. import tables as t
from ..opening import database_path, read_only_reason, reading, writing
from ..output import Outcome, progress_reporter
from ..parser import command, command_group

INDEX_STATES = {None: "absent", "building": "building", "ready": "ready"}


def register(commands: Any) -> None:
    group = command_group(commands, "db", "facts about the file, an integrity check, a backup")
    command(group, "info", summary="facts about the database file", handler=info,
            description="Show the file's path, size, journal mode, schema version, whether it "
                        "can be changed, its row counts and the state of its search index.",
            examples="""
                orchestrator-desktop db info
                orchestrator-desktop --db ~/orchestrator.db db info --json""")
    command(group, "check", summary="check the file and its search index", handler=check,
            description="Run SQLite's integrity check and check the search index. Exits with "
                        "status 1 when a problem is found. Nothing in the file is changed.",
            examples="""
                orchestrator-desktop db check
                orchestrator-desktop db check --json || echo "the database needs attention\"""")
    parser = command(
        group, "backup", summary="a consistent copy of the file", handler=backup,
        description="Copy the database with SQLite's backup API: the copy is consistent even "
                    "while another program writes to the file. DEST may be a folder.",
        examples="""
            orchestrator-desktop db backup ~/backups/orchestrator-before-upgrade.db
            orchestrator-desktop db backup ~/backups/
            orchestrator-desktop db backup /tmp/copy.db --force""")
    parser.add_argument("dest", metavar="DEST", help="the copy's path, or a folder for it")
    parser.add_argument("--force", action="store_true", help="replace DEST if it exists")


def _index_state(store: Store) -> tuple[str, float]:
    """The search index's state as the file records it, and how much of it is built."""
    state = store.meta("fts_state")
    if state == "ready":
        return "ready", 1.0
    if state is None:
        return "absent", 0.0
    with store.reading():
        top = int(store.scalar('SELECT max(rowid) FROM "Messages"') or 0)
    position = int(store.meta("fts_position") or 0)
    return INDEX_STATES.get(state, state), (min(position / top, 1.0) if top else 0.0)


# -- db info --------------------------------------------------------------------------------

def info(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    with reading(options) as store:
        with store.reading():
            journal = store.scalar("SELECT journal_mode FROM pragma_journal_mode")
        version = store.schema_version
        counts = store.counts()
        state, progress = _index_state(store)
    reason = read_only_reason(path)
    data = {"path": str(path), "size_bytes": path.stat().st_size, "journal_mode": journal,
            "schema_version": version, "latest_schema_version": LATEST_VERSION,
            "read_only": reason is not None, "read_only_reason": reason, "counts": counts,
            "search_index": {"state": state, "progress": round(progress, 4)}}
    index = state if state != "building" else f"building ({progress:.0%})"
    text = t.fields([
        ("Path", path), ("Size", f"{t.size(data['size_bytes'])} ({data['size_bytes']:,} bytes)"),
        ("Journal mode", journal),
        ("Schema version", f"{version} (this application's: {LATEST_VERSION})"),
        ("Read-only", f"yes: {reason}" if reason else "no"),
        ("Sessions", t.number(counts["sessions"])), ("Messages", t.number(counts["messages"])),
        ("Agents", t.number(counts["agents"])), ("Snapshots", t.number(counts["snapshots"])),
        ("Search index", index),
    ])
    return Outcome(data, text)


# -- db check -------------------------------------------------------------------------------

def check(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    notes: list[str] = []
    with reading(options) as store:
        with store.reading():
            integrity = [str(row[0]) for row in store.select(
                "SELECT * FROM pragma_integrity_check")]
        state, progress = _index_state(store)
        covered = store.search.index_is_consistent() if state == "ready" else True
    problems = [] if integrity == ["ok"] else integrity
    if state == "ready":
        if problems or read_only_reason(path):
            if not covered:
                problems.append("The search index does not cover every message.")
            notes.append("the search index was only partly checked (its own integrity check "
                         "needs a writable, otherwise sound file)")
        else:
            with writing(options) as store:
                problems.extend(store.search.check())
    elif state == "absent":
        notes.append("the file has no search index yet; the window or the search command "
                     "builds it when first needed")
    else:
        notes.append(f"the search index is still being built ({progress:.0%}); run the "
                     "search command to finish it")
    data = {"ok": not problems, "problems": problems, "integrity_check": integrity,
            "search_index": state, "notes": notes}
    lines = [f"SQLite integrity check: {'ok' if integrity == ['ok'] else 'problems found'}",
             f"Search index: {state}"]
    lines += [f"problem: {p}" for p in problems] + [f"note: {n}" for n in notes]
    lines.append("No problems found." if not problems else f"{len(problems)} problem(s) found.")
    return Outcome(data, "\n".join(lines), exit_code=0 if not problems else 1)


# -- db backup ------------------------------------------------------------------------------

def backup(options: argparse.Namespace) -> Outcome:
    source = database_path(options)
    dest = Path(options.dest).expanduser().absolute()
    if dest.is_dir() or options.dest.endswith(("/", os.sep)):
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
        dest = dest / f"{source.stem}-{stamp}.db"
    if dest.exists() and not options.force:
        raise DataError(f"{dest} already exists; add --force to replace it.")
    with reading(options) as store:
        try:
            written = store.backup_to(dest, progress_reporter())
        except (OSError, sqlite3.Error) as exc:
            detail = getattr(exc, "strerror", None) or str(exc)
            raise DataError(f"Cannot write the backup to {dest} ({detail}).") from exc
    size = written.stat().st_size
    data = {"source": str(source), "path": str(written), "size_bytes": size}
    return Outcome(data, f"Backed up {source} to {written} ({t.size(size)}).")
