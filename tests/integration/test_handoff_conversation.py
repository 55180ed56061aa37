"""Human handoff over real HTTP: Rasa (REST channel and its token-protected API),
the action server, the agent console and a real SQLite database.

The browser side (customer widget and console pages) is in test_handoff_browser.py.
"""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.devstack import ConsoleSession
from bot.handoff.agents import AgentDirectory
from bot.handoff.models import HandoffStatus
from bot.handoff.queue import HandoffQueue
from bot.handoff.texts import daytime, load_handoff_texts
from bot.tickets.store import TicketStore

pytestmark = pytest.mark.integration
PASSWORD = "richtig-geheim-42"


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _everyone_offline(bot) -> None:
    engine = create_engine(bot.tickets_url, future=True)
    with engine.begin() as db:
        db.execute(text("UPDATE agents SET last_seen_at = NULL"))
    engine.dispose()


def _account(bot, username: str, name: str) -> None:
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    if directory.get(username) is None:
        directory.add(username, name, PASSWORD)


def _tracker(bot, sender: str) -> dict:
    response = requests.get(
        f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": bot.rasa_token}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def _slot(bot, sender: str, name: str):
    return _tracker(bot, sender)["slots"].get(name)


def _open_handoff(bot, sender: str):
    handoff = HandoffQueue(TicketStore(bot.tickets_url)).open_for(sender)
    assert handoff is not None, "the customer was not queued"
    return handoff


def _listed(agent: ConsoleSession, handoff_id: int) -> dict | None:
    return next((h for h in agent.get("/api/queue").json()["waiting"] if h["id"] == handoff_id), None)


def _wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_nobody_online_offers_a_callback_and_stores_it(bot):
    texts = load_handoff_texts()
    _everyone_offline(bot)
    sender = _sender("callback")
    bot.send(sender, "Mein Internet geht seit heute früh nicht mehr")
    reply = _text(bot.send(sender, "ich will mit einem menschen sprechen"))
    assert texts.nobody_online in reply and texts.callback_offer in reply
    assert texts.callback_ask in _text(bot.send(sender, "ja"))
    assert texts.callback_invalid in _text(bot.send(sender, "12"))  # not a phone number: asked again
    done = _text(bot.send(sender, "0170 1234567"))
    assert "0170" in done and "zurück" in done
    queue = HandoffQueue(TicketStore(bot.tickets_url))
    callback = [h for h in queue.listing((HandoffStatus.CALLBACK,)) if h.conversation_id == sender]
    assert len(callback) == 1 and callback[0].contact.replace(" ", "").endswith("1701234567")
    assert "Thema:" in callback[0].summary_text  # the diagnosis so far travels along
    assert not _tracker(bot, sender)["paused"]


def test_a_callback_asked_for_at_once_keeps_the_time_the_customer_wants(bot):
    texts = load_handoff_texts()
    _everyone_offline(bot)
    sender = _sender("callback-time")
    reply = _text(bot.send(sender, "ich will sofort mit einem menschen sprechen"))
    assert texts.callback_offer in reply
    bot.send(sender, "ja")
    done = _text(bot.send(sender, "0170 7654321, am besten nach 17 Uhr"))
    assert "nach 17 Uhr" in done and "Wir wissen dann schon" not in done  # nothing was discussed yet
    queue = HandoffQueue(TicketStore(bot.tickets_url))
    callback = [h for h in queue.listing((HandoffStatus.CALLBACK,)) if h.conversation_id == sender]
    assert len(callback) == 1 and "Erreichbar: nach 17 Uhr" in callback[0].summary_text


def test_agent_takes_over_talks_and_hands_back(bot):
    texts = load_handoff_texts()
    _account(bot, "anna", "Anna")
    agent = ConsoleSession(bot.console_url, "anna", PASSWORD)  # logged in: an agent is online
    sender = _sender("handoff")
    bot.send(sender, "Mein Internet geht seit heute früh nicht mehr")
    reply = _text(bot.send(sender, "Ich möchte bitte mit einem Mitarbeiter sprechen"))
    assert texts.queued in reply and "an der Reihe" in reply
    assert _tracker(bot, sender)["paused"] is True
    assert bot.send(sender, "hallo? ist da jemand?") == []  # the bot is quiet; the message is kept

    handoff = _open_handoff(bot, sender)
    listed = _wait_for(lambda: _listed(agent, handoff.id))
    assert listed["area"] not in ("–", "internet_down")  # the tree's title, not the key
    assert listed["reason"] and "Thema:" in listed["summary"]
    chat = agent.get(f"/api/chats/{handoff.id}").json()
    customer_lines = [line["text"] for line in chat["lines"] if line["who"] == "customer"]
    assert "hallo? ist da jemand?" in customer_lines  # the agent sees what was written while waiting
    handoff = listed

    assert agent.post(f"/api/chats/{handoff['id']}/claim").status_code == 200
    again = agent.post(f"/api/chats/{handoff['id']}/claim")
    assert again.status_code == 409 and "übernommen" in again.json()["error"]

    assert agent.post(f"/api/chats/{handoff['id']}/reply", {"text": "Ich sehe mir Ihre Leitung an."}).ok
    events = _tracker(bot, sender)["events"]
    agent_messages = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("sender_name")]
    assert [e["text"] for e in agent_messages][-1] == "Ich sehe mir Ihre Leitung an."
    assert agent_messages[-1]["metadata"]["sender_name"].startswith("Anna")
    assert texts.joined("Anna") in [e["text"] for e in agent_messages]

    assert agent.post(f"/api/chats/{handoff['id']}/handback").ok
    tracker = _tracker(bot, sender)
    assert tracker["paused"] is False
    offer = texts.handed_back_open.format(topic="Internet geht gar nicht")  # the diagnosis was left open
    assert offer in [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    goodbye = _text(bot.send(sender, "nein danke"))
    assert "Auf Wiedersehen" in goodbye  # the bot answers again

    audit = HandoffQueue(TicketStore(bot.tickets_url)).audit(handoff["id"])
    assert [action for _, _, action, _ in audit] == ["queued", "claimed", "message", "returned"]
    assert all(actor == "agent:anna" for _, actor, action, _ in audit if action != "queued")


def test_agent_closes_the_chat_and_opens_a_ticket(bot):
    texts = load_handoff_texts()
    _account(bot, "ben", "Ben")
    agent = ConsoleSession(bot.console_url, "ben", PASSWORD)
    sender = _sender("close")
    bot.send(sender, "Fritzbox DSL Lampe blinkt seit heute früh, Internet geht nicht")
    bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')
    bot.send(sender, "meine Kundennummer ist 4711000002, PLZ 50667")
    bot.send(sender, "ich will jetzt sofort einen menschen sprechen")
    queued = _open_handoff(bot, sender)
    handoff = _wait_for(lambda: _listed(agent, queued.id))
    assert "4711000002" in handoff["summary"]
    assert handoff["verdict"] == "Leitungsstörung"
    assert agent.post(f"/api/chats/{handoff['id']}/ticket", {"note": "x"}).status_code == 409  # not taken over yet
    assert agent.post(f"/api/chats/{handoff['id']}/claim").ok
    ticket = agent.post(f"/api/chats/{handoff['id']}/ticket", {"note": "Kundin bestätigt: seit 7 Uhr"})
    assert ticket.ok, ticket.text
    number = ticket.json()["number"]
    assert TicketStore(bot.tickets_url).get(number).customer_number == "4711000002"
    view = agent.get(f"/api/chats/{handoff['id']}")
    assert view.ok, view.text  # the chat view shows the ticket with its history
    assert view.json()["ticket"]["number"] == number
    # The last entries of its history, the agent's note among them (the shared demo
    # customer may already have had an open report from another test: then it was updated).
    history = view.json()["ticket"]["history"]
    assert history[-1]["note"] == "Kundin bestätigt: seit 7 Uhr" and history[-1]["actor"] == "agent:ben", history
    update = agent.post(f"/api/chats/{handoff['id']}/ticket", {"note": "Port neu gestartet", "status": "resolved"})
    assert update.ok and update.json() == {"number": number, "created": False}
    # (resolved: the shared demo customer has no open ticket left for the other tests)
    assert TicketStore(bot.tickets_url).get(number).status.value == "resolved"
    assert agent.post(f"/api/chats/{handoff['id']}/close").ok
    tracker = _tracker(bot, sender)
    assert daytime(texts.closed_by_agent) in [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    assert not tracker["paused"]
    assert agent.post(f"/api/chats/{handoff['id']}/reply", {"text": "noch da?"}).status_code == 409


def test_console_and_rasa_api_refuse_without_credentials(bot):
    _account(bot, "carla", "Carla")
    agent = ConsoleSession(bot.console_url, "carla", PASSWORD)
    assert agent.post("/api/chats/1/claim", csrf=False).status_code == 403  # no CSRF token
    assert requests.get(f"{bot.console_url}/api/queue", timeout=5).status_code == 401  # no session
    assert requests.get(f"{bot.console_url}/", timeout=5, allow_redirects=False).status_code == 302
    wrong = requests.Session()
    wrong.get(f"{bot.console_url}/login", timeout=5)
    refused = wrong.post(
        f"{bot.console_url}/login",
        data={"csrf": wrong.cookies.get("console_login_csrf"), "username": "carla", "password": "falsch"},
        timeout=5,
        allow_redirects=False,
    )
    assert refused.status_code == 401 and "stimmt nicht" in refused.text
    assert requests.get(f"{bot.rasa_url}/conversations/x/tracker", timeout=5).status_code == 401
    assert requests.get(
        f"{bot.rasa_url}/conversations/x/tracker", params={"token": "wrong"}, timeout=5
    ).status_code == 401


def test_complaint_during_the_diagnosis_offers_a_person_and_no_goes_back_to_the_question(bot):
    texts = load_handoff_texts()
    _account(bot, "dora", "Dora")
    ConsoleSession(bot.console_url, "dora", PASSWORD)  # someone is online
    sender = _sender("complaint")
    first = _text(bot.send(sender, "Mein Internet geht seit heute früh nicht mehr"))
    reply = _text(bot.send(sender, "Das ist eine Frechheit, schon die dritte Woche ohne Internet!"))
    assert "leid" in reply and texts.offer in reply
    assert _slot(bot, sender, "handoff_reason") == "complaint"
    declined = _text(bot.send(sender, "nein"))
    assert texts.declined in declined
    question = first.splitlines()[-1]
    assert question in declined  # the open question comes back
    assert HandoffQueue(TicketStore(bot.tickets_url)).open_for(sender) is None


def test_two_misunderstandings_in_a_row_offer_a_person_and_yes_queues(bot):
    texts = load_handoff_texts()
    _account(bot, "emil", "Emil")
    ConsoleSession(bot.console_url, "emil", PASSWORD)
    sender = _sender("lost")
    bot.send(sender, "hallo")
    assert texts.offer not in _text(bot.send(sender, "xkcd qwrtz"))
    second = _text(bot.send(sender, "blorp fnord"))
    assert texts.offer in second
    queued = _text(bot.send(sender, "ja"))
    assert texts.queued in queued
    handoff = _open_handoff(bot, sender)
    assert handoff.reason.value == "misunderstood"
    assert _tracker(bot, sender)["paused"] is True


def test_an_angry_customer_who_says_yes_is_queued_as_a_complaint(bot):
    _account(bot, "fritz", "Fritz")
    agent = ConsoleSession(bot.console_url, "fritz", PASSWORD)
    sender = _sender("angry")
    reply = _text(bot.send(sender, "Das ist doch eine Frechheit, nichts funktioniert bei euch!"))
    assert load_handoff_texts().offer in reply
    bot.send(sender, "ja")
    handoff = _open_handoff(bot, sender)
    assert handoff.reason.value == "complaint"
    assert _wait_for(lambda: _listed(agent, handoff.id))["reason"] == "Ist verärgert und möchte sich beschweren"


def test_a_waiting_customer_can_leave_the_queue_in_words(bot):
    texts = load_handoff_texts()
    _account(bot, "lena", "Lena")
    ConsoleSession(bot.console_url, "lena", PASSWORD)  # logged in: an agent is online
    sender = _sender("leave-words")
    bot.send(sender, "Mein Telefon geht nicht")
    assert texts.queued in _text(bot.send(sender, "Ich möchte bitte mit einem Mitarbeiter sprechen"))
    _open_handoff(bot, sender)
    bot.send(sender, "Ich will nicht mehr warten")  # typed, not the button
    _wait_for(lambda: not _tracker(bot, sender)["paused"], timeout=20)
    assert HandoffQueue(TicketStore(bot.tickets_url)).open_for(sender) is None
    said = [e.get("text") for e in _tracker(bot, sender)["events"] if e["event"] == "bot"]
    assert texts.left_queue in said, said[-3:]


def test_after_a_handback_the_same_problem_goes_on_where_it_stopped(bot):
    from bot.diagnosis.engine import DiagnosisEngine
    from bot.diagnosis.texts import load_texts

    texts = load_handoff_texts()
    _account(bot, "emma", "Emma")
    agent = ConsoleSession(bot.console_url, "emma", PASSWORD)
    sender = _sender("resume")
    first = DiagnosisEngine.load().tree("internet_down").nodes["other_devices"].text
    assert first[:40] in _text(bot.send(sender, "Mein Internet geht seit heute früh nicht mehr"))
    assert texts.queued in _text(bot.send(sender, "Ich möchte bitte mit einem Mitarbeiter sprechen"))
    handoff = _open_handoff(bot, sender)
    assert agent.post(f"/api/chats/{handoff.id}/claim").ok
    assert agent.post(f"/api/chats/{handoff.id}/handback").ok
    reply = _text(bot.send(sender, "das Internet geht immer noch nicht"))
    assert load_texts()["resume"] in reply and first[:40] in reply  # the open question, not a new start
    reply = _text(bot.send(sender, "nein, auf keinem Gerät"))
    assert "Kundennummer" in reply  # and the diagnosis goes on: the line first


def _queued_at_the_report_offer(bot, sender: str) -> None:
    from bot.tickets.texts import load_ticket_texts

    bot.send(sender, "Internet geht seit heute früh auf keinem Gerät mehr")
    assert load_ticket_texts().offer in _text(bot.send(sender, "meine Kundennummer ist 4711000002, PLZ 50667"))
    assert load_handoff_texts().queued in _text(bot.send(sender, "ich möchte lieber erst mit einem Menschen sprechen"))
    assert _slot(bot, sender, "report_pending") is True


def test_a_report_offered_before_the_handback_is_offered_again_and_yes_reports_it(bot):
    from bot.tickets.texts import load_ticket_texts

    texts = load_handoff_texts()
    _account(bot, "jonas", "Jonas")
    agent = ConsoleSession(bot.console_url, "jonas", PASSWORD)
    sender = _sender("report-again")
    _queued_at_the_report_offer(bot, sender)
    handoff = _open_handoff(bot, sender)
    assert agent.post(f"/api/chats/{handoff.id}/claim").ok
    assert agent.post(f"/api/chats/{handoff.id}/handback").ok
    said = [e.get("text") for e in _tracker(bot, sender)["events"] if e["event"] == "bot"]
    assert said[-2:] == [texts.report_still_open, load_ticket_texts().offer], said[-3:]
    assert _slot(bot, sender, "ticket_offer") is True
    assert "Handynummer" in _text(bot.send(sender, "ja"))  # the consent rules take the yes: the report goes on


def test_a_report_offered_before_leaving_the_queue_is_offered_again(bot):
    from bot.tickets.texts import load_ticket_texts

    texts = load_handoff_texts()
    _account(bot, "lina", "Lina")
    ConsoleSession(bot.console_url, "lina", PASSWORD)  # logged in: an agent is online
    sender = _sender("report-leave")
    _queued_at_the_report_offer(bot, sender)
    bot.send(sender, "ach nein, ich will doch nicht mehr warten")
    _wait_for(lambda: not _tracker(bot, sender)["paused"], timeout=20)
    said = [e.get("text") for e in _tracker(bot, sender)["events"] if e["event"] == "bot"]
    assert said[-2:] == [texts.report_still_open, load_ticket_texts().offer], said[-4:]
    reply = _text(bot.send(sender, "nein, jetzt nicht"))
    assert _slot(bot, sender, "ticket_offer") is False and load_ticket_texts().offer not in reply
