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
from .connection import new_id
from .encoding import now_text, parse_datetime
from .errors import DataError, NotFoundError, SnapshotFormatError, ValidationError
from .files import partial_name
from .json_stream import JsonStream, text_reader
from .schema import COLUMNS, column_list
from .snapshot_facts import describe, record_facts
from .snapshot_form import read_header, state_text

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
    row = dict(zip(COLUMNS["SessionSnapshots"], rows[0], strict=True))
    for column in ("SessionStateJson", "AgentStatesJson"):  # a big snapshot's are BLOBs
        row[column] = state_text(row[column])
    document = {"Format": FILE_FORMAT, "Version": FILE_VERSION, "ExportedAt": now_text(),
                "Snapshot": row}
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


MAX_FILE_BYTES = 2 << 30


def read(path: str | os.PathLike[str]) -> SnapshotFile:
    """Read and check a snapshot file; SnapshotFormatError or ValidationError say what is wrong.

    The file is read in chunks and its state checked a message at a time (json_stream.py):
    memory holds the state's text once, never its decoded objects, and a document nested
    too deeply is refused in words."""
    source = Path(path).expanduser().absolute()
    try:
        size = source.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SnapshotFormatError(
                f"{source.name} is {size / (1 << 30):.1f} GB; a snapshot file over "
                f"{MAX_FILE_BYTES >> 30} GB cannot be imported.")
        with source.open("r", encoding="utf-8") as handle:
            document = _read_document(JsonStream(handle.read, f"{source.name}"))
    except UnicodeDecodeError:
        raise SnapshotFormatError(f"{source.name} is not a snapshot file: it is not text.") \
            from None
    except OSError as exc:
        raise DataError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    except SnapshotFormatError as exc:
        if "nested too deeply" in str(exc) or "holds one value" in str(exc):
            raise
        raise SnapshotFormatError(f"{source.name} is not a snapshot file: it is not valid "
                                  "JSON.") from None
    if document is None or document.get("Format") != FILE_FORMAT:
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


def _read_document(stream: JsonStream) -> dict[str, Any] | None:
    """The file's object, None when it is not one; the snapshot's state is read as one text
    (the only big value), everything else as small values."""
    if stream._peek() != "{":
        stream.value()
        return None
    document: dict[str, Any] = {}
    for key in stream.members():
        if key == "Snapshot" and stream._peek() == "{":
            row: dict[str, Any] = {}
            for column in stream.members():
                if column in ("SessionStateJson", "AgentStatesJson") and stream._peek() == '"':
                    row[column] = "".join(stream.string_pieces())
                else:
                    row[column] = stream.value()
            document[key] = row
        else:
            document[key] = stream.value()
    stream.end()
    return document


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
    version's, one we do not know) is kept as it is, and restoring it later says why not.
    Read a message at a time; a state nested too deeply is refused."""
    if not raw:
        return
    try:
        read_header(lambda: text_reader(raw))
    except SnapshotFormatError as exc:
        text = str(exc)
        if "nested too deeply" in text or "holds one value" in text:
            raise SnapshotFormatError(f"{text[:-1]}: the file cannot be imported.") from None
        if "incomplete or damaged" in text:
            raise


def import_snapshot(store: Store, snapshot: SnapshotFile,
                    session_id: str | None = None) -> r.SnapshotRecord:
    """Add the file's snapshot, with a new id, to `session_id` or else to the session it was
    taken of when this database has it."""
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
        state = values.get("SessionStateJson") or ""
        form, count = describe(lambda: text_reader(state))
        record_facts(store.db.get_connection(), values["Id"], form,
                     count or int(values.get("MessageCount") or 0), len(state.encode("utf-8")))
        return store.snapshots.require(values["Id"])
