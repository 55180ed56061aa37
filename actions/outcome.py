"""Questions around an outcome ("wie lange dauert das?", "ist der Rückruf jetzt
angemeldet?"): answered in place from knowledge/followups.yml, from what this
conversation already did; an open offer is asked again afterwards."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.followup import answer_followup
from actions.common.ticket_offer import offer_buttons
from bot.tickets.texts import load_ticket_texts


class ActionOutcomeQuestion(Action):
    def name(self) -> str:
        return "action_outcome_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        context = answer_followup(dispatcher, tracker)
        if context.holds("offer"):
            # The fault report is still offered: ask again, with its buttons.
            dispatcher.utter_message(text=load_ticket_texts().offer, buttons=offer_buttons())
        return []
