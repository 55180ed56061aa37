"""Rasa's SQL tracker store, without the process exit on a failed save, and
without rereading what it already has.

What it replaces, and why:

1. `SQLTrackerStore.session_scope` in Rasa 3.6 turns every ValueError raised
   while a session is open into "PostgreSQL schema not found" and calls
   sys.exit(1). A UnicodeEncodeError (a lone surrogate in a sender id) or
   psycopg2's "string literal cannot contain NUL" are ValueErrors, so one
   malformed message stopped the Rasa server, and `make run` with it, for
   every customer. Here only a missing schema, checked before the session is
   used, is still fatal (a configuration error, as in Rasa). Any error while
   reading or writing is raised as it is: Rasa's FailSafeTrackerStore logs it
   and answers from its in-memory fallback for that request, and the process
   keeps serving everyone else. The channels refuse such input before it gets
   here (bot/channels/edge.py); this is the second line.

2. Rasa reads every event of the conversation from the database and replays
   them into a new tracker for each message, and counts the stored events
   again before each save (and, with an event broker, reads the whole tracker
   a second time to find what is new). Under load that was about 30 % of the
   Rasa server's time. This store keeps the trackers it read or saved (an LRU
   of CACHE_SIZE conversations) and uses one again only if the database still
   holds exactly what it knows: the same number of events and the same last
   event id for that conversation (one indexed query). Another process that
   wrote to the conversation, an erasure, or a tracker changed in memory but
   not saved (a failed request) all mean: read it again, as Rasa does. A save
   then writes the events after the ones stored (one executemany, not the
   ORM), and streams exactly those.
   `retrieve_full_tracker` (all sessions) is Rasa's own.

3. On SQLite (the embedded default) the database runs in WAL mode with
   synchronous=NORMAL: a commit no longer waits for the disk twice, and a
   killed process still loses nothing that was committed.

endpoints.yml: `tracker_store: {type: bot.rasa_ext.tracker_store.GuardedSQLTrackerStore, ...}`
with the same keys as Rasa's `type: SQL`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generator, List

import rasa.shared.utils.cli
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session

CACHE_SIZE = 5000  # conversations kept in memory (a few hundred KB each at most)


@dataclass
class _Known:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the database
    count: int  # events of this conversation in the database (all sessions)
    last_id: int | None


class GuardedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._cache_size = cache_size
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened before the listener get the pragmas too

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

    # ------------------------------------------------------------ the cache
    def _stored_state(self, session: Session, sender_id: str) -> tuple[int, int | None]:
        # A Core select (SQLAlchemy caches its compiled form), not an ORM query:
        # it runs twice per message.
        table = self.SQLEvent.__table__
        statement = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(table.c.sender_id == sender_id)
        row = session.execute(statement).one()
        return int(row[0]), row[1]

    def _current(self, session: Session, sender_id: str, tracker: DialogueStateTracker | None = None) -> _Known | None:
        """What this store knows of the conversation, if the database still agrees."""
        known = self._known.get(sender_id)
        if known is None or (tracker is not None and known.tracker is not tracker):
            return None
        if (known.count, known.last_id) != self._stored_state(session, sender_id):
            self._known.pop(sender_id, None)
            return None
        return known

    def _remember(self, sender_id: str, known: _Known) -> None:
        self._known[sender_id] = known
        self._known.move_to_end(sender_id)
        while len(self._known) > self._cache_size:
            self._known.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._known.pop(sender_id, None)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            known = self._current(session, sender_id)
            if known is not None and len(known.tracker.events) == known.stored:
                self._known.move_to_end(sender_id)
                return known.tracker
            count, last_id = self._stored_state(session, sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self.forget(sender_id)
        else:
            # Read after the state: if another process wrote in between, the state
            # is older than the tracker and the next retrieve reads again.
            self._remember(sender_id, _Known(tracker, len(tracker.events), count, last_id))
        return tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is None:
            return None
        with self.session_scope() as session:
            known = self._current(session, tracker.sender_id, tracker)
        if known is None:
            return await super().stream_events(tracker)
        new_events = list(itertools.islice(tracker.events, known.stored, None))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        known = self._known.get(sender_id)
        try:
            with self.session_scope() as session:
                if known is not None and known.tracker is tracker:
                    # The tracker this store handed out, checked against the database
                    # when it was read. Rasa holds the conversation's lock from that
                    # read to this save (the lock store, also for the HTTP API), so
                    # nobody else wrote to it since: no second check.
                    new_events = list(itertools.islice(tracker.events, known.stored, None))
                else:
                    new_events = list(self._additional_events(session, tracker))
                if new_events:
                    # Core executemany: the ORM's unit of work was most of a save.
                    session.execute(self.SQLEvent.__table__.insert(), [self._row(sender_id, e) for e in new_events])
                    session.commit()
                count, last_id = self._stored_state(session, sender_id)
        except Exception:
            self.forget(sender_id)
            raise
        if any(isinstance(event, SessionStarted) for event in new_events):
            # A new session: Rasa reads only its events from now on; so does this store.
            self.forget(sender_id)
        else:
            self._remember(sender_id, _Known(tracker, len(tracker.events), count, last_id))

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


__all__: List[str] = ["GuardedSQLTrackerStore"]
