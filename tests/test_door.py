"""The one door to the file (desktop/gui/operations.py): results for a file no longer open, or
overtaken by a newer request, are dropped; a write that meets another program's lock offers
Try Again once and lands; opening a locked file leaves the window's event loop running."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, make_dotnet_database
from gui_helpers import settings_in
from orchestrator_desktop.data import connection, open_store
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.main_window import MainWindow
from orchestrator_desktop.gui.operations import DETAILS, SESSIONS, Door
from orchestrator_desktop.gui.tasks import TaskRunner
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


@pytest.fixture
def two_stores(tmp_path: Path):
    stores = []
    for name in ("first.db", "second.db"):
        make_dotnet_database(tmp_path / name)
        stores.append(open_store(tmp_path / name))
    yield stores
    for store in stores:
        store.close()


@pytest.fixture
def door(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    runner = TaskRunner("queries", widget)
    yield Door(runner, widget)
    runner.shutdown()


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [row[0] for row in con.execute('SELECT "Name" FROM "Sessions"')]


def _holder(path: Path, begin: str) -> subprocess.Popen:
    """Another program holding the file's lock (`BEGIN IMMEDIATE` or `EXCLUSIVE`) until it
    reads a line."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("{begin}")
        print("locked", flush=True)
        sys.stdin.readline()
        con.execute("ROLLBACK")
        print("released", flush=True)
    """), str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder: subprocess.Popen) -> None:
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"


def test_a_result_that_arrives_after_the_file_was_switched_is_dropped(
        qtbot, door, two_stores) -> None:
    first, second = two_stores
    door.set_store(first)
    release = threading.Event()
    shown: list[int] = []

    def slow_count(store) -> int:
        release.wait(10)
        return store.sessions.count()

    door.op(slow_count).success(shown.append).run()
    door.set_store(second)  # the person opened another file meanwhile
    release.set()
    qtbot.waitUntil(lambda: not door.runner.busy, timeout=10000)
    assert shown == []
    door.op(lambda store: store.sessions.count()).success(shown.append).run()
    qtbot.waitUntil(lambda: shown != [], timeout=10000)
    assert shown == [second.sessions.count()]


def test_only_the_newest_request_of_a_kind_is_answered(qtbot, door, two_stores) -> None:
    door.set_store(two_stores[0])
    release = threading.Event()
    shown: list[str] = []

    def older(_store) -> str:
        release.wait(10)
        return "older"

    door.op(older).latest("details").success(shown.append).run()
    door.op(lambda _store: "newer").latest("details").success(shown.append).run()
    door.op(lambda _store: "other kind").latest("side data").success(shown.append).run()
    release.set()
    qtbot.waitUntil(lambda: not door.runner.busy, timeout=10000)
    assert shown == ["newer", "other kind"]


def test_the_pages_of_what_is_shown_are_answered_until_it_starts_again(
        qtbot, door, two_stores) -> None:
    """`within(key)`: the next page of a list, a refresh of the thread: answered alongside the
    other pages in flight, dropped once the model begins a new request (another session)."""
    door.set_store(two_stores[0])
    reads = door.reads()
    release = threading.Event()
    shown: list[str] = []

    def slow(answer: str):
        def work(_store) -> str:
            release.wait(10)
            return answer
        return work

    reads.begin("thread")
    reads.op(slow("page 1")).within("thread").success(shown.append).run()
    reads.op(lambda _store: "page 2").within("thread").success(shown.append).run()
    release.set()
    qtbot.waitUntil(lambda: not reads.busy, timeout=10000)
    assert shown == ["page 1", "page 2"]  # neither overtook the other
    release.clear()
    reads.op(slow("old session")).within("thread").success(shown.append).run()
    reads.begin("thread")  # another session chosen meanwhile
    reads.op(lambda _store: "new session").within("thread").success(shown.append).run()
    release.set()
    qtbot.waitUntil(lambda: not reads.busy, timeout=10000)
    assert shown == ["page 1", "page 2", "new session"]


def test_a_model_given_the_reads_cannot_write(door) -> None:
    op = door.reads().op(lambda store: store.sessions.count())
    with pytest.raises(TypeError):
        op.changes(SESSIONS)
    with pytest.raises(TypeError):
        op.retry_when_locked("Cannot rename the session")
    with pytest.raises(TypeError):
        op.in_background()


def test_a_write_on_a_locked_file_offers_try_again_once_and_lands(
        qtbot, door, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.5)
    path = tmp_path / "locked.db"
    make_dotnet_database(path)
    store = open_store(path)
    door.set_store(store)
    holder = _holder(path, "BEGIN IMMEDIATE")
    offers: list[str] = []

    def try_again(_parent, title, text, action="Delete") -> bool:
        offers.append(f"{action} ({title}): {text}")
        _release(holder)  # the other program finishes; the person tries again
        return True

    monkeypatch.setattr(dialogs, "confirm", try_again)
    changed: list[frozenset[str]] = []
    done: list[object] = []
    door.changed.connect(changed.append)
    door.op(lambda s: s.sessions.rename(SESSION_ID, "Written on the second try")) \
        .changes(SESSIONS, DETAILS).retry_when_locked("Cannot rename the session") \
        .success(done.append).run()
    qtbot.waitUntil(lambda: done != [], timeout=15000)
    holder.wait(10)
    assert "Written on the second try" in _names(path)
    assert len(offers) == 1
    assert offers[0].startswith("Try Again (Cannot rename the session): The database is busy")
    assert "Your change has not been made yet. Try again now?" in offers[0]
    assert changed == [frozenset({SESSIONS, DETAILS})]
    store.close()


def test_opening_a_file_another_program_has_locked_keeps_the_window_responsive(
        qtbot, tmp_path) -> None:
    path = tmp_path / "busy.db"
    make_dotnet_database(path)
    with sqlite3.connect(path) as con:  # a rollback journal: a held lock keeps readers out
        con.execute("PRAGMA journal_mode = DELETE")
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.show()
    holder = _holder(path, "BEGIN EXCLUSIVE")
    returned: list[bool] = []
    during: list[tuple[bool, str]] = []

    def while_opening() -> None:
        # runs only if the event loop turns while the open waits for the lock; it lets go of
        # the lock, so the open succeeds only because the window kept running
        during.append((bool(returned), window.statusBar().currentMessage()))
        _release(holder)

    QTimer.singleShot(200, while_opening)
    opened = window.open_file(path, create=False)
    returned.append(True)
    holder.wait(10)
    assert during == [(False, "Opening busy.db…")]
    assert opened and window.store is not None and window.store.path == path
    qtbot.waitUntil(lambda: window.sessions.rowCount() > 0, timeout=10000)
