"""The Rasa API client: transcripts, and HTTP against a real local server."""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.rasa_api import (
    MAX_TRANSCRIPT_LINES,
    RasaClient,
    RasaError,
    RasaRefused,
    RasaUnavailable,
    TranscriptLine,
    resumed_at,
    transcript,
)

TOKEN = "geheimes-token-42"

# -- transcript -----------------------------------------------------------------------


def test_customer_bot_and_agent_lines_in_order():
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "Mein Internet geht nicht", "timestamp": 1700000000.5},
        {"event": "slot", "name": "area", "value": "internet_down", "timestamp": 2.0},
        {"event": "bot", "text": "Das prüfe ich.", "timestamp": 1700000001},
        {"event": "bot", "text": "Hier ist Anna.", "metadata": {"sender_name": "Anna"}, "timestamp": 1700000002},
        {"event": "pause", "timestamp": 3.0},
        {"event": "user", "text": "Danke", "timestamp": "kaputt"},
    ]
    assert transcript(events) == (
        TranscriptLine("customer", "Mein Internet geht nicht", datetime.fromtimestamp(1700000000.5, timezone.utc)),
        TranscriptLine("bot", "Das prüfe ich.", datetime.fromtimestamp(1700000001, timezone.utc)),
        TranscriptLine("agent", "Hier ist Anna.", datetime.fromtimestamp(1700000002, timezone.utc), "Anna"),
        TranscriptLine("customer", "Danke", datetime.fromtimestamp(0, timezone.utc)),
    )


def test_bot_lines_without_a_sender_name_are_the_bot():
    lines = transcript(
        [
            {"event": "bot", "text": "a", "metadata": {}},
            {"event": "bot", "text": "b", "metadata": {"sender_name": ""}},
            {"event": "bot", "text": "c", "metadata": None},
            {"event": "bot", "text": "d", "metadata": "kein dict"},
        ]
    )
    assert [(line.who, line.name) for line in lines] == [("bot", None)] * 4


def _user(text: str, intent: str | None = None, kind: str | None = None, title: str | None = None) -> dict:
    event: dict = {"event": "user", "text": text}
    if intent:
        event["parse_data"] = {"intent": {"name": intent}}
    if kind:
        event["metadata"] = {"input": {"kind": kind, **({"title": title} if title else {})}}
    return event


def test_button_presses_are_shown_from_the_metadata_the_server_set():
    lines = transcript(
        [
            _user("/affirm", "affirm", "button", "Ja, bitte"),
            _user("/deny", "deny", "button"),  # no title: the intent
            _user("[Knopf: affirm]", "affirm", "typed"),
            _user('/inform{"customer_number": "4711000006"}', "inform", "typed"),
            _user("/affirm"),  # no metadata: what was typed
            _user("/greet", "greet", "command"),
            {"event": "user", "text": "ja / nein", "metadata": "kein dict"},
        ]
    )
    assert [(line.text, line.input) for line in lines] == [
        ("Ja, bitte", "button"),
        ("deny", "button"),
        ("[Knopf: affirm]", "typed"),  # looks like a button to a reader, but was typed
        ('/inform{"customer_number": "4711000006"}', "typed"),
        ("/affirm", "typed"),
        ("hat den Chat geöffnet", "command"),
        ("ja / nein", "typed"),
    ]
    assert {line.who for line in lines} == {"customer"}


def test_buttons_are_appended_to_the_bot_text():
    (line,) = transcript(
        [
            {
                "event": "bot",
                "text": "Möchten Sie verbunden werden?",
                "data": {"buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nein", "payload": "/deny"}]},
            }
        ]
    )
    assert line.text == "Möchten Sie verbunden werden?\n[Ja] | [Nein]"
    assert "/affirm" not in line.text


def test_the_bot_took_over_again_at_the_last_resume_restart_or_new_session():
    events = [
        {"event": "session_started", "timestamp": 100.0},
        {"event": "pause", "timestamp": 200.0},
        {"event": "resume", "timestamp": 300.0},
        {"event": "pause", "timestamp": 400.0},
        {"event": "user", "text": "Hallo", "timestamp": 500.0},
    ]
    assert resumed_at(events) == datetime.fromtimestamp(300.0, tz=timezone.utc)
    assert resumed_at(events + [{"event": "restart", "timestamp": 600.0}]) == datetime.fromtimestamp(
        600.0, tz=timezone.utc
    )
    assert resumed_at([{"event": "pause", "timestamp": 1.0}]) is None


def test_only_the_newest_lines_are_kept():
    events = [{"event": "user", "text": f"Nachricht {i}", "timestamp": i} for i in range(MAX_TRANSCRIPT_LINES + 25)]
    events.insert(0, {"event": "bot", "text": "Hallo"})
    lines = transcript(events)
    assert len(lines) == MAX_TRANSCRIPT_LINES
    assert lines[0].text == "Nachricht 25"
    assert lines[-1].text == f"Nachricht {MAX_TRANSCRIPT_LINES + 24}"
    assert transcript([]) == ()


# -- the client against a real HTTP server ---------------------------------------------


class _RasaStandIn(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        self.server.seen.append(
            {
                "method": self.command,
                "path": url.path,
                "query": parse_qs(url.query),
                "body": json.loads(body) if body else None,
            }
        )
        status, payload = self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RasaStandIn)
    httpd.seen = []
    httpd.reply = (200, b"{}")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def client(server):
    return RasaClient(server.url, TOKEN)


def test_no_client_without_a_token(monkeypatch):
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    with pytest.raises(RasaError, match="RASA_API_TOKEN"):
        RasaClient("http://127.0.0.1:5005")
    with pytest.raises(RasaError):
        RasaClient("http://127.0.0.1:5005", token="")
    monkeypatch.setenv("RASA_API_TOKEN", "")
    with pytest.raises(RasaError):
        RasaClient()
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    assert RasaClient("http://127.0.0.1:5005/").token == TOKEN


def test_say_posts_a_bot_event_with_the_token_to_the_latest_channel(server, client):
    client.say("web chat/7", "Guten Tag, hier ist Anna.", sender_name="Anna")
    (request,) = server.seen
    assert request["method"] == "POST"
    assert request["path"] == "/conversations/web%20chat%2F7/tracker/events"
    assert request["query"] == {"token": [TOKEN], "output_channel": ["latest"], "execute_side_effects": ["true"]}
    assert request["body"] == [
        {"event": "bot", "text": "Guten Tag, hier ist Anna.", "metadata": {"sender_name": "Anna"}}
    ]


def test_say_without_a_name_is_a_plain_bot_message(server, client):
    client.say("c1", "Hallo")
    assert server.seen[0]["body"] == [{"event": "bot", "text": "Hallo"}]


def test_the_conversation_is_read_with_its_transcript(server, client):
    tracker = {
        "paused": True,
        "slots": {"area": "internet_down"},
        "latest_input_channel": "webchat",
        "events": [{"event": "user", "text": "Hallo"}, {"event": "bot", "text": "Guten Tag"}],
    }
    server.reply = (200, json.dumps(tracker).encode())
    state = client.conversation("c1")
    assert (state.conversation_id, state.paused, state.slots, state.latest_channel) == (
        "c1",
        True,
        {"area": "internet_down"},
        "webchat",
    )
    assert [(line.who, line.text) for line in state.lines] == [("customer", "Hallo"), ("bot", "Guten Tag")]
    (request,) = server.seen
    assert (request["method"], request["path"]) == ("GET", "/conversations/c1/tracker")
    assert request["query"] == {"include_events": ["ALL"], "token": [TOKEN]}


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_rasa_refused(server, client, status):
    server.reply = (status, b'{"message": "nope"}')
    with pytest.raises(RasaRefused, match=str(status)):
        client.say("c1", "Hallo")


@pytest.mark.parametrize("status", [500, 503, 404])
def test_server_errors_are_rasa_unavailable_and_a_message_is_not_sent_twice(server, client, status):
    server.reply = (status, b'{"message": "kaputt"}')
    with pytest.raises(RasaUnavailable) as error:
        client.say("c1", "Hallo")
    assert not isinstance(error.value, RasaRefused)
    assert len(server.seen) == 1  # no retry: a retried POST could deliver the message twice


def test_an_answer_that_is_not_json_is_rasa_unavailable(server, client):
    server.reply = (200, b"<html>Proxy</html>")
    with pytest.raises(RasaUnavailable, match="JSON"):
        client.conversation("c1")


def test_a_closed_port_is_rasa_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = RasaClient(f"http://127.0.0.1:{port}", TOKEN)
    with pytest.raises(RasaUnavailable):
        client.say("c1", "Hallo")
    with pytest.raises(RasaUnavailable):
        client.conversation("c1")


def test_pause_uses_the_same_channel_options(server, client):
    client.pause("c1")
    assert [r["body"] for r in server.seen] == [[{"event": "pause"}]]
    assert all(r["query"]["token"] == [TOKEN] for r in server.seen)


def test_back_to_bot_is_one_request_resume_action_messages_slots_listen(server, client):
    buttons = [{"title": "Ja", "payload": "/affirm"}]
    client.back_to_bot(
        "c1",
        "action_handoff",
        [{"text": "Niemand mehr frei."}, {"text": "Rückruf?", "buttons": buttons}],
        {"diagnosis_active": False, "handoff_reason": None},
    )
    (request,) = server.seen  # all or nothing: never resumed without the message
    assert request["query"]["output_channel"] == ["latest"]
    assert request["body"] == [
        {"event": "resume"},
        {"event": "action", "name": "action_handoff"},
        {"event": "bot", "text": "Niemand mehr frei."},
        {"event": "bot", "text": "Rückruf?", "data": {"buttons": buttons}},
        {"event": "slot", "name": "diagnosis_active", "value": False},
        {"event": "slot", "name": "handoff_reason", "value": None},
        {"event": "action", "name": "action_listen"},
    ]
