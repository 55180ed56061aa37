"""Line check in real conversations: Rasa server, action server, simulator over HTTP.

Every demo customer of README gets the right verdict and the right next step;
identification accepts common formats and gives up politely after three tries;
a slow, failing or broken backend never stops the diagnosis.
"""

from __future__ import annotations

import time
import uuid

import pytest

pytestmark = pytest.mark.integration


def _answer(answer_id: str) -> str:
    return f'/inform{{"diagnosis_answer": "{answer_id}"}}'


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender() -> str:
    return f"line-{uuid.uuid4().hex[:10]}"


# Messages that bring each tree to its first line check, by buttons.
TO_LINE_CHECK = {
    "internet_down": ["Fritzbox DSL Lampe blinkt seit heute früh, Internet geht nicht", _answer("none_works")],
    "internet_slow": ["Mein Internet ist total langsam", _answer("everywhere")],
    "internet_dropouts": ["Die Verbindung bricht ständig ab", _answer("everywhere")],
    "phone_down": [
        "Mich kann niemand mehr auf dem Festnetz anrufen",
        _answer("works"),
        _answer("only_incoming_fails"),
        _answer("not_fixed"),
    ],
}


def _to_line_check(bot, area: str) -> tuple[str, list[dict]]:
    sender = _sender()
    messages: list[dict] = []
    for message in TO_LINE_CHECK[area]:
        messages = bot.send(sender, message)
    assert "Kundennummer" in _text(messages), _text(messages)
    assert bot.slot(sender, "line_check_pending") is True
    return sender, messages


def _line_step(bot, sender: str) -> dict:
    steps = bot.slot(sender, "diagnosis")["steps"]
    return next(s for s in steps if s["kind"] == "line_check")


@pytest.mark.parametrize(
    ("area", "number", "postal_code", "says", "verdict", "outcome"),
    [
        ("internet_down", "4711000001", "10115", "alles in Ordnung", "line_ok", None),
        ("internet_down", "4711000002", "50667", "keine Verbindung zu unserem Netz", "line_fault", "ticket"),
        ("internet_down", "4711000003", "80331", "voraussichtlich bis", "area_outage", "info"),
        ("internet_dropouts", "4711000004", "20095", "nicht stabil", "line_unstable", "ticket"),
        ("internet_slow", "4711000005", "01067", "Gebucht haben Sie 100 Mbit/s", "line_slow", "ticket"),
        ("phone_down", "4711000006", "60311", "nicht bei unserem Telefonnetz angemeldet", "telephony_fault", "ticket"),
    ],
)
def test_every_demo_customer_gets_the_right_verdict_and_next_step(
    bot, area, number, postal_code, says, verdict, outcome
):
    sender, _ = _to_line_check(bot, area)
    reply = _text(bot.send(sender, f"meine Kundennummer ist {number}, PLZ {postal_code}"))
    assert says in reply
    step = _line_step(bot, sender)
    assert step["details"]["verdict"] == verdict
    assert step["details"]["measurements"]["line_id"].startswith("L-")  # raw data for tickets and agents
    finished = bot.slot(sender, "diagnosis_active") is False
    assert finished == (outcome is not None)
    if outcome == "info":  # outage: what is known, no home checks, no ticket
        assert "Störungsmeldung" not in reply
    if outcome is None:  # line fine: the home checks go on with the next question
        assert "?" in reply.split("keine Störung.")[-1]


def test_number_and_postal_code_in_two_messages_and_common_formats(bot):
    sender, _ = _to_line_check(bot, "internet_down")
    assert "Postleitzahl" in _text(bot.send(sender, "4711-000-002"))
    assert "keine Verbindung" in _text(bot.send(sender, "PLZ 50667"))


def test_wrong_inputs_get_a_friendly_answer_and_three_tries(bot):
    sender, _ = _to_line_check(bot, "internet_down")
    assert "genau 10 Ziffern" in _text(bot.send(sender, "4711 00"))
    bot.send(sender, "4711000001")
    mismatch = _text(bot.send(sender, "50667"))  # a real postal code, but not this customer's
    assert "passen leider nicht zusammen" in mismatch
    assert "Ordnung" not in mismatch and "Verbindung zu unserem Netz" not in mismatch  # no line data
    gave_up = _text(bot.send(sender, "123"))
    assert "Kundenservice am Telefon" in gave_up  # a person is offered after the third try
    assert bot.slot(sender, "identification_status") == "failed"
    assert bot.slot(sender, "diagnosis_active") is True  # and the diagnosis goes on at home


def test_no_customer_number_at_hand_the_diagnosis_goes_on(bot):
    sender, _ = _to_line_check(bot, "internet_slow")
    reply = _text(bot.send(sender, "die hab ich gerade nicht zur hand"))
    assert "Ohne Kundennummer" in reply
    assert bot.slot(sender, "diagnosis_active") is True
    assert _line_step(bot, sender)["answer"] == "unavailable"


def test_why_during_identification_is_answered_and_the_question_repeated(bot):
    sender, _ = _to_line_check(bot, "internet_down")
    reply = _text(bot.send(sender, "wozu brauchen sie das?"))
    assert "damit niemand anderes die Daten Ihres Anschlusses sehen kann" in reply and "Kundennummer" in reply


def test_identification_given_early_is_never_asked_again(bot):
    sender = _sender()
    bot.send(sender, "Internet geht nicht. Kundennummer 4711000002, PLZ 50667")
    bot.send(sender, "Fritzbox")
    reply = _text(bot.send(sender, _answer("none_works")))
    if "Lampe" in reply:  # the lamp question comes before the line check on this path
        reply = _text(bot.send(sender, "die blinkt"))
    assert "Kundennummer" not in reply.split("Leitung geprüft")[0]
    assert "keine Verbindung zu unserem Netz" in reply


def test_a_second_problem_reuses_the_line_check(bot):
    sender, _ = _to_line_check(bot, "internet_slow")
    bot.send(sender, "4711000001 10115")
    reply = _text(bot.send(sender, "ach und die Verbindung bricht auch ständig ab"))
    # The dropouts tree checks the line next and takes the result it has. Whether it
    # asks "on every device?" depends on what the slow-internet diagnosis had already
    # been told (questions it answered are not asked again).
    if "Von unserer Seite aus ist alles in Ordnung" not in reply:
        reply += _text(bot.send(sender, _answer("everywhere")))
    assert "Kundennummer" not in reply
    assert "Von unserer Seite aus ist alles in Ordnung" in reply


@pytest.mark.parametrize("mode", ["error", "unavailable", "malformed", "wrong_schema", "slow"])
def test_backend_trouble_is_said_honestly_and_the_diagnosis_goes_on(bot, mode):
    sender, _ = _to_line_check(bot, "internet_down")
    bot.line_backend(mode, delay_seconds=6)
    try:
        started = time.monotonic()
        reply = _text(bot.send(sender, "4711000002 50667"))
        elapsed = time.monotonic() - started
    finally:
        bot.line_backend("normal")
        time.sleep(2.2)  # the action server's circuit breaker closes again (devstack: 2 s)
    assert "gerade leider nicht prüfen" in reply
    assert bot.slot(sender, "diagnosis_active") is True
    assert elapsed < 10  # never hangs; the slow backend costs one read timeout per call


def test_with_the_simulator_stopped_the_bot_still_helps(bot):
    sender, _ = _to_line_check(bot, "internet_down")
    bot.stop_line_backend()
    try:
        started = time.monotonic()
        reply = _text(bot.send(sender, "4711000002 50667"))
        elapsed = time.monotonic() - started
        assert "gerade leider nicht prüfen" in reply
        assert bot.slot(sender, "diagnosis_active") is True  # the home checks go on
        assert elapsed < 5
        other, _ = _to_line_check(bot, "internet_slow")
        started = time.monotonic()
        assert "gerade leider nicht prüfen" in _text(bot.send(other, "4711000005 01067"))
        assert time.monotonic() - started < 2  # circuit open: no waiting again
    finally:
        bot.start_line_backend()
        time.sleep(2.2)  # the circuit breaker tries again (devstack: 2 s)
    again, _ = _to_line_check(bot, "internet_down")
    assert "keine Verbindung zu unserem Netz" in _text(bot.send(again, "4711000002 50667"))


def test_customer_numbers_are_masked_in_all_logs(bot):
    sender, _ = _to_line_check(bot, "internet_down")
    bot.send(sender, "4711000002 50667")
    logs = bot.rasa_log.read_text() + bot.action_log.read_text()
    assert "4711000002" not in logs


def test_outage_question_with_postal_code_tells_what_is_known(bot):
    reply = _text(bot.send(_sender(), "Gibt es bei euch gerade eine Störung in 80331?"))
    assert "bekannte Störung" in reply and "Internet, Telefon und Fernsehen" in reply
    assert "voraussichtlich bis" in reply


def test_outage_question_asks_for_the_postal_code(bot):
    sender = _sender()
    assert "Postleitzahl" in _text(bot.send(sender, "ist bei euch gerade was kaputt?"))
    assert "keine Störung bekannt" in _text(bot.send(sender, "10115"))
