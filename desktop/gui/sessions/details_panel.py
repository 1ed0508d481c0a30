"""The details side panel: session facts, JSON columns, members, statistics and plans."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...data.encoding import JsonText
from ...data.records import (
    PlanRecord,
    SessionAgentRecord,
    SessionRecord,
    SessionStatistics,
    TeamRecord,
    WorkPlanRecord,
)
from .. import style
from ..thread.message_render import break_long_lines

JSON_LIMIT = 50_000  # characters of a JSON column shown in its box
SHOWN_LIMIT = 300  # characters of a value shown in a label or tree cell; all of it in the tip
TIP_LIMIT = 2000


def shown(value: str, limit: int = SHOWN_LIMIT) -> str:
    """A value cut in the middle when it is too long to lay out in the panel."""
    if len(value) <= limit:
        return value
    return f"{value[:limit // 2]} … {value[-(limit // 2):]}"


def tip(value: str) -> str | None:
    """A tooltip for text from the file: cut to a readable length and never read as HTML."""
    return style.plain_tooltip(shown(value, TIP_LIMIT))


@dataclass(frozen=True)
class SessionDetails:
    """What the panel shows, loaded together off the GUI thread."""

    session: SessionRecord
    members: tuple[SessionAgentRecord, ...]
    statistics: SessionStatistics
    plans: list[PlanRecord]
    teams: list[TeamRecord] = field(default_factory=list)
    work_plans: list[WorkPlanRecord] = field(default_factory=list)


class TokenChart(QWidget):
    """Horizontal bars of tokens per agent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: list[tuple[str, int]] = []
        self.setAccessibleName("Tokens per agent chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, data: dict[str, int]) -> None:
        self._data = sorted(((k, v) for k, v in data.items() if v > 0),
                            key=lambda item: -item[1])[:8]
        self.setAccessibleDescription(
            "; ".join(f"{name}: {tokens:,} tokens" for name, tokens in self._data))
        self.setFixedHeight(max(len(self._data), 1) * 22 + 6)
        self.update()

    def sizeHint(self) -> QSize:
        """QWidget.sizeHint."""
        return QSize(240, max(len(self._data), 1) * 22 + 6)

    def paintEvent(self, _event: object) -> None:
        """QWidget.paintEvent."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        if not self._data or not max(v for _, v in self._data):
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft, "No token usage recorded")
            return
        label_width = min(max(painter.fontMetrics().horizontalAdvance(n) for n, _ in self._data)
                          + 8, self.width() // 3)
        top_value = max(v for _, v in self._data)
        value_width = max(painter.fontMetrics().horizontalAdvance(f"{v:,}") for _, v in self._data)
        bar_space = max(self.width() - label_width - value_width - 12, 10)
        accent = palette.color(QPalette.ColorRole.Highlight)
        for row, (name, value) in enumerate(self._data):
            y = 3 + row * 22
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight,
                                                      label_width - 8)
            painter.drawText(QRectF(0, y, label_width, 18), Qt.AlignmentFlag.AlignVCenter, elided)
            width = max(bar_space * value / top_value, 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(accent))
            painter.drawRoundedRect(QRectF(label_width, y + 2, width, 14), 3, 3)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(label_width + width + 6, y, value_width + 4, 18),
                             Qt.AlignmentFlag.AlignVCenter, f"{value:,}")


def _json_view(title: str) -> tuple[QGroupBox, QPlainTextEdit, QLabel]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    flag = QLabel("", box)
    flag.setStyleSheet("color: #c62828")
    flag.setWordWrap(True)  # an unwrapped note would widen the panel past the window
    text = QPlainTextEdit(box)
    text.setReadOnly(True)
    text.setAccessibleName(title)
    text.setMaximumHeight(140)
    text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    layout.addWidget(flag)
    layout.addWidget(text)
    return box, text, flag


class DetailsPanel(QScrollArea):
    """Facts about the selected session, laid out top to bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Session details")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        facts_box = QGroupBox("Session", body)
        self.facts = QFormLayout(facts_box)
        # in a narrow pane a value that needs the room goes under its label (the session id)
        self.facts.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QLabel | QLineEdit] = {}
        for key, label in (("name", "Name"), ("status", "Status"), ("type", "Type"),
                           ("project", "Project"), ("directory", "Working directory"),
                           ("created", "Created"), ("completed", "Completed"),
                           ("last", "Last activity"), ("id", "Id")):
            if key == "id":
                # an id has no place to wrap (no break between "-" and a digit) and must be
                # read and copied whole: a read-only field scrolls instead of cutting it
                value = QLineEdit("—", facts_box)
                value.setReadOnly(True)
                value.setFrame(False)
                value.setMinimumWidth(80)
                value.setStyleSheet("QLineEdit { background: transparent; }")
            else:
                value = QLabel("—", facts_box)
                value.setTextFormat(Qt.TextFormat.PlainText)  # names from the file: not HTML
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                              | Qt.TextInteractionFlag.TextSelectableByKeyboard)
                value.setWordWrap(True)
            # a long path must not widen the panel past the window: it is cut, with a tooltip
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            value.setAccessibleName(label)
            self.fields[key] = value
            self.facts.addRow(f"{label}:", value)
        stats_box = QGroupBox("Statistics", body)
        stats_layout = QFormLayout(stats_box)
        self.stats: dict[str, QLabel] = {}
        self.stat_labels: dict[str, QLabel] = {}
        for key, label in (("messages", "Messages"), ("agents", "Agents"),
                           ("duration", "Duration"), ("tokens", "Tokens"),
                           ("tools", "Tool calls")):
            value = QLabel("—", stats_box)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setAccessibleName(label)
            self.stats[key] = value
            self.stat_labels[key] = QLabel(f"{label}:", stats_box)
            self.stat_labels[key].setBuddy(value)
            stats_layout.addRow(self.stat_labels[key], value)
        self.chart = TokenChart(stats_box)
        stats_layout.addRow(self.chart)
        members_box = QGroupBox("Members", body)
        members_layout = QVBoxLayout(members_box)
        self.members = QTreeWidget(members_box)
        self.members.setAccessibleName("Session members")
        self.members.setHeaderLabels(["Agent", "Role", "Joined", "Left"])
        self.members.setRootIsDecorated(False)
        self.members.setMaximumHeight(120)
        self.members.setMinimumWidth(0)
        members_layout.addWidget(self.members)
        context_box, self.context, self.context_flag = _json_view("Context")
        metadata_box, self.metadata, self.metadata_flag = _json_view("Metadata")
        plans_box = QGroupBox("Orchestration plans", body)
        plans_layout = QVBoxLayout(plans_box)
        self.plans = QTreeWidget(plans_box)
        self.plans.setAccessibleName("Orchestration plans and steps")
        self.plans.setHeaderLabels(["Step", "Agent", "Task", "Status", "Duration",
                                    "Depends on"])
        self.plans.setMinimumHeight(160)
        self.no_plans = QLabel("This session has no orchestration plans.", plans_box)
        self.no_plans.setWordWrap(True)  # unwrapped, it widened the panel past view
        plans_layout.addWidget(self.no_plans)
        plans_layout.addWidget(self.plans)
        team_box = QGroupBox("Team", body)
        team_layout = QVBoxLayout(team_box)
        self.team = QTreeWidget(team_box)
        self.team.setAccessibleName("Team members and roles")
        self.team.setHeaderLabels(["Agent", "Role", "Joined"])
        self.team.setRootIsDecorated(False)
        self.team.setMaximumHeight(120)
        self.policies = QLabel("", team_box)
        self.policies.setTextFormat(Qt.TextFormat.PlainText)
        self.policies.setWordWrap(True)
        self.policies.setAccessibleName("Team policies")
        self.no_team = QLabel("This session has no team.", team_box)
        self.no_team.setWordWrap(True)  # unwrapped, it widened the panel past view
        for widget in (self.no_team, self.team, self.policies):
            team_layout.addWidget(widget)
        work_box = QGroupBox("Plans", body)
        work_layout = QVBoxLayout(work_box)
        self.work_plans = QTreeWidget(work_box)
        self.work_plans.setAccessibleName("Plans and their steps")
        self.work_plans.setHeaderLabels(["Step", "Title", "Owner", "Acceptance criteria"])
        self.work_plans.setMinimumHeight(120)
        self.no_work_plans = QLabel("This session has no plans.", work_box)
        self.no_work_plans.setWordWrap(True)  # unwrapped, it widened the panel past view
        work_layout.addWidget(self.no_work_plans)
        work_layout.addWidget(self.work_plans)
        self.team_box, self.work_box = team_box, work_box
        for box in (facts_box, stats_box, members_box, team_box, work_box, plans_box,
                    context_box, metadata_box):
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_details(None)

    def show_details(self, details: SessionDetails | None) -> None:
        """Fill the panel, or blank it when nothing is selected."""
        if details is None:
            for label in (*self.fields.values(), *self.stats.values()):
                label.setText("—")
            self.members.clear()
            self.plans.clear()
            self._team([])
            self._work_plans([])
            self.chart.set_data({})
            self._json(self.context, self.context_flag, JsonText(None))
            self._json(self.metadata, self.metadata_flag, JsonText(None))
            return
        s = details.session
        values = {
            "name": s.display_name, "status": s.status.label, "type": s.type.label,
            "project": s.project_id or "—", "directory": s.working_directory or "—",
            "created": style.exact_time(s.created_at), "completed": style.exact_time(
                s.completed_at), "last": style.exact_time(s.last_activity_at), "id": s.id,
        }
        for key, value in values.items():
            self.fields[key].setText(shown(value))
            self.fields[key].setToolTip(tip(value))
        self.fields["id"].setCursorPosition(0)  # the id's start in view, not its end
        self.fields["status"].setStyleSheet(f"color: {style.status_colour(s.status).name()};"
                                            "font-weight: bold")
        st = details.statistics
        self.stats["messages"].setText(f"{st.message_count:,}")
        self.stats["agents"].setText(str(st.agent_count))
        self.stats["duration"].setText(style.human_duration(st.duration.total_seconds()))
        self.stat_labels["duration"].setText(f"{st.duration_label}:")
        self.stats["tokens"].setText(f"{st.total_tokens:,}")
        self.stats["tools"].setText(f"{st.tool_call_count:,}")
        self.chart.set_data(st.tokens_by_agent)
        self.members.clear()
        for member in details.members:
            item = QTreeWidgetItem(self.members, [
                shown(member.agent_name or member.agent_id), shown(member.role or "—"),
                style.exact_time(member.joined_at), style.exact_time(member.left_at)
                if member.left_at else ""])
            item.setToolTip(0, tip(member.agent_id))
        self._json(self.context, self.context_flag, s.context)
        self._json(self.metadata, self.metadata_flag, s.metadata)
        self._plans(details.plans)
        self._team(details.teams)
        self._work_plans(details.work_plans)

    def _team(self, teams: list[TeamRecord]) -> None:
        self.team.clear()
        self.team.setVisible(bool(teams))
        self.policies.setVisible(bool(teams))
        self.no_team.setVisible(not teams)
        policies = []
        for team in teams:
            for member in team.members:
                item = QTreeWidgetItem(self.team, [
                    shown(member.agent_name or member.agent_id),
                    shown((member.role or "—").capitalize()), style.exact_time(member.joined_at)])
                item.setToolTip(0, tip(member.agent_id))
            for key, value in team.policies.mapping().items():
                policies.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
            if not team.policies.is_valid:
                policies.append(f"(not valid JSON) {team.policies.raw}")
        self.policies.setText(shown("Policies: " + ("; ".join(policies) or "none")))
        for column in range(self.team.columnCount()):
            self.team.resizeColumnToContents(column)

    def _work_plans(self, plans: list[WorkPlanRecord]) -> None:
        self.work_plans.clear()
        self.work_plans.setVisible(bool(plans))
        self.no_work_plans.setVisible(not plans)
        for plan in plans:
            state = (f"Committed {style.exact_time(plan.committed_at)}" if plan.committed_at
                     else "Not committed")
            top = QTreeWidgetItem(self.work_plans, [
                "Plan", shown(f"{plan.name or '(no name)'} "
                              f"({'committed' if plan.committed_at else 'draft'})"), "", ""])
            top.setToolTip(1, tip(f"{plan.name or '(no name)'}\nGoal: {plan.goal or '—'}\n"
                                  f"{state}"))
            for step in plan.steps:
                child = QTreeWidgetItem(top, [
                    str(step.order), shown(step.title or "—"),
                    shown(step.owner_name or step.owner or "—"),
                    shown(step.acceptance_criteria or "—")])
                child.setToolTip(1, tip(step.description or step.title or ""))
            top.setExpanded(True)
        for column in range(self.work_plans.columnCount()):
            self.work_plans.resizeColumnToContents(column)

    def _plans(self, plans: list[PlanRecord]) -> None:
        self.plans.clear()
        self.plans.setVisible(bool(plans))
        self.no_plans.setVisible(not plans)
        if not plans:
            return
        for plan in plans:
            outcome = "Succeeded" if plan.success else (
                "Finished" if plan.completed_at else "Not finished")
            took = ""
            if plan.started_at and plan.completed_at:
                took = style.human_duration((plan.completed_at - plan.started_at).total_seconds())
            goal = f"{style.isolate(shown(plan.goal or '(no goal)'))} ({plan.strategy.label})"
            top = QTreeWidgetItem(self.plans, ["Plan", "", goal, outcome, took, ""])
            top.setToolTip(2, tip(f"{plan.goal or '(no goal)'}\n"
                                  f"Created {style.exact_time(plan.created_at)}"))
            for step in plan.steps:
                duration = (style.human_duration(step.duration.total_seconds())
                            if step.duration is not None else "")
                item = QTreeWidgetItem(top, [
                    str(step.order), shown(step.agent_name or step.agent_id or "—"),
                    shown(step.task or ""), step.status.label, duration,
                    shown(", ".join(step.depends_on))])
                item.setToolTip(2, tip(step.task or ""))
                item.setForeground(3, style.step_colour(step.status))
            top.setExpanded(True)
        for column in range(self.plans.columnCount()):
            self.plans.resizeColumnToContents(column)

    @staticmethod
    def _json(view: QPlainTextEdit, flag: QLabel, value: JsonText) -> None:
        if value.is_absent:
            view.setPlainText("")
            view.setPlaceholderText("(none)")
            flag.setText("")
            flag.hide()
            return
        text = value.pretty()
        notes = [] if value.is_valid else ["⚠ Not valid JSON: shown as stored"]
        if len(text) > JSON_LIMIT:
            notes.append(f"Shortened: showing {JSON_LIMIT:,} of {len(text):,} characters")
            text = text[:JSON_LIMIT]
        view.setPlainText(break_long_lines(text)[0])  # a long line would freeze the layout
        flag.setText(". ".join(notes))
        flag.setVisible(bool(notes))
