"""The mood dimension next to the problem area (bot/nlu/mood.py)."""

from __future__ import annotations

from bot.nlu.mood import MIN_CONFIDENCE, NO_MOOD, Mood, mood_label, mood_of, opening_step


def test_training_labels_come_from_the_intent_or_the_example_metadata():
    assert mood_label("complaint", None) == "complaint"
    assert mood_label("request_human", {"mood": "ticket"}) == "request_human"  # the intent wins
    assert mood_label("ticket_status", None) == "ticket"
    assert mood_label("internet_down", {"mood": "complaint"}) == "complaint"
    assert mood_label("internet_down", {"mood": "froh"}) == NO_MOOD  # unknown moods teach nothing
    assert mood_label("internet_down", None) == NO_MOOD


def test_the_mood_is_read_from_parse_data_and_survives_junk():
    assert mood_of({"mood": {"name": "complaint", "confidence": 0.8}}) == Mood("complaint", 0.8)
    assert mood_of({}) == Mood(NO_MOOD, 0.0)
    assert mood_of({"mood": {"name": "complaint", "confidence": "viel"}}) == Mood(NO_MOOD, 0.0)
    assert mood_of(None).acted_on == NO_MOOD


def test_only_a_confident_mood_is_acted_on():
    assert Mood("complaint", MIN_CONFIDENCE).acted_on == "complaint"
    assert Mood("complaint", MIN_CONFIDENCE - 0.01).acted_on == NO_MOOD


def test_the_first_step_for_each_mood():
    assert opening_step(Mood("complaint", 0.9)).text_key == "complaint_opening"
    assert opening_step(Mood("complaint", 0.9)).next_action is None  # empathy and the diagnosis
    assert opening_step(Mood("request_human", 0.9)).next_action == "action_handoff"
    assert opening_step(Mood("ticket", 0.9)).next_action == "action_ticket_status"
    assert opening_step(Mood(NO_MOOD, 1.0)) == opening_step(Mood("request_human", 0.3))
