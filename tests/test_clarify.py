"""Unit tests for bot.clarify: how the assistant answers a message it could not act on."""

from __future__ import annotations

import pytest

from bot.clarify import (
    MAX_SUGGESTIONS,
    MIN_SUGGESTION_CONFIDENCE,
    NLU_FALLBACK,
    Clarification,
    ClarificationKind,
    consecutive_misses,
    plan_clarification,
)
from bot.paths import PROJECT_ROOT
from bot.topics import PROMPT_KEYS, Topic, TopicCatalog, load_topics

UNCLEAR = "irgendwas stimmt mit dem ding nicht"


@pytest.fixture
def topics() -> TopicCatalog:
    return TopicCatalog(
        topics=(
            Topic("internet_down", "Internet geht gar nicht", True),
            Topic("internet_slow", "Internet ist langsam", True),
            Topic("wifi_problem", "WLAN-Problem", True),
            Topic("phone_down", "Telefon geht nicht", True),
            Topic("ticket_status", "Stand meiner Störungsmeldung", False),
        ),
        none_of_these_label="Nichts davon",
        prompts={key: key for key in PROMPT_KEYS},
    )


def plan(text=UNCLEAR, intent=NLU_FALLBACK, ranking=(), previous_misses=0, *, topics):
    return plan_clarification(
        text=text, intent=intent, intent_ranking=list(ranking), previous_misses=previous_misses, topics=topics
    )


def rank(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


# --- consecutive_misses


@pytest.mark.parametrize(
    ("intents", "misses"),
    [
        ([], 0),
        ([NLU_FALLBACK], 0),  # the latest message itself does not count
        (["greet", NLU_FALLBACK], 0),
        ([NLU_FALLBACK, NLU_FALLBACK], 1),
        (["greet", NLU_FALLBACK, NLU_FALLBACK], 1),
        ([NLU_FALLBACK, NLU_FALLBACK, NLU_FALLBACK], 2),
        ([NLU_FALLBACK, "internet_down", NLU_FALLBACK, NLU_FALLBACK], 1),  # only the run right before
        (["greet", NLU_FALLBACK, NLU_FALLBACK, "deny"], 2),
        ([NLU_FALLBACK, "internet_down"], 1),
        ([None, NLU_FALLBACK], 0),
        ([NLU_FALLBACK, None, NLU_FALLBACK], 0),
        ([None], 0),
    ],
)
def test_consecutive_misses(intents, misses):
    assert consecutive_misses(intents) == misses


def test_consecutive_misses_accepts_tuples_and_does_not_modify_input():
    intents = ["greet", NLU_FALLBACK, NLU_FALLBACK]
    assert consecutive_misses(tuple(intents)) == 1
    assert intents == ["greet", NLU_FALLBACK, NLU_FALLBACK]


# --- empty and non-German messages


@pytest.mark.parametrize("text", [None, "", "   ", "?", "...", "😡", "👍", "!!!", "\u200b"])
def test_empty_message(text, topics):
    result = plan(text, ranking=rank(("internet_down", 0.9)), previous_misses=3, topics=topics)
    assert result == Clarification(ClarificationKind.EMPTY)


@pytest.mark.parametrize(
    "text",
    [
        "my internet is not working",
        "Hi, I can't connect to the wifi",
        "Merhaba, internetim çalışmıyor",
        "Привет, у меня не работает интернет",
        "مرحبا، الإنترنت لا يعمل",
    ],
)
def test_non_german_message(text, topics):
    result = plan(text, ranking=rank(("internet_down", 0.9)), previous_misses=2, topics=topics)
    assert result == Clarification(ClarificationKind.LANGUAGE)


@pytest.mark.parametrize("text", ["my internet is not working", "Привет"])
def test_language_beats_understood_intent(text, topics):
    assert plan(text, intent="internet_down", topics=topics).kind is ClarificationKind.LANGUAGE


@pytest.mark.parametrize("text", ["4711 000 002", "50667", "0221 1234567", "7590"])
def test_numbers_only_are_not_empty(text, topics):
    # A bare number is content (digits count), and it has no language, so it is treated as German.
    result = plan(text, ranking=rank(("internet_down", 0.5)), topics=topics)
    assert result.kind is ClarificationKind.SUGGEST


@pytest.mark.parametrize("text", ["router reset", "login geht nicht, sorry", "ok", "das wlan ist down"])
def test_german_with_loanwords_is_not_a_language_problem(text, topics):
    assert plan(text, ranking=rank(("wifi_problem", 0.4)), topics=topics).kind is ClarificationKind.SUGGEST


# --- understood, but no fitting next step


@pytest.mark.parametrize("intent", ["internet_down", "greet", "affirm", "deny", "inform", "out_of_scope"])
def test_understood_intent_is_lost(intent, topics):
    result = plan("ja genau", intent=intent, ranking=rank((intent, 0.95)), previous_misses=0, topics=topics)
    assert result == Clarification(ClarificationKind.LOST)


def test_lost_does_not_depend_on_previous_misses(topics):
    assert plan("ja", intent="affirm", previous_misses=5, topics=topics).kind is ClarificationKind.LOST


@pytest.mark.parametrize("intent", [NLU_FALLBACK, None, ""])
def test_fallback_or_missing_intent_is_not_lost(intent, topics):
    assert plan(intent=intent, topics=topics).kind is ClarificationKind.REPHRASE


# --- second miss in a row


@pytest.mark.parametrize("previous_misses", [1, 2, 10])
def test_second_miss_shows_the_menu(previous_misses, topics):
    result = plan(ranking=rank(("internet_down", 0.9)), previous_misses=previous_misses, topics=topics)
    assert result == Clarification(ClarificationKind.AGAIN)


# --- suggestions


def test_suggestions_follow_the_ranking(topics):
    ranking = rank((NLU_FALLBACK, 0.7), ("wifi_problem", 0.2), ("internet_down", 0.1))
    assert plan(ranking=ranking, topics=topics) == Clarification(
        ClarificationKind.SUGGEST, ("wifi_problem", "internet_down")
    )


def test_at_most_three_suggestions(topics):
    ranking = rank(
        ("internet_down", 0.3),
        ("internet_slow", 0.25),
        ("wifi_problem", 0.2),
        ("phone_down", 0.15),
        ("ticket_status", 0.1),
    )
    result = plan(ranking=ranking, topics=topics)
    assert MAX_SUGGESTIONS == 3
    assert result.suggestions == ("internet_down", "internet_slow", "wifi_problem")


def test_intents_without_a_topic_are_skipped(topics):
    ranking = rank(("greet", 0.5), ("internet_slow", 0.2), ("affirm", 0.15), ("out_of_scope", 0.1))
    assert plan(ranking=ranking, topics=topics).suggestions == ("internet_slow",)


def test_topics_outside_the_menu_can_be_suggested(topics):
    assert plan(ranking=rank(("ticket_status", 0.4)), topics=topics).suggestions == ("ticket_status",)


def test_low_confidence_is_not_suggested(topics):
    ranking = rank(
        ("internet_down", MIN_SUGGESTION_CONFIDENCE), ("wifi_problem", MIN_SUGGESTION_CONFIDENCE - 0.001)
    )
    assert plan(ranking=ranking, topics=topics).suggestions == ("internet_down",)


def test_low_confidence_later_entries_are_skipped_but_do_not_stop_the_search(topics):
    ranking = rank(("internet_down", 0.5), ("wifi_problem", 0.01), ("phone_down", 0.09))
    assert plan(ranking=ranking, topics=topics).suggestions == ("internet_down", "phone_down")


@pytest.mark.parametrize(
    "ranking",
    [
        [],
        rank((NLU_FALLBACK, 1.0)),
        rank(("greet", 0.9), ("goodbye", 0.1)),
        rank(("internet_down", 0.05), ("wifi_problem", 0.01)),
        [{"name": "internet_down"}],  # no confidence
        [{"name": "internet_down", "confidence": None}],
        [{"confidence": 0.9}],  # no name
        [{"name": None, "confidence": 0.9}],
    ],
)
def test_no_usable_guess_asks_to_rephrase(ranking, topics):
    assert plan(ranking=ranking, topics=topics) == Clarification(ClarificationKind.REPHRASE)


def test_ranking_may_be_a_generator(topics):
    ranking = ({"name": n, "confidence": c} for n, c in [("wifi_problem", 0.3), ("internet_slow", 0.2)])
    result = plan_clarification(UNCLEAR, NLU_FALLBACK, ranking, 0, topics)
    assert result.suggestions == ("wifi_problem", "internet_slow")


def test_confidence_as_string_is_accepted(topics):
    assert plan(ranking=[{"name": "wifi_problem", "confidence": "0.4"}], topics=topics).suggestions == (
        "wifi_problem",
    )


def test_clarification_kinds_have_prompts():
    assert {kind.value for kind in ClarificationKind} <= set(PROMPT_KEYS)


def test_clarification_kind_is_a_string():
    assert ClarificationKind.SUGGEST == "suggest"
    assert Clarification(ClarificationKind.EMPTY).suggestions == ()


# --- with the real knowledge/topics.yml


def test_suggestions_with_real_topics():
    catalog = load_topics(PROJECT_ROOT / "knowledge" / "topics.yml")
    ranking = rank((NLU_FALLBACK, 0.6), ("internet_dropouts", 0.2), ("greet", 0.1), ("internet_slow", 0.09))
    result = plan("das internet ist irgendwie komisch", ranking=ranking, topics=catalog)
    assert result == Clarification(ClarificationKind.SUGGEST, ("internet_dropouts", "internet_slow"))
    for intent in result.suggestions:
        assert catalog.get(intent).label


def test_sanitizer_verdict_empty_wins_over_a_placeholder_text(topics):
    # NLU hands "leer" to the classifier for a message without words; the action
    # must still answer the empty message, not the placeholder.
    plan = plan_clarification("leer", "nlu_fallback", [], previous_misses=0, topics=topics, empty=True)
    assert plan.kind is ClarificationKind.EMPTY


# --- two competing problem areas (bot/nlu/routing.py)


def test_two_competing_areas_are_offered_as_a_choice_even_after_a_miss(topics):
    ranking = rank((NLU_FALLBACK, 1.0), ("wifi_problem", 0.4), ("internet_down", 0.35), ("phone_down", 0.1))
    for misses in (0, 1):
        result = plan_clarification(
            text=UNCLEAR, intent=NLU_FALLBACK, intent_ranking=ranking, previous_misses=misses, topics=topics,
            competing=("wifi_problem", "internet_down"),
        )
        assert result == Clarification(ClarificationKind.CHOOSE, ("wifi_problem", "internet_down"))


def test_a_competing_area_without_a_topic_falls_back_to_suggestions(topics):
    ranking = rank((NLU_FALLBACK, 1.0), ("tv_problem", 0.4), ("internet_down", 0.35))
    result = plan_clarification(
        text=UNCLEAR, intent=NLU_FALLBACK, intent_ranking=ranking, previous_misses=0, topics=topics,
        competing=("tv_problem", "internet_down"),  # tv_problem has no topic in this catalog
    )
    assert result == Clarification(ClarificationKind.SUGGEST, ("internet_down",))


def test_the_open_topic_choice_is_found_right_before_the_latest_message():
    from bot.clarify import open_choice

    buttons = [{"title": "Internet geht gar nicht", "payload": "/internet_down"}]
    choice = {"event": "bot", "text": "Worum geht es?", "data": {"buttons": buttons}}
    user = {"event": "user", "text": "4711000001 10115"}
    assert open_choice([choice, {"event": "action"}, user], ["Worum geht es?"]) == {
        "text": "Worum geht es?", "buttons": buttons,
    }
    other = {"event": "bot", "text": "Danke!", "data": {}}
    assert open_choice([choice, other, user], ["Worum geht es?"]) is None  # something came after it
    assert open_choice([choice, user, {"event": "bot", "text": "x"}, user], ["Worum geht es?"]) is None  # older


def test_a_fact_without_a_question_is_answered_honestly_about_what_is_kept():
    from bot.clarify import inform_note

    assert inform_note(["customer_number", "postal_code"], None) == "numbers_kept"
    assert inform_note(["phone_number"], None) == "phone_without_callback"
    assert inform_note(["phone_number"], "+491711234567") == "phone_with_callback"  # not changed: said so
    assert inform_note(["router_model"], None) is None
