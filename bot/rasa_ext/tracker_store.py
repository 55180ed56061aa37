"""Rasa's SQL tracker store, without the process exit on a failed save.

What it replaces: `SQLTrackerStore.session_scope` in Rasa 3.6 turns every
ValueError raised while a session is open into "PostgreSQL schema not found"
and calls sys.exit(1). A UnicodeEncodeError (a lone surrogate in a sender id)
or psycopg2's "string literal cannot contain NUL" are ValueErrors, so one
malformed message stopped the Rasa server, and `make run` with it, for every
customer.

Here only a missing schema, checked before the session is used, is still
fatal (a configuration error, as in Rasa). Any error while reading or writing
is raised as it is: Rasa's FailSafeTrackerStore logs it and answers from its
in-memory fallback for that request, and the process keeps serving everyone
else. The channels refuse such input before it gets here (bot/channels/edge.py);
this is the second line.

endpoints.yml: `tracker_store: {type: bot.rasa_ext.tracker_store.GuardedSQLTrackerStore, ...}`
with the same keys as Rasa's `type: SQL`.
"""

from __future__ import annotations

import contextlib
from typing import Generator

import rasa.shared.utils.cli
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from sqlalchemy.orm import Session


class GuardedSQLTrackerStore(SQLTrackerStore):
    @contextlib.contextmanager
    def session_scope(self) -> Generator[Session, None, None]:
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as schema:
                rasa.shared.utils.cli.print_error_and_exit(
                    f"Requested PostgreSQL schema '{schema}' was not found in the database."
                )
            yield session
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()
