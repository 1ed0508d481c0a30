"""`db info`, `db check` and `db backup`: the file itself."""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ...data import DataError
from ...data.health import check_database, index_state
from ...data.migrations import LATEST_VERSION
from .. import tables as t
from ..opening import database_path, read_only_reason, reading, writing
from ..output import Outcome, progress_reporter
from ..parser import command, command_group


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


# -- db info --------------------------------------------------------------------------------

def info(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    with reading(options) as store:
        with store.reading():
            journal = store.scalar("SELECT journal_mode FROM pragma_journal_mode")
        version = store.schema_version
        counts = store.counts()
        state, progress = index_state(store)
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
    with reading(options) as store:
        state, _ = index_state(store)
        # The index's own check needs a writable file; open one only when there is an index.
        deep = state == "ready" and read_only_reason(path) is None
        if not deep:
            report = check_database(store)
    if deep:
        with writing(options) as store:
            report = check_database(store)
    data = {"ok": report.ok, "problems": report.problems, "integrity_check": report.integrity,
            "search_index": report.search_index, "notes": report.notes}
    return Outcome(data, "\n".join(report.lines()), exit_code=0 if report.ok else 1)


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
