"""Render resources/icons/orchestrator-desktop.svg into the PNG, .ico and .icns files.

    .venv/bin/python packaging/make_icons.py

Rerun after changing the SVG; the outputs are committed so a build needs nothing but Qt. The
.ico (Windows) and .icns (macOS) files hold PNG images, a form both systems read (Windows
Vista and later, macOS 10.7 and later), written here by hand so no imaging library is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator_desktop.resources import ICON_SIZES, ICON_SVG, RESOURCES, icon_png  # noqa: E402
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns chunk types holding PNG data, by pixel size (the @2x types reuse the larger renderings)
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
              (b"ic09", 512), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512))


def render(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn into a transparent `size`×`size` square, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (a size of 256 is written as 0)."""
    sizes = [s for s in ICO_SIZES if s in images]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = images[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    """An ICNS file of PNG chunks."""
    chunks = b"".join(kind + struct.pack(">I", len(images[size]) + 8) + images[size]
                      for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", len(chunks) + 8) + chunks


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        print(f"cannot read {ICON_SVG}", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in ICON_SIZES}
    for size, data in images.items():
        icon_png(size).write_bytes(data)
    (RESOURCES / "icons" / "orchestrator-desktop.ico").write_bytes(ico(images))
    (RESOURCES / "icons" / "orchestrator-desktop.icns").write_bytes(icns(images))
    print(f"wrote {len(images)} PNG sizes, orchestrator-desktop.ico and .icns in "
          f"{(RESOURCES / 'icons').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
