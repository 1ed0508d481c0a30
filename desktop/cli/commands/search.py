"""`search TEXT`: ranked full-text hits with snippets."""

from __future__ import annotations

import argparse
import sys
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
            "The search index is built the first time it is needed (progress on stderr); a "
            "read-only file has no index, so its messages are scanned instead, newest first."),
        examples="""
            orchestrator-desktop search tokenizer
            orchestrator-desktop search '"refactor the" tokenizer' --limit 5
            orchestrator-desktop search 'pars* NOT test' --session 3f2b8c1e-... --json""")
    parser.add_argument("text", metavar="TEXT", help="what to look for")
    parser.add_argument("--session", metavar="ID", help="only messages of this session")
    parser.add_argument("--limit", type=positive_int, default=20, metavar="N",
                        help="at most N hits (default 20)")


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
    notes = (result.note,) if result.note else ()
    data = [jsonform.search_hit(hit) for hit in result.hits]
    return Outcome(data, _hits_text(result), notes)


def _search_after_building_index(options: argparse.Namespace,
                                 filters: SearchFilter) -> SearchResult:
    """Build (or finish) the search index in the foreground, then search."""
    with writing(options) as store:
        report = progress_reporter("preparing the file for search (once): building its "
                                   "search index...")
        store.run_maintenance(progress=report, backup_dir=paths.backup_dir())
        result = store.search.search(options.text, filters, limit=options.limit)
    if result.state is IndexState.BUILDING:  # maintenance stopped early: should not happen
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
