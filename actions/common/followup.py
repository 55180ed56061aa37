"""Answering a question around an outcome (bot.dialogue.followups) from this
conversation's slots and diagnosis state."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import engine, state_of
from bot.dialogue.followups import OutcomeContext, context_from_slots, load_followups


def outcome_context(tracker: Tracker) -> OutcomeContext:
    # The line verdict comes from the diagnosis slot (context_from_slots); the outcome needs the tree.
    state = state_of(tracker)
    outcome = engine().summary(state).outcome if state is not None else None
    return context_from_slots(tracker.slots, outcome=outcome)


def answer_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> OutcomeContext:
    """Say the answer; returns the situation it was answered in."""
    book = load_followups()
    context = outcome_context(tracker)
    # Words the book does not have, or a topic without an answer here: the honest open answer.
    for topic in book.topics_to_answer((tracker.latest_message or {}).get("text") or "", context):
        dispatcher.utter_message(text=book.answer(topic, context))
    return context
