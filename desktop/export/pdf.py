"""The PDF form: the HTML form laid out by Qt's QTextDocument and printed with QPdfWriter.

Only QtGui is used (no widgets), so the command line can print too, on the offscreen platform.
Messages are laid out a chunk at a time, each chunk starting on a new page, so a session of any
size costs the memory of one chunk; every page carries its number at the foot. A message is
printed up to PDF_LIMIT characters (the other forms hold all of it) with its long lines
broken, since Qt lays a line out all at once and a megabyte-long one would take minutes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)

from ..data import records as r
from . import writers as w

PDF_LIMIT = 50_000  # characters of a message's text (and of each tool output) printed
LONG_LINE = 2_000
CHUNK_MESSAGES = 200
CHUNK_CHARACTERS = 400_000
FOOTER_HEIGHT = 28  # layout pixels under each page's text, for its number
RESOLUTION = 300

_app: QGuiApplication | None = None


def ensure_gui_application() -> None:
    """Qt's fonts need a QGuiApplication: make one on the offscreen platform when there is
    none (the command line), and use the window's otherwise."""
    global _app
    instance = QCoreApplication.instance()
    if instance is None:  # headless whatever QT_QPA_PLATFORM says: nothing is shown
        _app = QGuiApplication(["orchestrator-desktop", "-platform", "offscreen"])
    elif not isinstance(instance, QGuiApplication):
        raise RuntimeError("printing to PDF needs a QGuiApplication")


class PdfWriter:
    """Writes the PDF form to `path` as messages come (the same calls as the text writers)."""

    def __init__(self, path: Path, options: w.ExportOptions) -> None:
        ensure_gui_application()
        # Qt's text layout starts timers; a worker thread (the window's) has no event
        # dispatcher for them until an event loop object makes one. Nothing runs it: the
        # layout is finished on demand.
        self._dispatcher = QEventLoop()
        self.options = options
        self.theme = w.THEMES[options.dark]
        self.device = QPdfWriter(str(path))
        self.device.setResolution(RESOLUTION)
        self.device.setCreator("OrchestratorChat Desktop")
        self.device.setPageLayout(QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 12), QPageLayout.Unit.Millimeter))
        screen = QGuiApplication.primaryScreen()
        dpi = screen.logicalDotsPerInchY() if screen is not None else 96.0
        self.scale = RESOLUTION / (dpi or 96.0)
        self.width = self.device.width() / self.scale
        self.height = self.device.height() / self.scale - FOOTER_HEIGHT
        self.font = QFont()
        self.font.setPointSizeF(9.5)
        self.painter: QPainter | None = None
        self.pages = 0
        self.title = ""
        self._chunk: list[str] = []
        self._chunk_size = 0
        self._chunk_messages = 0

    def begin(self, facts: w.SessionFacts) -> None:
        self.title = facts.session.display_name
        self.device.setTitle(self.title)
        self._add(w.header_html(facts, self.options))

    def message(self, message: r.MessageRecord) -> None:
        self._add(w.message_html(message, self.options, qt=True, limit=PDF_LIMIT,
                                 long_line=LONG_LINE))
        self._chunk_messages += 1
        if self._chunk_messages >= CHUNK_MESSAGES or self._chunk_size >= CHUNK_CHARACTERS:
            self._flush()

    def end(self) -> None:
        self._flush()
        if self.painter is None:  # nothing at all: still one (numbered) page
            self._new_page()
        assert self.painter is not None
        self.painter.end()
        self.painter = None

    def abandon(self) -> None:
        """Stop without finishing (the caller removes the file)."""
        if self.painter is not None:
            self.painter.end()
            self.painter = None

    # -- pages -------------------------------------------------------------------------------

    def _add(self, fragment: str) -> None:
        self._chunk.append(fragment)
        self._chunk_size += len(fragment)

    def _flush(self) -> None:
        if not self._chunk:
            return
        doc = QTextDocument()
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self.font)
        doc.setDocumentMargin(0)
        doc.setDefaultStyleSheet(_qt_stylesheet(self.options.dark))
        doc.setHtml("<html><body>" + "".join(self._chunk) + "</body></html>")
        self._chunk, self._chunk_size, self._chunk_messages = [], 0, 0
        doc.setPageSize(QSizeF(self.width, self.height))
        for page in range(doc.pageCount()):
            self._new_page()
            painter = self.painter
            assert painter is not None
            painter.save()
            painter.scale(self.scale, self.scale)
            painter.translate(0, -page * self.height)
            clip = QRectF(0, page * self.height, self.width, self.height)
            painter.setClipRect(clip)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = clip
            context.palette.setColor(QPalette.ColorRole.Text, QColor(self.theme["text"]))
            doc.documentLayout().draw(painter, context)
            painter.restore()

    def _new_page(self) -> None:
        if self.painter is None:
            self.painter = QPainter(self.device)
        else:
            self.device.newPage()
        self.pages += 1
        painter = self.painter
        page = QRectF(0, 0, self.device.width(), self.device.height())
        if self.options.dark:
            margins = self.device.pageLayout().marginsPixels(RESOLUTION)
            painter.fillRect(page.adjusted(-margins.left(), -margins.top(), margins.right(),
                                           margins.bottom()), QColor(self.theme["page"]))
        painter.save()  # in device units, where a font's points are the page's points
        painter.setFont(self._footer_font())
        painter.setPen(QColor(self.theme["muted"]))
        footer = QRectF(0, (self.height + 8) * self.scale, self.device.width(),
                        (FOOTER_HEIGHT - 8) * self.scale)
        painter.drawText(footer, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         _elide(self.title, 90))
        painter.drawText(footer, int(Qt.AlignmentFlag.AlignRight |
                                     Qt.AlignmentFlag.AlignVCenter), f"Page {self.pages}")
        painter.restore()

    def _footer_font(self) -> QFont:
        font = QFont(self.font)
        font.setPointSizeF(8)
        return font


def _elide(text: str, width: int) -> str:
    text = w.visible_controls(" ".join(text.split()))
    return text if len(text) <= width else text[:width - 1] + "…"


def _qt_stylesheet(dark: bool) -> str:
    """The part of the HTML form's style Qt's rich text understands."""
    t = w.THEMES[dark]
    return (f"body {{ color: {t['text']}; }} h1 {{ font-size: 16pt; }} "
            f"h2 {{ font-size: 12pt; }} th {{ color: {t['muted']}; font-weight: normal; "
            "text-align: left; padding-right: 12px; } "
            "pre { font-family: monospace; font-size: 8.5pt; } "
            f".head {{ font-weight: bold; color: {t['muted']}; }} "
            f".label {{ color: {t['muted']}; }} .empty {{ font-style: italic; "
            f"color: {t['muted']}; }} a {{ color: {t['link']}; }}")
