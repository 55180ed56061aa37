"""Times as German customers read them, and the UTC rule of the stores.

Everything is stored and exchanged in UTC; only what a person reads is in German
local time. One place for both, so the bot, the CLI and the simulator agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

GERMAN_TIME = ZoneInfo("Europe/Berlin")


def utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything in the stores is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def german_time(moment: datetime, now: datetime) -> str:
    """ "7:42 Uhr", "gestern, 7:42 Uhr" or "19.11., 7:42 Uhr" in German time."""
    local, today = moment.astimezone(GERMAN_TIME), now.astimezone(GERMAN_TIME).date()
    clock = f"{local.hour}:{local.minute:02d} Uhr"
    days = (today - local.date()).days
    if days == 0:
        return clock
    if days == 1:
        return f"gestern, {clock}"
    if days == -1:
        return f"morgen, {clock}"
    return f"{local.day}.{local.month}., {clock}"


def german_date(moment: datetime | None) -> str:
    """ "21.11. um 9:30 Uhr" in German time."""
    if moment is None:
        return "(noch offen)"
    local = moment.astimezone(GERMAN_TIME)
    return f"{local.day}.{local.month}. um {local.hour}:{local.minute:02d} Uhr"


def day_greeting(now: datetime | None = None) -> str:
    """ "Guten Morgen", "Guten Tag", "Guten Abend", by the hour in Germany; in the
    small hours a plain "Hallo" (nobody says "Guten Abend" at three in the morning)."""
    hour = (now or datetime.now(timezone.utc)).astimezone(GERMAN_TIME).hour
    if 5 <= hour < 11:
        return "Guten Morgen"
    if 11 <= hour < 18:
        return "Guten Tag"
    return "Guten Abend" if hour >= 18 else "Hallo"


def farewell(now: datetime | None = None) -> str:
    """ "einen schönen Tag", "einen schönen Abend" or "eine gute Nacht": what a
    goodbye wishes, by the hour in Germany (no "schönen Tag" at midnight)."""
    hour = (now or datetime.now(timezone.utc)).astimezone(GERMAN_TIME).hour
    if 5 <= hour < 17:
        return "einen schönen Tag"
    if 17 <= hour < 22:
        return "einen schönen Abend"
    return "eine gute Nacht"


def daytime_words(now: datetime | None = None) -> dict[str, str]:
    """Placeholders for texts: {greeting} ("Guten Abend"), {farewell} ("einen schönen Abend")."""
    return {"greeting": day_greeting(now), "farewell": farewell(now)}
