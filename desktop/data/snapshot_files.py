"""Snapshot files: one snapshot row and its two JSON documents, exported and imported.

A file holds one JSON object::

    {"Format": "orchestrator-desktop/snapshot-file", "Version": 1, "ExportedAt": "...",
     "Snapshot": {<every SessionSnapshots column, the two JSON documents as their text>}}

The documents are kept as the exact text the row holds, so an import writes back the very same
bytes, whatever form (this application's or the .NET one's) they are in.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import records as r
from .encoding import now_text, parse_datetime
from .errors import DataError, NotFoundError, SnapshotFormatError, ValidationError
from .files import partial_name
from .schema import COLUMNS, column_list

if TYPE_CHECKING:
    from .database import Store

FILE_FORMAT = "orchestrator-desktop/snapshot-file"
FILE_VERSION = 1
SUFFIX = ".json"


@dataclass(frozen=True)
class SnapshotFile:
    """A snapshot read from a file and checked, not yet in the database."""

    path: Path
    row: dict[str, Any]  # the SessionSnapshots columns

    @property
    def name(self) -> str | None:
        return self.row["Name"]

    @property
    def session_id(self) -> str | None:
        """The id of the session the snapshot was taken of, in the database it came from."""
        return self.row["SessionId"]

    @property
    def message_count(self) -> int:
        return self.row["MessageCount"]


def export(store: Store, snapshot_id: str, path: str | os.PathLike[str]) -> Path:
    """Write the snapshot to `path` (atomically, through a `.partial` file)."""
    with store.reading():
        rows = store.select(f'SELECT {column_list("SessionSnapshots")} FROM "SessionSnapshots" '
                            'WHERE "Id" = $id', id=snapshot_id)
    if not rows:
        raise NotFoundError("snapshot", snapshot_id)
    document = {"Format": FILE_FORMAT, "Version": FILE_VERSION, "ExportedAt": now_text(),
                "Snapshot": dict(zip(COLUMNS["SessionSnapshots"], rows[0], strict=True))}
    target = Path(path).expanduser().absolute()
    partial = partial_name(target)
    try:
        with partial.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DataError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return target


def read(path: str | os.PathLike[str]) -> SnapshotFile:
    """Read and check a snapshot file; SnapshotFormatError or ValidationError say what is wrong."""
    source = Path(path).expanduser().absolute()
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SnapshotFormatError(f"{source.name} is not a snapshot file: it is not text.") \
            from None
    except OSError as exc:
        raise DataError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    try:
        document = json.loads(text)
    except ValueError:
        raise SnapshotFormatError(f"{source.name} is not a snapshot file: it is not valid JSON.") \
            from None
    if not isinstance(document, dict) or document.get("Format") != FILE_FORMAT:
        raise SnapshotFormatError(f"{source.name} is not an OrchestratorChat Desktop snapshot "
                                  "file.")
    version = document.get("Version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SnapshotFormatError(f"{source.name} has no readable version number.")
    if version > FILE_VERSION:
        raise SnapshotFormatError(f"{source.name} was written by a newer version (form "
                                  f"{version}); update OrchestratorChat Desktop to import it.")
    row = document.get("Snapshot")
    if not isinstance(row, dict):
        raise SnapshotFormatError(f"{source.name} holds no snapshot.")
    return SnapshotFile(source, _checked_row(row))


def _checked_row(row: dict[str, Any]) -> dict[str, Any]:
    checked = {column: row.get(column) for column in COLUMNS["SessionSnapshots"]}
    for column in ("Id", "SessionId", "Name", "Description", "SessionStateJson",
                   "AgentStatesJson"):
        if checked[column] is not None and not isinstance(checked[column], str):
            raise ValidationError(column, "must be text")
    if not isinstance(checked["CreatedAt"], str) or parse_datetime(checked["CreatedAt"]) is None:
        raise ValidationError("CreatedAt", "is not a date and time")
    count = checked["MessageCount"]
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValidationError("MessageCount", "must be a whole number, 0 or more")
    _check_state(checked["SessionStateJson"])
    return checked


def _check_state(raw: str | None) -> None:
    """A state in a form this version writes must be restorable; another form (a newer
    version's, one we do not know) is kept as it is, and restoring it later says why not."""
    from .snapshot_form import FORMAT, VERSION, parse_state

    try:
        state = json.loads(raw) if raw else None
    except ValueError:
        return
    if not isinstance(state, dict):
        return
    version = state.get("DesktopVersion", state.get("Version"))
    if FORMAT not in (state.get("DesktopFormat"), state.get("Format")) or (
            isinstance(version, int) and version > VERSION):
        return
    parse_state(raw)


def import_snapshot(store: Store, snapshot: SnapshotFile,
                    session_id: str | None = None) -> r.SnapshotRecord:
    """Add the file's snapshot, with a new id, to `session_id` or else to the session it was
    taken of when this database has it."""
    from .database import new_id

    target = session_id or snapshot.session_id
    with store.writing():
        if not target or not store.sessions.exists(target):
            if session_id:
                raise NotFoundError("session", session_id)
            raise ValidationError("session", "the session this snapshot was taken of is not in "
                                             "this database; choose a session to attach it to")
        values = dict(snapshot.row, Id=new_id(), SessionId=target)
        store.insert_row("SessionSnapshots",
                         {c: values.get(c) for c in COLUMNS["SessionSnapshots"]})
        return store.snapshots.require(values["Id"])
