"""Who the customer is: customer number and postal code from the conversation.

One rule for the line check, fault reports, the handoff summary and the agent
console: both numbers complete and the identification neither failed nor skipped.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

FAILED, SKIPPED = "failed", "skipped"  # identification_status after three wrong tries / "habe ich nicht"


def digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def verified_identity(slots: Mapping[str, Any]) -> tuple[str, str] | None:
    """(customer number, postal code) when both are complete and were not refused."""
    number, postal = digits(slots.get("customer_number")), digits(slots.get("postal_code"))
    if len(number) == 10 and len(postal) == 5 and slots.get("identification_status") not in (FAILED, SKIPPED):
        return number, postal
    return None
