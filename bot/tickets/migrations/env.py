"""Alembic environment: runs the migrations in versions/ against the ticket store."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import bot.handoff.models  # noqa: F401  (registers the handoff tables on the shared metadata)
import bot.identity_guard  # noqa: F401  (and the identification limit)
from bot.tickets.config import database_url
from bot.tickets.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # bot.tickets.store.migrate() passes the URL it was given; the alembic CLI uses DATABASE_URL.
    return config.attributes.get("url") or database_url()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), future=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
