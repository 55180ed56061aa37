"""Answering a question around an outcome (bot.dialogue.followups) from this
conversation's slots and diagnosis state."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import engine, state_of
from bot.dialogue.followups import OPEN_QUESTION, OutcomeContext, context_from_slots, load_followups


def outcome_context(tracker: Tracker) -> OutcomeContext:
    state = state_of(tracker)
    outcome = verdict = None
    if state is not None:
        line = next((s for s in reversed(state.steps) if s.kind == "line_check"), None)
        verdict = ((line.details or {}).get("verdict") or line.answer) if line else None
        outcome = engine().summary(state).outcome
    return context_from_slots(tracker.slots, outcome=outcome, line_verdict=verdict)


def answer_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> OutcomeContext:
    """Say the answer; returns the situation it was answered in."""
    book = load_followups()
    context = outcome_context(tracker)
    topic = book.topic_of((tracker.latest_message or {}).get("text") or "")
    if topic is not None and not book.applies(topic, context):
        topic = None
    if topic is None:
        # A question about the outcome whose words the book does not have: honest.
        topic = OPEN_QUESTION
    dispatcher.utter_message(text=book.answer(topic, context))
    return context
