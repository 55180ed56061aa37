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


def reported_in_this_conversation(tracker: Tracker) -> str | None:
    """The number of a fault report this conversation opened (or added to), not one
    it only looked up for a status question."""
    number, action = None, None
    for event in tracker.events:
        if event.get("event") == "action":
            action = event.get("name")
        elif event.get("event") == "slot" and event.get("name") == "ticket_number" and event.get("value"):
            if action == "action_ticket_create":
                number = event.get("value")
    return number
