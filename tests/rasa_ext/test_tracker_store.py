"""bot.rasa_ext.tracker_store on a real SQLite file: a failed save is an error, not an exit."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.tracker_store import GuardedSQLTrackerStore


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("hallo")])
    return tracker


def test_rasa_s_own_store_exits_the_process_on_a_lone_surrogate(tmp_path):
    """The bug this subclass exists for (Rasa 3.6.21)."""
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "rasa.db"))
    with pytest.raises(SystemExit):
        asyncio.run(store.save(_tracker("x\ud800")))


def test_a_failed_save_raises_and_the_store_keeps_working(tmp_path):
    store = GuardedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "guarded.db"))
    with pytest.raises(UnicodeEncodeError):
        asyncio.run(store.save(_tracker("x\ud800")))
    asyncio.run(store.save(_tracker("kunde-1")))
    assert asyncio.run(store.retrieve("kunde-1")).latest_message.text == "hallo"


def test_rasa_s_fail_safe_wrapper_answers_from_memory_instead(tmp_path):
    """How Rasa wraps every tracker store: the error is logged, the process serves on."""
    store = FailSafeTrackerStore(GuardedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "f.db")))
    asyncio.run(store.save(_tracker("x\ud800")))  # no exception, no exit
    asyncio.run(store.save(_tracker("kunde-2")))
    assert asyncio.run(store.retrieve("kunde-2")) is not None


def test_a_nul_character_on_postgresql_is_an_error_not_an_exit(postgres_url):
    from urllib.parse import urlparse

    url = urlparse(postgres_url)
    store = GuardedSQLTrackerStore(
        Domain.empty(), dialect="postgresql", host=url.hostname, port=url.port, db=url.path.lstrip("/"),
        username=url.username,
    )
    tracker = DialogueStateTracker.from_events("kunde-nul", [UserUttered("hallo")])
    asyncio.run(store.save(tracker))
    with pytest.raises(ValueError):  # psycopg2: "A string literal cannot contain NUL (0x00) characters."
        asyncio.run(store.save(_tracker("nul\x00id")))
    assert asyncio.run(store.retrieve("kunde-nul")).latest_message.text == "hallo"


# ---------------------------------------------------------------- the cache
@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(request, tmp_path):
    """A factory: each call is a store of its own (as in another process), on one database."""
    if request.param == "sqlite":
        options = {"dialect": "sqlite", "db": str(tmp_path / "cache.db")}
    else:
        from urllib.parse import urlparse

        url = urlparse(request.getfixturevalue("postgres_url"))
        options = {
            "dialect": "postgresql", "host": url.hostname, "port": url.port, "db": url.path.lstrip("/"),
            "username": url.username,
        }

    def make(**extra):
        return GuardedSQLTrackerStore(Domain.empty(), **options, **extra)

    return make


def _texts(tracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def _run(coroutine):
    return asyncio.run(coroutine)


def test_a_tracker_it_knows_is_not_read_again_and_saves_write_only_what_is_new(make_store):
    import uuid

    store, sender = make_store(), f"kunde-{uuid.uuid4().hex[:8]}"
    _run(store.save(DialogueStateTracker.from_events(sender, [UserUttered("hallo")])))
    first = _run(store.retrieve(sender))
    assert _run(store.retrieve(sender)) is first  # known: not rebuilt from the database
    first.update(UserUttered("Mein Internet geht nicht"))
    _run(store.save(first))
    assert _run(store.retrieve(sender)) is first
    fresh = _run(make_store().retrieve(sender))  # what the database holds, read by a store of its own
    assert _texts(fresh) == ["hallo", "Mein Internet geht nicht"]
    assert len(fresh.events) == len(first.events)


def test_what_another_process_wrote_an_unsaved_change_and_an_erasure_are_read_again(make_store):
    import uuid

    one, other, sender = make_store(), make_store(), f"kunde-{uuid.uuid4().hex[:8]}"
    _run(one.save(DialogueStateTracker.from_events(sender, [UserUttered("hallo")])))
    known = _run(one.retrieve(sender))
    theirs = _run(other.retrieve(sender))
    theirs.update(UserUttered("von nebenan"))
    _run(other.save(theirs))
    again = _run(one.retrieve(sender))
    assert again is not known and _texts(again) == ["hallo", "von nebenan"]

    again.update(UserUttered("nie gespeichert"))  # a request that failed before its save
    assert _texts(_run(one.retrieve(sender))) == ["hallo", "von nebenan"]

    with one.engine.begin() as db:  # an erasure (bot.privacy) deletes the rows
        db.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
    assert _run(one.retrieve(sender)) is None


def test_an_event_broker_gets_each_new_event_once(make_store):
    import uuid

    from rasa.core.brokers.broker import EventBroker

    class Collecting(EventBroker):
        def __init__(self):
            self.published = []

        def publish(self, event):
            self.published.append(event)

    broker, sender = Collecting(), f"kunde-{uuid.uuid4().hex[:8]}"
    store = make_store(event_broker=broker)
    _run(store.save(DialogueStateTracker.from_events(sender, [UserUttered("hallo")])))
    tracker = _run(store.retrieve(sender))
    tracker.update(UserUttered("zweite Nachricht"))
    _run(store.save(tracker))
    _run(store.save(tracker))  # nothing new: nothing streamed, nothing written
    assert [e.get("text") for e in broker.published if e["event"] == "user"] == ["hallo", "zweite Nachricht"]
    assert _texts(_run(make_store().retrieve(sender))) == ["hallo", "zweite Nachricht"]


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = GuardedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "wal.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
