"""Local addresses of the running processes (ports overridable by environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class LocalEndpoints:
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    line_simulator_port: int = 8085
    console_port: int = 5006

    @classmethod
    def from_env(cls) -> LocalEndpoints:
        return cls(
            host=os.environ.get("BOT_HOST", "127.0.0.1"),
            rasa_port=int(os.environ.get("RASA_PORT", "5005")),
            action_port=int(os.environ.get("ACTION_PORT", "5055")),
            line_simulator_port=int(os.environ.get("LINE_SIMULATOR_PORT", "8085")),
            console_port=int(os.environ.get("CONSOLE_PORT", "5006")),
        )

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def action_health(self) -> str:
        return f"http://{self.host}:{self.action_port}/health"

    @property
    def line_simulator_health(self) -> str:
        return f"http://{self.host}:{self.line_simulator_port}/health"

    @property
    def console_url(self) -> str:
        return f"http://{self.host}:{self.console_port}"
