"""Questions around an outcome in real conversations (issue 13, class 5): Rasa,
action server, simulator and ticket store. After a fault report, a callback or an
outage the customer's question is answered in place; no new diagnosis starts, no
topic menu, no second report."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.integration
NUMBER = re.compile(r"ST-[2-9A-HJKMNP-Z]{6}")
DERAILED = ("Kundennummer", "Wobei kann ich Ihnen helfen", "durcheinandergekommen", "nicht ganz verstanden",
            "Geht das Internet an einem anderen Gerät")


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender(kind: str) -> str:
    return f"followup-{kind}-{uuid.uuid4().hex[:8]}"


def _on_track(reply: str) -> str:
    assert not any(phrase in reply for phrase in DERAILED), reply
    return reply


def _ticket(bot, sender: str) -> str:
    # The slow demo line: test_tickets_conversation keeps the line fault's ticket to itself.
    bot.send(sender, "Das Internet ist auf allen Geräten langsam, auch am PC mit Kabel")
    offer = _text(bot.send(sender, "meine Kundennummer ist 4711000005, PLZ 01067"))
    assert "Soll ich die Störungsmeldung jetzt für Sie aufgeben?" in offer
    created = _text(bot.send(sender, "ja bitte"))
    return NUMBER.search(created).group()


def test_questions_after_a_fault_report_are_answered_from_it(bot):
    sender = _sender("ticket")
    number = _ticket(bot, sender)
    how_long = _on_track(_text(bot.send(sender, "und wie lange dauert das jetzt ungefähr?")))
    assert number in how_long and "24 Stunden" in how_long
    assert "nicht zu Hause sein" in _on_track(_text(bot.send(sender, "muss ich dafür zu hause sein?")))
    assert "Handy" in _on_track(_text(bot.send(sender, "was kann ich bis dahin machen?")))
    assert "kostet Sie nichts" in _on_track(_text(bot.send(sender, "kostet mich das was?")))
    assert "nicht angemeldet" in _on_track(_text(bot.send(sender, "ist der rückruf jetzt angemeldet?")))
    assert bot.slot(sender, "ticket_number") == number  # still the one report
    # the same problem told again: the line result is reused, and no second report is offered
    again = _text(bot.send(sender, "das internet ist immer noch langsam, auch am pc mit kabel"))
    assert "schon für Sie gemeldet" in again and number in again, again
    assert "Soll ich die Störungsmeldung jetzt für Sie aufgeben?" not in again
    assert "schön" in _on_track(_text(bot.send(sender, "ach, jetzt geht es ja wieder!")))
    other = _on_track(_text(bot.send(sender, "Muss ich das im Thunderbird auch ändern?")))
    assert "keine sichere Antwort" in other


def test_a_question_while_the_report_is_offered_keeps_the_offer_open(bot):
    sender = _sender("offer")
    bot.send(sender, "Internet geht seit heute früh auf keinem Gerät mehr")
    bot.send(sender, "meine Kundennummer ist 4711000002, PLZ 50667")
    reply = _on_track(_text(bot.send(sender, "wie lange dauert denn so eine reparatur?")))
    assert "24 Stunden" in reply and "Soll ich die Störungsmeldung jetzt für Sie aufgeben?" in reply
    assert bot.slot(sender, "ticket_offer") is True
    assert "Handynummer" in _text(bot.send(sender, "ja"))  # consent still works


def test_after_an_outage_what_to_do_meanwhile(bot):
    sender = _sender("outage")
    bot.send(sender, "kein internet, auf keinem gerät")
    explained = _text(bot.send(sender, "4711000003 80331"))
    assert "Störung" in explained
    meanwhile = _on_track(_text(bot.send(sender, "und was mach ich solange ohne internet?")))
    assert "eingeschaltet" in meanwhile and "Handy" in meanwhile
    assert "nicht zu Hause sein" in _on_track(_text(bot.send(sender, "muss ich zu hause sein?")))


def test_a_booked_callback_is_confirmed_with_the_end_of_its_number(bot):
    engine = create_engine(bot.tickets_url, future=True)
    with engine.begin() as db:
        db.execute(text("UPDATE agents SET last_seen_at = NULL"))  # nobody online: callback
    engine.dispose()
    sender = _sender("callback")
    bot.send(sender, "Mein Internet ist so langsam")
    assert "zurückrufen" in _text(bot.send(sender, "ich will mit einem menschen sprechen"))
    # the number right away, without a "ja" first, books the callback
    assert "Wir rufen Sie unter 01707654321 zurück" in _text(bot.send(sender, "0170 7654321, aber nur nachmittags"))
    booked = _on_track(_text(bot.send(sender, "ist der rückruf jetzt angemeldet?")))
    assert "angemeldet" in booked and "321" in booked and "nicht angemeldet" not in booked
    when = _on_track(_text(bot.send(sender, "und wann ungefähr ruft ihr an?")))
    assert "Mo–Fr" in when


def test_a_number_given_with_the_consent_is_the_technicians_contact_and_is_confirmed(bot):
    sender = _sender("contact")
    bot.send(sender, "Mein Festnetz-Telefon ist tot, kein Freizeichen. Das Internet geht aber.")
    bot.send(sender, "nein")  # cannot call out either
    bot.send(sender, "4711000006 60311")
    offer = _text(bot.send(sender, "nein, am router hat sich nichts geändert"))
    assert "Soll ich die Störungsmeldung jetzt für Sie aufgeben?" in offer
    created = _text(bot.send(sender, "Ja bitte melden, anrufen können Sie mich nur aufm Handy: 0171 4455821"))
    number = NUMBER.search(created).group()
    confirmed = _on_track(_text(bot.send(sender, "Haben Sie meine Handynummer jetzt notiert?")))
    assert "821" in confirmed and number in confirmed


def test_no_callback_said_in_words_is_a_no(bot):
    engine = create_engine(bot.tickets_url, future=True)
    with engine.begin() as db:
        db.execute(text("UPDATE agents SET last_seen_at = NULL"))
    engine.dispose()
    sender = _sender("nocallback")
    bot.send(sender, "Mein Internet ist so langsam")
    assert "zurückrufen" in _text(bot.send(sender, "ich will mit einem menschen sprechen"))
    declined = _text(bot.send(sender, "nee warte, kein rückruf, ich probier es erst selbst"))
    assert "Telefonnummer" not in declined
    assert bot.slot(sender, "callback_booked") is None


def test_after_a_fix_at_home_two_questions_in_one_message_get_two_answers(bot):
    sender = _sender("solved")
    for message in ("Internet geht nicht mehr", "nein auf keinem gerät", "4711000001 10115", "FRITZ!Box", "ja"):
        bot.send(sender, message)
    assert "freut mich" in _text(bot.send(sender, "es geht wieder! alles gut"))
    reply = _on_track(_text(bot.send(sender, "woran lag das denn? und was mach ich, wenn das wieder passiert?")))
    assert "Ganz sicher kann ich das" in reply and "Passiert es noch einmal" in reply
    assert "halbem Weg" in _on_track(_text(bot.send(sender, "und wo stelle ich einen repeater am besten hin?")))
