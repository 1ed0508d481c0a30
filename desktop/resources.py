"""Where the files shipped beside the code (`resources/`) are: in a checkout, a bundle or an
installed wheel.

In a checkout `desktop/` sits beside `resources/`; PyInstaller's bundle keeps the same layout
under its `_internal` folder (`sys._MEIPASS`). A wheel installs them as data files under
`<prefix>/share/orchestrator-desktop/` (see pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path


def _find() -> Path:
    beside = Path(__file__).resolve().parents[1] / "resources"
    installed = Path(sys.prefix) / "share" / "orchestrator-desktop" / "resources"
    return installed if not beside.is_dir() and installed.is_dir() else beside


RESOURCES = _find()
ICON_SVG = RESOURCES / "icons" / "orchestrator-desktop.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SAMPLES = RESOURCES / "samples" / "sample-sessions.json"


def icon_png(size: int) -> Path:
    """The PNG rendering of the icon at `size` pixels (made by packaging/make_icons.py)."""
    return RESOURCES / "icons" / f"orchestrator-desktop-{size}.png"
