"""Fault reports in real conversations: Rasa, action server, simulator, SQLite store.

The demo customer with a line fault gets a ticket number after consent; a new
conversation finds out what became of it, including a change made with the CLI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest

from bot.paths import PROJECT_ROOT
from bot.tickets.store import TicketStore

pytestmark = pytest.mark.integration
NUMBER = re.compile(r"ST-[2-9A-HJKMNP-Z]{6}")


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender() -> str:
    return f"ticket-{uuid.uuid4().hex[:10]}"


def _line_fault_conversation(bot, sender: str) -> str:
    """Internet down, line fault found: returns the bot's last reply (the offer)."""
    bot.send(sender, "Fritzbox DSL Lampe blinkt seit heute früh, Internet geht nicht")
    bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')
    return _text(bot.send(sender, "meine Kundennummer ist 4711000002, PLZ 50667"))


def _consent(bot, sender: str) -> str:
    """ "ja", then a mobile number for the technician (the landline is down)."""
    asked = _text(bot.send(sender, "ja bitte"))
    assert "Handynummer" in asked
    return _text(bot.send(sender, "meine Handynummer ist 0170 1234567"))


def _cli(bot, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot.tickets", *args],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": bot.tickets_url},
        capture_output=True, text=True, timeout=60, check=True,
    )
    return result.stdout


def test_line_fault_to_ticket_then_status_in_a_new_conversation(bot):
    sender = _sender()
    offer = _line_fault_conversation(bot, sender)
    assert "Soll ich die Störungsmeldung jetzt für Sie aufgeben?" in offer
    created = _consent(bot, sender)
    number = NUMBER.search(created).group()
    assert "innerhalb von 24 Stunden" in created and "nicht zu Hause sein" in created

    store = TicketStore(bot.tickets_url)
    ticket = store.get(number)
    assert ticket.customer_number == "4711000002" and ticket.verdict == "line_fault"
    assert ticket.line_data["sync_state"] == "down" and ticket.line_data["line_id"] == "L-50667-0002"
    assert "Leitungsprüfung: fault" in ticket.summary_text and "Messwerte:" in ticket.summary_text
    assert ticket.contact == {"phone": "+491701234567"}
    store.close()

    # Later, in a new conversation, with the number.
    later = _sender()
    assert "eingegangen" in _text(bot.send(later, f"Was ist aus meiner Störungsmeldung {number} geworden?"))
    assert number in _cli(bot, "list")
    _cli(bot, "status", number, "technician_scheduled", "--appointment", "2026-11-23 08:00", "--note", "Termin")
    # With the ticket number alone: the status, but not when someone is at home.
    asking = _sender()
    scheduled = _text(bot.send(asking, f"wann kommt der techniker? nummer {number.lower()}"))
    assert "Termin mit einem Techniker" in scheduled and "23.11." not in scheduled and "Kundennummer" in scheduled
    # With customer number and postal code, checked together: the appointment.
    assert "Postleitzahl" in _text(bot.send(asking, "4711 000 002"))
    scheduled = _text(bot.send(asking, "50667"))
    assert "kommt ein Techniker" in scheduled and "23.11. um 8:00 Uhr" in scheduled
    assert "technician_scheduled" in _cli(bot, "show", number)


def test_asking_again_adds_to_the_open_ticket(bot):
    first = _sender()
    _line_fault_conversation(bot, first)
    number = NUMBER.search(_consent(bot, first)).group()
    second = _sender()
    _line_fault_conversation(bot, second)
    again = _consent(bot, second)
    assert "schon gemeldet" in again and number in again


def test_no_consent_no_ticket(bot):
    sender = _sender()
    _line_fault_conversation(bot, sender)
    assert "ich melde nichts" in _text(bot.send(sender, "nein danke"))
    assert bot.slot(sender, "ticket_number") is None


def test_status_after_identification_shows_only_own_tickets(bot):
    sender = _sender()
    asked = _text(bot.send(sender, "was ist aus meiner störungsmeldung geworden?"))
    assert "Nummer Ihrer Störungsmeldung" in asked
    reply = _text(bot.send(sender, "4711000001 10115"))  # the healthy customer has none
    assert "finde ich keine Störungsmeldung" in reply and "ST-" not in reply


def test_unknown_ticket_number_gets_a_clear_answer(bot):
    reply = _text(bot.send(_sender(), "Wie ist der Stand von Störungsmeldung ST-ZZZZZZ?"))
    assert "finde ich leider keine Störungsmeldung" in reply


def test_an_unreadable_contact_is_asked_again_and_no_is_fine(bot):
    sender = _sender()
    _line_fault_conversation(bot, sender)
    bot.send(sender, "ja")
    assert "nicht als Telefonnummer oder E-Mail-Adresse lesen" in _text(bot.send(sender, "12"))
    created = _text(bot.send(sender, "nein, lieber nicht"))
    assert NUMBER.search(created)


def test_a_garbled_ticket_number_while_asked_for_it(bot):
    sender = _sender()
    bot.send(sender, "was ist aus meiner störungsmeldung geworden?")
    reply = _text(bot.send(sender, "ST-ABC"))
    assert "beginnt mit ST und hat danach sechs Zeichen" in reply and "Mein Internet geht nicht" not in reply


@pytest.mark.parametrize("answer", ["ST-CW82B4", "Das ist die Nummer der Störungsmeldung: ST-CW82B4"])
def test_a_report_number_with_digits_and_letters_in_a_second_message(bot, answer):
    # Asked for the number first, then given it: read as a report number, never as a
    # customer number with letters in it (a blind tester got stuck here).
    sender = _sender()
    bot.send(sender, "Was ist aus meiner Störungsmeldung geworden?")
    reply = _text(bot.send(sender, answer))
    assert "finde ich leider keine Störungsmeldung" in reply, reply
    assert "Kundennummer stehen nur Ziffern" not in reply
