"""Fallback and topic-menu actions (logic in bot.clarify, texts in knowledge/topics.yml)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.menus import show_topic_menu, topic_buttons
from actions.common.offers import offer_human
from bot.clarify import ClarificationKind, consecutive_misses, inform_note, open_choice, plan_clarification
from bot.diagnosis.texts import load_texts
from bot.handoff.models import HandoffReason
from bot.topics import load_topics

_WITH_MENU = {ClarificationKind.AGAIN, ClarificationKind.LOST}


def user_intents(tracker: Tracker) -> List[str]:
    return [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        for event in tracker.events
        if event.get("event") == "user"
    ]


class ActionClarify(Action):
    """Answers messages the bot could not act on: NLU fallback and core fallback."""

    def name(self) -> str:
        return "action_clarify"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        catalog = load_topics()
        message = tracker.latest_message or {}
        plan = plan_clarification(
            text=message.get("text"),
            intent=(message.get("intent") or {}).get("name"),
            intent_ranking=message.get("intent_ranking") or [],
            previous_misses=consecutive_misses(user_intents(tracker)),
            topics=catalog,
            empty=bool((message.get("input_notice") or {}).get("empty")),
            competing=message.get("competing_areas") or (),
        )
        buttons: List[Dict[str, str]] = []
        if plan.kind in (ClarificationKind.SUGGEST, ClarificationKind.CHOOSE):
            buttons = topic_buttons([catalog.get(intent) for intent in plan.suggestions])
            buttons.append({"title": catalog.none_of_these_label, "payload": "/deny"})
        elif plan.kind in _WITH_MENU:
            buttons = topic_buttons(catalog.menu())
        dispatcher.utter_message(text=catalog.prompts[plan.kind.value], buttons=buttons)
        if plan.kind in (ClarificationKind.AGAIN, ClarificationKind.LANGUAGE):
            # The second miss in a row, or no German: a person may be the better help.
            return offer_human(HandoffReason.MISUNDERSTOOD)
        return []


class ActionShowTopics(Action):
    """The main menu: what the assistant can help with, as buttons."""

    def name(self) -> str:
        return "action_show_topics"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        catalog = load_topics()
        message = tracker.latest_message or {}
        if ((message.get("intent") or {}).get("name")) == "inform":
            entities = [e.get("entity") for e in message.get("entities") or []]
            note = inform_note(entities, tracker.get_slot("callback_phone"))
            if note is not None:
                dispatcher.utter_message(text=load_texts()[note])
        choices = (catalog.prompts[ClarificationKind.CHOOSE.value], catalog.prompts[ClarificationKind.SUGGEST.value])
        choice = open_choice(tracker.events, choices)
        if choice is not None:
            # The choice the customer has not made yet stays the question.
            dispatcher.utter_message(text=choice["text"], buttons=list(choice["buttons"]))
            return []
        show_topic_menu(dispatcher)
        return []
