"""Diagnosis actions on Tracker fixtures: events and messages (no servers)."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.diagnosis import ActionDiagnosisAnswer, ActionDiagnosisStart


def _tracker(slots, intent, text="", entities=(), ranking=(), confidence=0.9):
    message = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": list(ranking) or [{"name": intent, "confidence": confidence}],
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


OPEN = {"diagnosis": {"area": "internet_down", "node": "other_devices", "steps": []}, "diagnosis_active": True}


def test_a_yes_read_as_wait_still_answers():
    tracker = _tracker(OPEN, "wait", "ja, direkt neben dem handy geht es", confidence=0.5)
    events, _ = _run(ActionDiagnosisAnswer(), tracker)
    assert _slot(events, "diagnosis")["steps"][0]["answer"] == "other_works"


def test_wait_keeps_the_question_open_without_repeating_it():
    events, messages = _run(ActionDiagnosisAnswer(), _tracker(OPEN, "wait", "moment, ich schau mal"))
    assert [m.get("response") for m in messages] == ["utter_wait"]
    assert _slot(events, "diagnosis_active") is True


def test_a_clear_wish_for_a_person_is_never_taken_as_no():
    tracker = _tracker(OPEN, "request_human", "nein, ich will einen menschen sprechen", confidence=0.95)
    events, messages = _run(ActionDiagnosisAnswer(), tracker)
    assert messages == []  # action_handoff speaks next
    assert events == [{"event": "followup", "timestamp": None, "name": "action_handoff"}]


def test_a_complaint_during_the_diagnosis_offers_a_person_and_keeps_the_question():
    tracker = _tracker(OPEN, "complaint", "das ist doch eine frechheit")
    events, messages = _run(ActionDiagnosisAnswer(), tracker)
    assert "leid" in messages[0]["text"]
    assert _slot(events, "handoff_reason") == "complaint"
    assert events[-1]["name"] == "action_offer_human"
    assert not [e for e in events if e.get("name") == "diagnosis"]  # the open question stays as it was


def test_a_weak_guess_of_request_human_with_a_leading_no_is_an_answer():
    tracker = _tracker(OPEN, "request_human", "nein, ich kann auch niemanden erreichen", confidence=0.6)
    events, _ = _run(ActionDiagnosisAnswer(), tracker)
    assert _slot(events, "diagnosis")["steps"][0]["answer"] == "none_works"


def test_the_same_problem_again_after_an_instruction_means_not_fixed():
    slots = {"diagnosis": {"area": "internet_slow", "node": "restart", "steps": [], "router": "generic"},
             "diagnosis_active": True}
    ranking = [{"name": "internet_slow", "confidence": 0.57}, {"name": "affirm", "confidence": 0.11}]
    tracker = _tracker(slots, "internet_slow", "neu gestartet, immer noch genauso langsam", ranking=ranking)
    events, _ = _run(ActionDiagnosisStart(), tracker)
    assert _slot(events, "diagnosis")["steps"][-1]["answer"] == "not_fixed"


def test_a_story_that_answers_does_not_switch_the_topic():
    slots = {"diagnosis": {"area": "tv_problem", "node": "receiver_cable", "steps": [], "router": "generic"},
             "diagnosis_active": True}
    text = "das kabel hing nur halb drin, hab es reingedrückt und jetzt läuft das internet fernsehen wieder"
    events, _ = _run(ActionDiagnosisStart(), _tracker(slots, "internet_slow", text, confidence=0.85))
    state = _slot(events, "diagnosis")
    assert state["area"] == "tv_problem" and state["steps"][-1]["answer"] == "fixed"


def test_a_weak_guess_at_another_problem_keeps_the_diagnosis():
    events, messages = _run(ActionDiagnosisStart(), _tracker(OPEN, "tv_problem", "da ist so ein bild", confidence=0.5))
    assert _slot(events, "diagnosis")["area"] == "internet_down"


def test_no_i_cannot_stays_cannot_but_yes_wins_over_a_doubtful_guess():
    slots = {"diagnosis": {"area": "phone_down", "node": "plug_into_router", "steps": []}, "diagnosis_active": True}
    ranking = [{"name": "dont_know", "confidence": 0.7}, {"name": "deny", "confidence": 0.2}]
    tracker = _tracker(slots, "dont_know", "nein, das schaffe ich nicht, ich komm da nicht dran", ranking=ranking)
    events, _ = _run(ActionDiagnosisAnswer(), tracker)
    assert _slot(events, "diagnosis")["steps"][-1]["answer"] == "could_not"
    slots["diagnosis"]["node"] = "router_changed"
    text = "ja, zurückgesetzt, weil ich das passwort nicht mehr wusste"
    tracker = _tracker(slots, "dont_know", text, ranking=ranking)
    events, _ = _run(ActionDiagnosisAnswer(), tracker)
    assert _slot(events, "diagnosis")["steps"][-1]["answer"] == "changed"



def test_no_with_cannot_close_behind_is_cannot_check():
    slots = {"diagnosis": {"area": "phone_down", "node": "plug_into_router", "steps": []}, "diagnosis_active": True}
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "deny", "confidence": 0.5},
        {"name": "dont_know", "confidence": 0.49},
    ]
    text = "nein, das schaffe ich nicht, ich komm da nicht dran"
    events, _ = _run(ActionDiagnosisAnswer(), _tracker(slots, "nlu_fallback", text, ranking=ranking))
    assert _slot(events, "diagnosis")["steps"][0]["answer"] == "could_not"
    # NLU just sure enough of "no" (deny 0.53, dont_know 0.46): still "can't"
    ranking = [{"name": "deny", "confidence": 0.53}, {"name": "dont_know", "confidence": 0.46}]
    events, _ = _run(ActionDiagnosisAnswer(), _tracker(slots, "deny", text, ranking=ranking))
    assert _slot(events, "diagnosis")["steps"][0]["answer"] == "could_not"
    # a clear "no" with a faint "don't know" stays "no"
    ranking = [{"name": "deny", "confidence": 0.8}, {"name": "dont_know", "confidence": 0.15}]
    events, _ = _run(ActionDiagnosisAnswer(), _tracker(slots, "deny", "nein, immer noch nicht", ranking=ranking))
    assert _slot(events, "diagnosis")["steps"][0]["answer"] != "could_not"


def _misses(slots, count, text="blorp fnord"):
    """A tracker whose latest message is the (count+1)-th not-understood one in a row."""
    return _tracker({**slots, "diagnosis_misses": float(count)}, "nlu_fallback", text, confidence=0.2)


AT_INSTRUCTION = {"diagnosis": {"area": "internet_down", "node": "cables_check", "steps": [], "router_asked": True},
                  "diagnosis_active": True}


def test_misunderstood_once_twice_three_times_at_an_instruction():
    _, first = _run(ActionDiagnosisAnswer(), _misses(AT_INSTRUCTION, 0))
    assert "nicht ganz verstanden" in first[0]["text"] and "Bitte prüfen Sie" in first[-1]["text"]
    # The second miss: said differently: the step's explanation, the check question alone,
    # and a button for a person; nobody is queued yet.
    events, second = _run(ActionDiagnosisAnswer(), _misses(AT_INSTRUCTION, 1))
    assert "wieder nicht verstanden" in second[0]["text"] and "Telefondose" in second[1]["text"]
    assert second[-1]["text"].startswith("Leuchtet die Lampe") and "Bitte prüfen Sie" not in second[-1]["text"]
    assert second[-1]["buttons"][-1] == {"title": "Lieber mit einem Menschen schreiben", "payload": "/request_human"}
    assert not any(e.get("name") == "handoff_reason" for e in events)
    # The third: stuck here, a person is offered.
    events, _ = _run(ActionDiagnosisAnswer(), _misses(AT_INSTRUCTION, 2))
    assert _slot(events, "handoff_reason") == "misunderstood"


def test_unclear_answers_count_whatever_nlu_read_and_an_answer_resets_the_count():
    stuck = {**AT_INSTRUCTION, "diagnosis_misses": 1.0}
    events, messages = _run(ActionDiagnosisAnswer(), _tracker(stuck, "inform", "das lan kabel steckt am kästchen"))
    assert "wieder nicht verstanden" in messages[0]["text"] and _slot(events, "diagnosis_misses") == 2
    events, _ = _run(ActionDiagnosisAnswer(), _tracker({**stuck, "diagnosis_misses": 2.0}, "inform", "am kästchen"))
    assert _slot(events, "handoff_reason") == "misunderstood"
    events, _ = _run(ActionDiagnosisAnswer(), _tracker(stuck, "affirm", "ja, jetzt geht es wieder"))
    assert _slot(events, "diagnosis_misses") == 0
