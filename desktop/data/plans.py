"""Orchestration plans of a session, each with its steps in order."""

from __future__ import annotations

from . import records as r
from .encoding import text_or_none
from .repository import Repository
from .tables import (
    ORCHESTRATION_PLANS,
    ORCHESTRATION_STEPS,
    PLAN_STEPS,
    PLANS,
    TEAM_MEMBERS,
    TEAMS,
    Selection,
)


class PlanRepository(Repository[r.PlanRecord]):
    """Plans and their steps; dependencies are decoded by `StepRecord.depends_on`."""

    def for_session(self, session_id: str) -> list[r.PlanRecord]:
        """The session's plans, oldest first, each with its steps by Order."""
        plans = Selection().columns(ORCHESTRATION_PLANS)
        steps = Selection().columns(ORCHESTRATION_STEPS, "s").value("agent", 'a."Name"')
        with self.store.reading():
            plan_rows = self.store.select(
                f'SELECT {plans.sql} FROM "OrchestrationPlans" '
                'WHERE "SessionId" = $id ORDER BY "CreatedAt", "Id"', id=session_id)
            by_plan: dict[str, list[r.StepRecord]] = {}
            for row in map(steps.read, self.store.select(
                    f'SELECT {steps.sql} '
                    'FROM "OrchestrationSteps" s '
                    'JOIN "OrchestrationPlans" p ON p."Id" = s."PlanId" '
                    'LEFT JOIN "Agents" a ON a."Id" = s."AgentId" WHERE p."SessionId" = $id '
                    'ORDER BY s."PlanId", s."Order", s."Id"', id=session_id)):
                by_plan.setdefault(row["s"]["PlanId"], []).append(
                    ORCHESTRATION_STEPS.record(row["s"], agent_name=row["agent"]))
        return [ORCHESTRATION_PLANS.record(plan, steps=tuple(by_plan.get(plan["Id"], ())))
                for plan in (plans.read(row)["OrchestrationPlans"] for row in plan_rows)]

    def teams(self, session_id: str) -> list[r.TeamRecord]:
        """The session's teams with their members (none where the file has no Teams)."""
        if not self.store.form.has_teams:
            return []
        teams = Selection().columns(TEAMS)
        members = Selection().columns(TEAM_MEMBERS, "m").value("agent", 'a."Name"')
        with self.store.reading():
            team_rows = self.store.select(
                f'SELECT {teams.sql} FROM "Teams" WHERE "SessionId" = $id '
                'ORDER BY "CreatedAt", "Id"', id=session_id)
            by_team: dict[str, list[r.TeamMemberRecord]] = {}
            for row in map(members.read, self.store.select(
                    f'SELECT {members.sql} '
                    'FROM "TeamMembers" m JOIN "Teams" t ON t."Id" = m."TeamId" '
                    'LEFT JOIN "Agents" a ON a."Id" = m."AgentId" WHERE t."SessionId" = $id '
                    'ORDER BY m."JoinedAt", m."AgentId"', id=session_id)):
                by_team.setdefault(row["m"]["TeamId"], []).append(
                    TEAM_MEMBERS.record(row["m"], agent_name=text_or_none(row["agent"])))
        return [TEAMS.record(team, members=tuple(by_team.get(team["Id"], ())))
                for team in (teams.read(row)["Teams"] for row in team_rows)]

    def work_plans(self, session_id: str) -> list[r.WorkPlanRecord]:
        """The session's Plans with their steps by StepOrder (none where the file has none)."""
        if not self.store.form.has_plans:
            return []
        plans = Selection().columns(PLANS)
        steps = Selection().columns(PLAN_STEPS, "s").value("owner", 'a."Name"')
        with self.store.reading():
            plan_rows = self.store.select(
                f'SELECT {plans.sql} FROM "Plans" WHERE "SessionId" = $id '
                'ORDER BY "CreatedAt", "Id"', id=session_id)
            by_plan: dict[str, list[r.PlanStepRecord]] = {}
            for row in map(steps.read, self.store.select(
                    f'SELECT {steps.sql} FROM "PlanSteps" s '
                    'JOIN "Plans" p ON p."Id" = s."PlanId" '
                    'LEFT JOIN "Agents" a ON a."Id" = s."Owner" WHERE p."SessionId" = $id '
                    'ORDER BY s."PlanId", s."StepOrder", s."Id"', id=session_id)):
                by_plan.setdefault(row["s"]["PlanId"], []).append(
                    PLAN_STEPS.record(row["s"], owner_name=text_or_none(row["owner"])))
        return [PLANS.record(plan, steps=tuple(by_plan.get(plan["Id"], ())))
                for plan in (plans.read(row)["Plans"] for row in plan_rows)]
