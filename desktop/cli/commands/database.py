"""`db info`, `db check`, `db backup`, `db backups` and `db restore`: the file itself."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from ... import paths
from ...data import (
    DamagedDatabaseError,
    DataError,
    NotADatabaseError,
    ReadOnlyError,
    backups,
)
from ...data.health import check_database, index_state
from ...data.migrations import LATEST_VERSION
from .. import tables as t
from ..opening import database_path, read_only_reason, reading, writing
from ..output import Outcome, progress_reporter
from ..parser import command, command_group


def register(commands: Any) -> None:
    group = command_group(commands, "db", "facts about the file, checks, backups")
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
    command(group, "backups", summary="the automatic backups of the file", handler=list_backups,
            description="List the backups the application keeps of this file (daily, before "
                        "schema updates, before restores, and Back Up Now), newest first.",
            examples="""
                orchestrator-desktop db backups
                orchestrator-desktop db backups --json""")
    parser = command(
        group, "restore", summary="put the file back as it was in a backup", handler=restore,
        description="Replace the file's contents with a backup's, through SQLite (safe while "
                    "another program has the file open). What the file holds now is backed up "
                    "first, so a restore can itself be undone. BACKUP is a number from `db "
                    "backups` (1 is the newest) or a backup file's path.",
        examples="""
            orchestrator-desktop db restore 1
            orchestrator-desktop db restore ~/backups/orchestrator-before-upgrade.db""")
    parser.add_argument("backup", metavar="BACKUP", help="a number from `db backups`, or a path")


# -- db info --------------------------------------------------------------------------------

def info(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    with reading(options) as store:
        journal = store.journal_mode()
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
        written = store.backup_to(dest, progress_reporter())
    size = written.stat().st_size
    data = {"source": str(source), "path": str(written), "size_bytes": size}
    return Outcome(data, f"Backed up {source} to {written} ({t.size(size)}).")


# -- db backups, db restore ---------------------------------------------------------------------

def _backup_json(backup: backups.Backup) -> dict[str, Any]:
    return {"path": str(backup.path), "created": backup.created.isoformat(),
            "reason": backup.reason, "description": backup.description,
            "size_bytes": backup.size}


def list_backups(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    found = backups.list_backups(path, paths.backup_dir())
    text = t.table(["#", "Made", "Why", "Size", "File"], [
        (number, f"{b.created:%Y-%m-%d %H:%M:%S}", b.description, t.size(b.size), b.path.name)
        for number, b in enumerate(found, 1)], right={0, 3}) if found else (
        f"No backups of {path} yet.")
    return Outcome([_backup_json(b) for b in found], text)


def restore(options: argparse.Namespace) -> Outcome:
    path = database_path(options)
    if not path.exists():
        raise DataError(f"{path} does not exist.")
    try:
        reason = read_only_reason(path)
    except (DamagedDatabaseError, NotADatabaseError):
        reason = None  # a file SQLite cannot read is kept aside and replaced by the backup
    if reason:
        raise ReadOnlyError(f"{path.name} cannot be changed: {reason}")
    chosen = options.backup
    if chosen.isdigit():
        found = backups.list_backups(path, paths.backup_dir())
        if not 1 <= int(chosen) <= len(found):
            raise DataError(f"There is no backup number {chosen}; `db backups` lists "
                            f"{len(found)}.")
        source = found[int(chosen) - 1].path
    else:
        source = Path(chosen).expanduser().absolute()
        if not source.is_file():
            raise DataError(f"{source} does not exist.")
    if source.resolve() == path.resolve():
        raise DataError("A file cannot be restored from itself.")
    safety = backups.restore(path, source, paths.backup_dir(), progress_reporter())
    data = {"path": str(path), "restored_from": str(source),
            "previous_contents": str(safety.path)}
    return Outcome(data, f"Restored {path} from {source}.\nWhat it held before is in "
                         f"{safety.path}.")
