"""Ticket actions against real stores: a dead PostgreSQL port and a real SQLite file."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.tickets as tickets
from actions.tickets import ActionTicketCreate
from bot.tickets.parsing import looks_like_ticket_number, parse_contact, ticket_number_in
from bot.tickets.spool import TicketSpool
from bot.tickets.store import TicketStore, migrate

STATE = {
    "area": "internet_down",
    "node": "ticket_line",
    "steps": [
        {"node": "other_devices", "kind": "question", "prompt": "Geht es woanders?", "answer": "none_works",
         "answer_label": "Nein"},
        {"node": "line_check", "kind": "line_check", "prompt": "Ich prüfe.", "answer": "fault",
         "answer_label": "Keine Verbindung", "details": {"verdict": "line_fault", "measurements": {
             "line_id": "L-50667-0002", "sync_state": "down"}}},
    ],
}
SLOTS = {
    "diagnosis": STATE,
    "customer_number": "4711000002",
    "postal_code": "50667",
    "ticket_offer": True,
    "contact_asked": True,
    "contact": "+491701234567",
    # validate_identification_form wrote this after the line backend confirmed the pair
    "identity_verified": {"customer_number": "4711000002", "postal_code": "50667"},
}


def _run(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTicketCreate().run(dispatcher, tracker, {}))
    return events, " ".join(m.get("text") or "" for m in dispatcher.messages)


def _tracker(sender="conv-1"):
    return Tracker(sender, dict(SLOTS), {"text": "ja"}, [], False, None, {}, "action_listen")


def test_database_down_means_no_number_and_a_spooled_report(tmp_path, monkeypatch):
    monkeypatch.setenv("TICKET_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setattr(tickets, "_STORE", TicketStore("postgresql://postgres@127.0.0.1:1/nothing"))
    events, text = _run(_tracker())
    assert "nicht speichern" in text and "ST-" not in text
    assert not any(e.get("name") == "ticket_number" for e in events)
    [spooled] = TicketSpool(tmp_path / "spool").pending()
    assert spooled.verdict == "line_fault" and spooled.line_data["sync_state"] == "down"

    # The database is back: the spool writes it, and the same conversation then
    # gets the very same ticket, not a second one.
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    migrate(url)
    monkeypatch.setattr(tickets, "_STORE", TicketStore(url))
    assert TicketSpool(tmp_path / "spool").flush(tickets._STORE) == 1
    events, text = _run(_tracker())
    assert ticket_number_in(text) and len(tickets._STORE.for_customer("4711000002")) == 1


def test_ticket_numbers_in_customer_text():
    assert ticket_number_in("nummer st-7k4m9q bitte") == "ST-7K4M9Q"
    assert ticket_number_in("ST 7K4 M9Q") == "ST-7K4M9Q"
    assert ticket_number_in("keine nummer") is None


def test_a_line_fault_asks_once_how_to_reach_the_customer(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    migrate(url)
    monkeypatch.setattr(tickets, "_STORE", TicketStore(url))
    slots = {**SLOTS, "contact_asked": None, "contact": None}
    tracker = Tracker("conv-2", slots, {"text": "ja"}, [], False, None, {}, "action_listen")
    events, text = _run(tracker)
    assert {"event": "slot", "name": "identify_for", "value": "contact", "timestamp": None} in events
    assert text == ""  # the contact form asks
    tracker = Tracker("conv-2", {**slots, "contact_asked": True, "contact": "+491701234567"}, {"text": "0170"},
                      [], False, None, {}, "action_listen")
    events, text = _run(tracker)
    [ticket] = tickets._STORE.for_customer("4711000002")
    assert ticket.contact == {"phone": "+491701234567"}


def test_contacts_in_customer_text():
    assert parse_contact("meine handynummer ist 0170 1234567") == {"phone": "+491701234567"}
    assert parse_contact("schreiben sie an oma.erna@beispiel.de") == {"email": "oma.erna@beispiel.de"}
    assert parse_contact("abc@") is None and parse_contact("12") is None


def test_a_mistyped_ticket_number_is_explained_not_guessed():
    from actions.tickets import ActionTicketStatus

    tracker = Tracker("conv-3", {"identify_for": "status"}, {"text": "ST-ABC"}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    assert "beginnt mit ST und hat danach sechs Zeichen" in dispatcher.messages[0]["text"]


def test_words_starting_with_st_are_no_ticket_numbers():

    assert looks_like_ticket_number("ST-ABC") and looks_like_ticket_number("st 7k")
    assert not looks_like_ticket_number("Wie ist der Stand? Status bitte, Störung")


def _store(tmp_path, monkeypatch) -> TicketStore:
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    migrate(url)
    monkeypatch.setattr(tickets, "_STORE", TicketStore(url))
    return tickets._STORE


def test_numbers_nobody_checked_file_nothing(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    # Number and postal code only said, never confirmed by the backend: ask for them first.
    slots = {**SLOTS, "identity_verified": None}
    events, text = _run(Tracker("conv-4", slots, {"text": "ja"}, [], False, None, {}, "action_listen"))
    assert {"event": "slot", "name": "identify_for", "value": "ticket", "timestamp": None} in events
    # A customer number typed after the check ('/affirm{"customer_number": ...}' or plain text)
    # is not the checked one: nothing is filed under it.
    slots = {**SLOTS, "customer_number": "4711000006"}
    events, text = _run(Tracker("conv-5", slots, {"text": "ja"}, [], False, None, {}, "action_listen"))
    assert "ST-" not in text and store.for_customer("4711000006") == [] and store.for_customer("4711000002") == []


def test_a_pair_the_backend_could_not_check_is_not_filed_and_a_person_is_offered(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    slots = {**SLOTS, "identity_verified": None, "identification_status": "unchecked"}
    events, text = _run(Tracker("conv-6", slots, {"text": "ja"}, [], False, None, {}, "action_listen"))
    assert "nicht prüfen" in text and store.for_customer("4711000002") == []
    assert {"event": "followup", "name": "action_offer_human", "timestamp": None} in events


def _status(tracker) -> tuple[list, str]:
    from actions.tickets import ActionTicketStatus

    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    return events, " ".join(m.get("text") or "" for m in dispatcher.messages)


def test_a_ticket_number_alone_shows_the_status_but_nothing_personal(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from bot.tickets.models import TicketStatus

    store = _store(tmp_path, monkeypatch)
    _run(_tracker("conv-7"))
    [ticket] = store.for_customer("4711000002")
    store.change_status(
        ticket.number, TicketStatus.TECHNICIAN_SCHEDULED, "agent:anna",
        appointment=datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc),
    )
    stranger = Tracker("conv-8", {}, {"text": f"was ist mit {ticket.number}"}, [], False, None, {}, "action_listen")
    events, text = _status(stranger)
    assert ticket.number in text and "Techniker" in text
    assert "03.12" not in text and "3.12" not in text and "Dezember" not in text and "Donnerstag" not in text
    # ... and the appointment is offered after identification, once.
    assert {"event": "slot", "name": "identify_for", "value": "status", "timestamp": None} in events
    # The verified owner gets the whole status, with the appointment.
    owner = Tracker("conv-7", dict(SLOTS), {"text": f"was ist mit {ticket.number}"}, [], False, None, {},
                    "action_listen")
    _, text = _status(owner)
    assert "3.12" in text or "03.12" in text
    # Another verified customer asking by this number: still nothing personal.
    other = {**SLOTS, "customer_number": "4711000001", "postal_code": "10115",
             "identity_verified": {"customer_number": "4711000001", "postal_code": "10115"}}
    _, text = _status(Tracker("conv-9", other, {"text": ticket.number}, [], False, None, {}, "action_listen"))
    assert "3.12" not in text and "03.12" not in text


def test_status_by_customer_number_needs_a_checked_pair(tmp_path, monkeypatch):
    store = _store(tmp_path, monkeypatch)
    _run(_tracker("conv-10"))
    assert store.for_customer("4711000002")
    # "Kundennummer 4711000002, PLZ 12345": numbers said, not checked -> the form asks.
    slots = {"customer_number": "4711000002", "postal_code": "12345"}
    events, text = _status(Tracker("conv-11", slots, {"text": "Was ist aus meiner Störungsmeldung geworden?"},
                                   [], False, None, {}, "action_listen"))
    assert "ST-" not in text
    assert {"event": "slot", "name": "identify_for", "value": "status", "timestamp": None} in events
