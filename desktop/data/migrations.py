"""The application's own schema additions, as ordered, numbered steps.

`PRAGMA user_version` is the version marker (the .NET side never sets it). Each step runs in
its own transaction together with the marker update, so a file is always at a whole step.
No step changes or drops a contract table or column.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fts import FTS_DDL


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    statements: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(1, "application metadata table", (
        'CREATE TABLE IF NOT EXISTS "desktop_meta" ("Key" TEXT PRIMARY KEY, "Value" TEXT)',
    )),
    Step(2, "indexes for paging messages and sorting sessions", (
        'CREATE INDEX IF NOT EXISTS "desktop_ix_messages_session_sequence" '
        'ON "Messages" ("SessionId", "SequenceNumber")',
        'CREATE INDEX IF NOT EXISTS "desktop_ix_sessions_last_activity" '
        'ON "Sessions" ("LastActivityAt")',
    )),
    Step(3, "full-text search index", (
        *FTS_DDL,
        "INSERT OR REPLACE INTO \"desktop_meta\" VALUES ('fts_state', 'building')",
        "INSERT OR REPLACE INTO \"desktop_meta\" VALUES ('fts_position', '0')",
    )),
    # Threads read in time order: the .NET application leaves every SequenceNumber 0.
    Step(4, "index for reading threads in time order", (
        'CREATE INDEX IF NOT EXISTS "desktop_ix_messages_session_time" '
        'ON "Messages" ("SessionId", "Timestamp", "SequenceNumber", "Id")',
    )),
)

LATEST_VERSION = STEPS[-1].version


def pending(current_version: int) -> list[Step]:
    """The steps a file at `current_version` still needs, in order."""
    return [step for step in STEPS if step.version > current_version]
