"""Render the backup and database-check screenshots in docs/screenshots/ offscreen.

    .venv/bin/python docs/make_reliability_screenshots.py

It generates a small sample database, makes a few backups of it (one of each kind), then
saves File ▸ Restore from Backup (`backups.png`) and the reports of File ▸ Check Database on
the sound file (`check-ok.png`) and after losing one search-index entry (`check-problem.png`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_screenshots import save, wait, wait_for  # noqa: E402  (the folder of this script)
from orchestrator_desktop import paths  # noqa: E402
from orchestrator_desktop.data import open_store  # noqa: E402
from orchestrator_desktop.data.backups import make_backup  # noqa: E402
from orchestrator_desktop.gui.application import create_application  # noqa: E402
from orchestrator_desktop.gui.main_window import MainWindow  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from benchmarks.generate import generate  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        database = folder / "orchestrator.db"
        generate(database, sessions=40, messages=2000, big_session=300, snapshot_session=100)
        store = open_store(database)
        store.run_maintenance(backup_dir=paths.backup_dir())
        now = datetime.now().replace(microsecond=0)
        for days, reason in ((3, "scheduled"), (2, "scheduled"), (1, "manual"),
                             (1, "scheduled")):
            make_backup(store.path, paths.backup_dir(), reason, now=now - timedelta(days=days))
        store.close()
        app = create_application()
        window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 720)
        window.open_file(database, create=False)
        window.show()
        wait_for(lambda: window.sessions.rowCount() > 0 and not window.maintenance.busy)
        window.care.show_backups()
        wait(300)
        save(window.care.dialog, "backups.png")
        window.care.dialog.close()
        window.care.check_database()
        wait_for(lambda: window.care.report_dialog is not None)
        wait(300)
        save(window.care.report_dialog, "check-ok.png")
        first = window.care.report_dialog
        with sqlite3.connect(database) as con:
            con.execute('DELETE FROM "desktop_message_keys" WHERE "Key" = '
                        '(SELECT min("Key") FROM "desktop_message_keys")')
        window.care.check_database()
        wait_for(lambda: window.care.report_dialog is not first)
        wait(300)
        save(window.care.report_dialog, "check-problem.png")
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
