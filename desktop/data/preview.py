"""The first page of sessions read straight from the file, before the store is open.

The window paints it while Pony and the rest of the data layer are still to be imported and
the store to be opened; the store's own first page replaces it. The read can only ever
read: a read-only `sqlite3` connection that gives up at once when another program holds a
lock, and within a small time budget on anything slow (a file without the application's
indexes yet, a session of millions of messages among the first). Any failure means no
preview, never an error: opening the file the ordinary way explains what is wrong.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from .records import Page
from .sessions import SessionFilter, session_page

log = logging.getLogger(__name__)

BUDGET_SECONDS = 0.03  # the window waits for it before it can paint the page
ROWS = 60  # more than a window shows; each costs its messages' count (the first 200 of the
# benchmark's file take 12 ms, for a session of 100,000 among them, the first 60 about 1 ms)
_CHECK_EVERY = 1_000  # SQLite virtual-machine steps between looks at the clock


class _PlainReader:
    """`session_page`'s reader over a plain connection (`$name` parameters, as SQLite binds
    them itself)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def select(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()


def first_sessions(path: str | Path, *, limit: int, filters: SessionFilter | None = None,
                   sort: str = "last_activity_at", descending: bool = True,
                   budget: float = BUDGET_SECONDS) -> Page | None:
    """The first `limit` sessions of the file in this order, as the store would list them, or
    None when they cannot be read quickly and safely."""
    started = time.perf_counter()
    try:
        uri = Path(path).expanduser().absolute().as_uri() + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    except (sqlite3.Error, ValueError, OSError) as error:
        log.debug("no preview of %s: %s", path, error)
        return None
    deadline = started + budget
    connection.set_progress_handler(lambda: time.perf_counter() > deadline, _CHECK_EVERY)
    try:
        connection.execute("BEGIN")  # the three statements read one state of the file
        page = session_page(_PlainReader(connection), filters=filters or SessionFilter(),
                            sort=sort, descending=descending, limit=limit)
    except Exception as error:  # noqa: BLE001 - the ordinary open explains any problem
        log.debug("no preview of %s: %s", path, error)
        return None
    finally:
        connection.close()
    log.debug("preview of %s: %d sessions in %.1f ms", path, len(page.items),
              1000 * (time.perf_counter() - started))
    return page
