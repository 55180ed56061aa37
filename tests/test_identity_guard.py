"""bot.identity_guard on real databases (SQLite file and PostgreSQL): failed
identification checks per customer number, across conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.identity_guard import IdentificationFailure, IdentificationGuard, number_hash
from bot.tickets.models import utcnow
from bot.tickets.store import TicketStore, TicketStoreUnavailable
from tests.tickets.conftest import postgres_url, store  # noqa: F401 (pytest fixtures)


def test_locked_after_the_limit_and_free_again_after_the_window(store):  # noqa: F811
    guard = IdentificationGuard(store, limit=3, window=timedelta(hours=24))
    start = utcnow()
    for i in range(2):
        guard.record_failure("4711000002", start + timedelta(minutes=i))
    assert not guard.locked("4711000002", start + timedelta(minutes=3))
    assert guard.record_failure("4711000002", start + timedelta(minutes=3)) == 3
    assert guard.locked("4711000002", start + timedelta(minutes=4))
    assert not guard.locked("4711000001", start + timedelta(minutes=4))  # another customer is not affected
    assert guard.locked("4711000002", start + timedelta(hours=23, minutes=59))
    assert not guard.locked("4711000002", start + timedelta(hours=24, minutes=2))


def test_old_rows_are_deleted_and_no_number_is_stored(store):  # noqa: F811
    guard = IdentificationGuard(store, limit=5, window=timedelta(hours=1))
    start = utcnow()
    guard.record_failure("4711000002", start)
    guard.record_failure("4711000003", start + timedelta(hours=2))  # the first one is older than the window now
    with store.engine.connect() as connection:
        rows = connection.execute(select(IdentificationFailure.number_hash)).scalars().all()
    assert rows == [number_hash("4711000003")]
    assert all("4711" not in row for row in rows)


def test_a_dead_database_is_a_typed_error():
    dead = TicketStore("postgresql://postgres@127.0.0.1:1/nothing")
    guard = IdentificationGuard(dead)
    with pytest.raises(TicketStoreUnavailable):
        guard.locked("4711000002")
    with pytest.raises(TicketStoreUnavailable):
        guard.record_failure("4711000002")
    dead.close()
