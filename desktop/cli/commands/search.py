"""`search TEXT`: ranked full-text hits with snippets."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ... import paths
from ...data import DataError
from ...data.search import IndexState, SearchFilter, SearchHit, SearchResult, to_fts_query
from .. import jsonform
from .. import tables as t
from ..opening import database_path, read_only_reason, reading, writing
from ..output import Outcome, progress_reporter
from ..parser import command, positive_int

BOLD, PLAIN = "\033[1m", "\033[0m"


def register(commands: Any) -> None:
    parser = command(
        commands, "search", summary="search messages: ranked hits with snippets", handler=search,
        description=(
            "Search the content of every message (or one session's). All words must match; "
            '"a phrase" matches words together, pref* matches a prefix, and OR / NOT in '
            "capitals between words work as operators.\n\n"
            "The search index is built the first time it is needed, newest messages first "
            "(progress on stderr): a search waits for it at most --index-for seconds, then "
            "answers from the newest messages indexed so far and says how many that was; the "
            "next search (or the window) goes on indexing. A read-only file has no index, so "
            "its messages are scanned instead, newest first."),
        examples="""
            orchestrator-desktop search tokenizer
            orchestrator-desktop search '"refactor the" tokenizer' --limit 5
            orchestrator-desktop search 'pars* NOT test' --session 3f2b8c1e-... --json""")
    parser.add_argument("text", metavar="TEXT", help="what to look for")
    parser.add_argument("--session", metavar="ID", help="only messages of this session")
    parser.add_argument("--limit", type=positive_int, default=20, metavar="N",
                        help="at most N hits (default 20)")
    parser.add_argument("--index-for", type=_seconds, default=INDEX_FOR_SECONDS,
                        metavar="SECONDS", help="while the file's search index is unfinished, "
                        f"index for at most SECONDS before searching (default "
                        f"{INDEX_FOR_SECONDS:g}; a large number waits for all of it)")


INDEX_FOR_SECONDS = 5.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def search(options: argparse.Namespace) -> Outcome:
    if to_fts_query(options.text) is None:
        raise DataError(f"Nothing to search for in {options.text!r}: give at least one word.")
    filters = SearchFilter(session_id=options.session)
    result: SearchResult | None = None
    with reading(options) as store:
        if options.session:
            store.sessions.require(options.session)
        if store.meta("fts_state") == "ready" or read_only_reason(database_path(options)):
            result = store.search.search(options.text, filters, limit=options.limit)
    if result is None:
        result = _search_after_building_index(options, filters)
    notes = tuple(n for n in (result.note, result.coverage_text and (
        f"{result.coverage_text} Search again to index more (the window indexes all of it "
        "in the background).")) if n)
    data = [jsonform.search_hit(hit) for hit in result.hits]
    return Outcome(data, _hits_text(result), notes)


def _search_after_building_index(options: argparse.Namespace,
                                 filters: SearchFilter) -> SearchResult:
    """Prepare the file (backup, schema steps) and build its search index in the foreground
    for at most --index-for seconds of indexing, newest messages first, then search."""
    announce = progress_reporter("preparing the file for search: building its search "
                                 "index, newest messages first...")
    indexing_since: list[float] = []

    def report(text: str, fraction: float) -> None:
        if text == "Building the search index" and not indexing_since:
            indexing_since.append(time.monotonic())
        announce(text, fraction)

    def should_stop() -> bool:  # the backup and the schema steps always finish
        return bool(indexing_since) and time.monotonic() - indexing_since[0] >= options.index_for

    with writing(options) as store:
        store.run_maintenance(progress=report, should_stop=should_stop,
                              backup_dir=paths.backup_dir())
        result = store.search.search(options.text, filters, limit=options.limit)
    if result.state is IndexState.BUILDING and result.searched is None:  # should not happen
        raise DataError(result.note or "The search index is not ready; try again.")
    return result


def _hits_text(result: SearchResult) -> str:
    if not result.hits:
        return "No messages match."
    highlight = sys.stdout.isatty()
    blocks = []
    for hit in result.hits:
        who = hit.role.label + (f" ({hit.agent_name or hit.agent_id})" if hit.agent_id else "")
        heading = " · ".join(p for p in [hit.session_name or "Untitled session", hit.number,
                                         who, t.when(hit.timestamp)] if p)
        blocks.append("\n".join([
            heading,
            "  " + _snippet(hit, highlight),
            f"  session {hit.session_id}  message {hit.message_id}",
        ]))
    return "\n\n".join(blocks)


def _snippet(hit: SearchHit, highlight: bool) -> str:
    """The snippet on one line, its matches in bold on a terminal."""
    text = hit.snippet
    if highlight:
        for start, end in reversed(hit.highlights):
            text = text[:start] + BOLD + text[start:end] + PLAIN + text[end:]
    return t.one_line(text)
