"""Rotating backups of a database file, made with SQLite's backup API, and restoring one.

Each database gets its own folder under the backup root (named after the file and a hash of
its full path, so two `orchestrator.db` files never share one). A backup's name records when
and why it was made; rotation keeps the newest few of each kind. Restoring copies the backup
into the live file through SQLite (never by replacing the file, which another program may
have open), after backing up what the file holds now.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .connection import copy_database, sqlite_uri
from .errors import DamagedDatabaseError, DataError, NotADatabaseError, translate
from .files import claim, partial_name
from .inspection import inspect_file

log = logging.getLogger(__name__)

SCHEDULE_INTERVAL = timedelta(hours=24)
KEEP = {"scheduled": 5, "before-update": 3, "before-restore": 3, "manual": 5}
REASONS = {
    "scheduled": "Scheduled backup",
    "before-update": "Before a database update",
    "before-restore": "Before restoring a backup",
    "manual": "Made on request",
    "damaged": "The damaged file, as it was",
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
    found = []
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        entries = []
    for path in entries:
        match = _NAME.match(path.name)
        if not match:
            continue
        try:  # another process may rotate a backup away while we look
            created = datetime.strptime(match["stamp"], _STAMP)
            status = path.stat()
        except (OSError, ValueError):
            continue
        found.append((created, status.st_mtime_ns,
                      Backup(path, created, match["reason"], status.st_size)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [backup for *_key, backup in found]


def _names(database: Path, root: Path, reason: str, created: datetime,
           suffix: str = ".db") -> Iterator[Path]:
    """Candidate names for a backup made at `created`, in order (a number is added when two
    are made in one second)."""
    folder = folder_for(database, root)
    stamp = created.strftime(_STAMP)
    yield folder / f"{stamp}-{reason}{suffix}"
    for number in itertools.count(1):
        yield folder / f"{stamp}-{number}-{reason}{suffix}"


def make_backup(database: Path, root: Path, reason: str = "scheduled",
                progress: Progress | None = None, now: datetime | None = None, *,
                keep: Path | None = None) -> Backup:
    """Back the database file up into its folder under `root` (a consistent copy, however
    busy the file), then rotate old backups, never deleting `keep`."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    database = Path(database)
    created = (now or datetime.now()).replace(microsecond=0)
    candidates = _names(database, root, reason, created)
    # copied under a name of its own, then given the first free name: another backup of the
    # same file in the same second (the window's and the command line's) takes the next one
    staged = partial_name(next(candidates))
    try:
        copy_database(database, staged, progress)
        target = claim(staged, _names(database, root, reason, created))
    finally:
        staged.unlink(missing_ok=True)
    log.info("backed up %s to %s (%s)", database, target, reason)
    rotate(database, root, keep=keep)
    return Backup(target, created, reason, target.stat().st_size)


def rotate(database: Path, root: Path, keep: Path | None = None) -> list[Path]:
    """Delete all but the newest `KEEP[reason]` backups of each kind (never `keep`); returns
    what went."""
    removed = []
    seen: dict[str, int] = {}
    for backup in list_backups(database, root):
        seen[backup.reason] = seen.get(backup.reason, 0) + 1
        if seen[backup.reason] > KEEP.get(backup.reason, 5) and backup.path != keep:
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
        with closing(sqlite3.connect(sqlite_uri(Path(path), read_only=True), uri=True)) as con:
            result = [row[0] for row in con.execute("PRAGMA quick_check")]
    except sqlite3.Error as exc:
        raise (translate(exc) or DamagedDatabaseError(f"{path} cannot be read ({exc}).")) \
            from exc
    if result != ["ok"]:
        raise DamagedDatabaseError(f"The backup {path.name} is damaged ({result[0]}).")


def restore(database: Path, backup: Path, root: Path,
            progress: Progress | None = None) -> Backup:
    """Replace the contents of `database` (which this program must have closed) with
    `backup`'s; returns the backup made of the contents replaced.

    A readable file is backed up, then overwritten through SQLite in one transaction (another
    program may have it open). A file SQLite cannot read is kept byte for byte as
    `…-damaged.bak` (with its `-wal`) in the backup folder, then replaced whole.
    """
    database, backup = Path(database), Path(backup)
    verify(backup)
    report = progress or (lambda _text, _fraction: None)
    try:
        inspect_file(database)
        safety = make_backup(database, root, "before-restore", report, keep=backup)
    except (DamagedDatabaseError, NotADatabaseError) as error:
        log.warning("%s cannot be read (%s); replacing it whole", database, error)
        return _replace_damaged(database, backup, root, report)
    report("Restoring the backup", 0.0)
    copy_database(backup, database, report, "Restoring the backup", in_place=True)
    log.info("restored %s from %s (previous contents in %s)", database, backup, safety.path)
    report("Backup restored", 1.0)
    return safety


def _replace_damaged(database: Path, backup: Path, root: Path, report: Progress) -> Backup:
    created = datetime.now().replace(microsecond=0)
    folder_for(database, root).mkdir(parents=True, exist_ok=True)
    staged = partial_name(next(_names(database, root, "damaged", created, ".bak")))
    try:
        shutil.copy2(database, staged)
        kept = claim(staged, _names(database, root, "damaged", created, ".bak"))
    finally:
        staged.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):  # never let a stale log be applied to the new contents
        companion = Path(f"{database}{suffix}")
        if companion.exists():
            if suffix == "-wal":
                shutil.copy2(companion, Path(f"{kept}{suffix}"))
            companion.unlink()
    report("Restoring the backup", 0.0)
    copy_database(backup, database, report, "Restoring the backup")
    log.info("replaced the damaged %s with %s (the damaged file is kept as %s)", database,
             backup, kept)
    report("Backup restored", 1.0)
    return Backup(kept, created, "damaged", kept.stat().st_size)
