"""Orchestration plans of a session, each with its steps in order."""

from __future__ import annotations

from . import records as r
from .encoding import JsonText, parse_datetime, text_or_none
from .repository import Repository
from .schema import column_list


class PlanRepository(Repository[r.PlanRecord]):
    """Plans and their steps; dependencies are decoded by `StepRecord.depends_on`."""

    def for_session(self, session_id: str) -> list[r.PlanRecord]:
        """The session's plans, oldest first, each with its steps by Order."""
        with self.store.reading():
            plans = self.store.select(
                f'SELECT {column_list("OrchestrationPlans")} FROM "OrchestrationPlans" '
                'WHERE "SessionId" = $id ORDER BY "CreatedAt", "Id"', id=session_id)
            steps: dict[str, list[r.StepRecord]] = {}
            for row in self.store.select(
                    f'SELECT {column_list("OrchestrationSteps", "s")}, a."Name" '
                    'FROM "OrchestrationSteps" s '
                    'JOIN "OrchestrationPlans" p ON p."Id" = s."PlanId" '
                    'LEFT JOIN "Agents" a ON a."Id" = s."AgentId" WHERE p."SessionId" = $id '
                    'ORDER BY s."PlanId", s."Order", s."Id"', id=session_id):
                steps.setdefault(row[1], []).append(r.step_from_row(row[:12], row[12]))
        return [r.plan_from_row(row, tuple(steps.get(row[0], ()))) for row in plans]

    def teams(self, session_id: str) -> list[r.TeamRecord]:
        """The session's teams with their members (none where the file has no Teams)."""
        if not self.store.form.has_teams:
            return []
        with self.store.reading():
            teams = self.store.select(
                f'SELECT {column_list("Teams")} FROM "Teams" WHERE "SessionId" = $id '
                'ORDER BY "CreatedAt", "Id"', id=session_id)
            members: dict[str, list[r.TeamMemberRecord]] = {}
            for row in self.store.select(
                    'SELECT m."TeamId", m."AgentId", m."Role", m."JoinedAt", a."Name" '
                    'FROM "TeamMembers" m JOIN "Teams" t ON t."Id" = m."TeamId" '
                    'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" WHERE t."SessionId" = $id '
                    'ORDER BY m."JoinedAt", m."AgentId"', id=session_id):
                members.setdefault(row[0], []).append(r.TeamMemberRecord(
                    row[1], text_or_none(row[2]), parse_datetime(row[3]), text_or_none(row[4])))
        return [r.TeamRecord(row[0], row[1], JsonText(row[2]), parse_datetime(row[3]),
                             parse_datetime(row[4]), tuple(members.get(row[0], ())))
                for row in teams]

    def work_plans(self, session_id: str) -> list[r.WorkPlanRecord]:
        """The session's Plans with their steps by StepOrder (none where the file has none)."""
        if not self.store.form.has_plans:
            return []
        with self.store.reading():
            plans = self.store.select(
                f'SELECT {column_list("Plans")} FROM "Plans" WHERE "SessionId" = $id '
                'ORDER BY "CreatedAt", "Id"', id=session_id)
            steps: dict[str, list[r.PlanStepRecord]] = {}
            for row in self.store.select(
                    'SELECT s."PlanId", s."Id", s."StepOrder", s."Title", s."Owner", '
                    's."Description", s."AcceptanceCriteria", a."Name" FROM "PlanSteps" s '
                    'JOIN "Plans" p ON p."Id" = s."PlanId" '
                    'LEFT JOIN "Agents" a ON a."Id" = s."Owner" WHERE p."SessionId" = $id '
                    'ORDER BY s."PlanId", s."StepOrder", s."Id"', id=session_id):
                steps.setdefault(row[0], []).append(r.PlanStepRecord(
                    row[1], int(row[2] or 0), text_or_none(row[3]), text_or_none(row[4]),
                    text_or_none(row[5]), text_or_none(row[6]), text_or_none(row[7])))
        return [r.WorkPlanRecord(row[0], row[1], text_or_none(row[2]), text_or_none(row[3]),
                                 parse_datetime(row[4]), parse_datetime(row[5]),
                                 parse_datetime(row[6]), tuple(steps.get(row[0], ())))
                for row in plans]
