"""Pony ORM entities mapped onto the contract's ten tables.

Entities are defined per `Database` (`define_entities(db)`), so every opened file, and every
test, binds its own. Foreign keys are plain id attributes rather than Pony relationships: the
file's own `ON DELETE CASCADE` clauses do the cascading, where Pony would load and update every
child row in Python. Nullable text columns use `nullable=True` so NULL stays NULL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from pony.orm import Database, Optional, PrimaryKey, Required

from .enums import (
    AgentType,
    MessageRole,
    OrchestrationStrategy,
    SessionStatus,
    SessionType,
    StepStatus,
)


def _text(column: str, **kwargs: object) -> Optional:
    return Optional(str, column=column, nullable=True, **kwargs)


def define_entities(db: Database) -> SimpleNamespace:
    """Declare the entities on `db` and return them by name."""

    class Session(db.Entity):
        _table_ = "Sessions"
        id = PrimaryKey(str, column="Id")
        name = _text("Name")
        type = Required(SessionType, column="Type")
        status = Required(SessionStatus, column="Status", index="IX_Sessions_Status")
        working_directory = _text("WorkingDirectory")
        project_id = _text("ProjectId", index="IX_Sessions_ProjectId")
        created_at = Required(datetime, column="CreatedAt", index="IX_Sessions_CreatedAt")
        last_activity_at = Required(datetime, column="LastActivityAt")
        completed_at = Optional(datetime, column="CompletedAt")
        context_json = _text("ContextJson")
        metadata_json = _text("MetadataJson")

    class Message(db.Entity):
        _table_ = "Messages"
        id = PrimaryKey(str, column="Id")
        session_id = _text("SessionId", index="IX_Messages_SessionId")
        content = _text("Content")
        role = Required(MessageRole, column="Role")
        agent_id = _text("AgentId", index="IX_Messages_AgentId")
        parent_message_id = _text("ParentMessageId")
        timestamp = Required(datetime, column="Timestamp", index="IX_Messages_Timestamp")
        sequence_number = Required(int, column="SequenceNumber")
        metadata_json = _text("MetadataJson")
        token_usage_json = _text("TokenUsageJson")

    class Agent(db.Entity):
        _table_ = "Agents"
        id = PrimaryKey(str, column="Id")
        name = _text("Name", unique=True)
        type = Required(AgentType, column="Type", index="IX_Agents_Type")
        description = _text("Description")
        working_directory = _text("WorkingDirectory")
        is_active = Required(bool, column="IsActive", index="IX_Agents_IsActive")
        created_at = Required(datetime, column="CreatedAt")
        last_used_at = Optional(datetime, column="LastUsedAt")
        total_sessions = Required(int, column="TotalSessions")
        total_messages = Required(int, column="TotalMessages")
        total_tokens_used = Required(int, size=64, column="TotalTokensUsed")

    class AgentConfiguration(db.Entity):
        _table_ = "AgentConfigurations"
        id = PrimaryKey(str, column="Id")
        agent_id = _text("AgentId", unique=True)
        model = _text("Model")
        temperature = Required(float, column="Temperature")
        max_tokens = Required(int, column="MaxTokens")
        system_prompt = _text("SystemPrompt")
        require_approval = Required(bool, column="RequireApproval")
        custom_settings_json = _text("CustomSettingsJson")
        enabled_tools_json = _text("EnabledToolsJson")
        capabilities_json = _text("CapabilitiesJson")

    class SessionAgent(db.Entity):
        _table_ = "SessionAgents"
        session_id = Required(str, column="SessionId")
        agent_id = Required(str, column="AgentId", index="IX_SessionAgents_AgentId")
        joined_at = Required(datetime, column="JoinedAt")
        left_at = Optional(datetime, column="LeftAt")
        role = _text("Role")
        PrimaryKey(session_id, agent_id)

    class Attachment(db.Entity):
        _table_ = "Attachments"
        id = PrimaryKey(str, column="Id")
        message_id = _text("MessageId", index="IX_Attachments_MessageId")
        file_name = _text("FileName")
        mime_type = _text("MimeType")
        size = Required(int, size=64, column="Size")
        storage_path = _text("StoragePath")
        url = _text("Url")
        uploaded_at = Required(datetime, column="UploadedAt")

    class ToolCall(db.Entity):
        _table_ = "ToolCalls"
        id = PrimaryKey(str, column="Id")
        message_id = _text("MessageId", index="IX_ToolCalls_MessageId")
        tool_name = _text("ToolName")
        parameters_json = _text("ParametersJson")
        success = Required(bool, column="Success")
        output = _text("Output")
        error = _text("Error")
        execution_time = Required(timedelta, column="ExecutionTime")
        executed_at = Required(datetime, column="ExecutedAt")

    class SessionSnapshot(db.Entity):
        _table_ = "SessionSnapshots"
        id = PrimaryKey(str, column="Id")
        session_id = _text("SessionId", index="IX_SessionSnapshots_SessionId")
        name = _text("Name")
        description = _text("Description")
        created_at = Required(datetime, column="CreatedAt")
        message_count = Required(int, column="MessageCount")
        session_state_json = Optional(str, column="SessionStateJson", nullable=True, lazy=True)
        agent_states_json = Optional(str, column="AgentStatesJson", nullable=True, lazy=True)

    class OrchestrationPlan(db.Entity):
        _table_ = "OrchestrationPlans"
        id = PrimaryKey(str, column="Id")
        session_id = _text("SessionId", index="IX_OrchestrationPlans_SessionId")
        goal = _text("Goal")
        strategy = Required(OrchestrationStrategy, column="Strategy")
        created_at = Required(datetime, column="CreatedAt", index="IX_OrchestrationPlans_CreatedAt")
        started_at = Optional(datetime, column="StartedAt")
        completed_at = Optional(datetime, column="CompletedAt")
        success = Required(bool, column="Success")
        shared_context_json = _text("SharedContextJson")
        result_json = _text("ResultJson")

    class OrchestrationStep(db.Entity):
        _table_ = "OrchestrationSteps"
        id = PrimaryKey(str, column="Id")
        plan_id = _text("PlanId")
        order = Required(int, column="Order")
        agent_id = _text("AgentId", index="IX_OrchestrationSteps_AgentId")
        task = _text("Task")
        status = Required(StepStatus, column="Status", index="IX_OrchestrationSteps_Status")
        started_at = Optional(datetime, column="StartedAt")
        completed_at = Optional(datetime, column="CompletedAt")
        duration = Optional(timedelta, column="Duration")
        input_json = _text("InputJson")
        output_json = _text("OutputJson")
        depends_on_json = _text("DependsOnJson")

    return SimpleNamespace(
        Session=Session, Message=Message, Agent=Agent, AgentConfiguration=AgentConfiguration,
        SessionAgent=SessionAgent, Attachment=Attachment, ToolCall=ToolCall,
        SessionSnapshot=SessionSnapshot, OrchestrationPlan=OrchestrationPlan,
        OrchestrationStep=OrchestrationStep,
    )
