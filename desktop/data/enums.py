"""The contract's enums, stored as integers; values a newer .NET build adds read "Unknown (n)"."""

from __future__ import annotations

from enum import IntEnum


class DotNetEnum(IntEnum):
    """An IntEnum that turns an unknown integer into a pseudo-member instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> DotNetEnum | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"Unknown ({value})"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """True for a value the contract defines."""
        return self._name_ in type(self).__members__

    @property
    def label(self) -> str:
        """The name a person reads: the member name, or "Unknown (n)"."""
        return self._name_

    @classmethod
    def from_name(cls, name: str) -> DotNetEnum:
        """Look a member up by name, case-insensitively; raise ValueError listing the choices."""
        for member in cls:
            if member.name.lower() == name.strip().lower():
                return member
        choices = ", ".join(m.name for m in cls)
        raise ValueError(f"{name!r} is not a {cls.__name__}; choose one of {choices}")


class SessionType(DotNetEnum):
    SingleAgent = 0
    MultiAgent = 1
    Orchestrated = 2


class SessionStatus(DotNetEnum):
    Active = 0
    Paused = 1
    Completed = 2
    Failed = 3
    Cancelled = 4


class MessageRole(DotNetEnum):
    User = 0
    Assistant = 1
    System = 2
    Tool = 3


class AgentType(DotNetEnum):
    Claude = 0
    Saturn = 1
    GPT4 = 2
    Custom = 3
    Orchestrator = 4


class OrchestrationStrategy(DotNetEnum):
    Sequential = 0
    Parallel = 1
    Adaptive = 2
    RoundRobin = 3


class StepStatus(DotNetEnum):
    Pending = 0
    Running = 1
    Completed = 2
    Failed = 3
    Skipped = 4


SESSION_AGENT_ROLES = ("Primary", "Secondary", "Observer")
