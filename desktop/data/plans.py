"""Orchestration plans of a session, each with its steps in order."""

from __future__ import annotations

from . import records as r
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
