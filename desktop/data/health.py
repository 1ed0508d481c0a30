"""Checking a database file: SQLite's integrity check, the search index, dangling references.

Used by File ▸ Check Database in the window and by `db check` on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import DamagedDatabaseError
from .migrations import LATEST_VERSION

if TYPE_CHECKING:
    from .database import Store

# References the .NET application may leave dangling (its foreign keys say NO ACTION, or it
# deleted with foreign keys off). They are worth knowing but do not make the file unsound.
# NULL and "" both mean "none" (today's application writes "" for a message with no parent).
DANGLING = (
    ("message", "whose agent no longer exists",
     'SELECT count(*) FROM "Messages" m WHERE length(m."AgentId") > 0 AND NOT EXISTS '
     '(SELECT 1 FROM "Agents" a WHERE a."Id" = m."AgentId")'),
    ("message", "whose parent message no longer exists",
     'SELECT count(*) FROM "Messages" m WHERE length(m."ParentMessageId") > 0 AND NOT EXISTS '
     '(SELECT 1 FROM "Messages" p WHERE p."Id" = m."ParentMessageId")'),
    ("message", "whose session no longer exists",
     'SELECT count(*) FROM "Messages" m WHERE length(m."SessionId") > 0 AND NOT EXISTS '
     '(SELECT 1 FROM "Sessions" s WHERE s."Id" = m."SessionId")'),
    ("plan step", "whose agent no longer exists",
     'SELECT count(*) FROM "OrchestrationSteps" t WHERE length(t."AgentId") > 0 AND NOT EXISTS '
     '(SELECT 1 FROM "Agents" a WHERE a."Id" = t."AgentId")'),
)


@dataclass
class HealthReport:
    """What a check found: problems make the file unsound, notes are for information."""

    integrity: list[str] = field(default_factory=list)
    search_index: str = "absent"
    index_progress: float = 0.0
    schema_version: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as lines a person reads."""
        index = self.search_index
        if index == "building":
            index = f"building ({self.index_progress:.0%})"
        integrity = "ok" if self.integrity == ["ok"] else "problems found"
        lines = [f"SQLite integrity check: {integrity}", f"Search index: {index}"]
        lines += [f"problem: {p}" for p in self.problems] + [f"note: {n}" for n in self.notes]
        lines.append("No problems found." if self.ok else f"{len(self.problems)} problem(s) found.")
        return lines


def index_state(store: Store) -> tuple[str, float]:
    """The search index's state as the file records it, and how much of it is built."""
    state = store.meta("fts_state")
    if state == "ready":
        # "out of date": another program rebuilt Messages and its triggers went with it
        return ("ready", 1.0) if store.search.intact() else ("out of date", 0.0)
    if state is None:
        return "absent", 0.0
    return state, store.search.state()[1]


def check_database(store: Store, progress: Callable[[str, float], None] | None = None,
                   *, check_index: bool = True) -> HealthReport:
    """Run SQLite's integrity check, then (when the file is sound and writable and
    `check_index`) the search index's own check, and count dangling references."""
    report = progress or (lambda _text, _fraction: None)
    result = HealthReport()
    report("Running SQLite's integrity check", 0.0)
    try:
        result.schema_version = store.schema_version
        with store.reading():
            result.integrity = [str(row[0]) for row in store.select(
                "SELECT * FROM pragma_integrity_check")]
    except DamagedDatabaseError as error:  # too damaged for the check itself to finish
        result.integrity = [str(error)]
    if result.integrity != ["ok"]:
        result.problems.extend(result.integrity)
        result.search_index = "not checked"
        return result
    report("Checking the search index", 0.6)
    result.search_index, result.index_progress = index_state(store)
    if result.search_index == "ready":
        if store.read_only or not check_index:
            if not store.search.index_is_consistent():
                result.problems.append("The search index does not cover every message.")
            result.notes.append(
                "the search index's coverage was checked, not its own integrity check, which "
                + ("needs a writable file" if store.read_only else "keeps other programs from "
                   "writing while it runs (`orchestrator-desktop db check` runs it)"))
        else:
            result.problems.extend(store.search.check())
    elif result.search_index == "out of date":
        result.notes.append("the search index is out of date: another program rebuilt the "
                            "Messages table, removing what keeps the index current; it is "
                            "rebuilt the next time the file is opened in the window or searched")
    elif result.search_index == "absent":
        result.notes.append("the file has no search index yet; the window or the search "
                            "command builds it when first needed")
    else:
        result.notes.append(f"the search index is still being built "
                            f"({result.index_progress:.0%})")
    if not result.problems:
        report("Looking for dangling references", 0.9)
        with store.reading():
            for noun, label, sql in DANGLING:
                count = int(store.scalar(sql) or 0)
                if count:
                    result.notes.append(f"{count:,} {noun}{'s' if count != 1 else ''} {label} "
                                        "(left so by another program; shown without it)")
    if result.schema_version > LATEST_VERSION:
        result.notes.append(f"the file's schema version ({result.schema_version}) is newer "
                            f"than this application's ({LATEST_VERSION})")
    report("Check finished", 1.0)
    return result
