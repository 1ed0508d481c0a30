"""Render the first-run start screen in docs/screenshots/ offscreen, light and dark.

    .venv/bin/python docs/make_first_run_screenshots.py

It starts the window the way a first run does (no settings, no database yet: the default one is
created in a temporary data folder) and saves `first-run-light.png` and `first-run-dark.png`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HOME = tempfile.mkdtemp(prefix="first-run-")  # a fresh home folder: paths read as ~/.local/...
os.environ["HOME"] = HOME
for _name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "ORCHESTRATOR_DESKTOP_DB"):
    os.environ.pop(_name, None)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_screenshots import DARK, wait  # noqa: E402  (the folder of this script)
from orchestrator_desktop import paths  # noqa: E402
from orchestrator_desktop.gui.application import create_application, open_at_start  # noqa: E402
from orchestrator_desktop.gui.main_window import MainWindow  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def shoot(folder: Path, name: str) -> None:
    """A first run: the default database is created, the start screen greets."""
    shutil.rmtree(paths.data_dir(), ignore_errors=True)
    window = MainWindow(QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat))
    window.resize(1100, 720)
    window.show()
    assert open_at_start(window, None)
    wait(600)
    window.statusBar().clearMessage()
    path = OUT / name
    window.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")
    window.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app: QApplication = create_application()
    app.setStyle(QStyleFactory.create("Fusion"))
    with tempfile.TemporaryDirectory() as tmp:
        shoot(Path(tmp), "first-run-light.png")
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
        shoot(Path(tmp), "first-run-dark.png")
    shutil.rmtree(HOME, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
