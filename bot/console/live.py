"""Live chats for the agent's page: one poller per open chat, shared by its listeners.

The console process cannot see Rasa's memory, so it asks Rasa for the tracker of
each chat that an agent has open, every POLL_SECONDS, and hands every change to
the chat's listeners (server-sent events in bot/console/app.py). A chat nobody
has open is not polled; when the last listener leaves, its poller stops.

Plain asyncio; `snapshot` is a blocking function (database and Rasa), run in a
thread. Only its `key()` is compared, so an unchanged chat costs one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.12  # a customer's message reaches the agent's page in about this, plus Rasa's answer
ERROR_POLL_SECONDS = 1.0  # while Rasa or the database does not answer


@dataclass
class _Poller:
    listeners: set[asyncio.Queue] = field(default_factory=set)
    latest: Any = None
    task: asyncio.Task | None = None


class ChatFeed:
    def __init__(
        self,
        snapshot: Callable[[int], Any],
        interval: float = POLL_SECONDS,
        run: Callable[..., Any] = asyncio.to_thread,
    ) -> None:
        self.snapshot = snapshot
        self.interval = interval
        self.run = run
        self._pollers: dict[int, _Poller] = {}

    def polling(self) -> list[int]:
        """Chats being polled right now (for tests and logs)."""
        return sorted(chat for chat, p in self._pollers.items() if p.task and not p.task.done())

    def latest(self, chat_id: int) -> Any:
        """The chat's newest snapshot, or None."""
        poller = self._pollers.get(chat_id)
        return poller.latest if poller else None

    @contextlib.asynccontextmanager
    async def listen(self, chat_id: int) -> AsyncIterator[asyncio.Queue]:
        """A queue that gets every new snapshot of the chat (only the latest one
        when the listener is slower than the chat), starting with the current one."""
        inbox: asyncio.Queue = asyncio.Queue(maxsize=1)
        poller = self._pollers.get(chat_id)
        if poller is None:
            poller = self._pollers[chat_id] = _Poller()
        poller.listeners.add(inbox)
        if poller.latest is not None:
            _offer(inbox, poller.latest)
        if poller.task is None or poller.task.done():
            poller.task = asyncio.ensure_future(self._poll(chat_id, poller))
        try:
            yield inbox
        finally:
            poller.listeners.discard(inbox)
            if not poller.listeners:
                if poller.task is not None:
                    poller.task.cancel()
                if self._pollers.get(chat_id) is poller:
                    del self._pollers[chat_id]

    async def _poll(self, chat_id: int, poller: _Poller) -> None:
        last_key: Any = object()
        while poller.listeners:
            try:
                snap = await self.run(self.snapshot, chat_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - the page keeps its lines and waits
                logger.warning("chat %s not polled: %s", chat_id, type(error).__name__)
                for inbox in list(poller.listeners):
                    _offer(inbox, error)
                last_key = object()
                await asyncio.sleep(ERROR_POLL_SECONDS)
                continue
            key = snap.key()
            if key != last_key:
                last_key = key
                poller.latest = snap
                for inbox in list(poller.listeners):
                    _offer(inbox, snap)
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        for poller in list(self._pollers.values()):
            if poller.task is not None:
                poller.task.cancel()
        self._pollers.clear()


def _offer(inbox: asyncio.Queue, item: Any) -> None:
    """Put item, dropping an older one nobody took yet: the newest state is what counts."""
    with contextlib.suppress(asyncio.QueueEmpty):
        if inbox.full():
            inbox.get_nowait()
    inbox.put_nowait(item)
