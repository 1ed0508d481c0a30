"""Turns a message record into a QTextDocument: header, Markdown body, tool calls, attachments.

Text is inserted through QTextCursor, never as HTML, and Markdown is parsed with HTML disabled,
so HTML or script in a message shows as text and nothing remote is ever loaded.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from ...data.records import MessageRecord
from ...data.search import query_words
from .. import style

if TYPE_CHECKING:
    from ...export.highlight import Look

DISPLAY_LIMIT = 20_000  # characters of a message rendered inline; the rest behind a link
MARKDOWN_LIMIT = 200_000

_MARKDOWN = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
             | QTextDocument.MarkdownFeature.MarkdownNoHTML.value)

class CodeHighlighter(QSyntaxHighlighter):
    """Colours fenced code blocks with Pygments (desktop/export/highlight.py), the lexer taken
    from the fence's language, in the colours of the palette's light or dark style.

    A block of code is several Qt blocks (one a line): they are coloured together, so strings
    and comments spanning lines come out right, and looked up per line in highlightBlock.
    """

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._dark = style.is_dark(palette)
        self._formats: dict[Look, QTextCharFormat] = {}
        self._lines: dict[int, list[tuple[int, int, QTextCharFormat]]] = {}
        self._collect(document)

    def _collect(self, document: QTextDocument) -> None:
        block = document.begin()
        while block.isValid():
            if not _is_code(block):
                block = block.next()
                continue
            language = block.blockFormat().property(QTextFormat.Property.BlockCodeLanguage)
            numbers, texts = [], []
            while block.isValid() and _is_code(block):
                numbers.append(block.blockNumber())
                texts.append(block.text())
                block = block.next()
            from ...export.highlight import highlight  # Pygments: only once code is shown

            self._spread(numbers, texts, highlight("\n".join(texts), language or "",
                                                   self._dark))

    def _spread(self, numbers: list[int], texts: list[str], spans: tuple) -> None:
        """Cut the block's runs at its line ends, in UTF-16 positions as Qt counts them."""
        line, line_start = 0, 0
        for start, length, look in spans:
            end = start + length
            while start < end and line < len(texts):
                line_end = line_start + len(texts[line])
                if start >= line_end + 1:  # past this line and its line break
                    line_start = line_end + 1
                    line += 1
                    continue
                stop = min(end, line_end)
                if stop > start:
                    text = texts[line]
                    a, b = start - line_start, stop - line_start
                    self._lines.setdefault(numbers[line], []).append(
                        (_utf16(text[:a]), _utf16(text[a:b]), self._format(look)))
                start = stop if stop > start else start + 1

    def _format(self, look: Look) -> QTextCharFormat:
        fmt = self._formats.get(look)
        if fmt is None:
            fmt = QTextCharFormat()
            if look.colour:
                fmt.setForeground(QColor(look.colour))
            if look.bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            if look.italic:
                fmt.setFontItalic(True)
            self._formats[look] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        """QSyntaxHighlighter.highlightBlock: the runs found for this line, if any."""
        for start, length, fmt in self._lines.get(self.currentBlock().blockNumber(), ()):
            self.setFormat(start, length, fmt)


def _is_code(block: QTextBlock) -> bool:
    fmt = block.blockFormat()
    return fmt.nonBreakableLines() or fmt.hasProperty(QTextFormat.Property.BlockCodeFence)


def _utf16(text: str) -> int:
    """The length of text in UTF-16 code units (Qt's positions)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _fmt(*, bold: bool = False, colour: QColor | None = None, mono: bool = False,
         italic: bool = False, size_delta: float = 0, href: str | None = None) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if italic:
        fmt.setFontItalic(True)
    if colour is not None:
        fmt.setForeground(colour)
    if mono:
        fmt.setFontFamilies(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).families())
    if size_delta:
        fmt.setFontPointSize(max(QFont().pointSizeF() + size_delta, 6))
    if href:
        fmt.setAnchor(True)
        fmt.setAnchorHref(href)
        fmt.setFontUnderline(True)
    return fmt


def header_text(message: MessageRecord) -> str:
    """Role, agent and time in one line, as read aloud by assistive technology too."""
    parts = [message.role.label]
    if message.agent_name or message.agent_id:
        parts.append(style.isolate(message.agent_name or message.agent_id or ""))
    if message.timestamp:
        parts.append(style.local_text(message.timestamp))
    usage = message.token_usage
    if usage:
        parts.append(f"{usage.total_tokens:,} tokens (in {usage.input_tokens:,} / out "
                     f"{usage.output_tokens:,})")
    elif not message.token_usage_json.is_valid:
        parts.append("token usage unreadable")
    return "  ·  ".join(parts)


def build_document(message: MessageRecord, palette: QPalette, expanded: frozenset[str],
                   highlight_terms: tuple[str, ...] = ()) -> QTextDocument:
    """The message laid out for display; anchors: `toggle:<call id>`, `attachment:<n>`,
    `full:<message id>`, and `link:<target>` for every link written in the message's text."""
    doc = QTextDocument()
    doc.setDocumentMargin(8)
    doc.setUndoRedoEnabled(False)
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    link = palette.color(QPalette.ColorRole.Link)
    cursor = QTextCursor(doc)
    cursor.insertText(header_text(message), _fmt(bold=True, colour=muted, size_delta=-1))
    _plain_block(cursor)
    content = message.content or ""
    if not content:
        cursor.insertText("(no content)" if message.content is None else "(empty)",
                          _fmt(italic=True, colour=muted))
    else:
        shown = content[:DISPLAY_LIMIT]
        if len(shown) <= MARKDOWN_LIMIT:
            start = cursor.position()
            # a first paragraph to throw away: Markdown's first block would otherwise merge
            # into the plain block here and lose its own format (a leading code fence its
            # shading and language)
            cursor.insertMarkdown("x\n\n" + shown, QTextDocument.MarkdownFeature(_MARKDOWN))
            placeholder = QTextCursor(doc)
            placeholder.setPosition(start)
            placeholder.movePosition(QTextCursor.MoveOperation.NextBlock,
                                     QTextCursor.MoveMode.KeepAnchor)
            placeholder.removeSelectedText()
            disarm_links(doc, start, cursor.position(), link)
        else:
            cursor.insertText(shown)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if len(content) > DISPLAY_LIMIT:
            _plain_block(cursor)
            cursor.insertText(
                f"Shortened: showing {DISPLAY_LIMIT:,} of {len(content):,} characters. ",
                _fmt(italic=True, colour=muted))
            cursor.insertText("Show the whole message", _fmt(colour=link,
                                                             href=f"full:{message.id}"))
    for call in message.tool_calls:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        _plain_block(cursor)
        is_open = call.id in expanded
        outcome = "ok" if call.success else "failed"
        seconds = call.execution_time.total_seconds() if call.execution_time is not None else 0
        cursor.insertText(
            f"{'▾' if is_open else '▸'} Tool {call.tool_name or '(unnamed)'} — {outcome} — "
            f"{style.human_duration(seconds)}",
            _fmt(bold=True, colour=style.outcome_colour(call.success, palette),
                 href=f"toggle:{call.id}"))
        if is_open:
            parameters = "Parameters" if call.parameters.is_valid else \
                "Parameters (not valid JSON, shown as stored)"
            for label, text in ((parameters, call.parameters.pretty()),
                                ("Output", call.output or ""), ("Error", call.error or "")):
                if not text:
                    continue
                _plain_block(cursor)
                cursor.insertText(f"{label}:", _fmt(bold=True, colour=muted))
                _plain_block(cursor)
                cursor.insertText(text[:DISPLAY_LIMIT], _fmt(mono=True))
                if len(text) > DISPLAY_LIMIT:
                    _plain_block(cursor)
                    cursor.insertText(f"Shortened: showing {DISPLAY_LIMIT:,} of {len(text):,} "
                                      "characters.", _fmt(italic=True, colour=muted))
    for number, attachment in enumerate(message.attachments):
        cursor.movePosition(QTextCursor.MoveOperation.End)
        _plain_block(cursor)
        details = ", ".join(x for x in (attachment.mime_type, style.human_size(attachment.size))
                            if x)
        name = attachment.file_name or "(unnamed attachment)"
        path = attachment.storage_path
        cursor.insertText("Attachment: ", _fmt(colour=muted))
        if path and _exists(path):
            cursor.insertText(name, _fmt(colour=link, href=f"attachment:{number}"))
        else:
            cursor.insertText(name, _fmt())
        cursor.insertText(f"  ({details})", _fmt(colour=muted))
    _shade_code_blocks(doc, palette)
    # highlight now, before anything lays the document out: Qt's own deferred pass would run
    # after the view has measured the row, costing ten times as much and changing its height
    CodeHighlighter(doc, palette).rehighlight()
    if highlight_terms:
        _highlight(doc, highlight_terms, palette)
    return doc


LONG_LINE = 2_000  # Qt lays out a line all at once: a multi-megabyte one freezes it for seconds


def break_long_lines(content: str) -> tuple[str, bool]:
    """The text with lines over LONG_LINE characters broken into several, for display only;
    and whether any was broken."""
    lines = content.split("\n")
    if all(len(line) <= LONG_LINE for line in lines):
        return content, False
    pieces = []
    for line in lines:
        if len(line) <= LONG_LINE:
            pieces.append(line)
        else:
            pieces.extend(line[i:i + LONG_LINE] for i in range(0, len(line), LONG_LINE))
    return "\n".join(pieces), True


def _plain_block(cursor: QTextCursor) -> None:
    """A new paragraph with default formats: a plain insertBlock() would carry on the block
    before it, so a note after a fenced code block would be shaded and highlighted as code."""
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())


def disarm_links(doc: QTextDocument, start: int, end: int, colour: QColor) -> None:
    """Make every link and image that Markdown made from a message's text inert: a link's
    target moves behind `link:`, which the view only offers to open after asking, so no text
    can forge the application's own anchors; an image becomes a `link:` naming its source, so
    nothing is read from a path or address the message chose."""
    images = []
    block = doc.findBlock(start)
    while block.isValid() and block.position() < end:
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                images.append((fragment.position(), fragment.length(),
                               fmt.toImageFormat().name()))
            elif fmt.isAnchor() or fmt.anchorHref():
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(),
                                   QTextCursor.MoveMode.KeepAnchor)
                changed = QTextCharFormat()
                changed.setAnchor(True)
                changed.setAnchorHref(f"link:{fmt.anchorHref()}")
                changed.setAnchorNames([])
                cursor.mergeCharFormat(changed)
            it += 1
        block = block.next()
    for position, length, source in reversed(images):
        cursor = QTextCursor(doc)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"[image: {source}]", _fmt(colour=colour, href=f"link:{source}"))


def _exists(path: str) -> bool:
    """Whether an attachment's file is there; False for paths no file system accepts (a NUL
    byte, a name too long), which a damaged or foreign row may hold."""
    return os.path.exists(path)  # unlike Path.exists, never raises for such paths


def _shade_code_blocks(doc: QTextDocument, palette: QPalette) -> None:
    """Give fenced code a background so it reads as code in both themes."""
    shade = palette.color(QPalette.ColorRole.AlternateBase)
    if shade == palette.color(QPalette.ColorRole.Base):
        shade = shade.darker(108) if not style.is_dark(palette) else shade.lighter(130)
    block = doc.begin()
    while block.isValid():
        fmt = block.blockFormat()
        if fmt.nonBreakableLines() or fmt.hasProperty(QTextFormat.Property.BlockCodeFence):
            fmt.setBackground(shade)
            cursor = QTextCursor(block)
            cursor.setBlockFormat(fmt)
        block = block.next()


def _highlight(doc: QTextDocument, terms: tuple[str, ...], palette: QPalette) -> None:
    fmt = QTextCharFormat()
    fmt.setBackground(QColor("#8a6d00" if style.is_dark(palette) else "#fff176"))
    for term in terms:
        if not term:
            continue
        pattern = QRegularExpression(re.escape(term),
                                     QRegularExpression.PatternOption.CaseInsensitiveOption)
        found = doc.find(pattern)
        while not found.isNull():
            found.mergeCharFormat(fmt)
            found = doc.find(pattern, found)


def search_terms(text: str) -> tuple[str, ...]:
    """The words of a search, for highlighting them in a message (as search matches them)."""
    return tuple(query_words(text))
