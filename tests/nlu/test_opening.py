"""A yes needs a question (bot/nlu/opening.py)."""

from __future__ import annotations

from bot.nlu.opening import REREAD_KEY, expecting_answer, reread_opening


def _parsed(text: str, intent: str, ranking: list[tuple[str, float]]) -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": ranking[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
    }


YES_BUT_A_PROBLEM = _parsed(
    "ja das internet geht gar nich mehr", "affirm", [("affirm", 0.54), ("internet_down", 0.3), ("deny", 0.1)]
)


def test_a_yes_without_a_question_that_names_an_area_is_the_problem():
    result = reread_opening(YES_BUT_A_PROBLEM, expecting=False)
    assert result["intent"] == {"name": "internet_down", "confidence": 0.3}
    assert result[REREAD_KEY]["name"] == "affirm"


def test_with_a_question_open_the_yes_stays_a_yes():
    assert reread_opening(YES_BUT_A_PROBLEM, expecting=True)["intent"]["name"] == "affirm"


def test_an_answer_without_an_area_word_or_without_a_problem_runner_up_stays():
    plain_yes = _parsed("ja genau", "affirm", [("affirm", 0.9), ("internet_down", 0.3)])
    assert reread_opening(plain_yes, expecting=False)["intent"]["name"] == "affirm"
    weak = _parsed("ja das internet", "affirm", [("affirm", 0.9), ("internet_down", 0.05)])
    assert reread_opening(weak, expecting=False)["intent"]["name"] == "affirm"


def test_other_intents_are_never_reread():
    greeting = _parsed("hallo internet", "greet", [("greet", 0.6), ("internet_down", 0.3)])
    assert reread_opening(greeting, expecting=False) == greeting


def test_a_question_is_open_during_the_diagnosis_a_form_an_offer_or_with_answer_buttons():
    assert expecting_answer({"diagnosis_active": True}, None, [])
    assert expecting_answer({}, "identification_form", [])
    assert expecting_answer({"ticket_offer": True}, None, [])
    assert expecting_answer({}, None, ["/affirm", "/deny"])
    assert expecting_answer({}, None, ['/diagnosis_answer{"diagnosis_answer": "lit"}'])
    assert not expecting_answer({"diagnosis_active": False}, None, ["/internet_down", "/tv_problem"])  # the menu
