"""Render the screenshots in docs/screenshots/ offscreen; rerun after changing a view.

    .venv/bin/python docs/make_screenshots.py

It generates a realistic sample database (benchmarks.generate, small size) in a temporary
folder, opens the main window on it in the light and the dark palette, and saves PNGs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator_desktop.gui.application import create_application  # noqa: E402
from orchestrator_desktop.gui.main_window import MainWindow  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget  # noqa: E402

from benchmarks.generate import generate  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DARK = {
    QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#171717", QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2e31",
    QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#3d6fd8",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Link: "#8ab4f8", QPalette.ColorRole.ToolTipBase: "#2d2e31",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
}


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition, timeout_ms: int = 20_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        wait(50)
        waited += 50
    if not condition():
        raise RuntimeError("timed out waiting for the window")


def save(widget: QWidget, name: str) -> None:
    path = OUT / name
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def shoot(app: QApplication, database: Path, folder: Path, suffix: str) -> None:
    window = MainWindow(QSettings(str(folder / f"settings{suffix}.ini"),
                                  QSettings.Format.IniFormat))
    window.resize(1500, 900)
    window.open_file(database, create=False)
    window.show()
    wait_for(lambda: window.sessions.rowCount() > 0 and window.thread_model.rowCount() > 0)
    wait_for(lambda: window.store is not None and window.store.meta("fts_state") == "ready",
             120_000)
    for row in range(min(window.sessions.rowCount(), 40)):
        summary = window.sessions.summary(row)
        if summary and 8 <= summary.message_count <= 40 and len(summary.agent_names) >= 2:
            window.table.setCurrentIndex(window.sessions.index(row, 0))
            break
    wait_for(lambda: not window.thread_model.is_loading)
    wait(800)
    save(window, f"main-window{suffix}.png")
    window.focus_search()
    window.search.query.setText("retry timeout")
    wait_for(lambda: window.search.model.rowCount() > 0)
    window.search.results.setCurrentIndex(window.search.model.index(0))
    window.search.results.activated.emit(window.search.model.index(0))
    wait(1200)
    save(window, f"search{suffix}.png")
    window.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "orchestrator.db"
        generate(database, sessions=120, messages=6000, big_session=1500, snapshot_session=300)
        app = create_application()
        shoot(app, database, folder, "")
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
        shoot(app, database, folder, "-dark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
