"""Ticket stores on real databases: an SQLite file and a fresh PostgreSQL database.

The PostgreSQL server is the one on localhost (`.ci/run` starts it if needed);
each test session creates its own database and drops it afterwards. The schema
comes from the Alembic migrations, as in production.
"""

from __future__ import annotations

import os
import uuid

import psycopg2
import pytest

from bot.tickets.store import TicketStore, migrate

TRUNCATE_ALL = (
    "TRUNCATE outbox, ticket_events, tickets, handoff_events, handoffs, agent_sessions, agents, "
    "identification_failures, agent_devices "
    "RESTART IDENTITY CASCADE"
)
ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url():
    name = f"tickets_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg2.connect(ADMIN_URL, connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL on localhost is required for the ticket store tests: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tickets.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    store = TicketStore(url)
    if request.param == "postgresql":  # one database for the session: start each test empty
        with store.engine.begin() as connection:
            connection.exec_driver_sql(TRUNCATE_ALL)
    yield store
    store.close()
