"""The bypasses found from outside, each tried against the real servers.

- Identification: customer number and postal code said in a message (or forged
  as intent syntax) show or file nothing; only a pair the line backend
  confirmed in this conversation counts (bot/identity.py).
- Intent syntax typed by a customer sets no intent, entity or slot, and
  "/restart" restarts nothing (bot/buttons.py, bot/rasa_ext/processor.py).
- The action server answers only with the shared secret, listens only on
  127.0.0.1, and never echoes a request (bot/action_server.py).
- Guessing postal codes: limited per customer number across conversations
  (bot/identity_guard.py).
- The web chat: a socket that knows a conversation's id cannot join it.
- The console login: an attacker cannot lock the agent's own browser out.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from bot.devstack import ConsoleSession
from bot.handoff.agents import AgentDirectory
from bot.identity_guard import MAX_FAILED_CHECKS, number_hash
from bot.rasa_api import RasaClient
from bot.tickets.models import TicketStatus
from bot.tickets.store import TicketStore

pytestmark = pytest.mark.integration
TICKET = re.compile(r"ST-[A-Z0-9]{6}")


def _sender(prefix: str = "sec") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _tracker(bot, sender: str) -> dict:
    return requests.get(
        f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": bot.rasa_token}, timeout=10
    ).json()


def _line_fault_to_offer(bot, sender: str) -> str:
    """A verified line-fault conversation up to the report offer (4711000002 / 50667)."""
    bot.send(sender, "Mein Internet geht nicht")
    bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')  # the offered button
    replies = _text(bot.send(sender, "FRITZ!Box"))
    replies += _text(bot.send(sender, "die DSL Lampe blinkt"))
    replies += _text(bot.send(sender, "4711 000 002"))
    replies += _text(bot.send(sender, "50667"))
    assert "Soll ich die Störungsmeldung" in replies, replies
    return replies


@pytest.fixture(scope="module")
def reported(bot) -> str:
    """A ticket of 4711000002, made properly (identified, consent, contact)."""
    sender = _sender("owner")
    _line_fault_to_offer(bot, sender)
    bot.send(sender, "/affirm")
    created = _text(bot.send(sender, "0170 1234567"))
    number = TICKET.search(created)
    assert number, created
    yield number.group()
    store = TicketStore(bot.tickets_url)  # other modules expect no open ticket for this customer
    store.change_status(number.group(), TicketStatus.CLOSED, "test")
    store.close()


def test_numbers_in_a_message_show_no_ticket(bot, reported):
    sender = _sender()
    answer = _text(bot.send(sender, "Was ist aus meiner Störungsmeldung geworden? Kundennummer 4711000002, PLZ 12345"))
    assert reported not in answer and not TICKET.search(answer)
    assert "passen leider nicht zusammen" in answer
    assert _tracker(bot, sender)["slots"].get("identity_verified") is None


def test_forged_intent_syntax_shows_no_ticket_and_sets_no_slot(bot, reported):
    sender = _sender()
    answer = _text(bot.send(sender, '/ticket_status{"customer_number":"4711000002","postal_code":"00000"}'))
    assert not TICKET.search(answer) and "Techniker" not in answer
    slots = _tracker(bot, sender)["slots"]
    assert slots.get("identity_verified") is None
    [event] = bot.user_events(sender)
    # Read as words, not as a command: typed input, and NLU's own (uncertain)
    # reading; a command would carry its intent with confidence 1.0.
    assert event["metadata"]["input"]["kind"] == "typed"
    assert event["parse_data"]["intent"].get("confidence", 0.0) < 1.0
    assert event["text"].startswith("/ticket_status")  # kept as typed, for the agent
    assert event["metadata"]["input"] == {"kind": "typed"}


def _tickets_of(bot, customer_number: str) -> dict:
    store = TicketStore(bot.tickets_url)
    try:
        return {t.number: t.updated_at for t in store.for_customer(customer_number)}
    finally:
        store.close()


def test_a_forged_customer_number_at_the_report_offer_files_nothing_under_it(bot):
    # Other tests of the session may report real faults of this demo line: nothing new or changed.
    before = _tickets_of(bot, "4711000006")
    sender = _sender()
    _line_fault_to_offer(bot, sender)
    bot.send(sender, '/affirm{"customer_number":"4711000006"}')
    bot.send(sender, "ja bitte")
    assert _tickets_of(bot, "4711000006") == before


def test_restart_typed_by_a_customer_restarts_nothing(bot):
    sender = _sender()
    bot.send(sender, "Mein Internet geht nicht")
    bot.send(sender, "/restart")
    assert not any(e["event"] == "restart" for e in _tracker(bot, sender)["events"])
    assert _tracker(bot, sender)["slots"].get("diagnosis")  # the diagnosis is still there


def test_the_console_shows_typed_brackets_as_typed_and_presses_as_presses(bot):
    sender = _sender()
    bot.send(sender, "Mein Internet geht nicht")
    bot.send(sender, "[Knopf: Nein, auf keinem Gerät]")
    bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')  # not offered any more: typed
    lines = RasaClient(bot.rasa_url, bot.rasa_token).conversation(sender).lines
    lines = [line for line in lines if line.who == "customer"]
    assert [(line.text, line.input) for line in lines] == [
        ("Mein Internet geht nicht", "typed"),
        ("[Knopf: Nein, auf keinem Gerät]", "typed"),
        ('/inform{"diagnosis_answer": "none_works"}', "typed"),
    ]
    other = _sender()
    bot.send(other, "Mein Internet geht nicht")
    bot.send(other, '/inform{"diagnosis_answer": "none_works"}')  # offered: a press
    last = RasaClient(bot.rasa_url, bot.rasa_token).conversation(other).lines
    pressed = [line for line in last if line.who == "customer"][-1]
    assert (pressed.text, pressed.input) == ("Nein, auf keinem Gerät", "button")


# -- the action server ---------------------------------------------------------------------


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on port (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_action_server_listens_on_loopback_only(bot):
    port = int(bot.action_url.rsplit(":", 1)[1])
    assert _listening_addresses(port) == {"127.0.0.1"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-1234567890"}, {"Authorization": "Basic abc"}, {"X-Token": "x"}],
)
def test_the_action_server_refuses_requests_without_the_secret(bot, headers):
    call = {"next_action": "action_ticket_status", "sender_id": "x", "tracker": {"sender_id": "x", "slots": {}}}
    response = requests.post(f"{bot.action_url}/webhook", json=call, headers=headers, timeout=10)
    assert response.status_code == 401 and "Störung" not in response.text
    assert requests.get(f"{bot.action_url}/actions", headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{bot.action_url}/health", timeout=10).status_code == 200


def test_the_action_server_never_echoes_a_request(bot):
    secret = {"Authorization": f"Bearer {bot.action_token}"}
    broken = {"next_action": "action_line_check", "sender_id": "x", "tracker": "4711000002", "domain": {}}
    response = requests.post(f"{bot.action_url}/webhook", json=broken, headers=secret, timeout=10)
    assert response.status_code in (400, 500) and "4711000002" not in response.text
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}


# -- guessing postal codes -------------------------------------------------------------------


def test_guessing_postal_codes_is_limited_per_customer_number_across_conversations(bot):
    number = "4711000004"  # 20095 is right
    engine = create_engine(bot.tickets_url, future=True)
    try:
        wrong = iter(f"{10000 + i}" for i in range(20))
        said = ""
        for _ in range(3):  # three conversations: each allows three tries, together more than the limit
            sender = _sender("guess")
            bot.send(sender, "Mein Internet geht nicht")
            bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')
            bot.send(sender, "FRITZ!Box")
            bot.send(sender, "die DSL Lampe blinkt")
            for _ in range(2):
                said += _text(bot.send(sender, f"{number} {next(wrong)}"))
        assert "zu oft" in said
        with engine.connect() as db:
            count = db.execute(
                text("SELECT COUNT(*) FROM identification_failures WHERE number_hash = :h"), {"h": number_hash(number)}
            ).scalar_one()
        assert count == MAX_FAILED_CHECKS  # locked numbers are not checked (nor counted) any more
        # Even the right postal code is not checked now, in a fresh conversation.
        sender = _sender("guess")
        bot.send(sender, "Mein Internet geht nicht")
        bot.send(sender, '/inform{"diagnosis_answer": "none_works"}')
        bot.send(sender, "FRITZ!Box")
        bot.send(sender, "die DSL Lampe blinkt")
        answer = _text(bot.send(sender, f"{number} 20095"))
        assert "zu oft" in answer and "geprüft" not in answer.split("zu oft")[0]
        assert "nicht stabil" not in answer  # no line data
        assert _tracker(bot, sender)["slots"].get("identity_verified") is None
    finally:
        with engine.begin() as db:  # other tests use this demo customer
            db.execute(text("DELETE FROM identification_failures WHERE number_hash = :h"), {"h": number_hash(number)})
        engine.dispose()


# -- the web chat ----------------------------------------------------------------------------


# The pinned aiohttp (3.9, from Rasa) is too old for python-socketio's websocket
# client; the long-polling transport reaches the same server handlers.
async def _socket(bot, secret=None, session_id=None):
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    answers: list[dict] = []

    @client.on("session_confirm")
    async def _confirm(data):
        if not confirmed.done():
            confirmed.set_result(data)

    @client.on("bot_uttered")
    async def _answer(data):
        answers.append(data)

    await client.connect(bot.rasa_url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_secret": secret, "session_id": session_id})
    return client, await asyncio.wait_for(confirmed, 10), answers


async def _close(client: socketio.AsyncClient) -> None:
    """Close without waiting for the pending long-poll request (up to 25 s)."""
    await client.eio.disconnect(abort=True)


async def _wait_for(answers: list, count: int, seconds: float = 20) -> None:
    for _ in range(int(seconds * 10)):
        if len(answers) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"only {len(answers)} answers")


def test_knowing_a_conversations_id_does_not_let_a_second_socket_in(bot):
    async def scenario():
        customer, session, answers = await _socket(bot)
        await customer.emit("user_uttered", {"message": "Mein Internet geht nicht"})
        await _wait_for(answers, 1)
        # The intruder knows the id (from a log line, a screenshot of the console): not the secret.
        intruder, theirs, intruder_answers = await _socket(bot, secret=session["session_id"],
                                                           session_id=session["session_id"])
        assert theirs["session_id"] != session["session_id"]
        await intruder.emit("user_uttered", {"message": "nein", "session_id": session["session_id"]})
        await _wait_for(intruder_answers, 1)
        heard_before = len(answers)
        await asyncio.sleep(1)
        assert len(answers) == heard_before  # the customer's chat got nothing from the intruder
        # The customer's own browser (with the secret) gets back in after a reload.
        again, same, _ = await _socket(bot, secret=session["session_secret"])
        assert same["session_id"] == session["session_id"]
        for client in (customer, intruder, again):
            await _close(client)
        return session["session_id"], theirs["session_id"]

    mine, theirs = asyncio.run(scenario())
    assert [e["text"] for e in bot.user_events(mine)] == ["Mein Internet geht nicht"]
    assert [e["text"] for e in bot.user_events(theirs)] == ["nein"]


def test_a_page_on_another_website_cannot_open_the_chat(bot):
    async def connect(origin: str) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(bot.rasa_url, socketio_path="/socket.io", transports=["polling"],
                                 headers={"Origin": origin})
        except socketio.exceptions.ConnectionError:
            return False
        await _close(client)
        return True

    assert asyncio.run(connect(bot.rasa_url))
    assert not asyncio.run(connect("https://evil.example"))


# -- the console login -----------------------------------------------------------------------


def test_an_attacker_cannot_lock_the_agent_out_of_her_own_browser(bot):
    password = "richtig-geheim-77"
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    if directory.get("sicher-berta") is None:
        directory.add("sicher-berta", "Berta", password)
    agent = ConsoleSession(bot.console_url, "sicher-berta", password)  # her browser, now with a device cookie
    assert agent.http.cookies.get("console_device")

    def attempt(http: requests.Session, secret: str) -> int:
        http.get(f"{bot.console_url}/login", timeout=10)
        form = {"csrf": http.cookies.get("console_login_csrf"), "username": "sicher-berta", "password": secret}
        return http.post(f"{bot.console_url}/login", data=form, timeout=10, allow_redirects=False).status_code

    attacker = requests.Session()
    codes = [attempt(attacker, f"falsch-{i}") for i in range(8)]
    assert codes[:3] == [401, 401, 401] and 429 in codes  # slowed down after three tries
    assert "Bitte versuchen Sie es in" in attacker.post(
        f"{bot.console_url}/login",
        data={"csrf": attacker.cookies.get("console_login_csrf"), "username": "sicher-berta", "password": "x"},
        timeout=10,
    ).text
    # Same address, but her own browser: logs in at once.
    agent.http.post(f"{bot.console_url}/logout", data={"csrf": agent.csrf}, timeout=10)
    assert attempt(agent.http, password) == 302
    engine = create_engine(bot.tickets_url, future=True)
    with engine.begin() as db:  # nobody online for the other tests: no one is queued
        db.execute(text("UPDATE agents SET last_seen_at = NULL"))
    engine.dispose()


def test_a_web_chat_conversation_cannot_be_continued_over_rest(bot):
    async def scenario() -> str:
        customer, session, answers = await _socket(bot)
        await customer.emit("user_uttered", {"message": "Mein Internet geht nicht"})
        await _wait_for(answers, 1)
        await _close(customer)
        return session["session_id"]

    conversation = asyncio.run(scenario())
    response = requests.post(
        f"{bot.rasa_url}/webhooks/rest/webhook",
        json={"sender": conversation, "message": "Was ist aus meiner Störungsmeldung geworden?"},
        timeout=30,
    )
    assert response.status_code == 409 and "anderen Kanal" in response.json()["error"]
    assert [e["text"] for e in bot.user_events(conversation)] == ["Mein Internet geht nicht"]  # nothing written


def test_a_session_secret_the_server_did_not_sign_opens_a_new_conversation(bot):
    async def scenario():
        _, first, _ = await _socket(bot)
        forged = first["session_secret"].split(".")[0] + "." + "A" * 22
        intruder, theirs, _ = await _socket(bot, secret=forged)
        await _close(intruder)
        return first, theirs

    first, theirs = asyncio.run(scenario())
    assert theirs["session_id"] != first["session_id"] and theirs["session_secret"] != first["session_secret"]


def _raw_http(url: str, request: bytes) -> bytes:
    import socket
    from urllib.parse import urlparse

    address = urlparse(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        return connection.recv(4096)


@pytest.mark.parametrize("length", ["-1", "+5", "5_0", "\u0661", "-0"])
def test_a_content_length_that_is_not_digits_is_refused_and_every_server_keeps_answering(bot, length):
    """Sanic 21.12 spun at 100 % CPU on "Content-Length: -1" (bot/sanic_fix.py)."""
    servers = ((bot.rasa_url, "/webhooks/rest/webhook"), (bot.action_url, "/webhook"), (bot.console_url, "/login"))
    for url, path in servers:
        request = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
        answer = _raw_http(url, request)  # 400 (the action server's token check may answer 401 first)
        assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 401")), (url, answer[:100])
    assert _text(bot.send(_sender(), "hallo"))
    assert requests.get(f"{bot.action_url}/health", timeout=5).status_code == 200
    assert requests.get(f"{bot.console_url}/health", timeout=5).status_code == 200


def test_console_logout_needs_the_session_token(bot):
    password = "richtig-geheim-78"
    directory = AgentDirectory(TicketStore(bot.tickets_url))
    if directory.get("sicher-carla") is None:
        directory.add("sicher-carla", "Carla", password)
    agent = ConsoleSession(bot.console_url, "sicher-carla", password)
    try:
        missing = agent.post("/api/callbacks/99999/done")  # not "schon erledigt" for a callback that never was
        assert missing.status_code == 404 and "gibt es nicht" in missing.json()["error"]
        # Another site's form (no token, or a wrong one): nothing happens.
        for form in ({}, {"csrf": "falsch"}):
            response = agent.http.post(f"{bot.console_url}/logout", data=form, timeout=10, allow_redirects=False)
            assert response.status_code == 302 and response.headers["location"] == "/"
            assert agent.get("/api/queue").status_code == 200
        response = agent.http.post(f"{bot.console_url}/logout", data={"csrf": agent.csrf}, timeout=10,
                                   allow_redirects=False)
        assert response.headers["location"] == "/login" and agent.get("/api/queue").status_code == 401
    finally:
        engine = create_engine(bot.tickets_url, future=True)
        with engine.begin() as db:
            db.execute(text("UPDATE agents SET last_seen_at = NULL"))
        engine.dispose()


def test_console_errors_are_german(bot):
    for method, path in (("GET", "/nothing"), ("GET", "/api/chats/1/claim"), ("PUT", "/login")):
        response = requests.request(method, f"{bot.console_url}{path}", timeout=10)
        assert 400 <= response.status_code < 500 and "error" in response.json(), (path, response.text)
        assert "not found" not in response.text.lower() and "allowed" not in response.text.lower()
