"""An agent's usage over time: a small bar chart painted with QPainter (PySide6-Essentials has
no QtCharts), and the panel that loads it in the background."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...data import Store
from ...data.agent_editing import UsagePoint
from .. import dialogs
from ..operations import Reads

METRICS = (("messages", "Messages"), ("sessions", "Sessions"), ("tokens", "Tokens"),
           ("tool_calls", "Tool calls"))


def _label(point: UsagePoint, period: str) -> str:
    return f"week of {point.start:%Y-%m-%d}" if period == "week" else f"{point.start:%Y-%m-%d}"


def nice_step(top: int, lines: int = 4) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) for values up to `top`."""
    rough = max(top / lines, 1)
    power = 10 ** (len(str(int(rough))) - 1)
    return next(power * m for m in (1, 2, 5, 10) if power * m >= rough)


class UsageChart(QWidget):
    """Bars of one metric per day or week, in the palette's highlight colour."""

    MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 64, 26, 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[UsagePoint] = []
        self.measure = "messages"
        self.period = "day"
        self.setAccessibleName("Usage chart")
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(560, 260)

    def set_data(self, points: list[UsagePoint], period: str, measure: str) -> None:
        """Show these points of `metric`; the summary becomes the tooltip and description."""
        self.points, self.period, self.measure = list(points), period, measure
        summary = self.summary()
        self.setToolTip(summary)
        self.setAccessibleDescription(summary)
        self.update()

    def values(self) -> list[int]:
        return [int(getattr(p, self.measure)) for p in self.points]

    def summary(self) -> str:
        """One sentence saying what the chart shows, for tooltips and screen readers."""
        title = dict(METRICS)[self.measure]
        if not self.points:
            return f"{title}: no messages from this agent yet."
        values = self.values()
        peak = max(range(len(values)), key=values.__getitem__)
        per = "week" if self.period == "week" else "day"
        return (f"{title} per {per} from {_label(self.points[0], self.period)} to "
                f"{_label(self.points[-1], self.period)}: {sum(values):,} in all, most "
                f"({values[peak]:,}) on {_label(self.points[peak], self.period)}.")

    def _plot(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.MARGIN_TOP,
                      max(self.width() - self.MARGIN_LEFT - 12, 10),
                      max(self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM, 10))

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        plot = self._plot()
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7))
        painter.setFont(font)
        if not self.points:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             "No messages from this agent yet")
            return
        values = self.values()
        step = nice_step(max(values))
        lines = max(1, -(-max(values) // step))
        top = step * lines
        grid = QColor(text)
        grid.setAlpha(50)
        for line in range(lines + 1):
            y = plot.bottom() - plot.height() * line / lines
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            painter.drawText(QRectF(0, y - 8, self.MARGIN_LEFT - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{step * line:,}")
        slot = plot.width() / len(values)
        width = min(slot * 0.76, 48.0)
        bar = palette.color(QPalette.ColorRole.Highlight)
        for i, value in enumerate(values):
            height = plot.height() * value / top
            rect = QRectF(plot.left() + i * slot + (slot - width) / 2, plot.bottom() - height,
                          max(width, 1), height)
            painter.fillRect(rect, bar)
        painter.setPen(text)
        for i, align in ((0, Qt.AlignmentFlag.AlignLeft),
                         (len(values) - 1, Qt.AlignmentFlag.AlignRight)):
            label = f"{self.points[i].start:%Y-%m-%d}"
            box = QRectF(plot.left() if i == 0 else plot.right() - 120, plot.bottom() + 4,
                         120, self.MARGIN_BOTTOM - 4)
            painter.drawText(box, align | Qt.AlignmentFlag.AlignTop, label)
            if len(values) == 1:
                break

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.points:
            plot = self._plot()
            x = event.position().x() if hasattr(event, "position") else event.pos().x()
            index = int((x - plot.left()) / (plot.width() / len(self.points)))
            if plot.left() <= x <= plot.right() and 0 <= index < len(self.points):
                point = self.points[index]
                QToolTip.showText(event.globalPos(),
                                  f"{_label(point, self.period)}: {point.messages:,} messages, "
                                  f"{point.sessions:,} sessions, {point.tokens:,} tokens, "
                                  f"{point.tool_calls:,} tool calls", self)
                return True
        return super().event(event)


USAGE_READS = "agent usage"  # the door's kind for the usage chart's reads


class UsagePanel(QWidget):
    """The usage tab: totals, a period and metric choice, and the chart."""

    def __init__(self, reads: Reads, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reads = reads
        self.store: Store | None = None
        self.agent_id: str | None = None
        self.points: list[UsagePoint] = []
        self.period_used = "day"
        self.period = QComboBox(self)
        self.period.setAccessibleName("Usage period")
        for text, data in (("Automatic", "auto"), ("Per day", "day"), ("Per week", "week")):
            self.period.addItem(text, data)
        self.measure = QComboBox(self)
        self.measure.setAccessibleName("Usage measure")
        for data, text in METRICS:
            self.measure.addItem(text, data)
        period_label = QLabel("&Period:", self)
        period_label.setBuddy(self.period)
        metric_label = QLabel("&Show:", self)
        metric_label.setBuddy(self.measure)
        self.totals = QLabel(self)
        self.totals.setAccessibleName("Usage totals")
        self.totals.setWordWrap(True)
        self.chart = UsageChart(self)
        row = QHBoxLayout()
        row.addWidget(metric_label)
        row.addWidget(self.measure)
        row.addSpacing(12)
        row.addWidget(period_label)
        row.addWidget(self.period)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.totals)
        layout.addWidget(self.chart, 1)
        self.period.currentIndexChanged.connect(lambda _i: self.reload())
        self.measure.currentIndexChanged.connect(lambda _i: self._draw())

    def set_agent(self, store: Store | None, agent_id: str | None) -> None:
        """Show this agent's usage (read in the background)."""
        if (store, agent_id) != (self.store, self.agent_id):
            self.store, self.agent_id = store, agent_id
            self.reload()

    def reload(self) -> None:
        self.reads.begin(USAGE_READS)  # the usage asked for before is no longer wanted
        store, agent_id = self.store, self.agent_id
        self.points = []
        if store is None or agent_id is None:
            self.totals.setText("")
            self._draw()
            return
        self.totals.setText("Loading…")
        period = self.period.currentData()

        def done(result: tuple[str, list[UsagePoint]]) -> None:
            self.period_used, self.points = result
            self._show_totals()
            self._draw()

        def failed(error: Exception) -> None:
            self.totals.setText("The usage could not be read.")
            dialogs.report_failure(self, error, "Cannot read the agent's usage")

        self.reads.op(lambda _store: store.agents.usage_over_time(agent_id, period)) \
            .within(USAGE_READS).success(done).failure(failed).run()

    def _draw(self) -> None:
        self.chart.set_data(self.points, self.period_used, self.measure.currentData())

    def _show_totals(self) -> None:
        points = self.points
        if not points:
            self.totals.setText("No messages from this agent in this file yet.")
            return
        unit = "week" if self.period_used == "week" else "day"
        unit += "" if len(points) == 1 else "s"
        self.totals.setText(
            f"{sum(p.messages for p in points):,} messages · {sum(p.tokens for p in points):,} "
            f"tokens · {sum(p.tool_calls for p in points):,} tool calls, over "
            f"{len(points):,} {unit} ({points[0].start:%Y-%m-%d} to {points[-1].start:%Y-%m-%d}), "
            "counted from the messages")
