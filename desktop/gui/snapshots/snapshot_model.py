"""The snapshot manager's table model: snapshot listings, formatted for a QTableView."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...data.snapshot_facts import UNDESCRIBED
from ...data.snapshots import DOTNET_FORM, READABLE_FORMS, SnapshotListing
from .. import style

LISTING_ROLE = Qt.ItemDataRole.UserRole + 1

COLUMNS = (
    ("name", "Name"), ("session", "Session"), ("created_at", "Taken"),
    ("message_count", "Messages"), ("size", "Size"), ("form", "Form"),
    ("description", "Description"),
)
NUMERIC = {"message_count", "size"}
DESKTOP_FORM = "Desktop"
DOTNET_LABEL = ".NET"
UNREAD_LABEL = "…"  # a snapshot another program wrote, whose form is not read yet
OTHER_FORM = "Other"


def can_restore_here(listing: SnapshotListing) -> bool:
    """True when this application's restore reads the snapshot's form."""
    return listing.snapshot.format in READABLE_FORMS


def form_explanation(listing: SnapshotListing) -> str:
    if listing.snapshot.format == UNDESCRIBED:
        return ("Written by another program and not read yet: its form is found in the "
                "background, and shown here when it is known.")
    if listing.snapshot.format == DOTNET_FORM:
        return ("Written by the OrchestratorChat .NET application: it can be restored as a "
                "new session, compared and exported; reverting to it is not offered, as it "
                "does not hold tool calls and attachments.")
    if can_restore_here(listing):
        return "Written by OrchestratorChat Desktop: it can be restored, reverted and compared."
    return ("Written by the OrchestratorChat .NET application (or in a form this version does "
            "not read): it is listed and can be exported, but restoring it here explains why "
            "it cannot be done.")


class SnapshotTableModel(QAbstractTableModel):
    """Snapshot listings loaded by the manager, newest first; never reads the database."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SnapshotListing] = []

    def set_rows(self, rows: list[SnapshotListing]) -> None:
        """Show these listings instead."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def listing(self, row: int) -> SnapshotListing | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, snapshot_id: str | None) -> int:
        """The row showing this snapshot, or -1."""
        for row, listing in enumerate(self._rows):
            if listing.snapshot.id == snapshot_id:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section][0] in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.data: formatted from the loaded listing."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        listing = self._rows[index.row()]
        column = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(listing, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return style.plain_tooltip(self._tooltip(listing, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == LISTING_ROLE:
            return listing
        return None

    @staticmethod
    def _text(listing: SnapshotListing, column: str) -> str:
        snapshot = listing.snapshot
        if column == "name":
            return snapshot.name or "Unnamed snapshot"
        if column == "session":
            if not listing.session_exists:
                return "(session gone)"
            return listing.session_name or "Untitled session"
        if column == "created_at":
            return style.local_text(snapshot.created_at, " %H:%M") \
                if snapshot.created_at else "—"
        if column == "message_count":
            return f"{snapshot.message_count:,}"
        if column == "size":
            return style.human_size(snapshot.size)
        if column == "form":
            if snapshot.format == DOTNET_FORM:
                return DOTNET_LABEL
            if snapshot.format == UNDESCRIBED:
                return UNREAD_LABEL
            return DESKTOP_FORM if can_restore_here(listing) else OTHER_FORM
        return (snapshot.description or "").replace("\n", " ")

    @staticmethod
    def _tooltip(listing: SnapshotListing, column: str) -> str | None:
        snapshot = listing.snapshot
        if column == "created_at":
            return style.exact_time(snapshot.created_at)
        if column == "form":
            return form_explanation(listing)
        if column == "name":
            return f"{snapshot.name or 'Unnamed snapshot'}\n{snapshot.id}"
        if column == "description":
            return snapshot.description or None
        if column == "session":
            return snapshot.session_id
        return None
