"""Limits failed identification checks per customer number, across conversations.

The identification form allows three tries per conversation, but a new sender
id or a new chat starts again at zero: 40 postal codes were tried in 6.3 s,
and all German postal codes would take about 20 minutes. So every check the
line backend answered with "does not match" is recorded here, in the project's
database, against the customer number. After MAX_FAILED_CHECKS within
WINDOW, that number is not checked again until the oldest failure is older
than WINDOW, whatever conversation asks; the customer is told so in plain
German and can still reach a person.

Only a SHA-256 of the number is stored: the limit needs no more, and a stolen
table does not list customers. Rows older than WINDOW are deleted as they pass.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.tickets.models import Base, utcnow
from bot.tickets.store import TicketStore, TicketStoreUnavailable

# Five per hour: all 8,200 German postal codes would take over two months per
# number; and whoever knows a customer's number can keep them from checking
# it themselves for an hour at most, during which a person can still help.
MAX_FAILED_CHECKS = 5
WINDOW = timedelta(hours=1)


class IdentificationFailure(Base):
    __tablename__ = "identification_failures"

    id = Column(Integer, primary_key=True)
    number_hash = Column(String(64), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def number_hash(customer_number: str) -> str:
    return hashlib.sha256(f"identification:{customer_number}".encode()).hexdigest()


class IdentificationGuard:
    def __init__(self, store: TicketStore | None = None, limit: int = MAX_FAILED_CHECKS, window: timedelta = WINDOW):
        self.store = store or TicketStore()
        self.limit = limit
        self.window = window
        self._sessions = sessionmaker(self.store.engine, future=True, expire_on_commit=False)

    def _count(self, session, customer_number: str, now: datetime) -> int:
        return session.execute(
            select(func.count())
            .select_from(IdentificationFailure)
            .where(IdentificationFailure.number_hash == number_hash(customer_number))
            .where(IdentificationFailure.at > now - self.window)
        ).scalar_one()

    def failures(self, customer_number: str, now: datetime | None = None) -> int:
        try:
            with self._sessions() as session:
                return self._count(session, customer_number, now or utcnow())
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable(type(error).__name__) from None

    def locked(self, customer_number: str, now: datetime | None = None) -> bool:
        """True: this number was checked wrongly too often; do not check it now."""
        return self.failures(customer_number, now) >= self.limit

    def record_failure(self, customer_number: str, now: datetime | None = None) -> int:
        """Count one failed check; returns the failures within the window (one transaction)."""
        now = now or utcnow()
        try:
            with self._sessions.begin() as session:
                session.execute(delete(IdentificationFailure).where(IdentificationFailure.at <= now - self.window))
                session.add(IdentificationFailure(number_hash=number_hash(customer_number), at=now))
                session.flush()
                return self._count(session, customer_number, now)
        except SQLAlchemyError as error:
            raise TicketStoreUnavailable(type(error).__name__) from None
