"""The tracker store tests use the ticket store's PostgreSQL fixture."""

from tests.tickets.conftest import postgres_url  # noqa: F401 (pytest fixture)
