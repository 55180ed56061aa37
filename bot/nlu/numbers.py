"""Finds customer numbers, postal codes and phone numbers in German chat text.

Customers write numbers in many shapes: "4711 000 002", "4711-000-002",
"PLZ 01067", "0221/1234567", "+49 (0)170 123 45 67", or a customer number and a
postal code in one line. A statistical model guesses such spans poorly; these
rules are exact, fast and unit-tested, and they need no training data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CUSTOMER_NUMBER = "customer_number"
POSTAL_CODE = "postal_code"
PHONE_NUMBER = "phone_number"

CUSTOMER_NUMBER_DIGITS = 10
POSTAL_CODE_DIGITS = 5
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 13  # national format, e.g. 0 + 4-digit area code + 8 digits
INTL_PHONE_MAX_DIGITS = 15  # E.164 maximum

# A group of digits that is not glued to letters ("ST-7K4" is not a number).
_DIGIT_GROUP = re.compile(r"(?<![A-Za-z0-9])\+?\d+(?![A-Za-z0-9])")
# What may stand between groups of one written number.
_SEPARATOR = re.compile(r"^[ \-/()]{1,4}$")


@dataclass(frozen=True)
class NumberEntity:
    entity: str
    start: int
    end: int
    text: str
    value: str


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    plus: bool


def _runs(text: str) -> list[list[_Group]]:
    runs: list[list[_Group]] = []
    for match in _DIGIT_GROUP.finditer(text):
        token = match.group()
        group = _Group(match.start(), match.end(), token.lstrip("+"), token.startswith("+"))
        if runs and _SEPARATOR.match(text[runs[-1][-1].end : group.start]) and not group.plus:
            runs[-1].append(group)
        else:
            runs.append([group])
    return runs


def _phone_value(digits: str, international: bool) -> str:
    if international:
        return "+" + (digits[2:] if digits.startswith("00") else digits)
    return "+49" + digits[1:]


def _take_until(groups: list[_Group], i: int, max_digits: int, stop_before_customer: bool) -> int:
    """Index after the last group that still fits into max_digits digits."""
    total, j = 0, i
    while j < len(groups):
        nxt = groups[j]
        if j > i and stop_before_customer and _is_customer_group(nxt):
            break
        if total + len(nxt.digits) > max_digits:
            break
        total += len(nxt.digits)
        j += 1
    return j


def _is_customer_group(group: _Group) -> bool:
    return len(group.digits) == CUSTOMER_NUMBER_DIGITS and not group.digits.startswith("0")


def find_numbers(text: str) -> list[NumberEntity]:
    """All customer numbers, postal codes and phone numbers in text, left to right."""
    found: list[NumberEntity] = []

    def add(entity: str, groups: list[_Group], value: str) -> None:
        start, end = groups[0].start, groups[-1].end
        found.append(NumberEntity(entity, start, end, text[start:end], value))

    for groups in _runs(text):
        i = 0
        while i < len(groups):
            g = groups[i]
            if g.plus or g.digits.startswith("00"):
                j = _take_until(groups, i, INTL_PHONE_MAX_DIGITS, stop_before_customer=True)
                # "+49 (0)221 …": the bracketed trunk zero is not dialled from abroad.
                digits = "".join(
                    x.digits for k, x in enumerate(groups[i:j]) if not (k == 1 and x.digits == "0")
                )
                if len(digits) >= PHONE_MIN_DIGITS + 2:
                    add(PHONE_NUMBER, groups[i:j], _phone_value(digits, international=True))
                i = max(j, i + 1)
                continue
            if g.digits.startswith("0"):
                nxt = groups[i + 1] if i + 1 < len(groups) else None
                # "01067" alone or before another number is a postal code (Dresden);
                # "04621/12345" or "03581 123456" is an area code with its number.
                written_as_phone = nxt is not None and any(c in "/()" for c in text[g.end : nxt.start])
                looks_like_postal = (
                    len(g.digits) == POSTAL_CODE_DIGITS
                    and not written_as_phone
                    and (
                        nxt is None
                        or _is_customer_group(nxt)
                        or len(nxt.digits) == POSTAL_CODE_DIGITS
                        or nxt.digits.startswith("0")  # a phone number follows
                    )
                )
                if looks_like_postal:
                    add(POSTAL_CODE, [g], g.digits)
                    i += 1
                    continue
                j = _take_until(groups, i, PHONE_MAX_DIGITS, stop_before_customer=True)
                digits = "".join(x.digits for x in groups[i:j])
                if len(digits) >= PHONE_MIN_DIGITS:
                    add(PHONE_NUMBER, groups[i:j], _phone_value(digits, international=False))
                i = max(j, i + 1)
                continue
            # Starts with 1-9: a customer number, possibly written in groups, or a postal code.
            total, j = 0, i
            while j < len(groups) and total < CUSTOMER_NUMBER_DIGITS:
                total += len(groups[j].digits)
                j += 1
            if total == CUSTOMER_NUMBER_DIGITS:
                add(CUSTOMER_NUMBER, groups[i:j], "".join(x.digits for x in groups[i:j]))
                i = j
            elif len(g.digits) == POSTAL_CODE_DIGITS:
                add(POSTAL_CODE, [g], g.digits)
                i += 1
            else:
                i += 1
    return found


_LONG_DIGITS = re.compile(r"\d(?:[ \-/]?\d){4,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_personal_numbers(text: str) -> str:
    """Mask customer numbers, phone numbers, postal codes and e-mail addresses.

    Used for log lines: keeps the last two digits so support can still correlate
    ("******02"), never the whole number.
    """
    if not text:
        return text
    text = _EMAIL.sub("<e-mail>", text)

    def _masked(raw: str) -> str:
        digits = re.sub(r"\D", "", raw)
        return "*" * (len(digits) - 2) + digits[-2:]

    # Numbers in the shapes customers write them (wide separators, "+49 (0)…"),
    # then any other run of five or more digits.
    for number in reversed(find_numbers(text)):
        text = text[: number.start] + _masked(number.text) + text[number.end :]
    return _LONG_DIGITS.sub(lambda m: _masked(m.group()), text)
