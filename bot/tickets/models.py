"""Fault tickets ("Störungsmeldungen"): SQLAlchemy models.

SQLAlchemy 1.4 with 2.0-style usage (select(), Session(future=True)). The
schema is owned by Alembic (migrations/); tests and production never use
create_all. The same models work on SQLite (the default under var/) and on
PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# Lengths: free text is stored as data and bounded, never interpreted.
MAX_NOTE = 2000
MAX_SUMMARY_TEXT = 20000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TicketStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    TECHNICIAN_SCHEDULED = "technician_scheduled"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @classmethod
    def still_open(cls) -> tuple[TicketStatus, ...]:
        return (cls.OPEN, cls.IN_PROGRESS, cls.TECHNICIAN_SCHEDULED)


class Priority(str, enum.Enum):
    NORMAL = "normal"
    HIGH = "high"  # no service at all (line fault, outage-like)


def value_enum(cls: type[enum.Enum], length: int) -> Enum:
    # Stored as the lower-case value ("open"), as the partial index below expects.
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


_OPEN_STATES_SQL = "status IN ('open', 'in_progress', 'technician_scheduled')"


class Ticket(Base):
    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    number = Column(String(12), nullable=False, unique=True)  # "ST-7K4M9Q": readable on the phone
    # A retried request carries the same key, so it never creates a second ticket.
    request_key = Column(String(64), nullable=False, unique=True)
    customer_number = Column(String(10), nullable=False)
    postal_code = Column(String(5), nullable=False)
    line_id = Column(String(40))
    area = Column(String(40), nullable=False)
    verdict = Column(String(40))
    outage_id = Column(String(40))
    summary = Column(JSON, nullable=False)  # DiagnosisSummary: every question, answer, step, result
    summary_text = Column(Text, nullable=False)  # the same, readable for a technician
    line_data = Column(JSON)  # raw measurements at the time of the check
    channel = Column(String(40), nullable=False)
    conversation_id = Column(String(120), nullable=False)
    contact = Column(JSON)  # {"phone": ..., "email": ..., "window": ...} only when asked for
    priority = Column(value_enum(Priority, 12), nullable=False, default=Priority.NORMAL)
    status = Column(value_enum(TicketStatus, 24), nullable=False, default=TicketStatus.OPEN)
    appointment = Column(DateTime(timezone=True))  # technician appointment, UTC
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    events = relationship("TicketEvent", back_populates="ticket", order_by="TicketEvent.id", lazy="selectin")

    __table_args__ = (
        # One open ticket per customer and problem area, enforced by the database,
        # so two parallel conversations cannot both open one.
        Index(
            "uq_tickets_open_per_customer_area",
            "customer_number",
            "area",
            unique=True,
            postgresql_where=text(_OPEN_STATES_SQL),
            sqlite_where=text(_OPEN_STATES_SQL),
        ),
    )


class TicketEvent(Base):
    """History: every status change and every addition, with who and when."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(80), nullable=False)  # "bot", "cli:<user>", "agent:<name>"
    kind = Column(String(24), nullable=False)  # created, status, update
    from_status = Column(String(24))
    to_status = Column(String(24))
    note = Column(Text)

    ticket = relationship("Ticket", back_populates="events")


class OutboxMessage(Base):
    """Export to the helpdesk: written in the same transaction as the ticket,
    delivered by a worker, so a helpdesk outage never loses or duplicates one."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(24), nullable=False)  # created, updated
    payload = Column(JSON, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True))
    last_error = Column(String(500))

    __table_args__ = (Index("ix_outbox_due", "delivered_at", "next_attempt_at"),)
