"""A file the application creates has today's .NET schema; a seed-form file stays readable.

The expectations below are transcribed from docs/database-contract.md (the seed's form) and
docs/upstream-files.md (today's), not taken from the application's DDL, so a mistake in either
shows up here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from orchestrator_desktop.data import open_store

N = "NOT NULL"
Q = "NULL"
# table: [(column, type, nullability)] in order
COLUMNS = {
    "Sessions": [("Id", "TEXT", N), ("Name", "TEXT", Q), ("Type", "INTEGER", N),
                 ("Status", "INTEGER", N), ("WorkingDirectory", "TEXT", Q),
                 ("ProjectId", "TEXT", Q), ("CreatedAt", "TEXT", N),
                 ("LastActivityAt", "TEXT", N), ("CompletedAt", "TEXT", Q),
                 ("ContextJson", "TEXT", Q), ("MetadataJson", "TEXT", Q)],
    "Messages": [("Id", "TEXT", N), ("SessionId", "TEXT", Q), ("Content", "TEXT", Q),
                 ("Role", "INTEGER", N), ("AgentId", "TEXT", Q), ("ParentMessageId", "TEXT", Q),
                 ("Timestamp", "TEXT", N), ("SequenceNumber", "INTEGER", N),
                 ("MetadataJson", "TEXT", Q), ("TokenUsageJson", "TEXT", Q)],
    "Agents": [("Id", "TEXT", N), ("Name", "TEXT", Q), ("Type", "INTEGER", N),
               ("Description", "TEXT", Q), ("WorkingDirectory", "TEXT", Q),
               ("IsActive", "INTEGER", N), ("CreatedAt", "TEXT", N), ("LastUsedAt", "TEXT", Q),
               ("TotalSessions", "INTEGER", N), ("TotalMessages", "INTEGER", N),
               ("TotalTokensUsed", "INTEGER", N)],
    "AgentConfigurations": [("Id", "TEXT", N), ("AgentId", "TEXT", Q), ("Model", "TEXT", Q),
                            ("Temperature", "REAL", N), ("MaxTokens", "INTEGER", N),
                            ("SystemPrompt", "TEXT", Q), ("RequireApproval", "INTEGER", N),
                            ("CustomSettingsJson", "TEXT", Q), ("EnabledToolsJson", "TEXT", Q),
                            ("CapabilitiesJson", "TEXT", Q)],
    "SessionAgents": [("SessionId", "TEXT", N), ("AgentId", "TEXT", N), ("JoinedAt", "TEXT", N),
                      ("LeftAt", "TEXT", Q), ("Role", "TEXT", Q)],
    "Attachments": [("Id", "TEXT", N), ("MessageId", "TEXT", Q), ("FileName", "TEXT", Q),
                    ("MimeType", "TEXT", Q), ("Size", "INTEGER", N), ("StoragePath", "TEXT", Q),
                    ("Url", "TEXT", Q), ("UploadedAt", "TEXT", N)],
    "ToolCalls": [("Id", "TEXT", N), ("MessageId", "TEXT", Q), ("ToolName", "TEXT", Q),
                  ("ParametersJson", "TEXT", Q), ("Success", "INTEGER", N), ("Output", "TEXT", Q),
                  ("Error", "TEXT", Q), ("ExecutionTime", "TEXT", N), ("ExecutedAt", "TEXT", N)],
    "SessionSnapshots": [("Id", "TEXT", N), ("SessionId", "TEXT", Q), ("Name", "TEXT", Q),
                         ("Description", "TEXT", Q), ("CreatedAt", "TEXT", N),
                         ("MessageCount", "INTEGER", N), ("SessionStateJson", "TEXT", Q),
                         ("AgentStatesJson", "TEXT", Q)],
    "OrchestrationPlans": [("Id", "TEXT", N), ("SessionId", "TEXT", Q), ("Goal", "TEXT", Q),
                           ("Strategy", "INTEGER", N), ("CreatedAt", "TEXT", N),
                           ("StartedAt", "TEXT", Q), ("CompletedAt", "TEXT", Q),
                           ("Success", "INTEGER", N), ("SharedContextJson", "TEXT", Q),
                           ("ResultJson", "TEXT", Q)],
    "OrchestrationSteps": [("Id", "TEXT", N), ("PlanId", "TEXT", Q), ("Order", "INTEGER", N),
                           ("AgentId", "TEXT", Q), ("Task", "TEXT", Q), ("Status", "INTEGER", N),
                           ("StartedAt", "TEXT", Q), ("CompletedAt", "TEXT", Q),
                           ("Duration", "TEXT", Q), ("InputJson", "TEXT", Q),
                           ("OutputJson", "TEXT", Q), ("DependsOnJson", "TEXT", Q)],
    "__EFMigrationsHistory": [("MigrationId", "TEXT", N), ("ProductVersion", "TEXT", N)],
}
PRIMARY_KEYS = {t: ["Id"] for t in COLUMNS}
PRIMARY_KEYS["SessionAgents"] = ["SessionId", "AgentId"]
PRIMARY_KEYS["__EFMigrationsHistory"] = ["MigrationId"]
CASCADE, NO_ACTION = "CASCADE", "NO ACTION"
FOREIGN_KEYS = {  # table: {(column, principal, on_delete)}
    "Messages": {("SessionId", "Sessions", CASCADE), ("AgentId", "Agents", NO_ACTION)},
    "AgentConfigurations": {("AgentId", "Agents", CASCADE)},
    "SessionAgents": {("SessionId", "Sessions", CASCADE), ("AgentId", "Agents", CASCADE)},
    "Attachments": {("MessageId", "Messages", CASCADE)},
    "ToolCalls": {("MessageId", "Messages", CASCADE)},
    "SessionSnapshots": {("SessionId", "Sessions", CASCADE)},
    "OrchestrationPlans": {("SessionId", "Sessions", NO_ACTION)},
    "OrchestrationSteps": {("PlanId", "OrchestrationPlans", CASCADE),
                           ("AgentId", "Agents", NO_ACTION)},
}
INDEXES = {  # name: (table, columns, unique)
    "IX_Sessions_CreatedAt": ("Sessions", ["CreatedAt"], False),
    "IX_Sessions_ProjectId": ("Sessions", ["ProjectId"], False),
    "IX_Sessions_Status": ("Sessions", ["Status"], False),
    "IX_Messages_AgentId": ("Messages", ["AgentId"], False),
    "IX_Messages_SessionId": ("Messages", ["SessionId"], False),
    "IX_Messages_Timestamp": ("Messages", ["Timestamp"], False),
    "IX_Agents_IsActive": ("Agents", ["IsActive"], False),
    "IX_Agents_Name": ("Agents", ["Name"], True),
    "IX_Agents_Type": ("Agents", ["Type"], False),
    "IX_AgentConfigurations_AgentId": ("AgentConfigurations", ["AgentId"], True),
    "IX_SessionAgents_AgentId": ("SessionAgents", ["AgentId"], False),
    "IX_Attachments_MessageId": ("Attachments", ["MessageId"], False),
    "IX_ToolCalls_MessageId": ("ToolCalls", ["MessageId"], False),
    "IX_SessionSnapshots_SessionId": ("SessionSnapshots", ["SessionId"], False),
    "IX_OrchestrationPlans_CreatedAt": ("OrchestrationPlans", ["CreatedAt"], False),
    "IX_OrchestrationPlans_SessionId": ("OrchestrationPlans", ["SessionId"], False),
    "IX_OrchestrationSteps_AgentId": ("OrchestrationSteps", ["AgentId"], False),
    "IX_OrchestrationSteps_PlanId_Order": ("OrchestrationSteps", ["PlanId", "Order"], False),
    "IX_OrchestrationSteps_Status": ("OrchestrationSteps", ["Status"], False),
}


# Today's form (upstream-files.md): every string NOT NULL (the DateTime?/TimeSpan? columns stay
# nullable), Agents.IsDefault after IsActive, required relationships cascading, Teams and Plans.
NULLABLE_TODAY = {("Sessions", "CompletedAt"), ("Agents", "LastUsedAt"),
                  ("SessionAgents", "LeftAt"), ("OrchestrationPlans", "StartedAt"),
                  ("OrchestrationPlans", "CompletedAt"), ("OrchestrationSteps", "StartedAt"),
                  ("OrchestrationSteps", "CompletedAt"), ("OrchestrationSteps", "Duration"),
                  ("Plans", "UpdatedAt"), ("Plans", "CommittedAt")}
SEED_COLUMNS = COLUMNS
TODAY_COLUMNS = {table: [(c, kind, Q if (table, c) in NULLABLE_TODAY else N)
                         for c, kind, _ in cols] for table, cols in COLUMNS.items()}
TODAY_COLUMNS["Agents"].insert(6, ("IsDefault", "INTEGER", N))
TODAY_COLUMNS.update({
    "Teams": [("Id", "TEXT", N), ("SessionId", "TEXT", N), ("PoliciesJson", "TEXT", N),
              ("CreatedAt", "TEXT", N), ("UpdatedAt", "TEXT", N)],
    "TeamMembers": [("TeamId", "TEXT", N), ("AgentId", "TEXT", N), ("Role", "TEXT", N),
                    ("JoinedAt", "TEXT", N)],
    "Plans": [("Id", "TEXT", N), ("SessionId", "TEXT", N), ("Name", "TEXT", N),
              ("Goal", "TEXT", N), ("CreatedAt", "TEXT", N), ("UpdatedAt", "TEXT", Q),
              ("CommittedAt", "TEXT", Q)],
    "PlanSteps": [("Id", "TEXT", N), ("PlanId", "TEXT", N), ("StepOrder", "INTEGER", N),
                  ("Title", "TEXT", N), ("Owner", "TEXT", N), ("Description", "TEXT", N),
                  ("AcceptanceCriteria", "TEXT", N)],
})
PRIMARY_KEYS.update({"Teams": ["Id"], "TeamMembers": ["TeamId", "AgentId"], "Plans": ["Id"],
                     "PlanSteps": ["Id"]})
SEED_FOREIGN_KEYS = FOREIGN_KEYS
TODAY_FOREIGN_KEYS = {**FOREIGN_KEYS,
                      "Messages": {("SessionId", "Sessions", CASCADE),
                                   ("AgentId", "Agents", CASCADE)},
                      "OrchestrationPlans": {("SessionId", "Sessions", CASCADE)},
                      "OrchestrationSteps": {("PlanId", "OrchestrationPlans", CASCADE),
                                             ("AgentId", "Agents", CASCADE)},
                      "Teams": {("SessionId", "Sessions", CASCADE)},
                      "TeamMembers": {("TeamId", "Teams", CASCADE),
                                      ("AgentId", "Agents", CASCADE)},
                      "PlanSteps": {("PlanId", "Plans", CASCADE)}}  # Plans: no FK
SEED_INDEXES = INDEXES
TODAY_INDEXES = {**INDEXES,
                 "IX_Agents_IsDefault": ("Agents", ["IsDefault"], False),
                 "IX_Teams_CreatedAt": ("Teams", ["CreatedAt"], False),
                 "IX_Teams_SessionId": ("Teams", ["SessionId"], False),
                 "IX_TeamMembers_AgentId": ("TeamMembers", ["AgentId"], False),
                 "IX_Plans_CommittedAt": ("Plans", ["CommittedAt"], False),
                 "IX_Plans_CreatedAt": ("Plans", ["CreatedAt"], False),
                 "IX_Plans_SessionId": ("Plans", ["SessionId"], False),
                 "IX_PlanSteps_Owner": ("PlanSteps", ["Owner"], False),
                 "IX_PlanSteps_PlanId_StepOrder": ("PlanSteps", ["PlanId", "StepOrder"], False)}


@pytest.fixture(params=["today", "seed"])
def made(request, tmp_path: Path):
    """(file, columns, foreign keys, indexes): one the application creates (today's form),
    and a seed-form file the application opened, whose schema must stay the seed's."""
    if request.param == "today":
        opened = open_store(tmp_path / "orchestrator.db")
        yield opened.path, TODAY_COLUMNS, TODAY_FOREIGN_KEYS, TODAY_INDEXES
    else:
        from dotnet_files import make_dotnet_database

        opened = open_store(make_dotnet_database(tmp_path / "seed.db"))
        opened.run_maintenance()
        yield opened.path, SEED_COLUMNS, SEED_FOREIGN_KEYS, SEED_INDEXES
    opened.close()


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def test_created_file_has_contract_columns_types_and_nullability(made) -> None:
    path, columns, _fks, _indexes = made
    con = _connect(path)
    assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "AND name NOT LIKE 'desktop%' AND name NOT LIKE 'sqlite%'")
            } == set(columns)
    for table, expected in columns.items():
        info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
        actual = [(row[1], row[2], N if row[3] else Q) for row in info]
        assert actual == expected, table
        pk = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
        assert pk == PRIMARY_KEYS[table], table


def test_created_file_has_contract_foreign_keys(made) -> None:
    path, columns, fks, _indexes = made
    con = _connect(path)
    for table in columns:
        rows = con.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
        actual = {(row[3], row[2], row[6]) for row in rows}
        assert actual == fks.get(table, set()), table
        assert all(row[4] == "Id" for row in rows), table


def test_created_file_has_contract_indexes_with_their_names(made) -> None:
    path, columns, _fks, indexes = made
    con = _connect(path)
    found = {}
    for table in columns:
        for _seq, name, unique, origin, _partial in con.execute(
                f'PRAGMA index_list("{table}")').fetchall():
            if origin == "c" and name.startswith("IX_"):
                columns = [row[2] for row in con.execute(f'PRAGMA index_info("{name}")')]
                found[name] = (table, columns, bool(unique))
    assert found == indexes


def test_primary_and_foreign_key_constraint_names_follow_ef(made) -> None:
    path, columns, fks, _indexes = made
    sql = "\n".join(row[0] for row in _connect(path).execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"))
    for table in columns:
        assert f'CONSTRAINT "PK_{table}" PRIMARY KEY' in sql
    for table, keys in fks.items():
        for column, principal, _ in keys:
            assert f'CONSTRAINT "FK_{table}_{principal}_{column}"' in sql


def test_created_file_records_the_ef_migration_and_seeded_agents(store) -> None:
    con = _connect(store.path)
    # today's application's only migration: its MigrateAsync() finds nothing to apply
    assert con.execute('SELECT * FROM "__EFMigrationsHistory"').fetchall() == [
        ("20250831000000_AddTeamEntities", "8.0.19")]
    assert con.execute('SELECT DISTINCT "IsDefault", "WorkingDirectory" FROM "Agents"'
                       ).fetchall() == [(0, "")]
    agents = con.execute(
        'SELECT a."Id", a."Name", a."Type", a."IsActive", c."Model", c."Temperature", '
        'c."MaxTokens", c."RequireApproval" FROM "Agents" a JOIN "AgentConfigurations" c '
        'ON c."AgentId" = a."Id" ORDER BY a."Id"').fetchall()
    assert agents == [
        ("default-claude", "Claude Assistant", 0, 1, "claude-3-sonnet-20240229", 0.7, 4096, 0),
        ("default-saturn", "Saturn Developer", 1, 1, "claude-3-opus-20240229", 0.3, 8192, 1),
    ]
    created = con.execute('SELECT "CreatedAt" FROM "Agents"').fetchall()
    assert all(len(value) >= 19 and value[10] == " " for (value,) in created)


def test_created_file_uses_wal_and_foreign_keys_are_enforced(store) -> None:
    assert _connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.reading():
        assert store.scalar("SELECT foreign_keys FROM pragma_foreign_keys") == 1


def test_seeding_runs_only_when_agents_table_is_empty(tmp_path) -> None:
    path = tmp_path / "o.db"
    first = open_store(path)
    first.agents.delete("default-saturn")
    first.close()
    again = open_store(path)
    assert [a.id for a in again.agents.find()] == ["default-claude"]
    again.close()
