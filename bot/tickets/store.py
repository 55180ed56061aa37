"""The ticket store: open or update fault tickets, look them up, change status.

Rules that protect the customer:
- A ticket number is only handed out after its transaction committed.
- One open ticket per customer and problem area (a partial unique index); asking
  again adds the new information to the existing ticket instead.
- A retried request (same request_key) returns the same ticket, never a second.
- Numbers are short, random and free of look-alike characters (no 0/O, 1/I/L),
  so a customer can read them out on the phone; a collision is simply retried.
- Database trouble is a typed error (TicketStoreUnavailable), never a made-up number.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.german_time import utc
from bot.paths import PROJECT_ROOT
from bot.tickets.config import database_url
from bot.tickets.models import (
    MAX_NOTE,
    MAX_SUMMARY_TEXT,
    OutboxMessage,
    Priority,
    Ticket,
    TicketEvent,
    TicketStatus,
    utcnow,
)

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
NUMBER_LENGTH = 6
NUMBER_PREFIX = "ST-"
MAX_NUMBER_TRIES = 8


class TicketError(Exception):
    """Base class of ticket store errors."""


class TicketStoreUnavailable(TicketError):
    """The database cannot be reached or refused the write; nothing was recorded."""


class TicketNotFound(TicketError):
    pass


@dataclass(frozen=True)
class TicketRequest:
    """Everything the bot knows when it reports a fault."""

    request_key: str  # stable per conversation and problem: retries send the same key
    customer_number: str
    postal_code: str
    area: str
    summary: dict
    summary_text: str
    channel: str
    conversation_id: str
    line_id: str | None = None
    verdict: str | None = None
    line_data: dict | None = None
    outage_id: str | None = None
    contact: dict | None = None
    priority: Priority = Priority.NORMAL

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["priority"] = self.priority.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketRequest:
        return cls(**{**data, "priority": Priority(data.get("priority", "normal"))})


@dataclass(frozen=True)
class TicketView:
    """A ticket as plain data, safe to use after the session closed."""

    number: str
    customer_number: str
    area: str
    status: TicketStatus
    verdict: str | None
    appointment: datetime | None
    created_at: datetime
    updated_at: datetime
    summary_text: str
    line_data: dict | None
    contact: dict | None = None
    history: tuple[dict, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Opened:
    ticket: TicketView
    created: bool  # False: an open ticket existed (or this was a retry); it was updated


def new_number() -> str:
    return NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def normalize_number(text: str) -> str:
    """What a customer types ("st 7k4m9q", "7K4-M9Q") as a ticket number."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if cleaned.startswith("ST") and len(cleaned) == NUMBER_LENGTH + 2:
        cleaned = cleaned[2:]
    return NUMBER_PREFIX + cleaned


def _clip(text: str | None, limit: int) -> str | None:
    return None if text is None else str(text)[:limit]


def _view(ticket: Ticket) -> TicketView:
    return TicketView(
        number=ticket.number,
        customer_number=ticket.customer_number,
        area=ticket.area,
        status=ticket.status,
        verdict=ticket.verdict,
        appointment=utc(ticket.appointment),
        created_at=utc(ticket.created_at),
        updated_at=utc(ticket.updated_at),
        summary_text=ticket.summary_text,
        line_data=ticket.line_data,
        contact=ticket.contact,
        history=tuple(
            {
                "at": utc(e.at),
                "actor": e.actor,
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "note": e.note,
            }
            for e in ticket.events
        ),
    )


def _payload(ticket: Ticket) -> dict[str, Any]:
    """What the helpdesk receives (the outbox copies it at write time)."""
    return {
        "number": ticket.number,
        "customer_number": ticket.customer_number,
        "postal_code": ticket.postal_code,
        "area": ticket.area,
        "verdict": ticket.verdict,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "line_id": ticket.line_id,
        "outage_id": ticket.outage_id,
        "summary_text": ticket.summary_text,
        "line_data": ticket.line_data,
        "contact": ticket.contact,
        "appointment": ticket.appointment.isoformat() if ticket.appointment else None,
    }


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "bot" / "tickets" / "migrations"))
    config.attributes["url"] = url or database_url()
    command.upgrade(config, "head")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # noqa: ANN001 (DBAPI objects)
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.close()

        return engine
    return create_engine(
        url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=20, connect_args={"connect_timeout": 3}
    )


class TicketStore:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.engine = _engine(self.url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ------------------------------------------------------------------

    def open_or_update(self, request: TicketRequest, actor: str = "bot") -> Opened:
        """Open a ticket, or add the new information to the customer's open ticket
        for the same problem. Returns only after the commit."""
        last_error: Exception | None = None
        for _ in range(MAX_NUMBER_TRIES):
            try:
                with self._sessions.begin() as session:
                    return self._open_or_update(session, request, actor)
            except IntegrityError as error:
                # A number collision, a retried request or a parallel conversation
                # that opened the ticket a moment earlier: look again.
                last_error = error
            except SQLAlchemyError as error:
                raise TicketStoreUnavailable(type(error).__name__) from None
        raise TicketStoreUnavailable(f"could not write the ticket: {type(last_error).__name__}")

    def _open_or_update(self, session: Session, request: TicketRequest, actor: str) -> Opened:
        retried = session.execute(select(Ticket).where(Ticket.request_key == request.request_key)).scalar_one_or_none()
        if retried is not None:
            return Opened(_view(retried), created=False)
        existing = session.execute(
            select(Ticket).where(
                Ticket.customer_number == request.customer_number,
                Ticket.area == request.area,
                Ticket.status.in_(TicketStatus.still_open()),
            )
        ).scalar_one_or_none()
        if existing is not None:
            existing.summary = {**(existing.summary or {}), "latest": request.summary}
            existing.summary_text = _clip(
                f"{existing.summary_text}\n\n--- Neue Meldung ---\n{request.summary_text}", MAX_SUMMARY_TEXT
            )
            if request.line_data:
                existing.line_data = request.line_data
                existing.verdict = request.verdict or existing.verdict
            if request.contact:  # a newer way to reach the customer replaces the older
                existing.contact = request.contact
            existing.updated_at = utcnow()
            session.add(TicketEvent(ticket=existing, actor=actor, kind="update", note="Kunde hat sich erneut gemeldet"))
            session.add(OutboxMessage(ticket_id=existing.id, kind="updated", payload=_payload(existing)))
            session.flush()
            return Opened(_view(existing), created=False)
        ticket = Ticket(
            number=new_number(),
            request_key=request.request_key,
            customer_number=request.customer_number,
            postal_code=request.postal_code,
            line_id=request.line_id,
            area=request.area,
            verdict=request.verdict,
            outage_id=request.outage_id,
            summary=request.summary,
            summary_text=_clip(request.summary_text, MAX_SUMMARY_TEXT),
            line_data=request.line_data,
            channel=request.channel,
            conversation_id=request.conversation_id,
            contact=request.contact,
            priority=request.priority,
            status=TicketStatus.OPEN,
        )
        session.add(ticket)
        session.flush()  # the unique indexes speak here, inside the transaction
        session.add(TicketEvent(ticket=ticket, actor=actor, kind="created", to_status=TicketStatus.OPEN.value))
        session.add(OutboxMessage(ticket_id=ticket.id, kind="created", payload=_payload(ticket)))
        session.flush()
        session.refresh(ticket)
        return Opened(_view(ticket), created=True)

    def change_status(
        self,
        number: str,
        status: TicketStatus,
        actor: str,
        note: str | None = None,
        appointment: datetime | None = None,
    ) -> TicketView:
        try:
            with self._sessions.begin() as session:
                ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
                if ticket is None:
                    raise TicketNotFound(number)
                previous = ticket.status
                ticket.status = status
                if appointment is not None:
                    ticket.appointment = appointment
                ticket.updated_at = utcnow()
                session.add(
                    TicketEvent(
                        ticket=ticket,
                        actor=_clip(actor, 80),
                        kind="status",
                        from_status=previous.value,
                        to_status=status.value,
                        note=_clip(note, MAX_NOTE),
                    )
                )
                session.add(OutboxMessage(ticket_id=ticket.id, kind="updated", payload=_payload(ticket)))
                session.flush()
                session.refresh(ticket)
                return _view(ticket)
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable(type(error).__name__) from None

    # -- reading ------------------------------------------------------------------

    def get(self, number: str) -> TicketView:
        with self._read() as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()
            if ticket is None:
                raise TicketNotFound(number)
            return _view(ticket)

    def for_customer(self, customer_number: str) -> list[TicketView]:
        """The customer's tickets, newest first (only ever this customer's)."""
        with self._read() as session:
            rows = session.execute(
                select(Ticket).where(Ticket.customer_number == customer_number).order_by(Ticket.created_at.desc())
            ).scalars()
            return [_view(t) for t in rows]

    def list(self, status: TicketStatus | None = None, limit: int = 50) -> list[TicketView]:
        with self._read() as session:
            query = select(Ticket).order_by(Ticket.created_at.desc()).limit(limit)
            if status is not None:
                query = query.where(Ticket.status == status)
            return [_view(t) for t in session.execute(query).scalars()]

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable(type(error).__name__) from None
