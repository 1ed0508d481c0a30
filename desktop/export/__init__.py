"""Exporting a session to Markdown, HTML, JSON or PDF, for the window and the command line.

`export_session` reads the thread a page at a time through the data layer's keyset paging and
writes each page before reading the next, so memory stays flat whatever the session's size. A
file is written under a temporary name in the target's folder and renamed into place only when
complete: a cancelled or failed export leaves no file behind, and never a half-written one
where an older export was. Only the PDF form needs Qt (QtGui), imported when it is asked for.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..data import DataError, Store
from ..data import records as r
from ..data.snapshots import Cancelled
from .writers import (
    EXTENSIONS,
    FORMAT_LABELS,
    TEXT_WRITERS,
    ExportOptions,
    SessionFacts,
    writer_for,
)

log = logging.getLogger(__name__)

FORMATS = tuple(EXTENSIONS)
PAGE_SIZE = 500

__all__ = ["EXTENSIONS", "FORMATS", "FORMAT_LABELS", "ExportCancelled", "ExportOptions",
           "ExportResult", "export_session", "suggested_file_name"]


class ExportCancelled(Cancelled):
    """The person cancelled the export; no file was written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    path: Path | None  # None when written to a stream
    format: str
    message_count: int
    size_bytes: int | None
    pages: int | None = None  # a PDF's page count


Progress = Callable[[str, float], None]


def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def iter_messages(store: Store, session_id: str,
                  page_size: int = PAGE_SIZE) -> Iterator[r.MessageRecord]:
    """Every message of the session in thread order, with its tool calls and attachments,
    read a keyset page at a time."""
    page = store.sessions.messages_page(session_id, limit=page_size)
    while True:
        yield from page.messages
        if not page.has_after or page.last_cursor is None:
            return
        page = store.sessions.messages_page(session_id, after=page.last_cursor,
                                            limit=page_size)


def suggested_file_name(session: r.SessionRecord, format: str) -> str:
    """A file name from the session's name, safe on every file system."""
    keep = "".join(c if c.isalnum() or c in " -_." else " " for c in session.display_name)
    name = "-".join(keep.split())[:80].strip(".-") or "session"
    return name + EXTENSIONS[format]


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` that becomes `target` when the block ends normally,
    and is removed when it raises (or is interrupted)."""
    folder = target.parent
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise DataError(f"Cannot write to {folder}: {exc.strerror or exc}") from exc
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, FILE_MODE)
        with open(temp, "rb+") as done:
            os.fsync(done.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_session(store: Store, session_id: str, options: ExportOptions, *,
                   target: Path | str | None = None, stream: TextIO | None = None,
                   messages: Iterable[r.MessageRecord] | None = None,
                   progress: Progress | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   page_size: int = PAGE_SIZE) -> ExportResult:
    """Write the session (or just `messages`, the selected ones) to `target` or, for the
    text formats, to `stream`. Raises ExportCancelled when `should_stop` says so, leaving no
    file."""
    if options.format not in FORMATS:
        raise DataError(f"unknown export format {options.format!r}; "
                        f"choose one of {', '.join(FORMATS)}")
    if (target is None) == (stream is None):
        raise ValueError("give a target file or a stream")
    if stream is not None and options.format not in TEXT_WRITERS:
        raise DataError("a PDF can only be written to a file")
    with store.reading():
        session = store.sessions.require(session_id)
        members = store.sessions.members(session_id)
        statistics = store.sessions.statistics(session_id)
    if messages is None:
        total = statistics.message_count
        source: Iterator[r.MessageRecord] = iter_messages(store, session_id, page_size)
    else:  # the selected messages: a list in hand, or any iterable (its length if it has one)
        total = len(messages) if isinstance(messages, Sized) else statistics.message_count
        source = iter(messages)
    facts = SessionFacts(session, members, statistics, total)
    label = f"Exporting {FORMAT_LABELS[options.format]}"

    def write_all(writer: object) -> int:
        writer.begin(facts)  # type: ignore[attr-defined]
        done = 0
        for message in source:
            if should_stop is not None and done % 50 == 0 and should_stop():
                raise ExportCancelled("The export was cancelled; no file was written.")
            writer.message(message)  # type: ignore[attr-defined]
            done += 1
            if progress is not None and (done % 100 == 0 or done == total):
                progress(label, min(done / max(total, 1), 1.0))
        if should_stop is not None and should_stop():
            raise ExportCancelled("The export was cancelled; no file was written.")
        writer.end()  # type: ignore[attr-defined]
        return done

    if stream is not None:
        count = write_all(writer_for(options, stream))
        stream.flush()
        return ExportResult(None, options.format, count, None)
    pages = None
    path = Path(target).expanduser().absolute()  # type: ignore[arg-type]
    if path.is_dir():
        raise DataError(f"{path} is a folder; name the file to write")
    if options.format == "pdf":
        from .pdf import PdfWriter, ensure_gui_application

        ensure_gui_application()  # before any file exists: Qt aborts when it has no platform
    with atomic_file(path) as temp:
        if options.format == "pdf":
            pdf = PdfWriter(temp, options)
            try:
                count = write_all(pdf)
            except BaseException as exc:
                pdf.abandon()
                if isinstance(exc, OSError):
                    raise DataError(f"Cannot write {path}: {exc.strerror or exc}") from exc
                raise
            pages = pdf.pages
        else:
            try:
                with open(temp, "w", encoding="utf-8", errors="replace", newline="\n",
                          buffering=1 << 20) as out:
                    count = write_all(writer_for(options, out))
            except OSError as exc:
                raise DataError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    log.info("exported session %s as %s to %s (%d messages)", session_id, options.format, path,
             count)
    return ExportResult(path, options.format, count, path.stat().st_size, pages)
