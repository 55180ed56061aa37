"""The buttons under "Soll ich die Störungsmeldung jetzt für Sie aufgeben?"."""

from __future__ import annotations

from typing import Any, Dict, List

from bot.tickets.texts import load_ticket_texts


def offer_buttons() -> List[Dict[str, Any]]:
    texts = load_ticket_texts()
    return [{"title": texts.offer_yes, "payload": "/affirm"}, {"title": texts.offer_no, "payload": "/deny"}]
