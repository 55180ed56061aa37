"""Guided diagnosis actions: thin adapters over bot.diagnosis.DiagnosisEngine.

The engine state lives in the slot `diagnosis` (a dict); `diagnosis_active` tells
the dialogue rules whether a question of the tree is open.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.diagnosis.engine import DiagnosisEngine, DiagnosisState, LampFact, Reply
from bot.diagnosis.model import LineVerdictRoute
from bot.diagnosis.texts import load_texts
from bot.diagnosis.validate import PROBLEM_AREAS

_ENGINE: DiagnosisEngine | None = None
# Until the line check exists (issue 4), ticket and handoff outcomes (issues 5, 6)
# say plainly what the customer can do instead.
_OUTCOME_FOLLOW_UP = {"ticket": "ticket_not_yet", "handoff": "handoff_not_yet", "line_check": "ticket_not_yet"}


def _say(dispatcher: CollectingDispatcher, key: str) -> None:
    dispatcher.utter_message(text=load_texts()[key])


def engine() -> DiagnosisEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = DiagnosisEngine.load()
    return _ENGINE


def _entities(tracker: Tracker) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        found.setdefault(entity["entity"], []).append(str(entity.get("value", "")))
    return found


def _lamps(tracker: Tracker, router: str | None) -> List[LampFact]:
    """Lamp facts from the latest message: "die DSL-Lampe blinkt grün"."""
    entities = _entities(tracker)
    lamps = [engine().led_key(name, router) for name in entities.get("led", [])]
    lamps = [key for key in lamps if key]
    if not lamps or not (entities.get("led_state") or entities.get("led_color")):
        return []
    return [
        LampFact(led=key, states=tuple(entities.get("led_state", [])), colors=tuple(entities.get("led_color", [])))
        for key in lamps[:1]  # one described lamp per message is what NLU can attribute reliably
    ]


def _router(tracker: Tracker, include_slot: bool) -> str | None:
    """Router key from the latest message (and, if asked, from earlier ones)."""
    mentioned = list(_entities(tracker).get("router_model") or [])
    if include_slot:
        mentioned.append(tracker.get_slot("router_model") or "")
    for mention in mentioned:
        key = engine().router_key(mention) if mention else None
        if key:
            return key
    return None


def _present(dispatcher: CollectingDispatcher, state: DiagnosisState) -> List[Dict[str, Any]]:
    """Say what the current node says; run line checks; finish on outcomes."""
    eng = engine()
    for _ in range(len(eng.tree(state.area).nodes) + 1):
        prompt = eng.prompt(state)
        if prompt.kind != "line_check":
            break
        _say(dispatcher, "line_check_not_yet")
        state = eng.line_result(state, LineVerdictRoute.UNAVAILABLE)
    prompt = eng.prompt(state)
    if prompt.kind == "outcome":
        dispatcher.utter_message(text=prompt.text)
        if prompt.outcome in _OUTCOME_FOLLOW_UP:
            _say(dispatcher, _OUTCOME_FOLLOW_UP[prompt.outcome])
        return [SlotSet("diagnosis", state.to_dict()), SlotSet("diagnosis_active", False)]
    buttons = [
        {"title": label, "payload": f'/inform{{"diagnosis_answer": "{answer_id}"}}'}
        for label, answer_id in prompt.buttons
    ]
    dispatcher.utter_message(text=prompt.text, buttons=buttons)
    return [SlotSet("diagnosis", state.to_dict()), SlotSet("diagnosis_active", True)]


def _state(tracker: Tracker) -> DiagnosisState | None:
    data = tracker.get_slot("diagnosis")
    try:
        return DiagnosisState.from_dict(data) if data else None
    except (KeyError, TypeError):
        return None


class ActionDiagnosisStart(Action):
    def name(self) -> str:
        return "action_diagnosis_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        area = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if area not in PROBLEM_AREAS:
            _say(dispatcher, "lost")
            return [SlotSet("diagnosis_active", False)]
        router = _router(tracker, include_slot=True)
        state = engine().start(area, router=router, lamps=_lamps(tracker, router))
        return _present(dispatcher, state)


class ActionDiagnosisAnswer(Action):
    def name(self) -> str:
        return "action_diagnosis_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None or engine().is_finished(state):
            _say(dispatcher, "lost")
            return [SlotSet("diagnosis_active", False)]
        entities = _entities(tracker)
        router = _router(tracker, include_slot=False)
        lamps = _lamps(tracker, router or state.router)
        if router or lamps:
            learned = engine().learn(state, router=router, lamps=lamps)
            if learned.node != state.node:  # what they said answered the open question
                return _present(dispatcher, learned)
            state = learned
        reply = Reply(
            intent=((tracker.latest_message or {}).get("intent") or {}).get("name"),
            entities=entities,
            answer_id=(entities.get("diagnosis_answer") or [None])[0],
        )
        nxt = engine().answer(state, reply)
        if nxt is None:
            _say(dispatcher, "not_understood")
            return _present(dispatcher, state)
        return _present(dispatcher, nxt)


class ActionDiagnosisExplain(Action):
    """ "Wo ist das?" and "Warum fragen Sie das?" at the current step."""

    def name(self) -> str:
        return "action_diagnosis_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None:
            _say(dispatcher, "lost")
            return [SlotSet("diagnosis_active", False)]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        text = engine().why_text(state) if intent == "ask_why" else engine().help_text(state)
        if text:
            dispatcher.utter_message(text=text)
        else:
            _say(dispatcher, "no_explanation")
        return _present(dispatcher, state)


class ActionDiagnosisBack(Action):
    def name(self) -> str:
        return "action_diagnosis_back"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None:
            _say(dispatcher, "lost")
            return [SlotSet("diagnosis_active", False)]
        back = engine().back(state)
        _say(dispatcher, "back" if back != state else "back_at_start")
        return _present(dispatcher, back)


class ActionDiagnosisRepeat(Action):
    """After small talk or a side question: back to the open question."""

    def name(self) -> str:
        return "action_diagnosis_repeat"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None or engine().is_finished(state):
            return [SlotSet("diagnosis_active", False)]
        _say(dispatcher, "resume")
        return _present(dispatcher, state)
