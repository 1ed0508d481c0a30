"""The application's icon, drawn from the SVG at any size (PNG renderings when SVG cannot be
read, e.g. a Qt without its SVG plugin)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap

from ..resources import ICON_SIZES, ICON_SVG, icon_png


@cache
def app_icon() -> QIcon:
    """The application's icon (an empty icon when resources/ is missing)."""
    icon = QIcon(str(ICON_SVG)) if ICON_SVG.exists() else QIcon()
    if not icon.pixmap(QSize(64, 64)).isNull():
        return icon
    icon = QIcon()
    for size in ICON_SIZES:
        if icon_png(size).exists():
            icon.addFile(str(icon_png(size)), QSize(size, size))
    return icon


def icon_pixmap(size: int, device_pixel_ratio: float) -> QPixmap:
    """The icon `size` logical pixels wide, sharp on a screen of this pixel ratio."""
    return app_icon().pixmap(QSize(size, size), device_pixel_ratio)
