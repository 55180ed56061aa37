"""What an action returns to let action_offer_human speak next."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk.events import FollowupAction, SlotSet

from bot.handoff.models import HandoffReason


def offer_human(reason: HandoffReason) -> List[Dict[str, Any]]:
    """Events for an action that wants a person offered next (complaint, two
    misunderstandings, a handoff outcome, a failing backend); the reason goes
    to the agent's queue."""
    return [SlotSet("handoff_reason", reason.value), FollowupAction("action_offer_human")]
