"""What the agent reads first when taking over a chat: everything already checked,
so the customer never has to repeat it (plain Python; the handoff actions call it)."""

from __future__ import annotations

import re
from typing import Any, Mapping

from bot.diagnosis.engine import DiagnosisEngine, DiagnosisState
from bot.identity import digits, verified_identity

NO_DIAGNOSIS = "Noch keine Diagnose: Die Kundin oder der Kunde wollte gleich mit einem Menschen sprechen."


def agent_summary(
    engine: DiagnosisEngine, state: DiagnosisState | None, slots: Mapping[str, Any]
) -> tuple[str | None, str, str | None]:
    """(problem area, summary for the agent, line verdict)."""
    lines: list[str] = []
    area = verdict = None
    if state is not None:
        area = state.area
        lines.append(engine.summary(state).as_text())
        line_step = next((s for s in reversed(state.steps) if s.kind == "line_check"), None)
        verdict = ((line_step.details or {}).get("verdict") if line_step else None) or None
    number, postal = digits(slots.get("customer_number")), digits(slots.get("postal_code"))
    if number or postal:
        checked = "geprüft" if verified_identity(slots) else "nicht geprüft"
        lines.append(f"Kundennummer: {number or '–'}, PLZ: {postal or '–'} ({checked})")
    if slots.get("ticket_number"):
        lines.append(f"Störungsmeldung: {slots.get('ticket_number')}")
    if not lines:
        lines.append(NO_DIAGNOSIS)
    return area, "\n".join(lines), verdict


_TIME_WISH = re.compile(
    r"\b(?:(?:ab|nach|vor|bis|gegen|zwischen|um)\s+\d{1,2}(?:[:.]\d{2})?(?:\s*uhr)?"
    r"(?:\s*(?:und|bis|-)\s*\d{1,2}(?:[:.]\d{2})?(?:\s*uhr)?)?"
    r"|(?<!guten )(?:am\s+)?(?:vormittag|nachmittag|abend|morgen|mittag)s?|tagsüber|tagsueber|heute noch|morgen früh"
    r"|am wochenende|in der mittagspause|nach feierabend)\b",
    re.IGNORECASE,
)


def availability(text: str) -> str | None:
    """When the customer wants to be called, in their words ("nach 17 Uhr",
    "vormittags"), for the agent who calls back; None when they said nothing."""
    found = [m.group(0).strip() for m in _TIME_WISH.finditer(text or "")]
    return ", ".join(dict.fromkeys(found))[:80] or None
