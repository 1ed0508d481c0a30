"""The default agents the contract seeds into a database whose Agents table is empty."""

from __future__ import annotations

from .encoding import dump_json
from .enums import AgentType

_CAPABILITIES = {
    "SupportsStreaming": True,
    "SupportsTools": True,
    "SupportsFileOperations": True,
    "SupportsWebSearch": False,
    "SupportedModels": [],
    "AvailableTools": [],
    "MaxTokens": 100000,
    "MaxConcurrentRequests": 1,
}

DEFAULT_AGENTS = (
    {
        "id": "default-claude", "name": "Claude Assistant", "type": AgentType.Claude,
        "description": "Default Claude agent for general assistance",
        "model": "claude-3-sonnet-20240229", "temperature": 0.7, "max_tokens": 4096,
        "system_prompt": "You are a helpful AI assistant.", "require_approval": False,
    },
    {
        "id": "default-saturn", "name": "Saturn Developer", "type": AgentType.Saturn,
        "description": "Saturn agent for development tasks",
        "model": "claude-3-opus-20240229", "temperature": 0.3, "max_tokens": 8192,
        "system_prompt": "You are an expert software developer.", "require_approval": True,
    },
)

DEFAULT_CAPABILITIES_JSON = dump_json(_CAPABILITIES)
