"""First run, the start screen's three choices, the About box, and failures at start.

The window is started the way `run()` starts it (`open_at_start`), on real files; two tests run
the real entry point in a process, as a person's double-click would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, make_dotnet_database, query
from gui_helpers import settings_in
from orchestrator_desktop import APP_NAME, __version__
from orchestrator_desktop.data import open_store
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.about import AboutDialog
from orchestrator_desktop.gui.application import CLOSED_MESSAGE, SHOWN_MESSAGE, open_at_start
from orchestrator_desktop.gui.main_window import MainWindow
from processes import APP
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def default_db(tmp_path, monkeypatch) -> Path:
    """Where this test's default database goes (not there yet)."""
    path = tmp_path / "data" / "orchestrator.db"
    monkeypatch.setenv("ORCHESTRATOR_DESKTOP_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def errors(monkeypatch) -> list[tuple[str, str]]:
    """The error and information dialogs shown, recorded instead of blocking a test."""
    shown: list[tuple[str, str]] = []
    for name in ("show_error", "show_info"):
        monkeypatch.setattr(dialogs, name, lambda _p, title, text: shown.append((title, text)))
    return shown


def start(qtbot, tmp_path: Path, path: str | None = None) -> tuple[MainWindow, bool]:
    """A window started as `run()` starts it: shown, then given its first file."""
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    opened = open_at_start(window, path)
    return window, opened


# -- first run ---------------------------------------------------------------------------------


def test_first_run_creates_seeds_and_greets(qtbot, tmp_path, default_db, errors) -> None:
    window, opened = start(qtbot, tmp_path)
    assert opened and default_db.is_file()
    assert sorted(query(default_db, 'SELECT "Name" FROM "Agents"')) == [
        ("Claude Assistant",), ("Saturn Developer",)]
    assert window.pages.currentWidget() is window.welcome and window.welcome.isVisible()
    assert "A new database was made for you" in window.welcome.note.text()
    assert default_db.name in window.welcome.note.text()
    qtbot.waitUntil(window.welcome.open_button.hasFocus)
    assert not window.welcome.recent.isVisible()  # the only file so far is the open one
    assert errors == []


def test_shortcuts_for_the_views_leave_the_start_screen(qtbot, tmp_path, default_db,
                                                        errors) -> None:
    window, _ = start(qtbot, tmp_path)
    assert window.pages.currentWidget() is window.welcome
    QTest.keySequence(window, QKeySequence(QKeySequence.StandardKey.Find))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.splitter)
    qtbot.waitUntil(window.search.query.hasFocus)
    window.welcome.present()
    QTest.keySequence(window, QKeySequence("Ctrl+L"))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.splitter)
    assert errors == []


def test_later_starts_go_straight_to_the_sessions(qtbot, tmp_path, default_db,
                                                  errors) -> None:
    first, _ = start(qtbot, tmp_path)
    first.close()
    second, opened = start(qtbot, tmp_path)
    assert opened and second.store.path == default_db
    assert second.pages.currentWidget() is second.splitter
    assert errors == []


def test_open_an_existing_database(qtbot, tmp_path, default_db, errors, monkeypatch) -> None:
    dotnet = make_dotnet_database(tmp_path / "team.db")
    monkeypatch.setattr(dialogs, "choose_open_path", lambda _parent, _folder: str(dotnet))
    window, _ = start(qtbot, tmp_path)
    qtbot.mouseClick(window.welcome.open_button, Qt.MouseButton.LeftButton)
    assert window.store.path == dotnet
    assert window.pages.currentWidget() is window.splitter
    qtbot.waitUntil(lambda: window.sessions.row_of(SESSION_ID) >= 0)
    assert errors == []


def test_load_the_samples_by_keyboard(qtbot, tmp_path, default_db, errors) -> None:
    window, _ = start(qtbot, tmp_path)
    welcome = window.welcome
    assert welcome.samples_button.accessibleName() == "Load the sample sessions"
    qtbot.keyClick(welcome.open_button, Qt.Key.Key_Tab)
    assert welcome.samples_button.hasFocus()
    qtbot.keyClick(welcome.samples_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.sessions.rowCount() == 5, timeout=10_000)
    assert window.pages.currentWidget() is window.splitter
    assert "Added 5 sample sessions" in window.statusBar().currentMessage()
    assert query(default_db, 'SELECT count(*) FROM "Sessions"') == [(5,)]
    names = {window.sessions.index(r, 0).data() for r in range(5)}
    assert "Design the billing API" in names and "Release 2.4" in names
    # from the start screen again (after File > Close), the samples are not added twice
    window.close_file()
    window.welcome.load_samples()
    qtbot.waitUntil(lambda: "already" in window.statusBar().currentMessage(), timeout=10_000)
    assert query(default_db, 'SELECT count(*) FROM "Sessions"') == [(5,)]
    assert errors == []


def test_keyboard_focus_shows_on_every_choice(qtbot, tmp_path, default_db, errors) -> None:
    """Each start-screen choice looks different when Tab has put the focus on it."""
    window, _ = start(qtbot, tmp_path)
    welcome = window.welcome
    choices = [welcome.open_button, welcome.samples_button, welcome.empty_button]
    qtbot.keyClick(welcome.open_button, Qt.Key.Key_Tab)  # focus now comes from the keyboard
    looks = {}
    for focused in choices:
        focused.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(focused.hasFocus)
        looks[focused] = {button: button.grab().toImage() for button in choices}
    for button in choices:
        others = [looks[focused][button] for focused in choices if focused is not button]
        assert all(looks[button][button] != image for image in others), button.text()


def test_start_empty(qtbot, tmp_path, default_db, errors, monkeypatch) -> None:
    window, _ = start(qtbot, tmp_path)
    qtbot.mouseClick(window.welcome.empty_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.splitter
    assert window.store.path == default_db
    assert query(default_db, 'SELECT count(*) FROM "Sessions"') == [(0,)]
    # with no file open, "start empty" makes a new database where the person says
    window.close_file()
    fresh = tmp_path / "elsewhere" / "fresh.db"
    fresh.parent.mkdir()
    monkeypatch.setattr(dialogs, "choose_new_path", lambda _parent, _folder: str(fresh))
    assert "Create a new database" in window.welcome.empty_button.description()
    qtbot.mouseClick(window.welcome.empty_button, Qt.MouseButton.LeftButton)
    assert window.store.path == fresh and fresh.is_file()
    assert len(query(fresh, 'SELECT "Id" FROM "Agents"')) == 2
    assert errors == []


def test_closing_the_file_shows_the_start_screen_with_recent_files(qtbot, tmp_path,
                                                                    default_db) -> None:
    dotnet = make_dotnet_database(tmp_path / "team.db")
    window, _ = start(qtbot, tmp_path, str(dotnet))
    assert window.pages.currentWidget() is window.splitter
    window.close_action.trigger()
    assert window.store is None and window.pages.currentWidget() is window.welcome
    assert "No database is open" in window.welcome.note.text()
    recent = window.welcome.recent
    assert recent.isVisible() and recent.count() == 1
    assert recent.item(0).data(Qt.ItemDataRole.UserRole) == str(dotnet)
    recent.setFocus()
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert window.store is not None and window.store.path == dotnet
    assert window.pages.currentWidget() is window.splitter


def test_start_screen_controls_have_names_and_mnemonics(qtbot, tmp_path, default_db) -> None:
    window, _ = start(qtbot, tmp_path)
    welcome = window.welcome
    for button in (welcome.open_button, welcome.samples_button, welcome.empty_button):
        assert button.accessibleName() and "&" in button.text() and button.description()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert welcome.recent.accessibleName() == "Recent databases"
    assert welcome.recent_label.buddy() is welcome.recent
    assert not welcome.icon.pixmap().isNull()


def test_a_file_handed_over_by_the_system_is_opened(qtbot, tmp_path, default_db) -> None:
    """macOS sends a double-clicked file as a FileOpen event instead of an argument."""
    from orchestrator_desktop.gui.application import FileOpenFilter
    from PySide6.QtGui import QFileOpenEvent

    dotnet = make_dotnet_database(tmp_path / "team.db")
    window, _ = start(qtbot, tmp_path)
    app = QApplication.instance()
    handler = FileOpenFilter(window)
    app.installEventFilter(handler)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(dotnet)))
    finally:
        app.removeEventFilter(handler)
    assert window.store.path == dotnet
    assert window.pages.currentWidget() is window.splitter


# -- about -------------------------------------------------------------------------------------


def test_about_shows_version_file_and_folders(qtbot, tmp_path, default_db) -> None:
    window, _ = start(qtbot, tmp_path)
    window.about_action.trigger()
    about = window.findChild(AboutDialog)
    assert about is not None and about.isVisible()
    assert about.windowTitle() == f"About {APP_NAME}"
    assert about.version.text() == f"Version {__version__}"
    database = about.values["Database"]
    assert database.text() == str(default_db)
    assert database.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert "log" in about.values["Log folder"].text()
    for label in ("Qt", "PySide6", "Python"):
        assert about.values[label].text()
    about.copy_details()
    assert str(default_db) in QApplication.clipboard().text()
    assert any(not label.pixmap().isNull() for label in about.findChildren(QLabel))
    qtbot.keyClick(about, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(AboutDialog) is None)


def test_about_with_no_file_open_says_so(qtbot, tmp_path, default_db) -> None:
    window, _ = start(qtbot, tmp_path)
    window.close_file()
    window.show_about()
    about = window.findChild(AboutDialog)
    assert about.values["Database"].text() == "No database open"
    about.close()


# -- failures at start -------------------------------------------------------------------------


def _damaged(path: Path) -> Path:
    """A real database whose first page is overwritten: SQLite calls it malformed."""
    open_store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)
    path.write_bytes(bytes(data))
    return path


def _holding(data: bytes):
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path
    return make


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


BAD_FILES = {
    # kind: (make the file, words saying what happened, words saying what to do)
    "empty": (_holding(b""), "is an empty file", "File ▸ Open"),
    "not sqlite": (_holding(b"meeting notes"), "not an SQLite database",
                   "Choose the orchestrator.db file"),
    "damaged": (_damaged, "damaged", "Restore it from a backup"),
    "missing": (lambda path: path, "does not exist", "moved, renamed or deleted"),
    "a folder": (_folder, "is a folder", "Choose the orchestrator.db file"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_file_that_cannot_be_opened_is_explained_and_the_start_screen_stays(
        qtbot, tmp_path, default_db, errors, kind) -> None:
    make, happened, to_do = BAD_FILES[kind]
    path = make(tmp_path / "orchestrator.db")
    before = path.read_bytes() if path.is_file() else None
    window, opened = start(qtbot, tmp_path, str(path))
    assert not opened
    [(title, text)] = errors
    assert title == "Cannot open the database"
    assert happened in text and to_do in text and "Traceback" not in text
    assert window.isVisible() and window.store is None
    assert window.pages.currentWidget() is window.welcome and window.welcome.isVisible()
    assert (path.read_bytes() if path.is_file() else None) == before  # left as it was
    assert not default_db.exists()  # a file named on the command line is not swapped


def test_a_data_folder_without_write_permission_is_explained(qtbot, tmp_path, default_db,
                                                              errors) -> None:
    default_db.parent.mkdir()
    default_db.parent.chmod(0o555)
    try:
        window, opened = start(qtbot, tmp_path)
    finally:
        default_db.parent.chmod(0o755)
    assert not opened and not default_db.exists()
    [(_title, text)] = errors
    assert "is not writable" in text and "permissions" in text
    assert window.pages.currentWidget() is window.welcome
    assert "No database is open" in window.welcome.note.text()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads any file; the process test below covers root")
def test_an_unreadable_file_is_explained(qtbot, tmp_path, default_db, errors) -> None:
    path = tmp_path / "secret.db"
    open_store(path).close()
    path.chmod(0)
    try:
        window, opened = start(qtbot, tmp_path, str(path))
    finally:
        path.chmod(0o644)
    [(_title, text)] = errors
    assert not opened and "permission denied" in text and "permissions" in text
    assert window.pages.currentWidget() is window.welcome


# -- the real process --------------------------------------------------------------------------

DIALOG_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from orchestrator_desktop.app import main

def answer():
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    if not boxes:
        QTimer.singleShot(100, answer)
        return
    print("DIALOG", boxes[0].windowTitle(), "|", boxes[0].text().replace("\\n", " "), flush=True)
    boxes[0].accept()
    QTimer.singleShot(300, report)

def report():
    window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "welcome"))
    on_welcome = window.pages.currentWidget() is window.welcome and window.isVisible()
    print("WELCOME", on_welcome, flush=True)
    window.close()

app = QApplication(sys.argv[:1])
QTimer.singleShot(100, answer)
sys.exit(main(sys.argv[1:]))
"""


def process_env(home: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home))
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(home / name.lower())
    env.pop("ORCHESTRATOR_DESKTOP_DB", None)
    return env


def log_text(home: Path) -> str:
    log = home / "xdg_state_home" / "OrchestratorChat" / "orchestrator-desktop" / "log"
    path = log / "orchestrator-desktop.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_process_explains_a_damaged_file_and_stays_on_the_start_screen(tmp_path) -> None:
    path = _damaged(tmp_path / "broken.db")
    out = subprocess.run([sys.executable, "-c", DIALOG_SCRIPT, str(path)], cwd=ROOT,
                         env=process_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "DIALOG Cannot open the database | " in out.stdout
    assert "damaged" in out.stdout and "Restore it from a backup" in out.stdout
    assert "WELCOME True" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0
                    or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to take root's power to read any file")
def test_the_process_explains_a_file_it_may_not_read(tmp_path) -> None:
    """Root reads any file, so the process runs without that power (as a person's would)."""
    path = tmp_path / "secret.db"
    open_store(path).close()
    path.chmod(0)
    try:
        out = subprocess.run(
            ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", sys.executable,
             "-c", DIALOG_SCRIPT, str(path)],
            cwd=ROOT, env=process_env(tmp_path), capture_output=True, text=True, timeout=120)
    finally:
        path.chmod(0o644)
    assert out.returncode == 0, out.stderr
    assert "permission denied" in out.stdout and "permissions" in out.stdout
    assert "WELCOME True" in out.stdout


def wait_for_log(home: Path, text: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in log_text(home):
        assert process.poll() is None, f"the process ended early ({process.returncode})"
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n{log_text(home)}"
        time.sleep(0.1)


def test_sigterm_closes_the_window_normally(tmp_path) -> None:
    """A logout sends SIGTERM: the window closes as with File > Quit, and the exit code is 0."""
    database = make_dotnet_database(tmp_path / "team.db")
    process = subprocess.Popen([*APP, str(database)], cwd=ROOT,
                               env=process_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log(tmp_path, SHOWN_MESSAGE, process)
        assert f"{SHOWN_MESSAGE}: team.db" in log_text(tmp_path)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "received SIGTERM" in log_text(tmp_path)
    assert f"{CLOSED_MESSAGE} (exit code 0)" in log_text(tmp_path)
    settings = tmp_path / "xdg_config_home" / "OrchestratorChat" / "orchestrator-desktop.conf"
    assert "geometry" in settings.read_text()  # the window's closeEvent ran
    assert "Traceback" not in err
