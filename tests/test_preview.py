"""The first page of sessions read with plain sqlite3 before the store opens (data.preview):
the same rows the store lists, and nothing at all, never an error or a write, when the file
cannot be read quickly and safely."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

from dotnet_files import SESSION_ID, add_messages, add_sessions, make_dotnet_database
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.enums import SessionStatus
from orchestrator_desktop.data.preview import first_sessions
from orchestrator_desktop.data.sessions import SessionFilter
from processes import ROOT


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_preview_lists_what_the_store_lists_and_writes_nothing(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db", wal=False)
    add_sessions(path, 30)
    add_messages(path, SESSION_ID, 40)
    before = _state(tmp_path)
    for order in ({}, {"sort": "name", "descending": False},
                  {"filters": SessionFilter(status=SessionStatus.Active)}):
        page = first_sessions(path, limit=10, **order)
        assert page is not None and len(page.items) == 10
        store = open_store(path, read_only=True)
        try:
            assert page == store.sessions.summaries(limit=10, **order)
        finally:
            store.close()
    assert any(s.message_count >= 40 for s in first_sessions(path, limit=40).items)
    assert _state(tmp_path) == before  # not a byte changed, no journal left beside it


def test_no_preview_of_what_is_not_a_readable_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database, just words " * 100)
    assert first_sessions(notes, limit=10) is None
    assert first_sessions(tmp_path / "missing.db", limit=10) is None
    assert not (tmp_path / "missing.db").exists()
    assert first_sessions(tmp_path, limit=10) is None  # a folder
    empty = tmp_path / "empty.db"
    empty.touch()
    assert first_sessions(empty, limit=10) is None  # no Sessions table
    odd = make_dotnet_database(tmp_path / "odd #1?.db")  # characters a URI must escape
    assert first_sessions(odd, limit=10) is not None


def test_no_preview_while_another_process_holds_the_file(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db", wal=False)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        print("held", flush=True)
        sys.stdin.readline()
        """), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert first_sessions(path, limit=10) is None  # at once: no busy wait
    finally:
        holder.communicate("\n", timeout=30)
    assert first_sessions(path, limit=10) is not None


def test_a_read_past_its_budget_gives_no_preview(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db")
    add_messages(path, SESSION_ID, 5_000)  # counting them takes many steps of SQLite's machine
    assert first_sessions(path, limit=10, budget=0) is None
    assert first_sessions(path, limit=10) is not None


def test_the_preview_reads_every_form_of_the_file_as_the_store_does(form_path: Path) -> None:
    store = open_store(form_path, read_only=True)
    try:
        expected = store.sessions.summaries(limit=20)
    finally:
        store.close()
    assert expected.items  # each form's fixture has sessions to show
    assert first_sessions(form_path, limit=20) == expected
