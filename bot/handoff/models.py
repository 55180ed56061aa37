"""Human handoff: chats waiting for an agent, and every agent action (audit).

Same metadata as the ticket store (one database, one Alembic history).
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import relationship

from bot.tickets.models import Base, utcnow, value_enum


class HandoffStatus(str, enum.Enum):
    WAITING = "waiting"  # in the queue
    ACTIVE = "active"  # an agent has taken it over
    RETURNED = "returned"  # handed back to the bot
    CLOSED = "closed"  # the agent closed the chat
    ABANDONED = "abandoned"  # the customer left, or no agent came (ticket or callback instead)
    CALLBACK = "callback"  # outside service hours: the customer asked to be called back
    DONE = "done"  # the callback was made


class HandoffReason(str, enum.Enum):
    CUSTOMER_REQUEST = "customer_request"
    DIAGNOSIS = "diagnosis"
    MISUNDERSTOOD = "misunderstood"
    COMPLAINT = "complaint"
    BACKEND_FAILURE = "backend_failure"


_OPEN_SQL = "status IN ('waiting', 'active')"


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(120), nullable=False)
    channel = Column(String(40), nullable=False)
    reason = Column(value_enum(HandoffReason, 24), nullable=False)
    area = Column(String(40))
    summary_text = Column(Text)  # the diagnosis summary: the agent never asks again
    verdict = Column(String(40))
    ticket_number = Column(String(12))
    status = Column(value_enum(HandoffStatus, 16), nullable=False, default=HandoffStatus.WAITING)
    agent = Column(String(80))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True))
    ended_at = Column(DateTime(timezone=True))
    contact = Column(String(120))  # callback number (normalised), never logged
    # The queue position the customer was last told: updates go out only on change.
    notified_position = Column(Integer)

    events = relationship("HandoffEvent", order_by="HandoffEvent.id", lazy="selectin")

    __table_args__ = (
        # One open handoff per conversation: asking twice does not queue twice.
        Index(
            "uq_handoffs_open_per_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text(_OPEN_SQL),
            sqlite_where=text(_OPEN_SQL),
        ),
        Index("ix_handoffs_status_created", "status", "created_at"),
    )


class HandoffEvent(Base):
    """Audit: every action, with who and when."""

    __tablename__ = "handoff_events"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(80), nullable=False)  # "bot", "agent:<name>"
    action = Column(String(24), nullable=False)  # queued, claimed, message, returned, closed, abandoned
    detail = Column(String(500))


class Agent(Base):
    """A support agent's console account (created with `python -m bot.console add-agent`)."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)  # shown to the customer ("Anna")
    password_hash = Column(String(200), nullable=False)  # argon2id
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True))  # console open: counts as online


class AgentSession(Base):
    """A console login. The browser holds the token; only its SHA-256 is stored."""

    __tablename__ = "agent_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    last_used_at = Column(DateTime(timezone=True))  # idle sessions end (IDLE_MINUTES)


class AgentDevice(Base):
    """A browser an agent logged in from before (a long-lived HttpOnly cookie; only
    its SHA-256 is stored). Login attempts from a known browser are slowed down
    only by their own failures, so attackers elsewhere cannot lock the agent out
    (bot/console/throttle.py)."""

    __tablename__ = "agent_devices"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    agent_id = Column(Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = Column(DateTime(timezone=True))


class Lease(Base):
    """Who does a job that must run exactly once (the queue watcher) while several
    processes could: the holder renews it; when it stops, another takes over after
    `expires_at` (bot/handoff/lease.py)."""

    __tablename__ = "leases"

    name = Column(String(40), primary_key=True)
    holder = Column(String(120), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class LoginFailure(Base):
    """Failed console logins per throttle key (bot/console/throttle.py), shared by
    every console process. The key is a SHA-256 (of the user name and address):
    no address or name is stored. Times are seconds since the epoch."""

    __tablename__ = "login_failures"

    key_hash = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False)
    last_at = Column(Float, nullable=False)
    blocked_until = Column(Float, nullable=False)
