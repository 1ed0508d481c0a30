"""The contract's schema: the DDL that EF Core 8's InitialCreate migration runs on SQLite.

A file this application creates is made with exactly these statements, so the .NET application
sees the same tables, columns, keys and indexes it would have made itself.
"""

from __future__ import annotations

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

# Column lists in declaration order, used by raw-SQL reads and snapshot copies.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Sessions": ("Id", "Name", "Type", "Status", "WorkingDirectory", "ProjectId", "CreatedAt",
                 "LastActivityAt", "CompletedAt", "ContextJson", "MetadataJson"),
    "Messages": ("Id", "SessionId", "Content", "Role", "AgentId", "ParentMessageId", "Timestamp",
                 "SequenceNumber", "MetadataJson", "TokenUsageJson"),
    "Agents": ("Id", "Name", "Type", "Description", "WorkingDirectory", "IsActive", "CreatedAt",
               "LastUsedAt", "TotalSessions", "TotalMessages", "TotalTokensUsed"),
    "AgentConfigurations": ("Id", "AgentId", "Model", "Temperature", "MaxTokens", "SystemPrompt",
                            "RequireApproval", "CustomSettingsJson", "EnabledToolsJson",
                            "CapabilitiesJson"),
    "SessionAgents": ("SessionId", "AgentId", "JoinedAt", "LeftAt", "Role"),
    "Attachments": ("Id", "MessageId", "FileName", "MimeType", "Size", "StoragePath", "Url",
                    "UploadedAt"),
    "ToolCalls": ("Id", "MessageId", "ToolName", "ParametersJson", "Success", "Output", "Error",
                  "ExecutionTime", "ExecutedAt"),
    "SessionSnapshots": ("Id", "SessionId", "Name", "Description", "CreatedAt", "MessageCount",
                         "SessionStateJson", "AgentStatesJson"),
    "OrchestrationPlans": ("Id", "SessionId", "Goal", "Strategy", "CreatedAt", "StartedAt",
                           "CompletedAt", "Success", "SharedContextJson", "ResultJson"),
    "OrchestrationSteps": ("Id", "PlanId", "Order", "AgentId", "Task", "Status", "StartedAt",
                           "CompletedAt", "Duration", "InputJson", "OutputJson", "DependsOnJson"),
}


def column_list(table: str, alias: str | None = None) -> str:
    """The table's columns, quoted and comma-separated, optionally qualified by an alias."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{c}"' for c in COLUMNS[table])
