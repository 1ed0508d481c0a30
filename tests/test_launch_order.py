"""Launch shows the window first: painted before Pony, the database code, Pygments and the
export code are imported, then filled from the file (issue 18)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dotnet_files import SESSION_ID, add_sessions, make_dotnet_database
from gui_helpers import settings_in
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.application import (
    open_at_start,
    preview_first_page,
    show_first,
)
from orchestrator_desktop.gui.main_window import MainWindow
from processes import ROOT

# What the first paint must not need; each is imported after it, when it is used.
LATER = ("pony", "pygments", "orchestrator_desktop.data.database",
         "orchestrator_desktop.export", "orchestrator_desktop.gui.agents.agent_editor",
         "orchestrator_desktop.gui.snapshots.snapshot_manager",
         "orchestrator_desktop.gui.exporting.export_dialog",
         # the window's other panes and commands (`MainWindow.complete`)
         "orchestrator_desktop.gui.thread.thread_view",
         "orchestrator_desktop.gui.search.search_panel",
         "orchestrator_desktop.gui.sessions.details_panel",
         "orchestrator_desktop.gui.files.file_care",
         "orchestrator_desktop.gui.snapshots.snapshot_actions",
         "orchestrator_desktop.gui.exporting.session_export")

FIRST_PAINT = """
import json, linecache, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
from orchestrator_desktop.gui import application

seen = {}

class Watch(QObject):
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and isinstance(watched.window(), QMainWindow) and "paint" not in seen):
            seen["paint"] = sorted(sys.modules)
        return False

preview = application.preview_first_page
def previewed(window, path):
    shown = preview(window, path)
    seen["preview"] = sorted(sys.modules) if shown else None
    seen["previewed"] = window.sessions.rowCount()
    return shown
application.preview_first_page = previewed
open_at_start = application.open_at_start
def opened(window, path):
    ok = open_at_start(window, path)
    def poll():
        if window.sessions.rowCount():
            print(json.dumps({"paint": seen.get("paint"), "preview": seen.get("preview"),
                              "previewed": seen.get("previewed"), "after": sorted(sys.modules),
                              "sources": sorted(linecache.cache),
                              "sessions": window.sessions.rowCount(),
                              "title": window.windowTitle()}), flush=True)
            QApplication.quit()
    timer = QTimer(window); timer.timeout.connect(poll); timer.start(5)
    QTimer.singleShot(60000, QApplication.quit)
    return ok
application.open_at_start = opened
watch = Watch()
show_first = application.show_first
def shown(window, path):
    QApplication.instance().installEventFilter(watch)
    show_first(window, path)
application.show_first = shown
sys.exit(application.run(sys.argv[1:]))
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "HOME"):
        env[name] = str(home / name.lower())
    return env


def _loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_first_paint_imports_no_pony_pygments_or_export(tmp_path: Path) -> None:
    # each name is a real module: a renamed one would make this test pass for nothing
    assert all(importlib.util.find_spec(name) is not None for name in LATER)
    path = make_dotnet_database(tmp_path / "team.db")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(FIRST_PAINT), str(path)],
                          capture_output=True, text=True, env=_env(tmp_path), cwd=ROOT,
                          timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-2000:]
    report = json.loads(lines[-1])
    assert report["paint"], "the window was never painted"
    early = [name for name in LATER if _loaded(report["paint"], name)]
    assert early == [], f"imported before the first paint: {early}"
    # the sessions were painted from the file before Pony or the store was needed
    assert report["previewed"] == 2 and report["preview"], "no preview was painted"
    early = [name for name in LATER if _loaded(report["preview"], name)]
    assert early == [], f"imported before the sessions were painted: {early}"
    # and then the window was filled from the file, which needs the data layer
    assert report["sessions"] >= 1 and report["title"].startswith("team.db")
    assert _loaded(report["after"], "pony")
    # the sources PySide6's import hook read of every module imported after it are let go
    # (about 5 MB): a few modules imported since may be there, not the hundred of before
    assert len(report["sources"]) < 20, report["sources"]


def test_window_shows_its_panes_first_then_fills_them(qtbot, tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db")
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    show_first(window, str(path))
    # the first paint: the panes the file will fill (not the start screen), nothing open yet
    assert window.isVisible() and window.store is None
    assert window.pages.currentWidget() is window.splitter
    assert window.file_label.text() == "Opening team.db…"
    assert open_at_start(window, str(path))
    qtbot.waitUntil(lambda: window.sessions.rowCount() == 2, timeout=10000)
    assert window.current_session_id() is not None  # the newest session, selected
    window.table.setCurrentIndex(window.sessions.index(window.sessions.row_of(SESSION_ID), 0))
    qtbot.waitUntil(lambda: window.thread_model.rowCount() == 5, timeout=10000)
    assert window.file_label.text() == str(window.store.path)
    shown = [window.thread_model.message(n).content for n in range(window.thread_model.rowCount())]
    assert any(shown)
    window.grab().save(str(tmp_path / "launched.png"))


def test_a_window_built_in_two_steps_keeps_its_layout(qtbot, tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    whole = MainWindow(settings)
    qtbot.addWidget(whole)
    whole.resize(1200, 760)
    whole.show()
    whole.splitter.setSizes([300, 500, 400])
    whole.close()  # saves the layout, as a person's last session would have
    path = make_dotnet_database(tmp_path / "team.db")
    window = MainWindow(settings, complete=False)
    qtbot.addWidget(window)
    show_first(window, str(path))
    assert preview_first_page(window, str(path))
    # the first paint: the list of sessions, the menus' titles, and room for the rest
    assert not window.completed and not hasattr(window, "thread_model")
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Session", "&Agents", "&Help"]
    assert all(a.menu().isEmpty() for a in window.menuBar().actions())
    sizes = window.splitter.sizes()
    assert window.sessions.rowCount() == 2 and window.splitter.count() == 3
    window.complete()
    qtbot.wait(20)  # laid out and painted again
    # the panes take the places kept for them, at the sizes the person left them
    assert window.splitter.widget(1) is window.thread and window.splitter.widget(2) is window.side
    assert window.splitter.count() == 3 and window.splitter.sizes() == sizes
    assert [a.text() for a in window.menuBar().actions()] == titles
    assert window.open_action in window.menus["&File"].actions()
    assert not window.close_action.isEnabled()  # no file yet: the commands say so
    assert open_at_start(window, str(path))
    qtbot.waitUntil(lambda: window.current_session_id() is not None, timeout=10000)
    window.table.setCurrentIndex(window.sessions.index(window.sessions.row_of(SESSION_ID), 0))
    qtbot.waitUntil(lambda: window.thread_model.rowCount() == 5, timeout=10000)
    assert window.close_action.isEnabled()


def test_the_panes_share_the_window_as_when_it_is_built_at_once(qtbot, tmp_path: Path) -> None:
    seen: dict[bool, list[list[int]]] = {}
    for in_two_steps in (False, True):
        window = MainWindow(settings_in(tmp_path / str(in_two_steps)),
                            complete=not in_two_steps)
        qtbot.addWidget(window)
        window.pages.setCurrentWidget(window.splitter)
        window.resize(1400, 800)
        window.show()
        qtbot.wait(20)
        window.complete()
        qtbot.wait(20)
        seen[in_two_steps] = [window.splitter.sizes()]
        for width in (1700, 1100):  # room gained or lost is shared out alike
            window.resize(width, 800)
            qtbot.waitUntil(lambda w=width, s=window.splitter: abs(sum(s.sizes()) - w) < 20,
                            timeout=5000)
            seen[in_two_steps].append(window.splitter.sizes())
        window.close()
    for two_steps, whole in zip(seen[True], seen[False], strict=True):  # to a pixel's rounding
        assert all(abs(a - b) <= 2 for a, b in zip(two_steps, whole, strict=True)), seen
    sizes = seen[False][0]  # the default sizes (540, 580, 420), scaled to the window
    assert all(abs(size - default * sum(sizes) / 1540) <= 2
               for size, default in zip(sizes, (540, 580, 420), strict=True)), sizes


def test_opening_a_file_completes_the_window(qtbot, tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db")
    window = MainWindow(settings_in(tmp_path), complete=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(path, create=False)
    assert window.completed and window.windowTitle().startswith("team.db")
    qtbot.waitUntil(lambda: window.current_session_id() is not None, timeout=10000)
    window.table.setCurrentIndex(window.sessions.index(window.sessions.row_of(SESSION_ID), 0))
    qtbot.waitUntil(lambda: window.thread_model.rowCount() == 5, timeout=10000)


def test_the_sessions_painted_first_give_way_to_the_stores_without_a_blank(
        qtbot, tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "team.db")
    add_sessions(path, 30)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.resize(1200, 760)
    show_first(window, str(path))
    assert preview_first_page(window, str(path))
    model = window.sessions
    assert window.store is None and model.rowCount() == 32
    previewed = [model.summary(n) for n in range(model.rowCount())]
    assert model.index(0, 0).data() == previewed[0].session.display_name
    counts: list[int] = []
    model.modelReset.connect(lambda: counts.append(model.rowCount()))
    model.rowsRemoved.connect(lambda *_: counts.append(-1))
    assert open_at_start(window, str(path))
    qtbot.waitUntil(lambda: counts != [], timeout=10000)
    assert counts == [32]  # one reset, straight from the preview's rows to the store's
    assert [model.summary(n) for n in range(model.rowCount())] == previewed
    assert not model.canFetchMore()  # every session is there: the store's page said so
    window.grab().save(str(tmp_path / "previewed.png"))


def test_no_preview_is_painted_for_a_file_it_cannot_read(qtbot, tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database, just words " * 100)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    show_first(window, str(bad))
    assert not preview_first_page(window, str(bad))
    assert not preview_first_page(window, None)  # no file given, none used before
    assert window.sessions.rowCount() == 0


def test_a_file_that_cannot_be_opened_leaves_the_start_screen(qtbot, tmp_path: Path,
                                                              monkeypatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: shown.append((title, text)))
    bad = tmp_path / "notes.db"
    bad.write_text("not a database, just words " * 100)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    show_first(window, str(bad))
    assert window.pages.currentWidget() is window.splitter
    assert not open_at_start(window, str(bad))
    assert shown and shown[0][0] == "Cannot open the database"
    assert window.store is None


def test_run_shows_the_start_screen_when_nothing_opens(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database, just words " * 100)
    script = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from orchestrator_desktop.gui import application, dialogs
dialogs.show_error = lambda *a: print("ERROR", a[1], flush=True)
open_at_start = application.open_at_start
def opened(window, path):
    ok = open_at_start(window, path)
    def report():
        print("PAGE", type(window.pages.currentWidget()).__name__, window.file_label.text(),
              flush=True)
        QApplication.quit()
    QTimer.singleShot(0, report)
    return ok
application.open_at_start = opened
sys.exit(application.run(sys.argv[1:]))
"""
    done = subprocess.run([sys.executable, "-c", script, str(bad)], capture_output=True,
                          text=True, env=_env(tmp_path), cwd=ROOT, timeout=120)
    assert "ERROR Cannot open the database" in done.stdout, done.stderr[-2000:]
    assert "PAGE WelcomePage No database open" in done.stdout
