"""The contract's schema: the DDL that EF Core 8's InitialCreate migration runs on SQLite.

A file this application creates is made with exactly these statements, so the .NET application
sees the same tables, columns, keys and indexes it would have made itself.
"""

from __future__ import annotations

from . import tables

EF_MIGRATION_ID = "20240130000000_InitialCreate"
EF_PRODUCT_VERSION = "8.0.0"

CONTRACT_TABLES = (
    "Sessions", "Messages", "Agents", "AgentConfigurations", "SessionAgents",
    "Attachments", "ToolCalls", "SessionSnapshots", "OrchestrationPlans", "OrchestrationSteps",
)

CONTRACT_DDL = (
    """CREATE TABLE "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
)""",
    """CREATE TABLE "Agents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Agents" PRIMARY KEY,
    "Name" TEXT NULL,
    "Type" INTEGER NOT NULL,
    "Description" TEXT NULL,
    "WorkingDirectory" TEXT NULL,
    "IsActive" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastUsedAt" TEXT NULL,
    "TotalSessions" INTEGER NOT NULL,
    "TotalMessages" INTEGER NOT NULL,
    "TotalTokensUsed" INTEGER NOT NULL
)""",
    """CREATE TABLE "Sessions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Sessions" PRIMARY KEY,
    "Name" TEXT NULL,
    "Type" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "WorkingDirectory" TEXT NULL,
    "ProjectId" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastActivityAt" TEXT NOT NULL,
    "CompletedAt" TEXT NULL,
    "ContextJson" TEXT NULL,
    "MetadataJson" TEXT NULL
)""",
    """CREATE TABLE "AgentConfigurations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AgentConfigurations" PRIMARY KEY,
    "AgentId" TEXT NULL,
    "Model" TEXT NULL,
    "Temperature" REAL NOT NULL,
    "MaxTokens" INTEGER NOT NULL,
    "SystemPrompt" TEXT NULL,
    "RequireApproval" INTEGER NOT NULL,
    "CustomSettingsJson" TEXT NULL,
    "EnabledToolsJson" TEXT NULL,
    "CapabilitiesJson" TEXT NULL,
    CONSTRAINT "FK_AgentConfigurations_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "Messages" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Messages" PRIMARY KEY,
    "SessionId" TEXT NULL,
    "Content" TEXT NULL,
    "Role" INTEGER NOT NULL,
    "AgentId" TEXT NULL,
    "ParentMessageId" TEXT NULL,
    "Timestamp" TEXT NOT NULL,
    "SequenceNumber" INTEGER NOT NULL,
    "MetadataJson" TEXT NULL,
    "TokenUsageJson" TEXT NULL,
    CONSTRAINT "FK_Messages_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id"),
    CONSTRAINT "FK_Messages_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "OrchestrationPlans" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OrchestrationPlans" PRIMARY KEY,
    "SessionId" TEXT NULL,
    "Goal" TEXT NULL,
    "Strategy" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "StartedAt" TEXT NULL,
    "CompletedAt" TEXT NULL,
    "Success" INTEGER NOT NULL,
    "SharedContextJson" TEXT NULL,
    "ResultJson" TEXT NULL,
    CONSTRAINT "FK_OrchestrationPlans_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id")
)""",
    """CREATE TABLE "SessionAgents" (
    "SessionId" TEXT NOT NULL,
    "AgentId" TEXT NOT NULL,
    "JoinedAt" TEXT NOT NULL,
    "LeftAt" TEXT NULL,
    "Role" TEXT NULL,
    CONSTRAINT "PK_SessionAgents" PRIMARY KEY ("SessionId", "AgentId"),
    CONSTRAINT "FK_SessionAgents_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_SessionAgents_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "SessionSnapshots" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_SessionSnapshots" PRIMARY KEY,
    "SessionId" TEXT NULL,
    "Name" TEXT NULL,
    "Description" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "MessageCount" INTEGER NOT NULL,
    "SessionStateJson" TEXT NULL,
    "AgentStatesJson" TEXT NULL,
    CONSTRAINT "FK_SessionSnapshots_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "Attachments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Attachments" PRIMARY KEY,
    "MessageId" TEXT NULL,
    "FileName" TEXT NULL,
    "MimeType" TEXT NULL,
    "Size" INTEGER NOT NULL,
    "StoragePath" TEXT NULL,
    "Url" TEXT NULL,
    "UploadedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Attachments_Messages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "Messages" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "OrchestrationSteps" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OrchestrationSteps" PRIMARY KEY,
    "PlanId" TEXT NULL,
    "Order" INTEGER NOT NULL,
    "AgentId" TEXT NULL,
    "Task" TEXT NULL,
    "Status" INTEGER NOT NULL,
    "StartedAt" TEXT NULL,
    "CompletedAt" TEXT NULL,
    "Duration" TEXT NULL,
    "InputJson" TEXT NULL,
    "OutputJson" TEXT NULL,
    "DependsOnJson" TEXT NULL,
    CONSTRAINT "FK_OrchestrationSteps_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id"),
    CONSTRAINT "FK_OrchestrationSteps_OrchestrationPlans_PlanId" FOREIGN KEY ("PlanId") REFERENCES "OrchestrationPlans" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "ToolCalls" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ToolCalls" PRIMARY KEY,
    "MessageId" TEXT NULL,
    "ToolName" TEXT NULL,
    "ParametersJson" TEXT NULL,
    "Success" INTEGER NOT NULL,
    "Output" TEXT NULL,
    "Error" TEXT NULL,
    "ExecutionTime" TEXT NOT NULL,
    "ExecutedAt" TEXT NOT NULL,
    CONSTRAINT "FK_ToolCalls_Messages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "Messages" ("Id") ON DELETE CASCADE
)""",
    'CREATE UNIQUE INDEX "IX_AgentConfigurations_AgentId" ON "AgentConfigurations" ("AgentId")',
    'CREATE INDEX "IX_Agents_IsActive" ON "Agents" ("IsActive")',
    'CREATE UNIQUE INDEX "IX_Agents_Name" ON "Agents" ("Name")',
    'CREATE INDEX "IX_Agents_Type" ON "Agents" ("Type")',
    'CREATE INDEX "IX_Attachments_MessageId" ON "Attachments" ("MessageId")',
    'CREATE INDEX "IX_Messages_AgentId" ON "Messages" ("AgentId")',
    'CREATE INDEX "IX_Messages_SessionId" ON "Messages" ("SessionId")',
    'CREATE INDEX "IX_Messages_Timestamp" ON "Messages" ("Timestamp")',
    'CREATE INDEX "IX_OrchestrationPlans_CreatedAt" ON "OrchestrationPlans" ("CreatedAt")',
    'CREATE INDEX "IX_OrchestrationPlans_SessionId" ON "OrchestrationPlans" ("SessionId")',
    'CREATE INDEX "IX_OrchestrationSteps_AgentId" ON "OrchestrationSteps" ("AgentId")',
    'CREATE INDEX "IX_OrchestrationSteps_PlanId_Order" ON "OrchestrationSteps" ("PlanId", "Order")',
    'CREATE INDEX "IX_OrchestrationSteps_Status" ON "OrchestrationSteps" ("Status")',
    'CREATE INDEX "IX_SessionAgents_AgentId" ON "SessionAgents" ("AgentId")',
    'CREATE INDEX "IX_Sessions_CreatedAt" ON "Sessions" ("CreatedAt")',
    'CREATE INDEX "IX_Sessions_ProjectId" ON "Sessions" ("ProjectId")',
    'CREATE INDEX "IX_Sessions_Status" ON "Sessions" ("Status")',
    'CREATE INDEX "IX_SessionSnapshots_SessionId" ON "SessionSnapshots" ("SessionId")',
    'CREATE INDEX "IX_ToolCalls_MessageId" ON "ToolCalls" ("MessageId")',
)

EF_HISTORY_INSERT = (
    'INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") '
    f"VALUES ('{EF_MIGRATION_ID}', '{EF_PRODUCT_VERSION}')"
)

# Column lists in declaration order, used by raw-SQL reads and snapshot copies (tables.py
# describes each column).
COLUMNS: dict[str, tuple[str, ...]] = {t.name: t.names for t in tables.CONTRACT}


def column_list(table: str, alias: str | None = None) -> str:
    """The table's columns, quoted and comma-separated, optionally qualified by an alias."""
    return tables.TABLES[table].column_list(alias)


# -- today's form ------------------------------------------------------------------------------
# The OrchestratorChat application as it is today (EF Core 8.0.19, nullable reference types on):
# every string column NOT NULL, Agents.IsDefault, required relationships cascading, and the Team
# and Plan tables. A file made by its EnsureCreated() has all of it; its only migration,
# AddTeamEntities, adds Teams and TeamMembers. This is the form of a file this application creates.

TODAY_MIGRATION_ID = "20250831000000_AddTeamEntities"
TODAY_PRODUCT_VERSION = "8.0.19"

TEAM_TABLES = ("Teams", "TeamMembers")
PLAN_TABLES = ("Plans", "PlanSteps")
TODAY_TABLES = CONTRACT_TABLES + TEAM_TABLES + PLAN_TABLES

TODAY_DDL = (
    """CREATE TABLE "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
)""",
    """CREATE TABLE "Agents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Agents" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Type" INTEGER NOT NULL,
    "Description" TEXT NOT NULL,
    "WorkingDirectory" TEXT NOT NULL,
    "IsActive" INTEGER NOT NULL,
    "IsDefault" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastUsedAt" TEXT NULL,
    "TotalSessions" INTEGER NOT NULL,
    "TotalMessages" INTEGER NOT NULL,
    "TotalTokensUsed" INTEGER NOT NULL
)""",
    """CREATE TABLE "Plans" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Plans" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Goal" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NULL,
    "CommittedAt" TEXT NULL
)""",
    """CREATE TABLE "Sessions" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Sessions" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Type" INTEGER NOT NULL,
    "Status" INTEGER NOT NULL,
    "WorkingDirectory" TEXT NOT NULL,
    "ProjectId" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastActivityAt" TEXT NOT NULL,
    "CompletedAt" TEXT NULL,
    "ContextJson" TEXT NOT NULL,
    "MetadataJson" TEXT NOT NULL
)""",
    """CREATE TABLE "AgentConfigurations" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AgentConfigurations" PRIMARY KEY,
    "AgentId" TEXT NOT NULL,
    "Model" TEXT NOT NULL,
    "Temperature" REAL NOT NULL,
    "MaxTokens" INTEGER NOT NULL,
    "SystemPrompt" TEXT NOT NULL,
    "RequireApproval" INTEGER NOT NULL,
    "CustomSettingsJson" TEXT NOT NULL,
    "EnabledToolsJson" TEXT NOT NULL,
    "CapabilitiesJson" TEXT NOT NULL,
    CONSTRAINT "FK_AgentConfigurations_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "PlanSteps" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_PlanSteps" PRIMARY KEY,
    "PlanId" TEXT NOT NULL,
    "StepOrder" INTEGER NOT NULL,
    "Title" TEXT NOT NULL,
    "Owner" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "AcceptanceCriteria" TEXT NOT NULL,
    CONSTRAINT "FK_PlanSteps_Plans_PlanId" FOREIGN KEY ("PlanId") REFERENCES "Plans" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "Messages" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Messages" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Content" TEXT NOT NULL,
    "Role" INTEGER NOT NULL,
    "AgentId" TEXT NOT NULL,
    "ParentMessageId" TEXT NOT NULL,
    "Timestamp" TEXT NOT NULL,
    "SequenceNumber" INTEGER NOT NULL,
    "MetadataJson" TEXT NOT NULL,
    "TokenUsageJson" TEXT NOT NULL,
    CONSTRAINT "FK_Messages_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_Messages_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "OrchestrationPlans" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OrchestrationPlans" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Goal" TEXT NOT NULL,
    "Strategy" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "StartedAt" TEXT NULL,
    "CompletedAt" TEXT NULL,
    "Success" INTEGER NOT NULL,
    "SharedContextJson" TEXT NOT NULL,
    "ResultJson" TEXT NOT NULL,
    CONSTRAINT "FK_OrchestrationPlans_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "SessionAgents" (
    "SessionId" TEXT NOT NULL,
    "AgentId" TEXT NOT NULL,
    "JoinedAt" TEXT NOT NULL,
    "LeftAt" TEXT NULL,
    "Role" TEXT NOT NULL,
    CONSTRAINT "PK_SessionAgents" PRIMARY KEY ("SessionId", "AgentId"),
    CONSTRAINT "FK_SessionAgents_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_SessionAgents_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "SessionSnapshots" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_SessionSnapshots" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "MessageCount" INTEGER NOT NULL,
    "SessionStateJson" TEXT NOT NULL,
    "AgentStatesJson" TEXT NOT NULL,
    CONSTRAINT "FK_SessionSnapshots_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "Teams" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Teams" PRIMARY KEY,
    "SessionId" TEXT NOT NULL,
    "PoliciesJson" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Teams_Sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "Sessions" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "Attachments" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Attachments" PRIMARY KEY,
    "MessageId" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "MimeType" TEXT NOT NULL,
    "Size" INTEGER NOT NULL,
    "StoragePath" TEXT NOT NULL,
    "Url" TEXT NOT NULL,
    "UploadedAt" TEXT NOT NULL,
    CONSTRAINT "FK_Attachments_Messages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "Messages" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "ToolCalls" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ToolCalls" PRIMARY KEY,
    "MessageId" TEXT NOT NULL,
    "ToolName" TEXT NOT NULL,
    "ParametersJson" TEXT NOT NULL,
    "Success" INTEGER NOT NULL,
    "Output" TEXT NOT NULL,
    "Error" TEXT NOT NULL,
    "ExecutionTime" TEXT NOT NULL,
    "ExecutedAt" TEXT NOT NULL,
    CONSTRAINT "FK_ToolCalls_Messages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "Messages" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "OrchestrationSteps" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_OrchestrationSteps" PRIMARY KEY,
    "PlanId" TEXT NOT NULL,
    "Order" INTEGER NOT NULL,
    "AgentId" TEXT NOT NULL,
    "Task" TEXT NOT NULL,
    "Status" INTEGER NOT NULL,
    "StartedAt" TEXT NULL,
    "CompletedAt" TEXT NULL,
    "Duration" TEXT NULL,
    "InputJson" TEXT NOT NULL,
    "OutputJson" TEXT NOT NULL,
    "DependsOnJson" TEXT NOT NULL,
    CONSTRAINT "FK_OrchestrationSteps_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_OrchestrationSteps_OrchestrationPlans_PlanId" FOREIGN KEY ("PlanId") REFERENCES "OrchestrationPlans" ("Id") ON DELETE CASCADE
)""",
    """CREATE TABLE "TeamMembers" (
    "TeamId" TEXT NOT NULL,
    "AgentId" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "JoinedAt" TEXT NOT NULL,
    CONSTRAINT "PK_TeamMembers" PRIMARY KEY ("TeamId", "AgentId"),
    CONSTRAINT "FK_TeamMembers_Agents_AgentId" FOREIGN KEY ("AgentId") REFERENCES "Agents" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_TeamMembers_Teams_TeamId" FOREIGN KEY ("TeamId") REFERENCES "Teams" ("Id") ON DELETE CASCADE
)""",
    'CREATE UNIQUE INDEX "IX_AgentConfigurations_AgentId" ON "AgentConfigurations" ("AgentId")',
    'CREATE INDEX "IX_Agents_IsActive" ON "Agents" ("IsActive")',
    'CREATE INDEX "IX_Agents_IsDefault" ON "Agents" ("IsDefault")',
    'CREATE UNIQUE INDEX "IX_Agents_Name" ON "Agents" ("Name")',
    'CREATE INDEX "IX_Agents_Type" ON "Agents" ("Type")',
    'CREATE INDEX "IX_Attachments_MessageId" ON "Attachments" ("MessageId")',
    'CREATE INDEX "IX_Messages_AgentId" ON "Messages" ("AgentId")',
    'CREATE INDEX "IX_Messages_SessionId" ON "Messages" ("SessionId")',
    'CREATE INDEX "IX_Messages_Timestamp" ON "Messages" ("Timestamp")',
    'CREATE INDEX "IX_OrchestrationPlans_CreatedAt" ON "OrchestrationPlans" ("CreatedAt")',
    'CREATE INDEX "IX_OrchestrationPlans_SessionId" ON "OrchestrationPlans" ("SessionId")',
    'CREATE INDEX "IX_OrchestrationSteps_AgentId" ON "OrchestrationSteps" ("AgentId")',
    'CREATE INDEX "IX_OrchestrationSteps_PlanId_Order" ON "OrchestrationSteps" ("PlanId", "Order")',
    'CREATE INDEX "IX_OrchestrationSteps_Status" ON "OrchestrationSteps" ("Status")',
    'CREATE INDEX "IX_Plans_CommittedAt" ON "Plans" ("CommittedAt")',
    'CREATE INDEX "IX_Plans_CreatedAt" ON "Plans" ("CreatedAt")',
    'CREATE INDEX "IX_Plans_SessionId" ON "Plans" ("SessionId")',
    'CREATE INDEX "IX_PlanSteps_Owner" ON "PlanSteps" ("Owner")',
    'CREATE INDEX "IX_PlanSteps_PlanId_StepOrder" ON "PlanSteps" ("PlanId", "StepOrder")',
    'CREATE INDEX "IX_SessionAgents_AgentId" ON "SessionAgents" ("AgentId")',
    'CREATE INDEX "IX_Sessions_CreatedAt" ON "Sessions" ("CreatedAt")',
    'CREATE INDEX "IX_Sessions_ProjectId" ON "Sessions" ("ProjectId")',
    'CREATE INDEX "IX_Sessions_Status" ON "Sessions" ("Status")',
    'CREATE INDEX "IX_SessionSnapshots_SessionId" ON "SessionSnapshots" ("SessionId")',
    'CREATE INDEX "IX_TeamMembers_AgentId" ON "TeamMembers" ("AgentId")',
    'CREATE INDEX "IX_Teams_CreatedAt" ON "Teams" ("CreatedAt")',
    'CREATE INDEX "IX_Teams_SessionId" ON "Teams" ("SessionId")',
    'CREATE INDEX "IX_ToolCalls_MessageId" ON "ToolCalls" ("MessageId")',
)

TODAY_HISTORY_INSERT = (
    'INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") '
    f"VALUES ('{TODAY_MIGRATION_ID}', '{TODAY_PRODUCT_VERSION}')"
)

TEAM_COLUMNS: dict[str, tuple[str, ...]] = {t.name: t.names for t in tables.TODAY_ONLY}


def today_statements(tables: tuple[str, ...]) -> list[str]:
    """Today's CREATE TABLE and CREATE INDEX statements for just these tables, in order."""
    out = []
    for statement in TODAY_DDL:
        head = statement.split("(", 1)[0]
        if any(f'"{t}"' in head.split(" ON ")[-1] if " INDEX " in head else f'"{t}"' in head
               for t in tables):
            out.append(statement)
    return out
