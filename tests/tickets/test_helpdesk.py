"""Helpdesk export through the outbox against a fake helpdesk over real HTTP.

The fake fails now and then: sometimes it refuses, sometimes it stores the ticket
and then answers with an error (the answer is lost). After enough worker rounds
every message has arrived exactly once, in order per ticket.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.tickets.helpdesk import OutboxWorker, WebhookHelpdesk
from bot.tickets.models import TicketStatus
from tests.tickets.test_store import _request


class FakeHelpdesk(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: dict[str, dict] = {}  # idempotency key -> body
        self.order: list[tuple[str, str]] = []  # (ticket number, event) as stored
        self.calls = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/tickets"


class _Handler(BaseHTTPRequestHandler):
    server: FakeHelpdesk

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = self.headers["Idempotency-Key"]
        with self.server.lock:
            self.server.calls += 1
            call = self.server.calls
            if call % 3 == 0:  # refused
                status = 503
            else:
                if key in self.server.received:
                    status = 409
                else:
                    self.server.received[key] = body
                    self.server.order.append((body["ticket"]["number"], body["event"]))
                    status = 500 if call % 4 == 1 else 201  # stored, but the answer is an error
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def helpdesk():
    server = FakeHelpdesk()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_every_message_arrives_exactly_once_in_order(store, helpdesk):
    numbers = [store.open_or_update(_request(customer=f"47110000{i:02d}")).ticket.number for i in range(5)]
    for number in numbers[:3]:
        store.change_status(number, TicketStatus.IN_PROGRESS, actor="cli:test")
    worker = OutboxWorker(store, WebhookHelpdesk(helpdesk.url, timeout=2))
    now = datetime.now(timezone.utc)
    for _ in range(30):
        worker.run_once(now=now)
        now += timedelta(minutes=11)  # past any pause
    assert len(helpdesk.received) == 8  # 5 created + 3 updated, no duplicates
    for number in numbers[:3]:
        events = [event for n, event in helpdesk.order if n == number]
        assert events == ["ticket.created", "ticket.updated"]
    assert worker.run_once(now=now) == (0, 0)  # nothing left


def test_a_dead_helpdesk_loses_nothing(store, helpdesk):
    store.open_or_update(_request())
    dead = OutboxWorker(store, WebhookHelpdesk("http://127.0.0.1:1/tickets", timeout=1))
    now = datetime.now(timezone.utc)
    assert dead.run_once(now=now) == (0, 1)
    assert dead.run_once(now=now) == (0, 0)  # pausing before the next try
    alive = OutboxWorker(store, WebhookHelpdesk(helpdesk.url, timeout=2))
    later = now + timedelta(minutes=11)
    for _ in range(5):
        alive.run_once(now=later)
        later += timedelta(minutes=11)
    assert len(helpdesk.received) == 1
