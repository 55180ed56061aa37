"""Line check actions on Tracker fixtures (no servers; the conversations with the
real servers and the simulator are in tests/integration/test_line_check_conversation.py)."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.linecheck import ActionAskCustomerNumber, _raw_digits


def _tracker(events, text=""):
    return Tracker("t", {}, {"text": text}, events, False, None, {}, "action_listen")


def _messages(action, tracker):
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker, {})
    return dispatcher.messages


def test_after_a_failed_try_the_form_does_not_ask_twice():
    retry = [{"event": "user", "text": "4711"}, {"event": "slot", "name": "identification_attempts", "value": 1}]
    assert _messages(ActionAskCustomerNumber(), _tracker(retry)) == []
    first = [{"event": "user", "text": "nein"}]
    assert "Kundennummer" in _messages(ActionAskCustomerNumber(), _tracker(first))[0]["text"]


def test_digits_that_are_no_valid_number_count_as_a_try():
    assert _raw_digits(_tracker([], "4711 00")) == "471100"
    assert _raw_digits(_tracker([], "4711000001")) is None  # a valid number goes through the entity
    assert _raw_digits(_tracker([], "ich weiß nicht")) is None
    assert _raw_digits(_tracker([], '/inform{"diagnosis_answer": "x1234"}')) is None
