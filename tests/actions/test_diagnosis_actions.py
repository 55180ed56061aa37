"""Diagnosis actions on Tracker fixtures: events and messages (no servers)."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.diagnosis import ActionDiagnosisAnswer, ActionDiagnosisStart


def _tracker(slots, intent, text="", entities=(), ranking=()):
    message = {
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": list(ranking) or [{"name": intent, "confidence": 0.9}],
        "entities": list(entities),
        "text": text,
    }
    return Tracker("test", slots, message, [], False, None, {}, "action_listen")


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return events, dispatcher.messages


def _slot(events, name):
    return next(e["value"] for e in events if e.get("name") == name)


def test_start_asks_the_first_question_with_answer_buttons():
    events, messages = _run(ActionDiagnosisStart(), _tracker({}, "internet_down", "internet geht nicht"))
    assert _slot(events, "diagnosis_active") is True
    assert _slot(events, "diagnosis")["node"] == "other_devices"
    assert messages[-1]["buttons"][0]["payload"] == '/inform{"diagnosis_answer": "other_works"}'


def test_lamp_and_router_from_the_first_message_are_used():
    entities = [
        {"entity": "router_model", "value": "Fritzbox"},
        {"entity": "led", "value": "DSL"},
        {"entity": "led_state", "value": "blinkt"},
    ]
    events, _ = _run(ActionDiagnosisStart(), _tracker({}, "internet_down", "Fritzbox DSL Lampe blinkt", entities))
    state = _slot(events, "diagnosis")
    assert state["router"] == "fritzbox"
    assert state["lamps"][0]["led"] == "dsl" and list(state["lamps"][0]["states"]) == ["blinkt"]


def test_leading_nein_answers_even_when_nlu_reads_a_problem():
    slots = {"diagnosis": {"area": "internet_down", "node": "other_devices", "steps": []}, "diagnosis_active": True}
    tracker = _tracker(slots, "internet_down", "Nein, kein einziges Gerät kommt ins Internet.")
    events, _ = _run(ActionDiagnosisStart(), tracker)
    assert _slot(events, "diagnosis")["steps"][0]["answer"] == "none_works"


def test_a_stale_node_after_a_content_change_does_not_break_the_chat():
    slots = {"diagnosis": {"area": "internet_down", "node": "removed_node", "steps": []}, "diagnosis_active": True}
    events, messages = _run(ActionDiagnosisAnswer(), _tracker(slots, "affirm", "ja"))
    assert _slot(events, "diagnosis_active") is False
    assert "durcheinandergekommen" in messages[0]["text"]


def test_yes_no_answer_mentioning_another_topic_does_not_switch():
    slots = {"diagnosis": {"area": "internet_down", "node": "other_devices", "steps": []}, "diagnosis_active": True}
    tracker = _tracker(slots, "wifi_problem", "ja, am handy im wlan geht alles")
    events, _ = _run(ActionDiagnosisStart(), tracker)
    state = _slot(events, "diagnosis")
    assert state["area"] == "internet_down" and state["steps"][0]["answer"] == "other_works"


def test_a_new_problem_without_yes_or_no_switches_the_topic():
    slots = {"diagnosis": {"area": "internet_down", "node": "other_devices", "steps": []}, "diagnosis_active": True}
    events, _ = _run(ActionDiagnosisStart(), _tracker(slots, "phone_down", "ach und das telefon geht auch nicht"))
    assert _slot(events, "diagnosis")["area"] == "phone_down"


def test_an_unsure_nlu_guess_never_counts_as_yes():
    slots = {"diagnosis": {"area": "internet_down", "node": "other_devices", "steps": []}, "diagnosis_active": True}
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "affirm", "confidence": 0.28}]
    events, messages = _run(ActionDiagnosisAnswer(), _tracker(slots, "nlu_fallback", "xyz", ranking=ranking))
    assert list(_slot(events, "diagnosis")["steps"]) == []
    assert "nicht ganz verstanden" in messages[0]["text"]
