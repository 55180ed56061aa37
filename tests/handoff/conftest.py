"""The handoff queue shares the ticket store's database and its fixtures."""

from tests.tickets.conftest import postgres_url, store  # noqa: F401 (pytest fixtures)
