"""The application's own schema additions, as ordered, numbered steps.

`PRAGMA user_version` is the version marker (the .NET side never sets it). Each step runs in
its own transaction together with the marker update, so a file is always at a whole step.
No step changes or drops a contract table or column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fts import DEFERRING_DDL, FTS_DDL, REPLACE_LEGACY_DDL
from .snapshot_facts import FACTS_DDL


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
    Step(4, "search index that leaves the .NET tables free to change", (
        *REPLACE_LEGACY_DDL,
        "INSERT OR REPLACE INTO \"desktop_meta\" VALUES ('fts_state', 'building')",
        "INSERT OR REPLACE INTO \"desktop_meta\" VALUES ('fts_position', '0')",
    )),
    # Threads read in time order: the .NET application leaves every SequenceNumber 0.
    Step(5, "index for reading threads in time order", (
        'CREATE INDEX IF NOT EXISTS "desktop_ix_messages_session_time" '
        'ON "Messages" ("SessionId", "Timestamp", "SequenceNumber", "Id")',
    )),
    # Listings never read the snapshot documents (snapshot_facts.py); big restores index their
    # messages after committing them (fts.py, DEFERRED_TABLE).
    Step(6, "snapshot listings that read no documents, and indexing after big restores",
         (FACTS_DDL, *DEFERRING_DDL)),
)

LATEST_VERSION = STEPS[-1].version


def pending(current_version: int) -> list[Step]:
    """The steps a file at `current_version` still needs, in order."""
    return [step for step in STEPS if step.version > current_version]


_OWN_OBJECT = re.compile(r'CREATE (INDEX|TRIGGER) IF NOT EXISTS "([^"]+)"')


def repairable_objects(version: int) -> dict[str, tuple[str, str]]:
    """The indexes and triggers the steps up to `version` put on the .NET tables, by name:
    (type, the statement that makes it again). A .NET migration that rebuilds a table drops
    them with it; they are made again by running the statement."""
    found = {}
    for step in STEPS:
        if step.version > version:
            break
        for statement in step.statements:
            match = _OWN_OBJECT.match(statement)
            if match:
                found[match.group(2)] = (match.group(1).lower(), statement)
    return found
