"""Where the files shipped beside the code (`resources/`) are, from a checkout or a bundle.

In a checkout `desktop/` sits beside `resources/`; PyInstaller's bundle keeps the same layout
under its `_internal` folder (`sys._MEIPASS`), so one rule finds both.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICON_SVG = RESOURCES / "icons" / "orchestrator-desktop.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SAMPLES = RESOURCES / "samples" / "sample-sessions.json"


def icon_png(size: int) -> Path:
    """The PNG rendering of the icon at `size` pixels (made by packaging/make_icons.py)."""
    return RESOURCES / "icons" / f"orchestrator-desktop-{size}.png"
