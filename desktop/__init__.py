"""OrchestratorChat Desktop: a native browser for OrchestratorChat session databases."""

__version__ = "0.1.0"

APP_NAME = "OrchestratorChat Desktop"
ORG_NAME = "OrchestratorChat"
APP_ID = "orchestrator-desktop"
