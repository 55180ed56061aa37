"""The agent's first view of a handed-over chat: what was checked, who it is, the report."""

from bot.diagnosis.engine import DiagnosisEngine
from bot.diagnosis.model import LineVerdictRoute
from bot.handoff.summary import NO_DIAGNOSIS, agent_summary
from bot.identity import verified_record

ENGINE = DiagnosisEngine.load()


def test_the_diagnosis_the_identity_and_the_report_are_all_there():
    state = ENGINE.start("internet_down", text="Internet geht auf keinem Gerät")
    details = {"verdict": "line_fault", "text": "keine Verbindung", "measurements": {"sync": False}}
    state = ENGINE.line_result(state, LineVerdictRoute.FAULT, details)
    slots = {
        "customer_number": "4711000002",
        "postal_code": "50667",
        "identity_verified": verified_record("4711000002", "50667"),
        "ticket_number": "ST-7K4M9Q",
    }
    area, text, verdict = agent_summary(ENGINE, state, slots)
    assert area == "internet_down" and verdict == "line_fault"
    assert "Thema: Internet geht gar nicht" in text and "aus früherer Nachricht" in text
    assert "Kundennummer: 4711000002, PLZ: 50667 (geprüft)" in text
    assert "Störungsmeldung: ST-7K4M9Q" in text


def test_unchecked_numbers_are_marked_and_nothing_at_all_is_said_plainly():
    _, text, _ = agent_summary(ENGINE, None, {"customer_number": "4711000002"})
    assert "(nicht geprüft)" in text
    assert agent_summary(ENGINE, None, {}) == (None, NO_DIAGNOSIS, None)


def test_when_to_call_back_in_the_customers_words():
    from bot.handoff.summary import availability

    assert availability("ja 030 98765432, gern nach 17 uhr") == "nach 17 uhr"
    assert availability("0171 2345678, am besten vormittags") == "vormittags"
    assert availability("bitte zwischen 9 und 12 Uhr") == "zwischen 9 und 12 Uhr"
    assert availability("Guten Morgen, 0171 1234567") is None  # a greeting, not a time
    assert availability("0171 2345678") is None
