"""Starting the window: Qt application identity, logging, error handling, the first file."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QFileOpenEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from .. import APP_NAME, __version__, logsetup, paths

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)

SHOWN_MESSAGE = "main window shown"
CLOSED_MESSAGE = "closed cleanly"
SIGNAL_POLL_MS = 200
STARTUP_MARKS: list[tuple[str, float]] = []  # (step, time.perf_counter()) as `run()` goes


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="orchestrator-desktop", description=(
        "Browse OrchestratorChat sessions. With a command (see `orchestrator-desktop --help`) "
        "it runs without a window."))
    parser.add_argument("path", nargs="?", help="database file to open")
    parser.add_argument("--db", dest="db", help="database file to open (same as PATH)")
    parser.add_argument("--verbose", action="store_true", help="log debugging detail")
    args, _qt_args = parser.parse_known_args(argv)
    args.path = args.path or args.db
    return args


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names and icon the desktop shows."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        [sys.argv[0], *(argv or [])])
    app.setOrganizationName(paths.ORGANISATION)
    app.setApplicationName(paths.APPLICATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(paths.APPLICATION)
    from .icons import app_icon

    app.setWindowIcon(app_icon())
    return app


def install_error_hook() -> None:
    """Log unexpected exceptions and tell the person in a dialog, never with a traceback."""

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        if QApplication.instance() is not None:
            from . import dialogs

            dialogs.show_error(None, "Something went wrong",
                               f"An unexpected problem occurred ({kind.__name__}). The "
                               f"application keeps running; details are in {paths.log_dir()}.")

    sys.excepthook = hook


class FileOpenFilter(QObject):
    """Opens the files macOS hands over as FileOpen events (a double-click in Finder, a file
    dropped on the Dock icon); other systems pass them on the command line."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """QObject.eventFilter: take FileOpen events, pass everything else on."""
        if isinstance(event, QFileOpenEvent) and event.file():
            self.window.open_file(event.file(), create=False)
            return True
        return super().eventFilter(watched, event)


def close_on_termination(window: MainWindow) -> QTimer:
    """Close the window normally on SIGTERM (a desktop logout, `kill`) or SIGINT (Ctrl+C in a
    terminal): layout saved, workers stopped, file closed, exit code 0.

    Python runs signal handlers only between bytecodes, never while Qt's event loop waits, so
    a timer wakes the interpreter a few times a second to let a pending handler run.
    """

    def handler(number: int, _frame: FrameType | None) -> None:
        QTimer.singleShot(0, lambda: quit_cleanly(signal.Signals(number).name))

    def quit_cleanly(name: str) -> None:
        log.info("received %s; closing the window", name)
        QApplication.closeAllWindows()
        if window.isVisible():  # it asked about unsaved agent edits and the person stayed
            log.info("the window stayed open")
            return
        QApplication.quit()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, handler)
    timer = QTimer(window)
    timer.setInterval(SIGNAL_POLL_MS)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


def open_at_start(window: MainWindow, path: str | None) -> bool:
    """Open the file given on the command line, else the last one used, else the default
    database, created and seeded on the first run (then the start screen greets the person).
    A file that cannot be opened is explained in a dialog and the start screen stays."""
    if path:
        return window.open_file(path, create=False)
    last = window.settings.value("lastFile")
    if last and Path(str(last)).is_file() and window.open_file(last, create=False):
        return True
    default = paths.default_database_path()
    first_run = not default.exists()
    if not window.open_file(default, create=True):
        return False
    if first_run:
        log.info("first run: created %s", default)
        window.welcome.present(first_run=True)
    return True


def forget_module_sources() -> None:
    """Drop the source lines PySide6 read of every module imported after it (its `__feature__`
    import hook reads each one's whole source to look for "PySide6", and `linecache` keeps it:
    about 5 MB by the first page). A traceback reads the lines it needs again."""
    import linecache

    linecache.clearcache()


def mark(step: str) -> None:
    """Note how far the start has come (for `benchmarks/gui.py` and the debug log)."""
    STARTUP_MARKS.append((step, time.perf_counter()))
    log.debug("start: %s", step)


def file_to_open(window: MainWindow, path: str | None) -> str | None:
    """The file a launch opens when it is there: the one given, else the last one used (None:
    the default database, or nothing)."""
    last = window.settings.value("lastFile")
    return path or (str(last) if last and Path(str(last)).is_file() else None)


def show_first(window: MainWindow, path: str | None) -> None:
    """Show and paint the window before the file is opened: the first paint needs neither
    the window's other panes (`MainWindow.complete`) nor Pony and the data layer's database
    code, which `open_at_start` imports afterwards.

    When a file will be opened (one given, or the last one used), the first paint shows the
    empty panes it will fill rather than the start screen; a failure's dialog then stands over
    the window, and the start screen is shown if nothing could be opened.
    """
    target = file_to_open(window, path)
    if target:
        window.pages.setCurrentWidget(window.splitter)
        window.file_label.setText(f"Opening {Path(target).name}…")
    window.show()
    QApplication.processEvents()  # the show's expose and paint, before anything slower
    mark("first paint")


def preview_first_page(window: MainWindow, path: str | None) -> bool:
    """Paint the first page of sessions of the file about to be opened, read with plain
    `sqlite3` (`data.preview`) before `open_at_start` imports Pony and opens the store, whose
    own first page then replaces it. False when there is nothing to show (no file, or one
    that cannot be read quickly: the ordinary open deals with it)."""
    target = file_to_open(window, path)
    if target is None:
        return False
    from ..data.preview import ROWS, first_sessions

    page = first_sessions(target, limit=ROWS, **window.sessions.order)
    if page is None or not page.items:
        return False
    window.sessions.show_preview(page)
    QApplication.processEvents()  # paints the rows
    mark("sessions shown")
    return True


def missing_display(environ: dict[str, str] | None = None) -> str | None:
    """Why no window can open here (a Linux or BSD session with no X11 or Wayland display,
    such as SSH), or None. Qt would abort the process with a core dump instead."""
    environ = dict(os.environ if environ is None else environ)
    if sys.platform in ("win32", "darwin") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return ("There is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY "
            "is set, as over SSH). Run it in a desktop session, or use the command line: "
            "orchestrator-desktop --help")


def run(argv: list[str]) -> int:
    """Open the window on the given file, the last one used, or the default database."""
    args = parse_args(argv)
    log_file = logsetup.configure(args.verbose, rotate=False)  # rotating once shown
    log.info("starting %s %s (log: %s)", APP_NAME, __version__, log_file)
    problem = missing_display()
    if problem is not None:
        log.error("%s", problem)
        print(f"orchestrator-desktop: {problem}", file=sys.stderr)
        return 1
    from ..resources import RESOURCES

    log.info("resources in %s%s", RESOURCES, "" if RESOURCES.is_dir() else " (missing)")
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = create_application()
    install_error_hook()
    mark("application created")
    from .main_window import MainWindow

    forget_module_sources()
    mark("window modules imported")

    window = MainWindow(QSettings(), complete=False)  # its other panes once the list shows
    mark("window built")
    if sys.platform == "darwin":  # Finder hands files over as events; elsewhere, as arguments
        app.installEventFilter(FileOpenFilter(window))
    close_on_termination(window)
    show_first(window, args.path)
    preview_first_page(window, args.path)
    window.complete()
    QApplication.processEvents()  # paints the panes before the file is opened
    forget_module_sources()
    mark("window completed")
    open_at_start(window, args.path)
    forget_module_sources()
    mark("file opened")
    if window.store is None:
        window.sessions.set_store(None)  # the preview's rows go with the file they came from
    if window.store is None and window.pages.currentWidget() is not window.welcome:
        window.file_label.setText("No database open")
        window.welcome.present()  # nothing could be opened: the start screen offers choices
    if not window.isVisible():  # closed (SIGTERM) while a start-up dialog was open
        log.info("%s (exit code 0)", CLOSED_MESSAGE)
        return 0
    QTimer.singleShot(0, lambda: log.info("%s: %s", SHOWN_MESSAGE, window.windowTitle()))
    QTimer.singleShot(0, logsetup.rotate_file)
    code = app.exec()
    log.info("%s (exit code %d)", CLOSED_MESSAGE, code)
    return code
