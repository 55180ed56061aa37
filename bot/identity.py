"""Who the customer is, and the one rule that decides whether we may act on it.

The rule: nothing about a customer (tickets, appointments, line data, contact
details) is shown, filed or changed unless customer number and postal code
were checked *together* against the line backend in this conversation. Every
action and the agent console ask `verified_identity`; nothing else decides.

The slots `customer_number` and `postal_code` are filled from any message that
contains such numbers (so nobody is asked twice), which makes them claims, not
facts. Only the identification form's validation, after the backend confirmed
the pair, writes the slot `identity_verified` (a custom slot: no message can
set it). A number or postal code typed later replaces the claim and no longer
matches the verified pair, so it has to be checked again.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

# identification_status: "failed" after three wrong tries (or too many for that
# number, see bot/identity_guard.py), "skipped" when the customer cannot give it,
# "unchecked" when the backend could not check a well-formed pair.
FAILED, SKIPPED, UNCHECKED = "failed", "skipped", "unchecked"
VERIFIED_SLOT = "identity_verified"
CUSTOMER_NUMBER_DIGITS, POSTAL_CODE_DIGITS = 10, 5


def digits(value: Any) -> str:
    return re.sub(r"[^0-9]", "", str(value or ""))


# A letter that looks like a digit, typed between digits: "4711000O02".
_LOOKALIKE = re.compile(r"\d\s*[OoIlB]\s*\d|\d[OoIl]\b|\b[OoIl]\d")


def customer_number_problem(text: str) -> str:
    """Which text says best what is wrong with a customer number that is not 10
    digits (knowledge/diagnosis.yml): a look-alike letter, a digit missing, one too many."""
    if _LOOKALIKE.search(text or ""):
        return "customer_number_letter"
    count = len(digits(text))
    if 0 < count < CUSTOMER_NUMBER_DIGITS:
        return "customer_number_short"
    if count > CUSTOMER_NUMBER_DIGITS:
        return "customer_number_long"
    return "customer_number_invalid"


def well_formed(number: Any, postal: Any) -> bool:
    return len(digits(number)) == CUSTOMER_NUMBER_DIGITS and len(digits(postal)) == POSTAL_CODE_DIGITS


def verified_record(number: str, postal: str) -> dict[str, str]:
    """The value of `identity_verified` after the backend confirmed the pair."""
    return {"customer_number": digits(number), "postal_code": digits(postal)}


def verified_identity(slots: Mapping[str, Any]) -> tuple[str, str] | None:
    """(customer number, postal code) if the pair was checked against the backend
    in this conversation and is still the one the customer stands by."""
    record = slots.get(VERIFIED_SLOT)
    if not isinstance(record, Mapping) or slots.get("identification_status") in (FAILED, SKIPPED):
        return None
    number, postal = digits(record.get("customer_number")), digits(record.get("postal_code"))
    if not well_formed(number, postal):
        return None
    if (digits(slots.get("customer_number")), digits(slots.get("postal_code"))) != (number, postal):
        return None  # another number was given since: that one is not checked
    return number, postal
