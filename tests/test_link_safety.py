"""Links and attachments in messages come from the file: clicking one never opens, launches or
loads anything unless the person agreed, and never a program or a network path.

What would be opened is caught by Qt's own URL handlers (`QDesktopServices.setUrlHandler`),
registered for every scheme the desktop could be asked to open, so a test sees exactly what a
real click would have handed to the system.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, make_dotnet_database
from gui_helpers import open_window, select_session
from orchestrator_desktop.gui import dialogs, link_opening
from orchestrator_desktop.gui.thread.message_render import build_document
from orchestrator_desktop.gui.thread.thread_view import MESSAGE_ROLE
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

LINKS_ID = "0000000a-2222-4222-8222-222222222222"
SCHEMES = ("file", "http", "https", "mailto", "ftp", "smb", "javascript", "open", "data")


class UrlCatcher(QObject):
    """Receives every URL that QDesktopServices.openUrl would have handed to the system."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def opened(qapp):
    catcher = UrlCatcher()
    for scheme in SCHEMES:
        QDesktopServices.setUrlHandler(scheme, catcher, "catch")
    yield catcher.opened
    for scheme in SCHEMES:
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def asked(monkeypatch):
    """Every question asked about a link: (title, text, offered action); answers come from
    `asked.answer`, "open" unless a test says otherwise (so a refusal must hold even then)."""
    class Asked(list):
        answer = "open"

    questions = Asked()

    def ask(_parent, title, text, action, _copy):
        questions.append((title, text, action))
        return questions.answer

    monkeypatch.setattr(dialogs, "ask_link_action", ask)
    return questions


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    evil = tmp_path / "evil.sh"
    evil.write_text("#!/bin/sh\necho owned > /tmp/owned\n")
    evil.chmod(0o755)
    script = tmp_path / "plain-mode.sh"  # not executable by its mode, still a script
    script.write_text("echo hi\n")
    script.chmod(0o644)
    notes = tmp_path / "notes.txt"
    notes.write_text("just notes\n")
    disguised = tmp_path / "report.pdf"  # a name that looks harmless, leading to a program
    disguised.symlink_to(evil)
    return {"evil": evil, "script": script, "notes": notes, "disguised": disguised}


@pytest.fixture
def window(qtbot, tmp_path, files):
    path = make_dotnet_database(tmp_path / "links.db")
    con = sqlite3.connect(path)
    content = "\n\n".join([
        f"Forged: [run me](open:{files['evil']})",
        "Local: [passwd](file:///etc/passwd)",
        "Relative: [up](file:../../..)",
        "Script: [js](javascript:alert(1))",
        "Share: [share](file://host/share/x.pdf)",
        "Web: [docs](https://example.com/docs?q=1)",
        "Mail: [mail](mailto:dev@example.com)",
        f"Picture: ![pic]({files['notes']})",
    ])
    con.execute('INSERT INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)', (
        LINKS_ID, SESSION_ID, content, 1, None, None, "2024-01-30 09:09:00", 6, None, None))
    con.executemany('INSERT INTO "Attachments" VALUES (?,?,?,?,?,?,?,?)', [
        (f"att-{key}", LINKS_ID, name, "application/pdf", 10, str(files[key]), None,
         "2024-01-30 09:09:00")
        for key, name in (("evil", "evil.sh"), ("script", "plain-mode.sh"),
                          ("notes", "notes.txt"), ("disguised", "report.pdf"))])
    con.commit()
    con.close()
    shown = open_window(qtbot, path, tmp_path)
    shown.resize(1100, 900)
    select_session(qtbot, shown, SESSION_ID)
    qtbot.waitUntil(lambda: shown.thread_model.row_of(LINKS_ID) >= 0, timeout=5000)
    return shown


def _anchors(window) -> dict[str, str]:
    """Each anchor's text and href in the links message, as the view renders it."""
    index = window.thread_model.index(window.thread_model.row_of(LINKS_ID))
    doc = window.thread.delegate._document(index, window.thread.list.viewport().width(),
                                           window.thread.list.palette())
    found = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                found[it.fragment().text()] = fmt.anchorHref()
            it += 1
        block = block.next()
    return found


def _click_anchor(qtbot, window, text: str) -> None:
    """A real left click, in the viewport, on the middle of the anchor showing `text`."""
    view = window.thread.list
    index = window.thread_model.index(window.thread_model.row_of(LINKS_ID))
    view.scrollTo(index)
    qtbot.wait(50)
    doc = window.thread.delegate._document(index, view.viewport().width(), view.palette())
    doc.size()  # laid out: its lines exist (reading a line of one not laid out crashes Qt)
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().isAnchor() and fragment.text() == text:
                offset = fragment.position() - block.position() + 1
                line = block.layout().lineForTextPosition(offset)
                assert line.isValid(), f"the anchor {text!r} is on no line"
                box = doc.documentLayout().blockBoundingRect(block)
                x = box.x() + line.cursorToX(offset)[0]
                y = box.y() + line.y() + line.height() / 2
                rect = view.visualRect(index).adjusted(4, 3, -4, -3)
                point = rect.topLeft() + QPoint(4 + int(x), int(y))
                assert view.indexAt(point) == index
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no anchor {text!r}")


def test_message_text_cannot_forge_the_applications_own_links(window) -> None:
    anchors = _anchors(window)
    assert anchors["run me"].startswith("link:open:")
    assert anchors["passwd"] == "link:file:///etc/passwd"
    ours = {href for href in anchors.values() if not href.startswith("link:")}
    assert ours == {"attachment:0", "attachment:1", "attachment:2", "attachment:3"}


@pytest.mark.parametrize("text", ["run me", "passwd", "up", "js", "share"])
def test_clicking_a_link_that_is_not_a_web_address_opens_nothing(qtbot, window, opened, asked,
                                                                text) -> None:
    _click_anchor(qtbot, window, text)
    assert opened == []
    [(title, said, action)] = asked
    assert title == "Link Not Opened" and action is None
    assert "only web addresses" in said


def test_a_web_link_opens_in_the_browser_only_when_the_person_agrees(qtbot, window, opened,
                                                                     asked) -> None:
    asked.answer = "cancel"
    _click_anchor(qtbot, window, "docs")
    assert opened == []
    [(title, said, action)] = asked
    assert title == "Open Link?" and action == "Open"
    assert "https://example.com/docs?q=1" in said and "your web browser" in said
    asked.answer = "open"
    _click_anchor(qtbot, window, "docs")
    assert opened == ["https://example.com/docs?q=1"]
    _click_anchor(qtbot, window, "mail")
    assert opened[-1] == "mailto:dev@example.com"
    assert "your e-mail program" in asked[-1][1]


def test_an_image_in_a_message_is_named_not_loaded(window) -> None:
    index = window.thread_model.index(window.thread_model.row_of(LINKS_ID))
    doc = build_document(index.data(MESSAGE_ROLE), QApplication.palette(), frozenset())
    block, images = doc.begin(), 0
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            images += it.fragment().charFormat().isImageFormat()
            it += 1
        block = block.next()
    assert images == 0
    assert any(text.startswith("[image: ") and href.startswith("link:")
               for text, href in _anchors(window).items())


@pytest.mark.parametrize("name", ["evil.sh", "plain-mode.sh", "report.pdf"])
def test_an_attachment_that_is_a_program_is_never_opened(qtbot, window, opened, asked,
                                                         name) -> None:
    _click_anchor(qtbot, window, name)
    assert opened == []
    [(title, said, action)] = asked
    assert title == "Attachment Not Opened" and action is None
    assert "program or a script" in said


def test_an_attachment_opens_after_the_person_is_told_what_and_with_what(qtbot, window, opened,
                                                                         asked, files) -> None:
    asked.answer = "cancel"
    _click_anchor(qtbot, window, "notes.txt")
    assert opened == []
    [(title, said, action)] = asked
    assert title == "Open Attachment?" and action == "Open"
    assert str(files["notes"]) in said and "Type: " in said and "program" in said
    asked.answer = "open"
    _click_anchor(qtbot, window, "notes.txt")
    assert opened == [QUrl.fromLocalFile(str(files["notes"])).toString()]


@pytest.mark.parametrize("path, reason", [
    ("\\\\host\\share\\report.pdf", "another computer"),
    ("//host/share/report.pdf", "another computer"),
    ("smb://host/share/report.pdf", "another computer"),
    ("../../../etc/passwd", "not a full path"),
    ("file:../../..", "not a full path"),
    ("/no/such/file.pdf", "not there"),
    ("/tmp", "not a regular file"),
    ("/usr/bin/env", "program"),
    ("", "No file"),
    ("/tmp/a\nb", "control characters"),
])
def test_attachment_paths_that_are_refused(path, reason) -> None:
    check = link_opening.check_attachment_path(path)
    assert not check.allowed
    assert reason in check.refusal


def test_a_plain_document_may_be_offered(tmp_path) -> None:
    document = tmp_path / "plan.md"
    document.write_text("# plan\n")
    check = link_opening.check_attachment_path(str(document))
    assert check.allowed and check.resolved == os.path.realpath(document)
    assert not stat.S_IXUSR & document.stat().st_mode
