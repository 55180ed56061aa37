"""Ticket actions against real stores: a dead PostgreSQL port and a real SQLite file."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.tickets as tickets
from actions.tickets import ActionTicketCreate, ticket_number_in
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
    assert tickets.parse_contact("meine handynummer ist 0170 1234567") == {"phone": "+491701234567"}
    assert tickets.parse_contact("schreiben sie an oma.erna@beispiel.de") == {"email": "oma.erna@beispiel.de"}
    assert tickets.parse_contact("abc@") is None and tickets.parse_contact("12") is None


def test_a_mistyped_ticket_number_is_explained_not_guessed():
    from actions.tickets import ActionTicketStatus

    tracker = Tracker("conv-3", {"identify_for": "status"}, {"text": "ST-ABC"}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    assert "beginnt mit ST und hat danach sechs Zeichen" in dispatcher.messages[0]["text"]


def test_words_starting_with_st_are_no_ticket_numbers():
    from actions.tickets import _TICKET_LIKE

    assert _TICKET_LIKE.search("ST-ABC") and _TICKET_LIKE.search("st 7k")
    assert not _TICKET_LIKE.search("Wie ist der Stand? Status bitte, Störung")
