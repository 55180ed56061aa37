"""The chat feed: one poller per open chat, shared by its listeners (bot/console/live.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.console.live import ChatFeed


@dataclass(frozen=True)
class Snap:
    chat: int
    version: int

    def key(self):
        return self.version


class Chats:
    """Snapshots whose version the test sets; counts how often each chat was asked."""

    def __init__(self) -> None:
        self.version: dict[int, int] = {}
        self.asked: dict[int, int] = {}
        self.failing: set[int] = set()

    def snapshot(self, chat: int) -> Snap:
        self.asked[chat] = self.asked.get(chat, 0) + 1
        if chat in self.failing:
            raise RuntimeError("rasa down")
        return Snap(chat, self.version.get(chat, 0))


async def _direct(function, *args):
    return function(*args)


def _feed(chats: Chats) -> ChatFeed:
    return ChatFeed(chats.snapshot, interval=0.01, run=_direct)


def test_two_listeners_of_one_chat_share_one_poller_and_get_every_change():
    async def scenario():
        chats = Chats()
        feed = _feed(chats)
        async with feed.listen(1) as first, feed.listen(1) as second:
            assert (await asyncio.wait_for(first.get(), 1)).version == 0
            assert (await asyncio.wait_for(second.get(), 1)).version == 0
            assert feed.polling() == [1]
            await asyncio.sleep(0.05)
            assert first.empty() and second.empty()  # nothing changed: nothing sent
            chats.version[1] = 1
            assert (await asyncio.wait_for(first.get(), 1)).version == 1
            assert (await asyncio.wait_for(second.get(), 1)).version == 1
            asked = chats.asked[1]
        await asyncio.sleep(0.05)
        assert feed.polling() == []  # the last listener left: no more polling
        assert chats.asked[1] <= asked + 1
        # one poller for both listeners: about one request per interval, not two
        return asked

    asked = asyncio.run(scenario())
    assert asked < 20


def test_a_chat_nobody_has_open_is_not_polled_and_a_late_listener_gets_the_current_state():
    async def scenario():
        chats = Chats()
        feed = _feed(chats)
        async with feed.listen(1) as first:
            await asyncio.wait_for(first.get(), 1)
            async with feed.listen(1) as late:
                assert (await asyncio.wait_for(late.get(), 1)).version == 0
            assert feed.polling() == [1]  # the first is still listening
        assert 2 not in chats.asked

    asyncio.run(scenario())


def test_a_slow_listener_gets_only_the_newest_state():
    async def scenario():
        chats = Chats()
        feed = _feed(chats)
        async with feed.listen(1) as inbox:
            for version in (1, 2, 3):
                chats.version[1] = version
                await asyncio.sleep(0.04)
            assert inbox.qsize() == 1
            assert (await inbox.get()).version == 3

    asyncio.run(scenario())


def test_a_failing_poll_is_reported_and_polling_goes_on(monkeypatch):
    monkeypatch.setattr("bot.console.live.ERROR_POLL_SECONDS", 0.01)

    async def scenario():
        chats = Chats()
        chats.failing.add(1)
        feed = _feed(chats)
        async with feed.listen(1) as inbox:
            assert isinstance(await asyncio.wait_for(inbox.get(), 1), RuntimeError)
            chats.failing.clear()
            item = await asyncio.wait_for(inbox.get(), 1)
            while isinstance(item, Exception):
                item = await asyncio.wait_for(inbox.get(), 1)
            assert item.version == 0

    asyncio.run(scenario())
