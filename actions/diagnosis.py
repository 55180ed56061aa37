"""Guided diagnosis actions: thin adapters over bot.diagnosis.DiagnosisEngine.

The engine state lives in the slot `diagnosis` (a dict); `diagnosis_active` tells
the dialogue rules whether a question of the tree is open.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.diagnosis_flow import (
    engine,
    lamp_facts,
    latest_intent,
    lost,
    message_entities,
    present,
    router_of,
    say,
    state_of,
)
from actions.common.followup import answer_followup
from actions.common.menus import show_topic_menu
from actions.common.offers import offer_human
from bot.diagnosis.engine import (
    DiagnosisState,
    Reply,
    check_cue,
    leading_yes_no,
    names_new_topic,
)
from bot.diagnosis.model import PROBLEM_AREAS
from bot.dialogue.context import diagnosed_this_session, problem_texts
from bot.dialogue.topic_switch import (
    MidDiagnosisMessage,
    SwitchDecision,
    decide,
    queues_other_problem,
    says_also_broken,
)
from bot.handoff.models import HandoffReason
from bot.nlu.mood import mood_of, opening_step

HUMAN_CONFIDENCE = 0.9
RANKED_INTENTS = 3
_FACT_ENTITIES = {"led", "led_state", "led_color", "router_model", "diagnosis_answer"}
_NUMBER_ENTITIES = {"customer_number", "postal_code", "phone_number"}
# Second guesses of NLU count only when they are real candidates; when NLU is
# unsure (nlu_fallback) none count ("xyz" must not become "ja").
MIN_RANKED_CONFIDENCE = 0.2


CANNOT_CONFIDENCE = 0.35
OTHER_PROBLEM = 0.2  # "ja, das Telefon geht auch nicht" to "Sollen wir dort weitermachen?"


def _confidence(message: dict, intent: str) -> float:
    ranking = message.get("intent_ranking") or []
    return next((r.get("confidence") or 0.0 for r in ranking if r.get("name") == intent), 0.0)


def _replies(tracker: Tracker) -> list[Reply]:
    """The latest message as replies, one per plausible intent, best first."""
    message = tracker.latest_message or {}
    entities = message_entities(tracker)
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
    router = router_of(tracker, include_slot=False)
    lamps = lamp_facts(tracker, router or state.router)
    if router or lamps:
        learned = eng.learn(state, router=router, lamps=lamps)
        if (learned.node, learned.router) != (state.node, state.router):
            return learned, True  # what they said answered the open question
        state = learned
    for reply in _replies(tracker):
        nxt = eng.answer(state, reply)
        if nxt is not None:
            return nxt, True
    # Not an answer, but what it says is kept for the questions to come.
    return eng.remember(state, (tracker.latest_message or {}).get("text") or ""), False


def _wrong_topic(dispatcher: CollectingDispatcher) -> List[Dict]:
    """Not the customer's problem after all: sorry, and what is it then?"""
    say(dispatcher, "wrong_topic")
    show_topic_menu(dispatcher)
    # The menu is the question now: no "anything else?" rule may follow.
    return [SlotSet("diagnosis_active", False), SlotSet("diagnosis_misses", 0), FollowupAction("action_listen")]


class ActionDiagnosisStart(Action):
    def name(self) -> str:
        return "action_diagnosis_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        area = intent.get("name")
        if area not in PROBLEM_AREAS:
            return lost(dispatcher)
        current = state_of(tracker)
        if current is not None and tracker.get_slot("diagnosis_active") and not engine().is_finished(current):
            text = (tracker.latest_message or {}).get("text") or ""
            if engine().rejects_topic(current, text):
                return _wrong_topic(dispatcher)
            restated = engine().problem_restated(current) if area == current.area else None
            # "es hat geklingelt" names the phone again, but answers the check.
            if (
                restated is not None
                and leading_yes_no(text) is None
                and check_cue(text) is None
                and engine().by_words(current, Reply(text=text)) is None
            ):
                return present(dispatcher, restated, tracker)
            nxt, answered = _try_answer(tracker, current)
            message = MidDiagnosisMessage(
                same_area=area == current.area,
                answered=answered,
                facts=bool(set(message_entities(tracker)) & _FACT_ENTITIES),
                yes_no=leading_yes_no(text) is not None,
                confidence=float(intent.get("confidence") or 0),
                new_topic_words=names_new_topic(text),
                words=len(text.split()),
            )
            decision = decide(message)
            queued: List[Dict] = []
            if queues_other_problem(message, decision, says_also_broken(text)):
                say(dispatcher, "topic_queued")
                queued = [SlotSet("pending_topic", area)]
            if decision is SwitchDecision.ANSWER:
                return queued + present(dispatcher, nxt, tracker)
            if decision is SwitchDecision.STAY:
                if not queued:
                    say(dispatcher, "not_understood")
                return queued + present(dispatcher, current, tracker)
        # A fresh topic: whatever was queued is taken up now or was offered already.
        fresh: List[Dict] = [SlotSet("pending_topic", None)] if tracker.get_slot("pending_topic") else []
        # What an earlier diagnosis of this session learnt is not asked again (a second
        # topic, or the one that ran before a person took over).
        earlier = current if current is not None and diagnosed_this_session(tracker.events) else None
        if earlier is not None and earlier.area == area and not engine().is_finished(earlier):
            # The same problem again, unfinished ("das Internet geht immer noch nicht"
            # after a person had the chat): on from where it stopped, not from the start.
            say(dispatcher, "resume")
            resumed = engine().remember(earlier, (tracker.latest_message or {}).get("text") or "")
            return fresh + [SlotSet("diagnosis_misses", 0)] + present(dispatcher, resumed, tracker)
        router = router_of(tracker, include_slot=True)
        lamps = lamp_facts(tracker, router)
        state = engine().start(area, router=router, lamps=lamps, text=problem_texts(tracker.events), earlier=earlier)
        step = opening_step(mood_of(tracker.latest_message))
        if step.next_action:
            # A person or the ticket first; the area is kept for the agent's summary.
            return fresh + [
                SlotSet("diagnosis", state.to_dict()),
                SlotSet("diagnosis_active", False),
                FollowupAction(step.next_action),
            ]
        if step.text_key:
            say(dispatcher, step.text_key)
        return fresh + [SlotSet("diagnosis_misses", 0)] + present(dispatcher, state, tracker)


class ActionDiagnosisResume(Action):
    """ "Ja, weitermachen" after a handback: the open question of the diagnosis again."""

    def name(self) -> str:
        return "action_diagnosis_resume"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = state_of(tracker)
        if state is None or engine().is_finished(state):
            show_topic_menu(dispatcher)
            return [FollowupAction("action_listen")]
        other = _other_problem(tracker, state.area)
        if other is not None:
            # "ja, das Telefon geht auch nicht": that one now, from what is known.
            text = (tracker.latest_message or {}).get("text") or ""
            router = router_of(tracker, include_slot=True)
            lamps = lamp_facts(tracker, router)
            started = engine().start(other, router=router, lamps=lamps, text=text, earlier=state)
            return [SlotSet("diagnosis_misses", 0)] + present(dispatcher, started, tracker)
        say(dispatcher, "resume")
        return [SlotSet("diagnosis_misses", 0)] + present(dispatcher, state, tracker)


def _other_problem(tracker: Tracker, area: str) -> str | None:
    """Another problem area the yes came with, if NLU saw one clearly enough."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return next(
        (
            r["name"]
            for r in ranking
            if r.get("name") in PROBLEM_AREAS and r["name"] != area and (r.get("confidence") or 0) >= OTHER_PROBLEM
        ),
        None,
    )


class ActionDiagnosisAnswer(Action):
    def name(self) -> str:
        return "action_diagnosis_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = state_of(tracker)
        if state is None or engine().is_finished(state):
            return lost(dispatcher)
        intent = latest_intent(tracker)
        confidence = ((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0
        # A clear wish for a person is never read as "nein" to the open question
        # ("nein, ich will einen Menschen sprechen"); a weak guess may be an answer
        # ("nein, ich kann auch niemanden anrufen").
        if intent == "request_human" and confidence >= HUMAN_CONFIDENCE:
            return [FollowupAction("action_handoff")]
        if engine().rejects_topic(state, (tracker.latest_message or {}).get("text") or ""):
            return _wrong_topic(dispatcher)
        nxt, answered = _try_answer(tracker, state)
        if answered:
            return [SlotSet("diagnosis_misses", 0)] + present(dispatcher, nxt, tracker)
        # Not an answer: then the message means what NLU says it means.
        if intent == "wait":
            dispatcher.utter_message(response="utter_wait")
            # The question stays open; repeating it now would rush the customer.
            return [SlotSet("diagnosis_active", True)]
        if intent == "request_human":
            return [FollowupAction("action_handoff")]
        if intent == "outcome_question":
            # "wie lange dauert das?" while a question is open: answered, then the question again.
            answer_followup(dispatcher, tracker)
            say(dispatcher, "resume")
            return present(dispatcher, nxt, tracker)
        if set(message_entities(tracker)) & _NUMBER_ENTITIES:
            # A customer number typed while the question asked something else: Rasa
            # has put it into its slot; it is used when the line check comes.
            say(dispatcher, "numbers_noted")
            return present(dispatcher, nxt, tracker)
        if intent == "ticket_status":
            # "ja, der Techniker war gestern da" answered the question above; a real
            # question about the report gets its answer.
            return [FollowupAction("action_ticket_status")]
        if intent == "complaint":
            # Angry: first the apology, then a person is offered. The open
            # question comes back if the customer prefers to go on here.
            say(dispatcher, "complaint")
            return offer_human(HandoffReason.COMPLAINT)
        if intent == "start_over":
            dispatcher.utter_message(response="utter_start_over")
            return present(dispatcher, engine().start(state.area, router=state.router), tracker)
        if intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return present(dispatcher, nxt, tracker)
        # Not understood. Counted per question, whatever NLU read (an unclear
        # "inform" loops as surely as nlu_fallback), and reset by any answer.
        misses = int(tracker.get_slot("diagnosis_misses") or 0)
        counted = [SlotSet("diagnosis_misses", misses + 1)]
        if misses >= 2:
            # Stuck at this question: a third miss in a row offers a person (no
            # answer buttons follow, so not the "tap an answer" text).
            say(dispatcher, "stuck")
            return [SlotSet("diagnosis_misses", 0)] + offer_human(HandoffReason.MISUNDERSTOOD)
        if misses == 1:
            # The second miss: put it differently first (the step's explanation, then
            # the question alone), with a button for a person if the customer prefers.
            say(dispatcher, "not_understood_again")
            explanation = engine().help_text(nxt)
            if explanation:
                dispatcher.utter_message(text=explanation)
            return counted + present(dispatcher, nxt, tracker, again=True)
        say(dispatcher, "not_understood")
        return counted + present(dispatcher, nxt, tracker)


class ActionDiagnosisExplain(Action):
    """ "Wo ist das?" and "Warum fragen Sie das?" at the current step."""

    def name(self) -> str:
        return "action_diagnosis_explain"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = state_of(tracker)
        if state is None:
            return lost(dispatcher)
        # "nein, das steckt in der Dose an der Wand" reads like a where-question
        # to NLU but answers the open one: answers come first.
        nxt, answered = _try_answer(tracker, state)
        if answered:
            return present(dispatcher, nxt, tracker)
        text = engine().why_text(state) if latest_intent(tracker) == "ask_why" else engine().help_text(state)
        if text:
            dispatcher.utter_message(text=text)
        else:
            say(dispatcher, "no_explanation")
        return present(dispatcher, state, tracker)


class ActionDiagnosisBack(Action):
    def name(self) -> str:
        return "action_diagnosis_back"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = state_of(tracker)
        if state is None:
            return lost(dispatcher)
        back = engine().back(state)
        say(dispatcher, "back" if back != state else "back_at_start")
        return present(dispatcher, back, tracker)


class ActionDiagnosisRepeat(Action):
    """After small talk or a side question: back to the open question."""

    def name(self) -> str:
        return "action_diagnosis_repeat"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        state = state_of(tracker)
        if state is None or engine().is_finished(state):
            return [SlotSet("diagnosis_active", False)]
        say(dispatcher, "resume")
        return present(dispatcher, state, tracker)
