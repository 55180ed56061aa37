"""bot.rasa_ext.tracker_store on a real SQLite file: a failed save is an error, not an exit."""

from __future__ import annotations

import asyncio

import pytest
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
