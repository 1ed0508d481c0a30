"""What a click on a link in a message may do: everything in a message comes from the file, so
nothing is opened without the person's informed confirmation, and some things never are.

- A link written in a message's text opens only if it is a web address (`http`, `https`) or an
  e-mail address (`mailto`), after the person has read it and agreed; any other kind is shown
  to be copied, never followed.
- An attachment opens only if it is an existing regular file on a local path, is not a program
  or script of any operating system, and the person agreed after being told the file, its type
  and the program that will open it.
"""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeDatabase, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from ..data.records import AttachmentRecord
from . import dialogs

WEB_SCHEMES = frozenset({"http", "https", "mailto"})

# Names that run as programs on some operating system when "opened", whatever their mode bits.
EXECUTABLE_SUFFIXES = frozenset((
    ".exe", ".com", ".bat", ".cmd", ".msi", ".msp", ".mst", ".scr", ".pif", ".cpl", ".ps1",
    ".psm1", ".psd1", ".vb", ".vbs", ".vbe", ".js", ".jse", ".ws", ".wsf", ".wsh", ".wsc", ".hta",
    ".lnk", ".url", ".reg", ".inf", ".scf", ".application", ".appref-ms", ".gadget", ".msc",
    ".jar", ".jnlp", ".sh", ".bash", ".zsh", ".ksh", ".csh", ".fish", ".command", ".tool", ".app",
    ".pkg", ".mpkg", ".dmg", ".desktop", ".run", ".bin", ".appimage", ".deb", ".rpm", ".snap",
    ".flatpakref", ".py", ".pyw", ".pyc", ".pl", ".rb", ".php", ".elf", ".so", ".dylib", ".dll",
    ".sys", ".drv", ".ocx", ".apk", ".xpi", ".crx", ".workflow", ".scpt", ".action", ".terminal",
    ".iso", ".img", ".vhd", ".vhdx",
))

# MIME types, and their parents, that describe programs or things that start one.
EXECUTABLE_MIME_TYPES = (
    "application/x-executable", "application/x-sharedlib", "application/x-pie-executable",
    "application/x-shellscript", "application/x-desktop", "application/x-ms-dos-executable",
    "application/x-msdownload", "application/x-msi", "application/x-ms-shortcut",
    "application/x-mach-binary", "application/x-elf", "application/x-object",
    "application/java-archive", "application/x-java-jnlp-file", "application/x-perl",
    "application/x-python", "text/x-python", "application/x-ruby", "application/x-php",
    "application/javascript", "text/javascript", "application/x-bat", "application/x-powershell",
    "application/vnd.microsoft.portable-executable", "application/x-appimage",
    "application/vnd.debian.binary-package", "application/x-rpm", "application/x-iso9660-image",
)


@dataclass(frozen=True)
class AttachmentCheck:
    """Whether an attachment's file may be offered for opening, and what to tell the person."""

    path: str
    refusal: str = ""  # why it is never opened; empty when it may be, after asking
    resolved: str = ""
    type_name: str = ""
    type_description: str = ""

    @property
    def allowed(self) -> bool:
        return not self.refusal


def is_network_path(path: str) -> bool:
    """A path that reaches another machine: a UNC path (`\\\\host\\share`, `//host/share`)
    or a URL."""
    if path.startswith(("\\\\", "//")) or "://" in path:
        return True
    drive, _ = os.path.splitdrive(path)
    return drive.startswith(("\\\\", "//"))


def check_attachment_path(path: str | None) -> AttachmentCheck:
    """What may be done with a stored attachment path; never follows it anywhere."""
    path = path or ""
    if not path:
        return AttachmentCheck(path, "No file is stored for this attachment.")
    if any(ord(c) < 32 for c in path):
        return AttachmentCheck(path, "The stored path holds control characters.")
    if is_network_path(path):
        return AttachmentCheck(path, "The file is on another computer (a network path). Files "
                                     "there are never opened from a message.")
    if not os.path.isabs(path):
        return AttachmentCheck(path, "The stored path is not a full path, so what it points "
                                     "to depends on where this program runs.")
    try:
        resolved = os.path.realpath(path)
        info = os.stat(resolved)
    except (OSError, ValueError):
        return AttachmentCheck(path, "The file is not there.")
    if is_network_path(resolved):
        return AttachmentCheck(path, "The file leads to another computer (a network path).")
    if not stat.S_ISREG(info.st_mode):
        return AttachmentCheck(path, "It is not a regular file (a folder, a device or a pipe).")
    mime = QMimeDatabase().mimeTypeForFile(resolved)
    names = {Path(p).suffix.lower() for p in (path, resolved)}
    runs = (names & EXECUTABLE_SUFFIXES
            or any(mime.inherits(name) or mime.name() == name for name in EXECUTABLE_MIME_TYPES)
            or (os.name != "nt" and info.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)))
    if runs:
        return AttachmentCheck(path, "It is a program or a script: opening it could run it. "
                                     "Programs are never opened from a message.",
                               resolved, mime.name(), mime.comment())
    return AttachmentCheck(path, "", resolved, mime.name(), mime.comment() or mime.name())


def default_application(mime_name: str) -> str | None:
    """The name of the program the desktop opens this type with, where the system says (the
    freedesktop.org `xdg-mime` database on Linux); None where it cannot be known."""
    if not mime_name or os.name == "nt" or not shutil.which("xdg-mime"):
        return None
    try:
        found = subprocess.run(["xdg-mime", "query", "default", mime_name], capture_output=True,
                               text=True, timeout=3, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not found.endswith(".desktop"):
        return None
    data_dirs = [os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")]
    data_dirs += (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")
    for folder in data_dirs:
        entry = Path(folder) / "applications" / found
        if entry.is_file():
            parser = configparser.RawConfigParser(interpolation=None, strict=False)
            try:
                parser.read(entry, encoding="utf-8")
                return parser.get("Desktop Entry", "Name", fallback=None) or found
            except (configparser.Error, OSError, UnicodeError):
                return found
    return found


def open_attachment(parent: QWidget | None, attachment: AttachmentRecord) -> bool:
    """Offer to open an attachment's file, saying what and with which program; True if opened."""
    name = attachment.file_name or "(unnamed attachment)"
    check = check_attachment_path(attachment.storage_path)
    if not check.allowed:
        answer = dialogs.ask_link_action(
            parent, "Attachment Not Opened",
            f"“{name}” is not opened.\n\n{check.refusal}\n\nStored path: {check.path}",
            None, "Copy Path")
        if answer == "copy":
            QGuiApplication.clipboard().setText(check.path)
        return False
    program = default_application(check.type_name)
    kind = check.type_description or "unknown"
    with_what = (f"It will open with {program}, the program your system chooses for this type."
                 if program else "It will open with the program your system chooses for this "
                                 "type.")
    shown = check.path if check.resolved == check.path else \
        f"{check.path}\n(which leads to {check.resolved})"
    answer = dialogs.ask_link_action(
        parent, "Open Attachment?",
        f"Open “{name}”?\n\nFile: {shown}\nType: {kind}\n\n{with_what}\n\nThe path comes from "
        "the database: open it only if you expected this file.", "Open", "Copy Path")
    if answer == "copy":
        QGuiApplication.clipboard().setText(check.path)
    if answer != "open":
        return False
    # checked once more at the moment of opening: the file may have changed while asked
    if not check_attachment_path(check.resolved).allowed:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(check.resolved))


def open_message_link(parent: QWidget | None, target: str) -> bool:
    """Offer to open a link written in a message; only web and e-mail addresses ever open."""
    url = QUrl(target, QUrl.ParsingMode.StrictMode)
    scheme = url.scheme().lower()
    if not url.isValid() or scheme not in WEB_SCHEMES or (scheme != "mailto" and not url.host()):
        answer = dialogs.ask_link_action(
            parent, "Link Not Opened",
            "This link in the message is not opened: only web addresses (http, https) and "
            f"e-mail addresses are.\n\nLink: {target}", None, "Copy Link")
        if answer == "copy":
            QGuiApplication.clipboard().setText(target)
        return False
    program = "your e-mail program" if scheme == "mailto" else "your web browser"
    answer = dialogs.ask_link_action(
        parent, "Open Link?",
        f"Open this address in {program}?\n\n{url.toDisplayString()}\n\nIt was written in the "
        "message: open it only if you trust where it leads.", "Open", "Copy Link")
    if answer == "copy":
        QGuiApplication.clipboard().setText(target)
    if answer != "open":
        return False
    return QDesktopServices.openUrl(url)
