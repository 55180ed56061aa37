"""Guided diagnosis actions: thin adapters over bot.diagnosis.DiagnosisEngine.

The engine state lives in the slot `diagnosis` (a dict); `diagnosis_active` tells
the dialogue rules whether a question of the tree is open.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.offers import offer_human
from bot.diagnosis.engine import (
    DiagnosisEngine,
    DiagnosisState,
    LampFact,
    Reply,
    check_cue,
    leading_yes_no,
    names_new_topic,
)
from bot.diagnosis.model import PROBLEM_AREAS, LineVerdictRoute
from bot.diagnosis.texts import load_texts
from bot.handoff.models import HandoffReason
from bot.nlu.mood import mood_of, opening_step
from bot.tickets.texts import load_ticket_texts

_ENGINE: DiagnosisEngine | None = None
# Ticket outcomes offer a fault report (actions/tickets.py); a handoff outcome
# offers a person (actions/handoff.py).
HANDOFF_OUTCOME = "handoff"
TICKET_OUTCOMES = ("ticket", "line_check")


def _say(dispatcher: CollectingDispatcher, key: str) -> None:
    dispatcher.utter_message(text=load_texts()[key])


def engine() -> DiagnosisEngine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = DiagnosisEngine.load()
    return _ENGINE


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _lost(dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """No diagnosis to continue: say so and let the customer name the problem again."""
    _say(dispatcher, "lost")
    return [SlotSet("diagnosis_active", False)]


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


def _present(
    dispatcher: CollectingDispatcher, state: DiagnosisState, tracker: Tracker, again: bool = False
) -> List[Dict[str, Any]]:
    """Say what the current node says and finish on outcomes. At a line check:
    reuse a fresh report of this conversation, go on without one when the
    customer could not be identified, or else ask for identification first
    (line_check_pending makes the rules start identification_form)."""
    from actions.linecheck import known_line_result  # the line check builds on this module

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
        if prompt.outcome in TICKET_OUTCOMES:
            # Ask for consent before reporting (rules: affirm -> action_ticket_create).
            from actions.tickets import offer_buttons

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


# A message classified as another problem switches the diagnosis only when NLU
# is this sure; a weaker guess that fits an answer of the open question is taken
# as that answer ("nein, kein Gerät kommt ins Internet" is not a new problem).
SWITCH_CONFIDENCE = 0.8
# Real topic switches are short ("ach, und das Telefon geht auch nicht"); a long
# message mid-diagnosis is nearly always an answer told as a story.
SWITCH_MAX_WORDS = 10
HUMAN_CONFIDENCE = 0.9
RANKED_INTENTS = 3
_FACT_ENTITIES = {"led", "led_state", "led_color", "router_model", "diagnosis_answer"}
# Second guesses of NLU count only when they are real candidates; when NLU is
# unsure (nlu_fallback) none count ("xyz" must not become "ja").
MIN_RANKED_CONFIDENCE = 0.2


CANNOT_CONFIDENCE = 0.35


def _confidence(message: dict, intent: str) -> float:
    ranking = message.get("intent_ranking") or []
    return next((r.get("confidence") or 0.0 for r in ranking if r.get("name") == intent), 0.0)


def _replies(tracker: Tracker) -> list[Reply]:
    """The latest message as replies, one per plausible intent, best first."""
    message = tracker.latest_message or {}
    entities = _entities(tracker)
    answer_id = (entities.get("diagnosis_answer") or [None])[0]
    top = (message.get("intent") or {}).get("name")
    ranked = [
        r["name"] for r in (message.get("intent_ranking") or [])[:RANKED_INTENTS]
        if r.get("name") != top and (r.get("confidence") or 0) >= MIN_RANKED_CONFIDENCE
    ]
    # An unsure guess is never an answer by itself (nlu_fallback has no ranking here).
    intents = [top] + ([] if top == "nlu_fallback" else ranked)
    text = message.get("text") or ""
    # The first word is the answer ("ja, ich hab sie zurückgesetzt, weil ich das
    # Passwort nicht mehr wusste"); NLU may weigh the explanation after it more.
    # Only "nein, das schaffe ich nicht" stays "can't check" rather than "no".
    yes_no = leading_yes_no(text)
    # But a leading "nein" with "can't" close behind ("nein, das schaffe ich nicht":
    # deny 0.53, dont_know 0.46, or NLU unsure between them) is "can't check", not "no".
    cannot = top in ("nlu_fallback", "deny") and _confidence(message, "dont_know") >= CANNOT_CONFIDENCE
    if yes_no == "deny" and cannot:
        intents = ["dont_know"] + [i for i in intents if i != "dont_know"]
    elif yes_no and not (yes_no == "deny" and top == "dont_know"):
        intents = [yes_no] + [i for i in intents if i != yes_no]
    elif yes_no and yes_no not in intents:
        intents.insert(1, yes_no)
    return [Reply(intent=i, entities=entities, answer_id=answer_id, text=text) for i in intents]


def _try_answer(tracker: Tracker, state: DiagnosisState) -> tuple[DiagnosisState, bool]:
    """(next state, whether the message answered the open question)."""
    eng = engine()
    router = _router(tracker, include_slot=False)
    lamps = _lamps(tracker, router or state.router)
    if router or lamps:
        learned = eng.learn(state, router=router, lamps=lamps)
        if (learned.node, learned.router) != (state.node, state.router):
            return learned, True  # what they said answered the open question
        state = learned
    for reply in _replies(tracker):
        nxt = eng.answer(state, reply)
        if nxt is not None:
            return nxt, True
    return state, False


# The message that named the problem, and the one before it when the customer
# then only tapped a topic or named it again ("Router anschließen").
PROBLEM_TEXT_MESSAGES = 2


def _problem_text(tracker: Tracker) -> str:
    texts = [
        str(event.get("text") or "")
        for event in reversed(tracker.events)
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/")
    ][:PROBLEM_TEXT_MESSAGES]
    return " . ".join(reversed(texts))


def _state(tracker: Tracker) -> DiagnosisState | None:
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


class ActionDiagnosisStart(Action):
    def name(self) -> str:
        return "action_diagnosis_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        area = intent.get("name")
        if area not in PROBLEM_AREAS:
            return _lost(dispatcher)
        current = _state(tracker)
        if current is not None and tracker.get_slot("diagnosis_active") and not engine().is_finished(current):
            text = (tracker.latest_message or {}).get("text") or ""
            restated = engine().problem_restated(current) if area == current.area else None
            # "es hat geklingelt" names the phone again, but answers the check.
            if (
                restated is not None
                and leading_yes_no(text) is None
                and check_cue(text) is None
                and engine().by_words(current, Reply(text=text)) is None
            ):
                return _present(dispatcher, restated, tracker)
            nxt, answered = _try_answer(tracker, current)
            # Lamp, router or button facts and a leading ja/nein answer the open
            # question; they never start another topic ("nein, nur übers WLAN" is
            # an answer, "ach und das Telefon geht auch nicht" is a new topic).
            # Customers tell stories while answering; a story that answers the
            # question switches the topic only with words that open a new one.
            facts = bool(set(_entities(tracker)) & _FACT_ENTITIES)
            yes_no = leading_yes_no(text) is not None
            confident = (intent.get("confidence") or 0) >= SWITCH_CONFIDENCE
            new_topic = names_new_topic(text)
            if answered and (area == current.area or facts or yes_no or not (confident and new_topic)):
                return _present(dispatcher, nxt, tracker)
            short = len(text.split()) <= SWITCH_MAX_WORDS
            if area == current.area or not (new_topic or (confident and short)):
                # The same problem again, a weak guess at another, or a long story
                # that reads like another problem: keep going with the open question.
                _say(dispatcher, "not_understood")
                return _present(dispatcher, current, tracker)
        router = _router(tracker, include_slot=True)
        state = engine().start(area, router=router, lamps=_lamps(tracker, router), text=_problem_text(tracker))
        step = opening_step(mood_of(tracker.latest_message))
        if step.next_action:
            # A person or the ticket first; the area is kept for the agent's summary.
            return [
                SlotSet("diagnosis", state.to_dict()),
                SlotSet("diagnosis_active", False),
                FollowupAction(step.next_action),
            ]
        if step.text_key:
            _say(dispatcher, step.text_key)
        return [SlotSet("diagnosis_misses", 0)] + _present(dispatcher, state, tracker)


class ActionDiagnosisAnswer(Action):
    def name(self) -> str:
        return "action_diagnosis_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None or engine().is_finished(state):
            return _lost(dispatcher)
        intent = _intent(tracker)
        confidence = ((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0
        # A clear wish for a person is never read as "nein" to the open question
        # ("nein, ich will einen Menschen sprechen"); a weak guess may be an answer
        # ("nein, ich kann auch niemanden anrufen").
        if intent == "request_human" and confidence >= HUMAN_CONFIDENCE:
            return [FollowupAction("action_handoff")]
        nxt, answered = _try_answer(tracker, state)
        if answered:
            return [SlotSet("diagnosis_misses", 0)] + _present(dispatcher, nxt, tracker)
        # Not an answer: then the message means what NLU says it means.
        if intent == "wait":
            dispatcher.utter_message(response="utter_wait")
            # The question stays open; repeating it now would rush the customer.
            return [SlotSet("diagnosis_active", True)]
        if intent == "request_human":
            return [FollowupAction("action_handoff")]
        if intent == "ticket_status":
            # "ja, der Techniker war gestern da" answered the question above; a real
            # question about the report gets its answer.
            return [FollowupAction("action_ticket_status")]
        if intent == "complaint":
            # Angry: first the apology, then a person is offered. The open
            # question comes back if the customer prefers to go on here.
            _say(dispatcher, "complaint")
            return offer_human(HandoffReason.COMPLAINT)
        if intent == "start_over":
            dispatcher.utter_message(response="utter_start_over")
            return _present(dispatcher, engine().start(state.area, router=state.router), tracker)
        if intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return _present(dispatcher, nxt, tracker)
        # Not understood. Counted per question, whatever NLU read (an unclear
        # "inform" loops as surely as nlu_fallback), and reset by any answer.
        misses = int(tracker.get_slot("diagnosis_misses") or 0)
        counted = [SlotSet("diagnosis_misses", misses + 1)]
        if misses >= 2:
            # Stuck at this question: a third miss in a row offers a person (no
            # answer buttons follow, so not the "tap an answer" text).
            _say(dispatcher, "stuck")
            return [SlotSet("diagnosis_misses", 0)] + offer_human(HandoffReason.MISUNDERSTOOD)
        if misses == 1:
            # The second miss: put it differently first (the step's explanation, then
            # the question alone), with a button for a person if the customer prefers.
            _say(dispatcher, "not_understood_again")
            explanation = engine().help_text(nxt)
            if explanation:
                dispatcher.utter_message(text=explanation)
            return counted + _present(dispatcher, nxt, tracker, again=True)
        _say(dispatcher, "not_understood")
        return counted + _present(dispatcher, nxt, tracker)


class ActionDiagnosisExplain(Action):
    """ "Wo ist das?" and "Warum fragen Sie das?" at the current step."""

    def name(self) -> str:
        return "action_diagnosis_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None:
            return _lost(dispatcher)
        # "nein, das steckt in der Dose an der Wand" reads like a where-question
        # to NLU but answers the open one: answers come first.
        nxt, answered = _try_answer(tracker, state)
        if answered:
            return _present(dispatcher, nxt, tracker)
        text = engine().why_text(state) if _intent(tracker) == "ask_why" else engine().help_text(state)
        if text:
            dispatcher.utter_message(text=text)
        else:
            _say(dispatcher, "no_explanation")
        return _present(dispatcher, state, tracker)


class ActionDiagnosisBack(Action):
    def name(self) -> str:
        return "action_diagnosis_back"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None:
            return _lost(dispatcher)
        back = engine().back(state)
        _say(dispatcher, "back" if back != state else "back_at_start")
        return _present(dispatcher, back, tracker)


class ActionDiagnosisRepeat(Action):
    """After small talk or a side question: back to the open question."""

    def name(self) -> str:
        return "action_diagnosis_repeat"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = _state(tracker)
        if state is None or engine().is_finished(state):
            return [SlotSet("diagnosis_active", False)]
        _say(dispatcher, "resume")
        return _present(dispatcher, state, tracker)
