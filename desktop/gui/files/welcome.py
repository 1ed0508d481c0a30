"""The starting screen: open a database, load the sample sessions or start empty; recent files.

It is the main window's first page, shown on the first run (over the new default database) and
whenever no database is open. It asks the window for the window's own commands through
signals, so a choice here does exactly what the File menu does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ... import APP_NAME, paths
from .. import dialogs
from ..icons import icon_pixmap
from ..operations import Door

if TYPE_CHECKING:
    from ...data import Store
    from ...data.samples import SampleLoad

ICON_SIZE = 72
COLUMN_WIDTH = 620
RECENT_ROWS = 6
SELECTABLE = (Qt.TextInteractionFlag.TextSelectableByMouse
              | Qt.TextInteractionFlag.TextSelectableByKeyboard)


class WelcomePage(QScrollArea):
    """The start screen, one page of the window's central stack."""

    choose_requested = Signal()  # File ▸ Open…
    new_requested = Signal()  # File ▸ New Database…
    open_requested = Signal(object)  # open this path (a recent file)
    create_requested = Signal(object)  # open this path, creating it if need be
    shown = Signal()  # show this page
    database_wanted = Signal()  # leave this page for the open file's sessions
    samples_loaded = Signal(str)  # what was added, to say in the status bar

    def __init__(self, door: Door, recent_files: Callable[[], list[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.door = door
        self.recent_files = recent_files
        self.store: Store | None = None
        self.first_run = False
        self._loading_for: Any = None  # the store the samples are being added to
        self.setObjectName("welcomePage")
        self.setAccessibleName("Start screen")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

        column = QWidget(self)
        column.setMaximumWidth(COLUMN_WIDTH)
        column.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(column)
        layout.setSpacing(10)

        self.icon = QLabel(column)
        self.icon.setAccessibleName(f"{APP_NAME} icon")
        self.icon.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.title = QLabel(f"Welcome to {APP_NAME}", column)
        self.title.setAccessibleName("Title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        subtitle = QLabel("Browse, search and snapshot the sessions of OrchestratorChat's "
                          "agents.", column)
        subtitle.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(subtitle)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)
        layout.addLayout(top)

        self.note = QLabel(column)
        self.note.setAccessibleName("About the open database")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(SELECTABLE)
        layout.addSpacing(6)
        layout.addWidget(self.note)
        layout.addSpacing(6)

        self.open_button = self._choice(column, "&Open an existing database…",
                                        self.open_existing)
        self.samples_button = self._choice(column, "&Load the sample sessions",
                                           self.load_samples)
        self.empty_button = self._choice(column, "Star&t empty", self.start_empty)
        for button in (self.open_button, self.samples_button, self.empty_button):
            layout.addWidget(button)

        self.recent_label = QLabel("&Recent databases", column)
        bold = QFont(self.recent_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.recent_label.setFont(bold)
        self.recent = QListWidget(column)
        self.recent.setAccessibleName("Recent databases")
        self.recent.setAccessibleDescription("Press Enter to open the selected database")
        self.recent.setAlternatingRowColors(True)
        self.recent.itemActivated.connect(self._open_recent)
        self.recent_label.setBuddy(self.recent)
        layout.addSpacing(10)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent)

        self.status = QLabel("", column)
        self.status.setAccessibleName("Progress")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        page = QWidget(self)
        outer = QHBoxLayout(page)
        outer.addStretch(1)
        middle = QVBoxLayout()
        middle.addStretch(1)
        middle.addWidget(column)
        middle.addStretch(2)
        outer.addLayout(middle, 4)
        outer.addStretch(1)
        self.setWidget(page)
        self.setFocusProxy(self.open_button)
        self.refresh()

    def _choice(self, parent: QWidget, text: str, slot: Any) -> QCommandLinkButton:
        button = QCommandLinkButton(text, parent)
        button.setAccessibleName(text.replace("&", ""))
        button.setAutoDefault(False)  # else only the first choice looks chosen, wherever focus is
        # the focused choice is framed in the palette's highlight, whatever the platform style
        # draws (Fusion marks a focused command link faintly, or not at all)
        button.setStyleSheet("QCommandLinkButton { border: 2px solid transparent; "
                             "border-radius: 6px; padding: 4px; } "
                             "QCommandLinkButton:focus { border-color: palette(highlight); }"
                             "QCommandLinkButton:hover { background: palette(alternate-base); }")
        button.clicked.connect(slot)
        return button

    # -- state -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """QWidget.showEvent: bring the texts and the recent list up to date."""
        self.refresh()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """QWidget.changeEvent: redraw the arrows in the new light or dark palette."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange) \
                and hasattr(self, "empty_button"):
            self._draw_icons()
        super().changeEvent(event)

    def _draw_icons(self) -> None:
        ratio = self.devicePixelRatioF()
        self.icon.setPixmap(icon_pixmap(ICON_SIZE, ratio))
        arrow = arrow_icon(self.palette().color(self.palette().ColorRole.Highlight), ratio)
        for button in (self.open_button, self.samples_button, self.empty_button):
            button.setIcon(arrow)
            button.setIconSize(QSize(20, 20))

    def set_store(self, store: Store | None) -> None:
        """The window opened `store` (None: closed its file)."""
        self.store = store

    def refresh(self) -> None:
        """Describe the choices for the database now open (or none) and list recent files."""
        store = self.store
        self._draw_icons()
        if self._loading_for is not None and self._loading_for is not store:
            self._busy(None)  # the file changed while the samples were loading
        if store is not None and self.first_run:
            self.note.setText(f"A new database was made for you, with the default agents:\n"
                              f"{display_path(store.path)}\n\nHow would you like to start?")
        elif store is not None:
            self.note.setText(f"{display_path(store.path)} is open.")
        else:
            self.note.setText("No database is open. How would you like to start?")
        self.open_button.setDescription(
            "Choose the orchestrator.db file that OrchestratorChat writes, or any copy of it "
            "(Ctrl+O).")
        target = store.path.name if store is not None else paths.DATABASE_NAME
        self.samples_button.setDescription(
            f"Five example sessions, with several agents, tool calls and an orchestration "
            f"plan, added to {target}.")
        self.samples_button.setEnabled(self._loading_for is None
                                       and (store is None or not store.read_only))
        if store is not None:
            self.empty_button.setDescription(
                f"Browse {store.path.name} as it is: no sessions yet, only the default agents."
                if self.first_run else f"Browse the sessions in {store.path.name}.")
        else:
            self.empty_button.setDescription(
                "Create a new database with the default agents, in a place you choose (Ctrl+N).")
        self._fill_recent(store.path if store is not None else None)

    def _fill_recent(self, open_path: Path | None) -> None:
        self.recent.clear()
        files = [p for p in self.recent_files() if p != str(open_path)]
        for path in files:
            item = QListWidgetItem(f"{Path(path).name}    {display_path(Path(path).parent)}",
                                   self.recent)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            if not Path(path).exists():
                item.setText(f"{item.text()}    (not found)")
                item.setForeground(self.palette().placeholderText())
        if files:
            self.recent.setCurrentRow(0)
            shown = min(len(files), RECENT_ROWS)  # as tall as its rows, scrolling past that
            self.recent.setFixedHeight(shown * self.recent.sizeHintForRow(0)
                                       + 2 * self.recent.frameWidth())
        self.recent_label.setVisible(bool(files))
        self.recent.setVisible(bool(files))

    def present(self, first_run: bool = False) -> None:
        """Show this page (over the open database, if any) with the first choice focused."""
        self.first_run = first_run
        self.shown.emit()
        self.refresh()
        self.open_button.setFocus()

    def show_database(self) -> None:
        """Leave the start screen for the open database's sessions."""
        self.database_wanted.emit()

    # -- choices -----------------------------------------------------------------------------

    def open_existing(self) -> None:
        """Ask for a database file and open it (the window says why when it cannot)."""
        self.choose_requested.emit()

    def start_empty(self) -> None:
        """Go to the open database, or make a new one where the person chooses."""
        if self.store is not None:
            self.show_database()
        else:
            self.new_requested.emit()

    def load_samples(self) -> None:
        """Add the sample sessions to the open database (the default one when none is open)
        on a worker thread, then show them."""
        from ...data.samples import load_samples

        if self.store is None:  # the window opens it at once and tells set_store, or says why
            self.create_requested.emit(paths.default_database_path())
        store = self.store
        if store is None:
            return
        if store.read_only:
            dialogs.show_error(self.window(), "Cannot add the samples",
                               f"{store.path.name} is open "
                               "read-only, so nothing can be added to it.")
            return
        self._busy(store)

        def done(result: SampleLoad) -> None:  # while the file is still open (else: refresh)
            self._busy(None)
            self.show_database()
            self.samples_loaded.emit(result.summary)

        def failed(error: Exception) -> None:
            self._busy(None)
            dialogs.report_failure(self.window(), error, "Cannot add the sample sessions")

        self.door.op(lambda _store: load_samples(store)).success(done).failure(failed).run()

    def _busy(self, store: Any) -> None:
        """Disable the choices while the samples are added to `store` (None: done)."""
        self._loading_for = store
        for button in (self.open_button, self.samples_button, self.empty_button):
            button.setEnabled(store is None)
        self.status.setText("Adding the sample sessions…" if store is not None else "")

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))


def display_path(path: Path) -> str:
    """A path as a person reads it: the home folder written as ~."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def arrow_icon(colour: QColor, device_pixel_ratio: float, size: int = 20) -> QIcon:
    """A right-pointing chevron in `colour`, for the choices (the style's own arrow is black,
    unreadable on a dark palette)."""
    pixmap = QPixmap(round(size * device_pixel_ratio), round(size * device_pixel_ratio))
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, size / 8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPolyline([QPointF(size * 0.38, size * 0.22), QPointF(size * 0.66, size * 0.5),
                          QPointF(size * 0.38, size * 0.78)])
    painter.end()
    return QIcon(pixmap)
