"""Starting the window: Qt application identity, logging, error handling, the first file."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_NAME, __version__, logsetup, paths

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ICON = RESOURCES / "icons" / "orchestrator-desktop.svg"


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
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
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


def run(argv: list[str]) -> int:
    """Open the window on the given file, the last one used, or the default database."""
    args = parse_args(argv)
    log_file = logsetup.configure(args.verbose)
    log.info("starting %s %s (log: %s)", APP_NAME, __version__, log_file)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = create_application()
    install_error_hook()
    from .main_window import MainWindow

    window = MainWindow(QSettings())
    if args.path:
        window.open_file(args.path, create=False)
    else:
        last = QSettings().value("lastFile")
        if not (last and Path(str(last)).is_file() and window.open_file(last, create=False)):
            window.open_file(paths.default_database_path(), create=True)
    window.show()
    return app.exec()
