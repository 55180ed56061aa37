"""Reading the tracker's events."""

from __future__ import annotations

from rasa_sdk import Tracker


def slot_set_this_turn(tracker: Tracker, name: str) -> bool:
    """Was the slot set since the customer's last message? A form's validation
    sets it on a failed try, and its error message already asks again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == name:
            return True
    return False
