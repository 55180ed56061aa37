"""bot.rasa_ext.remote_action against real local HTTP servers: refused, restarting,
failing and hanging action servers, and the notice said once per message."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import bot.rasa_ext.remote_action as remote
from bot.devstack import free_port
from bot.system_texts import load_system_texts


class _Handler(BaseHTTPRequestHandler):
    behaviour = "ok"

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.behaviour == "hang":
            time.sleep(3)
        status = 500 if self.behaviour == "error" else 200
        body = json.dumps({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(port: int, behaviour: str) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"behaviour": behaviour})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(remote, "RESTART_BUDGET_S", 1.5)
    monkeypatch.setattr(remote, "RETRY_PAUSE_S", 0.1)
    monkeypatch.setattr(remote, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(remote._Outage, "since", None)


def _run(port: int) -> list:
    action = remote.ResilientRemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    tracker = DialogueStateTracker.from_events("kunde-1", [])
    domain = Domain.empty()
    return asyncio.run(
        action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    )


def _texts(events) -> list[str]:
    return [e.text for e in events if isinstance(e, BotUttered)]


def test_a_working_action_server_is_used_as_is():
    port = free_port()
    server = _serve(port, "ok")
    try:
        assert _run(port) == [SlotSet("x", 1)]
    finally:
        server.shutdown()


def test_an_action_server_that_is_away_gets_the_german_notice_and_the_bot_listens():
    started = time.monotonic()
    events = _run(free_port())  # nothing listens there
    assert _texts(events) == [load_system_texts().action_server_down]
    assert events[-1] == FollowupAction("action_listen")
    assert time.monotonic() - started < 3  # waited for a restart, but not long


def test_an_action_server_that_comes_back_within_the_wait_answers():
    port = free_port()
    servers = []
    threading.Timer(0.5, lambda: servers.append(_serve(port, "ok"))).start()
    try:
        assert _run(port) == [SlotSet("x", 1)]
    finally:
        for server in servers:
            server.shutdown()


def test_a_long_outage_fails_at_once(monkeypatch):
    monkeypatch.setattr(remote._Outage, "since", time.monotonic() - remote.YOUNG_OUTAGE_S - 1)
    started = time.monotonic()
    assert _texts(_run(free_port())) == [load_system_texts().action_server_down]
    assert time.monotonic() - started < 0.5


def test_an_action_that_fails_or_hangs_is_told_at_once():
    port = free_port()
    server = _serve(port, "error")
    try:
        assert _texts(_run(port)) == [load_system_texts().action_failed]
    finally:
        server.shutdown()
    port = free_port()
    server = _serve(port, "hang")
    try:
        assert _texts(_run(port)) == [load_system_texts().action_slow]
    finally:
        server.shutdown()


def test_the_notice_is_said_once_per_customer_message():
    async def two_failures() -> tuple[list, list]:
        remote.start_turn()
        action = remote.ResilientRemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
        tracker = DialogueStateTracker.from_events("kunde-2", [])
        domain = Domain.empty()
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        first = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
        second = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
        return first, second

    first, second = asyncio.run(two_failures())
    assert len(_texts(first)) == 1 and _texts(second) == [] and second == [FollowupAction("action_listen")]


def test_answers_are_validated_like_rasa_does_with_one_compiled_validator():
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    action = remote.ResilientRemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "diagnosis", "value": {"area": "internet_down"}}], "responses": []}
    bad = {"events": [{"event": "slot", "name": 3}], "responses": []}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError) as error:
        action._validate_action_result(bad)
    assert "Failed to validate Action server response" in error.value.message
    with pytest.raises(ValidationError):  # Rasa's own check refuses the same answer
        validate(bad, RemoteAction.action_response_format_spec())
    assert remote.response_validator() is remote.response_validator()  # built once


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "a", "value": [1, {"b": None}]}], "responses": [{"text": "x"}]},
        {"events": [{"event": "action", "name": "action_listen", "confidence": None}]},
        {"events": [{"event": "bot", "text": "Hallo", "metadata": {"sender_name": "Mia"}}]},
        {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]},
        {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
        {"events": [{"event": "slot", "name": 3, "value": 1}]},  # invalid: name must be a string
        {"events": [{"event": "slot", "value": 1}]},  # invalid: no name
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"name": "x"}]},  # no event type
        {"events": ["slot"]},
        {"events": {"event": "slot"}},
        {"events": [{"event": "user", "parse_data": {"intent": {"confidence": "hoch"}}}]},
        {"events": [{"event": "bot", "timestamp": "gestern"}]},
        {"responses": "Hallo"},
        {"events": [{"event": "entities", "entities": [{"entity": "router"}]}]},  # entity without value
    ],
)
def test_the_typed_validation_accepts_and_refuses_exactly_what_rasa_s_schema_does(answer):
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    try:
        validate(answer, RemoteAction.action_response_format_spec())
        rasa_says = True
    except ValidationError:
        rasa_says = False
    try:
        remote.response_validator().validate(answer)
        ours = True
    except ValidationError:
        ours = False
    assert ours is rasa_says


def test_action_calls_share_one_http_session_per_event_loop():
    endpoint = EndpointConfig(
        "http://127.0.0.1:1/webhook", headers={"Authorization": "Bearer x"}, enable_selective_domain=True
    )
    first, second = remote.ResilientRemoteAction("a", endpoint), remote.ResilientRemoteAction("b", endpoint)
    assert first.action_endpoint is second.action_endpoint
    assert first.action_endpoint.headers == {"Authorization": "Bearer x"}
    assert first._is_selective_domain_enabled()

    async def sessions():
        async with first.action_endpoint.session() as one, second.action_endpoint.session() as two:
            return one, two, one.closed

    one, two, closed = asyncio.run(sessions())
    assert one is two and not closed  # still open after the block: the next call reuses it
