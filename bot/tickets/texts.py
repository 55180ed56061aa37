"""Texts about fault reports, from knowledge/tickets.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.paths import knowledge_dir
from bot.tickets.models import TicketStatus


class StatusTexts(BaseModel):
    open: str
    in_progress: str
    technician_scheduled: str
    resolved: str
    closed: str


class TicketTexts(BaseModel):
    offer: str
    offer_yes: str
    offer_no: str
    ask_contact: str
    contact_invalid: str
    created: str
    existing: str
    # a ticket outcome when this conversation already reported one: no second offer
    already_reported: str
    declined: str
    no_identification: str
    store_down: str
    status_ask: str
    status_ask_identity: str
    status_not_found: str
    status_no_identification: str
    status_none: str
    status_spooled: str
    status_down: str
    not_checked: str
    appointment_pending: str
    status: StatusTexts
    # For a ticket number alone (no verified customer): status and next step only.
    status_public: StatusTexts

    class Config:
        extra = "forbid"

    def for_status(self, status: TicketStatus, public: bool = False) -> str:
        return getattr(self.status_public if public else self.status, status.value)



@lru_cache(maxsize=4)
def _load(path: Path) -> TicketTexts:
    return TicketTexts.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8"))["texts"])


def load_ticket_texts(path: Path | None = None) -> TicketTexts:
    return _load(path or knowledge_dir() / "tickets.yml")
