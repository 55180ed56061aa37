"""The diagnosis engine as the actions use it: the state in the slot, what the
latest message says (entities, lamps, router), and presenting the current step."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.events import reported_in_this_conversation
from actions.common.line_results import known_line_result
from actions.common.offers import offer_human
from actions.common.ticket_offer import offer_buttons
from bot.diagnosis.engine import DiagnosisEngine, DiagnosisState, LampFact
from bot.diagnosis.model import LineVerdictRoute
from bot.diagnosis.texts import load_texts
from bot.handoff.models import HandoffReason
from bot.tickets.texts import load_ticket_texts

_ENGINE: DiagnosisEngine | None = None
# Ticket outcomes offer a fault report (actions/tickets.py); a handoff outcome
# offers a person (actions/handoff.py).
HANDOFF_OUTCOME = "handoff"
TICKET_OUTCOMES = ("ticket", "line_check")


def say(dispatcher: CollectingDispatcher, key: str) -> None:
    dispatcher.utter_message(text=load_texts()[key])


def engine() -> DiagnosisEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = DiagnosisEngine.load()
    return _ENGINE


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def lost(dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """No diagnosis to continue: say so and let the customer name the problem again."""
    say(dispatcher, "lost")
    return [SlotSet("diagnosis_active", False)]


def message_entities(tracker: Tracker) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        found.setdefault(entity["entity"], []).append(str(entity.get("value", "")))
    return found


def lamp_facts(tracker: Tracker, router: str | None) -> List[LampFact]:
    """Lamp facts from the latest message: "die DSL-Lampe blinkt grün"."""
    entities = message_entities(tracker)
    lamps = [engine().led_key(name, router) for name in entities.get("led", [])]
    lamps = [key for key in lamps if key]
    if not lamps or not (entities.get("led_state") or entities.get("led_color")):
        return []
    return [
        LampFact(led=key, states=tuple(entities.get("led_state", [])), colors=tuple(entities.get("led_color", [])))
        for key in lamps[:1]  # one described lamp per message is what NLU can attribute reliably
    ]


def router_of(tracker: Tracker, include_slot: bool) -> str | None:
    """Router key from the latest message (and, if asked, from earlier ones)."""
    mentioned = list(message_entities(tracker).get("router_model") or [])
    if include_slot:
        mentioned.append(tracker.get_slot("router_model") or "")
    for mention in mentioned:
        key = engine().router_key(mention) if mention else None
        if key:
            return key
    return None


def present(
    dispatcher: CollectingDispatcher, state: DiagnosisState, tracker: Tracker, again: bool = False
) -> List[Dict[str, Any]]:
    """Say what the current node says and finish on outcomes. At a line check:
    reuse a fresh report of this conversation, go on without one when the
    customer could not be identified, or else ask for identification first
    (line_check_pending makes the rules start identification_form)."""
    eng = engine()
    for _ in range(len(eng.tree(state.area).nodes) + 1):
        prompt = eng.prompt(state)
        if prompt.kind != "line_check":
            break
        # Within one diagnosis the first line check answers every later one (line
        # first, then again after the lamps): its result is in the steps, even in
        # the turn that measured it, before the line_report slot is set.
        earlier = next((step for step in reversed(state.steps) if step.kind == "line_check"), None)
        if earlier is not None:
            state = eng.line_result(state, LineVerdictRoute(earlier.answer), earlier.details)
            continue
        known = known_line_result(tracker, state)
        if known is None:
            dispatcher.utter_message(text=prompt.text)
            return [
                SlotSet("diagnosis", state.to_dict()),
                SlotSet("diagnosis_active", True),
                SlotSet("line_check_pending", True),
                SlotSet("ticket_offer", False),
            ]
        route, details = known
        if details.get("text") and route is not LineVerdictRoute.UNAVAILABLE:
            dispatcher.utter_message(text=details["text"])
        state = eng.line_result(state, route, details)
    # misunderstood (again): the short form of the question, and a way to a person
    prompt = eng.prompt(state, short=again)
    if prompt.kind == "outcome":
        dispatcher.utter_message(text=prompt.text)
        reported = reported_in_this_conversation(tracker)
        if prompt.outcome in TICKET_OUTCOMES and reported:
            # Already reported in this conversation: never a second report for it.
            dispatcher.utter_message(text=load_ticket_texts().already_reported.format(number=reported))
            return [
                SlotSet("diagnosis", state.to_dict()),
                SlotSet("diagnosis_active", False),
                SlotSet("line_check_pending", False),
                SlotSet("ticket_offer", False),
            ]
        if prompt.outcome in TICKET_OUTCOMES:
            # Ask for consent before reporting (rules: affirm -> action_ticket_create).
            dispatcher.utter_message(text=load_ticket_texts().offer, buttons=offer_buttons())
        finished = [
            SlotSet("diagnosis", state.to_dict()),
            SlotSet("diagnosis_active", False),
            SlotSet("line_check_pending", False),
            SlotSet("ticket_offer", prompt.outcome in TICKET_OUTCOMES),
        ]
        if prompt.outcome == HANDOFF_OUTCOME:
            return finished + offer_human(HandoffReason.DIAGNOSIS)
        return finished
    buttons = [
        {"title": label, "payload": f'/inform{{"diagnosis_answer": "{answer_id}"}}'}
        for label, answer_id in prompt.buttons
    ]
    if again:
        buttons.append({"title": load_texts()["person_button"], "payload": "/request_human"})
    dispatcher.utter_message(text=prompt.text, buttons=buttons)
    return [
        SlotSet("diagnosis", state.to_dict()),
        SlotSet("diagnosis_active", True),
        SlotSet("line_check_pending", False),
        SlotSet("ticket_offer", False),
    ]


def state_of(tracker: Tracker) -> DiagnosisState | None:
    """The diagnosis in the slot; None if missing or no longer in the content (a
    support lead may have removed the node since), so the customer is re-asked
    instead of getting no answer from a failing action."""
    data = tracker.get_slot("diagnosis")
    try:
        state = DiagnosisState.from_dict(data) if data else None
    except (KeyError, TypeError):
        return None
    if state is None or state.area not in engine().trees or state.node not in engine().tree(state.area).nodes:
        return None
    return state
