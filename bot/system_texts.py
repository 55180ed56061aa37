"""What the assistant says when a part of the system fails or a message cannot be
taken, from knowledge/system.yml (checked by `make validate`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.paths import knowledge_dir


class SystemTexts(BaseModel):
    action_server_down: str  # the action server cannot be reached (restarting, crashed)
    action_failed: str  # an action failed on the action server
    action_slow: str  # an action did not finish in time
    unreadable: str  # the web chat got something that is not a message
    too_long: str  # a message beyond the size limit

    class Config:
        extra = "forbid"


@lru_cache(maxsize=4)
def _load(path: Path) -> SystemTexts:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return SystemTexts.parse_obj(raw.get("texts"))


def load_system_texts(path: Path | None = None) -> SystemTexts:
    return _load(path or knowledge_dir() / "system.yml")
