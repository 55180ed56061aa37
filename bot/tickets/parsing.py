"""What the customer's words say about tickets: a ticket number ("st 7k4 m9q"),
a mistyped one ("ST-ABC"), and a contact for the technician (phone or e-mail)."""

from __future__ import annotations

import re

from bot.nlu.numbers import PHONE_NUMBER, find_numbers
from bot.tickets.store import NUMBER_LENGTH, normalize_number

_TICKET_NUMBER = re.compile(r"\bST[\s-]?([A-Za-z0-9]{3}[\s-]?[A-Za-z0-9]{3})\b", re.IGNORECASE)
_TICKET_LIKE = re.compile(r"\bST(?:[\s-]+[A-Za-z0-9]|\d)", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def ticket_number_in(text: str) -> str | None:
    match = _TICKET_NUMBER.search(text or "")
    if not match:
        return None
    number = normalize_number("ST" + match.group(1))
    return number if len(number) == len("ST-") + NUMBER_LENGTH else None


def looks_like_ticket_number(text: str) -> bool:
    """ "ST-ABC": the customer meant a ticket number but mistyped it."""
    return bool(_TICKET_LIKE.search(text or ""))


def parse_contact(text: str) -> dict | None:
    """A German phone number or an e-mail address in the customer's words."""
    email = _EMAIL.search(text or "")
    if email:
        return {"email": email.group()[:120]}
    phones = [n for n in find_numbers(text or "") if n.entity == PHONE_NUMBER]
    return {"phone": phones[0].value} if phones else None
