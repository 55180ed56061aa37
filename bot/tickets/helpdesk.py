"""Export of tickets to an external helpdesk, through the outbox table.

The bot never calls the helpdesk while talking to a customer. Every ticket write
also writes an outbox row in the same transaction; this worker delivers the rows
in order and retries with growing pauses. Each row carries an idempotency key, so
a delivery whose answer got lost and is sent again is not a second ticket there.

One adapter interface (HelpdeskAdapter); shipped: a generic JSON webhook. Zammad,
OTRS/Znuny or Jira Service Management get their own adapter class.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

import requests
from sqlalchemy import select, update

from bot.tickets.models import OutboxMessage
from bot.tickets.spool import TicketSpool
from bot.tickets.store import TicketStore, TicketStoreUnavailable

logger = logging.getLogger(__name__)
MAX_PAUSE_S = 600


class HelpdeskError(Exception):
    """The helpdesk did not take the message; it will be sent again later."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    ticket_id: int
    kind: str
    payload: dict
    attempts: int = 0

    @property
    def idempotency_key(self) -> str:
        return f"telco-bot-outbox-{self.id}"


class HelpdeskAdapter(Protocol):
    def deliver(self, item: OutboxItem) -> None:
        """Hand one message to the helpdesk; raise HelpdeskError if it was not taken."""


class WebhookHelpdesk:
    """POSTs {"event": ..., "ticket": {...}} as JSON with an Idempotency-Key header."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def deliver(self, item: OutboxItem) -> None:
        try:
            response = self.session.post(
                self.url,
                json={"event": f"ticket.{item.kind}", "ticket": item.payload},
                headers={"Idempotency-Key": item.idempotency_key},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise HelpdeskError(type(error).__name__) from None
        if response.status_code == 409:  # "already have it": delivered before, the answer got lost
            return
        if not 200 <= response.status_code < 300:
            raise HelpdeskError(f"HTTP {response.status_code}")


def pause_after(attempts: int) -> timedelta:
    """2, 4, 8, ... seconds, at most ten minutes."""
    return timedelta(seconds=min(MAX_PAUSE_S, 2**attempts))


class OutboxWorker:
    def __init__(self, store: TicketStore, adapter: HelpdeskAdapter | None, spool: TicketSpool | None = None) -> None:
        self.store = store
        self.adapter = adapter
        self.spool = spool

    def run_once(self, now: datetime | None = None, batch: int = 50) -> tuple[int, int]:
        """Flush the spool, then deliver due outbox messages. Returns (delivered, failed)."""
        if self.spool is not None:
            try:
                written = self.spool.flush(self.store)
                if written:
                    logger.info("wrote %d spooled fault report(s)", written)
            except TicketStoreUnavailable:
                pass
        if self.adapter is None:
            return 0, 0
        now = now or datetime.now(timezone.utc)
        delivered = failed = 0
        blocked: set[int] = set()  # a ticket whose earlier message failed: keep the order
        with self.store.engine.connect() as connection:
            due = connection.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.ticket_id,
                    OutboxMessage.kind,
                    OutboxMessage.payload,
                    OutboxMessage.attempts,
                )
                .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(batch)
            ).all()
        for row in due:
            item = OutboxItem(row.id, row.ticket_id, row.kind, row.payload, row.attempts)
            if item.ticket_id in blocked:
                continue
            try:
                self.adapter.deliver(item)
            except HelpdeskError as error:
                blocked.add(item.ticket_id)
                failed += 1
                self._record(item, now, error=str(error)[:500])
                continue
            delivered += 1
            self._record(item, now)
        return delivered, failed

    def _record(self, item: OutboxItem, now: datetime, error: str | None = None) -> None:
        attempts = item.attempts + 1
        values = {"attempts": attempts, "last_error": error}
        if error is None:
            values["delivered_at"] = now
        else:
            values["next_attempt_at"] = now + pause_after(attempts)
        with self.store.engine.begin() as connection:
            connection.execute(update(OutboxMessage).where(OutboxMessage.id == item.id).values(**values))

    def run_forever(self, interval: float = 5.0) -> None:
        while True:
            try:
                self.run_once()
            except TicketStoreUnavailable:
                logger.warning("ticket database unavailable; trying again")
            except Exception:  # the worker must outlive any single bad round
                logger.exception("outbox round failed")
            time.sleep(interval)
