"""bot.handoff.lease on SQLite and PostgreSQL: one holder at a time, taken over
after the holder stops, handed on at once when released."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from bot.handoff.lease import Lease


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_one_holder_at_a_time_and_the_next_takes_over_when_it_stops(store):
    clock = Clock()
    first = Lease(store, "queue-watcher", ttl_seconds=10, holder="console-1", clock=clock)
    second = Lease(store, "queue-watcher", ttl_seconds=10, holder="console-2", clock=clock)
    assert first.acquire() and not second.acquire()
    clock.now += timedelta(seconds=8)
    assert first.acquire() and not second.acquire()  # renewed: still the first's
    clock.now += timedelta(seconds=11)  # the first stopped renewing
    assert second.acquire() and not first.acquire()
    second.release()
    assert first.acquire()  # released: no waiting for the time to run out
    assert Lease(store, "another-job", holder="console-2", clock=clock).acquire()  # names are separate


def test_of_two_watchers_running_side_by_side_only_one_works(store):
    from bot.console.watcher import watch_rounds

    class Counting:
        def __init__(self) -> None:
            self.rounds = 0

        def tick(self) -> None:
            self.rounds += 1

    one, two = Counting(), Counting()

    async def both() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(watch_rounds(w, store, stop)) for w in (one, two)]
        await asyncio.sleep(4.5)
        stop.set()
        await asyncio.gather(*tasks)

    asyncio.run(both())
    assert (one.rounds > 0) != (two.rounds > 0), (one.rounds, two.rounds)
