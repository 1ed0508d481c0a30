"""Rotating backups of a database file, made with SQLite's backup API, and restoring one.

Each database gets its own folder under the backup root (named after the file and a hash of
its full path, so two `orchestrator.db` files never share one). A backup's name records when
and why it was made; rotation keeps the newest few of each kind. Restoring copies the backup
into the live file through SQLite (never by replacing the file, which another program may
have open), after backing up what the file holds now.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from . import database as database_module
from .database import copy_database, inspect_file
from .errors import DamagedDatabaseError, DataError, translate

if TYPE_CHECKING:
    from .database import Store

log = logging.getLogger(__name__)

SCHEDULE_INTERVAL = timedelta(hours=24)
KEEP = {"scheduled": 5, "before-update": 3, "before-restore": 3, "manual": 5}
REASONS = {
    "scheduled": "Scheduled backup",
    "before-update": "Before a database update",
    "before-restore": "Before restoring a backup",
    "manual": "Made on request",
}
_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?-(?P<reason>[a-z-]+)\.db$")
_STAMP = "%Y%m%d-%H%M%S"

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Backup:
    """One backup file of a database."""

    path: Path
    created: datetime
    reason: str
    size: int

    @property
    def description(self) -> str:
        return REASONS.get(self.reason, self.reason)


def folder_for(database: Path, root: Path) -> Path:
    """The folder holding `database`'s backups under `root`."""
    resolved = str(Path(database).expanduser().resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:10]
    return Path(root) / f"{Path(database).stem}-{digest}"


def list_backups(database: Path, root: Path) -> list[Backup]:
    """The database's backups, newest first (unfinished `.partial` copies are not listed)."""
    folder = folder_for(database, root)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        created = datetime.strptime(match["stamp"], _STAMP)
        status = path.stat()
        found.append((created, status.st_mtime_ns,
                      Backup(path, created, match["reason"], status.st_size)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [backup for *_key, backup in found]


def make_backup(store: Store, root: Path, reason: str = "scheduled",
                progress: Progress | None = None, now: datetime | None = None) -> Backup:
    """Back the open database up into its folder under `root`, then rotate old backups."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    created = (now or datetime.now()).replace(microsecond=0)
    folder = folder_for(store.path, root)
    stamp = created.strftime(_STAMP)
    target = folder / f"{stamp}-{reason}.db"
    number = 1
    while target.exists():
        target = folder / f"{stamp}-{number}-{reason}.db"
        number += 1
    store.backup_to(target, progress)
    log.info("backed up %s to %s (%s)", store.path, target, reason)
    rotate(store.path, root)
    return Backup(target, created, reason, target.stat().st_size)


def rotate(database: Path, root: Path) -> list[Path]:
    """Delete all but the newest `KEEP[reason]` backups of each kind; returns what went."""
    removed = []
    seen: dict[str, int] = {}
    for backup in list_backups(database, root):
        seen[backup.reason] = seen.get(backup.reason, 0) + 1
        if seen[backup.reason] > KEEP.get(backup.reason, 5):
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    if removed:
        log.info("rotated away %d old backup(s) of %s", len(removed), database)
    return removed


def is_due(database: Path, root: Path, interval: timedelta = SCHEDULE_INTERVAL,
           now: datetime | None = None) -> bool:
    """True when the database has no backup younger than `interval`."""
    backups = list_backups(database, root)
    return not backups or (now or datetime.now()) - backups[0].created >= interval


def verify(path: Path) -> None:
    """Raise a DataError unless `path` is a sound OrchestratorChat database."""
    facts = inspect_file(Path(path))
    if not facts.exists or facts.is_empty_database:
        raise DataError(f"{path} holds no OrchestratorChat data to restore.")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            result = [row[0] for row in con.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise (translate(exc) or DamagedDatabaseError(f"{path} cannot be read ({exc}).")) \
            from exc
    if result != ["ok"]:
        raise DamagedDatabaseError(f"The backup {path.name} is damaged ({result[0]}).")


def restore(database: Path, backup: Path, root: Path,
            progress: Progress | None = None) -> Backup:
    """Replace the contents of `database` (which this program must have closed) with
    `backup`'s, in one SQLite transaction; returns the backup made of the contents replaced.
    """
    database = Path(database)
    verify(Path(backup))
    report = progress or (lambda _text, _fraction: None)
    safety_store = database_module.open_store(database, create=False)
    try:
        safety = make_backup(safety_store, root, "before-restore", report)
    finally:
        safety_store.close()
    report("Restoring the backup", 0.0)
    copy_database(Path(backup), database, report, "Restoring the backup", in_place=True)
    log.info("restored %s from %s (previous contents in %s)", database, backup, safety.path)
    report("Backup restored", 1.0)
    return safety
