"""Two problem areas compete: ask (bot/nlu/routing.py)."""

from __future__ import annotations

from bot.nlu.routing import MAX_TOP, RATIO, competing_areas


def rank(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_two_close_problem_areas_compete():
    assert competing_areas(rank(("wifi_problem", 0.45), ("internet_down", 0.35), ("deny", 0.1))) == (
        "wifi_problem", "internet_down",
    )


def test_the_fallback_entry_is_ignored():
    ranking = rank(("nlu_fallback", 1.0), ("tv_problem", 0.3), ("internet_down", 0.25))
    assert competing_areas(ranking) == ("tv_problem", "internet_down")


def test_a_clear_winner_a_distant_second_or_a_non_area_does_not_compete():
    assert competing_areas(rank(("wifi_problem", MAX_TOP), ("internet_down", 0.3))) is None
    assert competing_areas(rank(("wifi_problem", 0.5), ("internet_down", 0.5 * RATIO - 0.01))) is None
    assert competing_areas(rank(("wifi_problem", 0.4), ("complaint", 0.39))) is None
    assert competing_areas(rank(("greet", 0.4), ("internet_down", 0.39))) is None
    assert competing_areas(rank(("internet_down", 0.4))) is None


def test_the_internet_named_as_gone_in_a_clause_without_mail_or_tv_words():
    from bot.nlu.routing import internet_down_named

    internet, down, mail = {"internet"}, {"down"}, {"email"}
    mails_fail = (["mails", "gehen", "nicht"], [mail, set(), set()])
    assert internet_down_named([mails_fail, (["internet", "weg"], [internet, down])])
    assert not internet_down_named([(["internet", "nicht", "weg"], [internet, set(), down])])  # negated
    assert not internet_down_named([(["mail", "internet", "weg"], [mail, internet, down])])  # same clause as mail
    assert not internet_down_named([(["keine", "verbindung"], [down, internet | down])])  # no word of its own
