"""The mood dimension next to the problem area (bot/nlu/mood.py)."""

from __future__ import annotations

from bot.nlu.mood import (
    MIN_AREA_BEHIND_MOOD,
    MIN_CONFIDENCE,
    NO_MOOD,
    Mood,
    area_behind_mood,
    mood_label,
    mood_of,
    opening_step,
)


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


AREAS = frozenset({"internet_slow", "internet_down", "phone_down"})


def test_a_mood_on_top_with_a_named_problem_behind_it_is_that_problem_with_the_mood():
    intent = {"name": "complaint", "confidence": 0.62}
    ranking = [intent, {"name": "internet_slow", "confidence": 0.25}, {"name": "phone_down", "confidence": 0.05}]
    area, mood = area_behind_mood(intent, ranking, names_an_area=True, areas=AREAS)
    assert area == {"name": "internet_slow", "confidence": 0.87}
    assert mood == {"name": "complaint", "confidence": 0.62}
    ticket = {"name": "ticket_status", "confidence": 0.5}
    area, mood = area_behind_mood(ticket, [ticket, {"name": "phone_down", "confidence": 0.4}], True, AREAS)
    assert area["name"] == "phone_down" and mood["name"] == "ticket"


def test_a_mood_stays_a_mood_without_a_named_area_or_a_real_runner_up():
    intent = {"name": "complaint", "confidence": 0.7}
    ranking = [intent, {"name": "internet_slow", "confidence": 0.25}]
    assert area_behind_mood(intent, ranking, names_an_area=False, areas=AREAS) is None  # "Saftladen!"
    faint = [intent, {"name": "internet_slow", "confidence": MIN_AREA_BEHIND_MOOD - 0.01}]
    assert area_behind_mood(intent, faint, names_an_area=True, areas=AREAS) is None
    greet = {"name": "greet", "confidence": 0.7}
    assert area_behind_mood(greet, [greet, {"name": "internet_down", "confidence": 0.3}], True, AREAS) is None
