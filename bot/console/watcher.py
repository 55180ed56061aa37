"""Keeps waiting customers informed, from the console process.

Every few seconds, for each chat in the queue:
- a new position goes to the customer ("Sie sind als Nächstes an der Reihe");
- a message the customer writes while waiting is acknowledged (at most once a
  minute), so nobody types into silence: the bot itself is paused;
- "Nicht mehr warten" (a button under every queue message) or a goodbye takes
  the customer out of the queue, and the bot is there again;
- when service hours end or no agent has been online for a while, the customer
  is told honestly, the bot resumes and offers a callback instead of an endless
  wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bot.handoff.desk import AFTER_HANDOFF_SLOTS, ServiceDesk, after_handback, report_offer, report_still_open
from bot.handoff.models import HandoffStatus
from bot.handoff.texts import LEAVE_QUEUE_INTENT, load_handoff_texts
from bot.rasa_api import RasaClient, RasaError

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
NOBODY_GRACE_SECONDS = 120  # an agent's browser may reload or reconnect meanwhile
ACK_EVERY_SECONDS = 60
PAUSE_GRACE_SECONDS = 60  # a handoff whose pause never reached the tracker
LEAVE_INTENTS = {LEAVE_QUEUE_INTENT, "goodbye"}


LATE_GRACE_SECONDS = 30  # an estimate is "wrong" this long after it has passed


@dataclass
class _Seen:
    customer_lines: int = 0  # written since the customer joined the queue
    acked_at: float = -ACK_EVERY_SECONDS  # the first message is acknowledged at once
    estimate_due: float | None = None  # when the wait the customer was told is over
    told_nobody: bool = False


@dataclass
class QueueWatcher:
    desk: ServiceDesk
    rasa: RasaClient
    clock: callable = time.monotonic
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _nobody_since: float | None = None
    _agent_gone_since: dict[int, float] = field(default_factory=dict)

    def tick(self) -> None:
        now = self.clock()
        self._watch_active(now)
        waiting = self.desk.queue.listing((HandoffStatus.WAITING,))
        if not waiting:
            self._seen.clear()
            self._nobody_since = None
            return
        available = self.desk.availability()
        if available.can_queue:
            self._nobody_since = None
        elif self._nobody_since is None:
            self._nobody_since = now
        give_up = not available.in_service_hours or (
            self._nobody_since is not None and now - self._nobody_since >= NOBODY_GRACE_SECONDS
        )
        for position, handoff in enumerate(waiting, start=1):
            try:
                if give_up:
                    self._give_up(handoff.id, handoff.conversation_id, available.in_service_hours)
                    continue
                seen = self._seen.setdefault(handoff.id, _Seen())
                if self._nobody_since is not None:
                    self._tell_nobody(seen, handoff.conversation_id, now)
                else:
                    seen.told_nobody = False
                state = self.rasa.conversation(handoff.conversation_id)
                if not state.paused and self._back_with_the_bot(handoff, state):
                    # The customer restarted or their session expired: they talk
                    # to the bot again, so they no longer wait for a person.
                    self.desk.queue.abandon(handoff.id, "bot", "conversation no longer paused")
                    continue
                if any(
                    line.who == "customer" and line.intent in LEAVE_INTENTS and line.at > handoff.created_at
                    for line in state.lines
                ):
                    self._leave(handoff, state.slots)
                    continue
                if self._nobody_since is not None:
                    pass  # no position or estimate while nobody is there to take the chat
                elif handoff.notified_position != position:
                    self._tell_position(handoff.id, handoff.conversation_id, position, handoff.notified_position)
                    seen.estimate_due = now + 60 * self.desk.wait(position)
                else:
                    self._correct_estimate(seen, handoff, position, now)
                self._acknowledge(seen, handoff, position, state.lines, now)
            except RasaError as error:
                logger.warning("queue update for handoff %s failed: %s", handoff.id, error)
        for gone in set(self._seen) - {h.id for h in waiting}:
            del self._seen[gone]

    @staticmethod
    def _back_with_the_bot(handoff, state) -> bool:
        """Not paused because the bot has the conversation again, not because Rasa
        has not saved the pause yet: the action stores the handoff first, and the
        pause lands in the tracker only when the whole turn is saved. A handoff
        that was never paused at all is given up after PAUSE_GRACE_SECONDS."""
        if state.resumed_at is not None and state.resumed_at >= handoff.created_at:
            return True
        age = (datetime.now(timezone.utc) - handoff.created_at).total_seconds()
        return age >= PAUSE_GRACE_SECONDS

    def _tell_position(self, handoff_id: int, conversation_id: str, position: int, before: int | None) -> None:
        texts = load_handoff_texts()
        # Recorded first, only while still waiting: an agent who took the chat a
        # moment ago must not be followed by "Sie sind als Nächstes an der Reihe".
        if not self.desk.queue.set_notified(handoff_id, position):
            return
        try:
            minutes = self.desk.wait(position)
            text = texts.position(position, minutes)
            self.rasa.say(
                conversation_id, text, buttons=texts.leave_button(), state=texts.queue_state(position, minutes)
            )
        except RasaError:
            self.desk.queue.set_notified(handoff_id, before)  # told next round
            raise

    def _watch_active(self, now: float) -> None:
        """Chats with an agent: paused for the bot, and back to the queue when
        their agent is gone (logged out, browser closed, account disabled)."""
        active = self.desk.queue.listing((HandoffStatus.ACTIVE,))
        online = self.desk.agents.online_usernames() if active else set()
        for handoff in active:
            try:
                if handoff.agent in online:
                    self._agent_gone_since.pop(handoff.id, None)
                else:
                    since = self._agent_gone_since.setdefault(handoff.id, now)
                    if now - since >= NOBODY_GRACE_SECONDS and self.desk.queue.requeue(handoff.id, "agent gone"):
                        del self._agent_gone_since[handoff.id]
                        self.rasa.say(handoff.conversation_id, load_handoff_texts().requeued, chat_state="waiting")
                        continue
                if not self.rasa.conversation(handoff.conversation_id).paused:
                    self.rasa.pause(handoff.conversation_id)  # a person is talking: the bot stays quiet
            except RasaError as error:
                logger.warning("active handoff %s: %s", handoff.id, error)
        for gone in set(self._agent_gone_since) - {h.id for h in active}:
            del self._agent_gone_since[gone]

    def _correct_estimate(self, seen: _Seen, handoff, position: int, now: float) -> None:
        """The wait the customer was told is over and nobody has come: say so, with a
        new estimate, instead of leaving them in silence."""
        if seen.estimate_due is None:  # told by the bot when the customer joined the queue
            age = (datetime.now(timezone.utc) - handoff.created_at).total_seconds()
            seen.estimate_due = now + 60 * self.desk.wait(position) - age
        if now < seen.estimate_due + LATE_GRACE_SECONDS:
            return
        texts = load_handoff_texts()
        minutes = max(2, self.desk.wait(position))
        self.rasa.say(
            handoff.conversation_id,
            texts.estimate_late.format(wait=texts.wait_words(minutes)),
            buttons=texts.leave_button(),
            state=texts.queue_state(position, minutes),
        )
        seen.estimate_due = now + 60 * minutes

    def _tell_nobody(self, seen: _Seen, conversation_id: str, now: float) -> None:
        """Every agent went offline while the customer waits: told at once, with how
        long the bot still waits before it offers a callback."""
        if seen.told_nobody:
            return
        texts = load_handoff_texts()
        left = max(1, round((NOBODY_GRACE_SECONDS - (now - (self._nobody_since or now))) / 60))
        self.rasa.say(
            conversation_id,
            texts.nobody_now.format(wait=texts.wait_words(left)),
            buttons=texts.leave_button(),
            state={**texts.queue_state(0, left), "queue_position": ""},  # no position while nobody is there
        )
        seen.told_nobody = True

    def _acknowledge(self, seen: _Seen, handoff, position: int, lines, now: float) -> None:
        """A message written while waiting is acknowledged, at most once a minute, with
        how long it still takes ("Wie lange dauert das noch?" is the usual question)."""
        count = sum(1 for line in lines if line.who == "customer" and line.at > handoff.created_at)
        if count > seen.customer_lines and now - seen.acked_at >= ACK_EVERY_SECONDS:
            texts = load_handoff_texts()
            if self._nobody_since is None:
                minutes = self.desk.wait(position)
                text = texts.still_waiting_eta.format(wait=texts.wait_words(minutes))
                self.rasa.say(handoff.conversation_id, text, state=texts.queue_state(position, minutes))
            else:
                self.rasa.say(handoff.conversation_id, texts.still_waiting, chat_state="waiting")
            seen.acked_at = now
        seen.customer_lines = count

    def _release(
        self, handoff_id: int, conversation_id: str, actor: str, why: str, action: str, messages, slots=None
    ) -> None:
        """Out of the queue and back to the bot. The database decides first (an
        agent may be taking the chat this very moment); if Rasa cannot be told,
        the chat waits again and the next round retries, so nobody stays paused."""
        if self.desk.queue.abandon(handoff_id, actor, why) is None:
            return
        try:
            self.rasa.back_to_bot(conversation_id, action, messages, slots or AFTER_HANDOFF_SLOTS)
        except RasaError:
            self.desk.queue.reopen(handoff_id)
            raise

    def _leave(self, handoff, slots: dict) -> None:
        texts = load_handoff_texts()
        why = "left the queue"
        if report_still_open(handoff, slots):
            # Queued at the report offer: the offer comes again (its rules take the yes).
            action, messages, slots = report_offer(texts.left_queue, texts)
        else:
            messages, slots = after_handback(handoff, texts.left_queue, texts)
            action = "action_handoff_returned"  # as after a handback: "nein" then means "nothing else"
        self._release(handoff.id, handoff.conversation_id, "customer", why, action, messages, slots)

    def _give_up(self, handoff_id: int, conversation_id: str, in_hours: bool) -> None:
        texts = load_handoff_texts()
        # One message on why, then the offer (not "nobody is free" twice in other words).
        why = texts.gave_up if in_hours else texts.closed.format(hours=self.desk.hours.describe())
        offer = {"text": texts.callback_offer, "buttons": texts.yes_no(texts.callback_yes, texts.callback_no)}
        # Recorded as action_handoff finding nobody: its rules take the "ja" to a callback.
        self._release(handoff_id, conversation_id, "bot", "no agent", "action_handoff", [{"text": why}, offer])


WATCHER_LEASE = "queue-watcher"


async def watch_rounds(watcher: QueueWatcher, store, stop: asyncio.Event | None = None) -> None:
    """The watcher's rounds, every POLL_SECONDS, while this process holds the
    lease: however many console or watcher processes run, one works. A holder
    that stops is replaced after the lease's time (three rounds)."""
    from bot.handoff.lease import Lease

    lease = Lease(store, WATCHER_LEASE, ttl_seconds=max(3 * POLL_SECONDS, 5.0))
    try:
        while stop is None or not stop.is_set():
            try:
                if await asyncio.to_thread(lease.acquire):
                    await asyncio.to_thread(watcher.tick)
            except Exception as error:  # noqa: BLE001 - a database hiccup must not stop the updates
                logger.warning("queue watcher: %s", type(error).__name__)
            await asyncio.sleep(POLL_SECONDS)
    finally:
        try:
            await asyncio.to_thread(lease.release)  # the next process need not wait out the lease
        except Exception:  # noqa: BLE001 - stopping anyway
            pass
