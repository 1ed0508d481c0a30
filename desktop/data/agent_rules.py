"""The one set of rules for an agent's fields: the agent editor, New Agent, Duplicate and the
command line's `agent create` / `agent set` all check values here, so none of them writes what
another would call invalid."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .encoding import JsonText, dump_json
from .enums import AgentType
from .errors import ValidationError

TEMPERATURE_RANGE = (0.0, 2.0)
MAX_TOKENS_RANGE = (1, 1_000_000)
NAME_MAX = 200
AGENT_FIELDS = ("name", "type", "description", "working_directory", "is_active")
CONFIG_FIELDS = ("model", "temperature", "max_tokens", "system_prompt", "require_approval",
                 "enabled_tools", "capabilities", "custom_settings")
JSON_FIELDS = ("enabled_tools", "capabilities", "custom_settings")
CAPABILITY_FLAGS = ("SupportsStreaming", "SupportsTools", "SupportsFileOperations",
                    "SupportsWebSearch")
CAPABILITY_LIMITS = {"MaxTokens": (0, 10_000_000), "MaxConcurrentRequests": (1, 1_000)}


def setting_value(text: str) -> Any:
    """A custom setting typed as text: its JSON value when the text is valid JSON, else the
    text itself."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return text


def settings_from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Key/value rows as a settings object; ValidationError for a blank or repeated key."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValidationError("custom_settings", "must be a JSON object")
        key, text = pair
        key = (key or "").strip()
        if not key:
            raise ValidationError("custom_settings", "every setting needs a name")
        if key in out:
            raise ValidationError("custom_settings", f"“{key}” is set twice")
        out[key] = setting_value(text or "")
    return out


def check_capabilities(value: dict[str, Any]) -> None:
    for flag in CAPABILITY_FLAGS:
        if flag in value and not isinstance(value[flag], bool):
            raise ValidationError("capabilities", f"{flag} must be true or false")
    for key, (low, high) in CAPABILITY_LIMITS.items():
        if key not in value:
            continue
        number = value[key]
        if isinstance(number, bool) or not isinstance(number, int):
            raise ValidationError("capabilities", f"{key} must be a whole number")
        if not low <= number <= high:
            raise ValidationError("capabilities", f"{key} must be between {low:,} and {high:,}")
    models = value.get("SupportedModels", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise ValidationError("capabilities", "SupportedModels must be a list of names")


def json_column(field: str, value: Any) -> str | None:
    """The column text for a JSON field, checking its shape; JsonText passes unchanged."""
    if isinstance(value, JsonText):
        return value.raw
    if field == "custom_settings" and isinstance(value, (list, tuple)):
        value = settings_from_pairs(value)
    elif isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ValidationError(field, "is not valid JSON") from None
    if value is None:
        return None
    kind = list if field == "enabled_tools" else dict
    if not isinstance(value, kind):
        raise ValidationError(field, f"must be a JSON {'array' if kind is list else 'object'}")
    if field == "enabled_tools":
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise ValidationError(field, "every tool needs a name")
        value = list(dict.fromkeys(item.strip() for item in value))
    elif field == "capabilities":
        check_capabilities(value)
    elif not all(isinstance(key, str) and key.strip() for key in value):
        raise ValidationError(field, "every setting needs a name")
    return dump_json(value)


def column_value(field: str, value: Any, stored_type: Any, taken: set[str]) -> Any:
    """One field's column value; ValidationError when it is not acceptable."""
    if field == "name":
        name = (value or "").strip()
        if not name:
            raise ValidationError("name", "is required")
        if len(name) > NAME_MAX:
            raise ValidationError("name", f"must be at most {NAME_MAX} characters")
        if name in taken:
            raise ValidationError("name", "is already used by another agent")
        return name
    if field == "type":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("type", "must be an agent type")
        kind = AgentType(int(value))
        if not kind.is_known and (stored_type is None or int(kind) != int(stored_type)):
            raise ValidationError("type", "is not a known agent type")
        return int(kind)
    if field in ("description", "working_directory", "model", "system_prompt"):
        text = value or ""
        text = text if field == "system_prompt" else text.strip()
        return text or None
    if field in ("is_active", "require_approval"):
        return int(bool(value))
    if field == "temperature":
        try:
            temperature = float(value)
        except (TypeError, ValueError):
            raise ValidationError("temperature", "must be a number") from None
        low, high = TEMPERATURE_RANGE
        if not low <= temperature <= high:
            raise ValidationError("temperature", f"must be between {low:g} and {high:g}")
        return temperature
    if field == "max_tokens":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("max_tokens", "must be a whole number")
        low, high = MAX_TOKENS_RANGE
        if not low <= value <= high:
            raise ValidationError("max_tokens", f"must be between {low:,} and {high:,}")
        return value
    if field in ("enabled_tools", "capabilities", "custom_settings"):
        return json_column(field, value)
    raise ValidationError(field, "is not an agent field")


