"""Guards against a Qt binding that corrupts reference counts (PySide6 6.12.0 did).

PySide6 6.12.0 returned None from QModelIndex.data(), QComboBox.currentData() and
QSettings.value() without taking a reference; each call wore down None's count until the
interpreter aborted ("deallocating None"). pyproject.toml excludes that release.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QComboBox


class _Empty(QAbstractListModel):
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None


def test_none_results_keep_their_reference(qapp, tmp_path) -> None:
    model = _Empty()
    combo = QComboBox()
    combo.addItem("Any", None)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    before = sys.getrefcount(None)
    for _ in range(200):
        assert model.index(0).data(Qt.ItemDataRole.UserRole) is None
        assert combo.currentData() is None
        assert settings.value("missing") is None
    assert sys.getrefcount(None) >= before - 20
