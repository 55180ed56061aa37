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

import logging
import time
from dataclasses import dataclass, field

from bot.handoff.desk import ServiceDesk
from bot.handoff.models import HandoffStatus
from bot.handoff.texts import LEAVE_QUEUE_INTENT, load_handoff_texts
from bot.rasa_api import RasaClient, RasaError

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
NOBODY_GRACE_SECONDS = 120  # an agent's browser may reload or reconnect meanwhile
ACK_EVERY_SECONDS = 60
LEAVE_INTENTS = {LEAVE_QUEUE_INTENT, "goodbye"}


@dataclass
class _Seen:
    customer_lines: int | None = None
    acked_at: float = 0.0


@dataclass
class QueueWatcher:
    desk: ServiceDesk
    rasa: RasaClient
    clock: callable = time.monotonic
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _nobody_since: float | None = None

    def tick(self) -> None:
        waiting = self.desk.queue.listing((HandoffStatus.WAITING,))
        if not waiting:
            self._seen.clear()
            self._nobody_since = None
            return
        available = self.desk.availability()
        now = self.clock()
        if available.can_queue:
            self._nobody_since = None
        elif self._nobody_since is None:
            self._nobody_since = now
        give_up = not available.in_service_hours or (
            self._nobody_since is not None and now - self._nobody_since >= NOBODY_GRACE_SECONDS
        )
        texts = load_handoff_texts()
        for position, handoff in enumerate(waiting, start=1):
            try:
                if give_up:
                    self._give_up(handoff.id, handoff.conversation_id)
                    continue
                lines = self.rasa.conversation(handoff.conversation_id).lines
                if any(
                    line.who == "customer" and line.intent in LEAVE_INTENTS and line.at > handoff.created_at
                    for line in lines
                ):
                    self._leave(handoff.id, handoff.conversation_id)
                    continue
                if handoff.notified_position != position:
                    minutes = self.desk.wait(position)
                    self.rasa.say(
                        handoff.conversation_id,
                        texts.position(position, minutes),
                        chat_state="waiting",
                        buttons=texts.leave_button(),
                    )
                    self.desk.queue.set_notified(handoff.id, position)
                self._acknowledge(handoff.id, handoff.conversation_id, lines, now)
            except RasaError as error:
                logger.warning("queue update for handoff %s failed: %s", handoff.id, error)
        for gone in set(self._seen) - {h.id for h in waiting}:
            del self._seen[gone]

    def _acknowledge(self, handoff_id: int, conversation_id: str, lines, now: float) -> None:
        seen = self._seen.setdefault(handoff_id, _Seen())
        count = sum(1 for line in lines if line.who == "customer")
        if seen.customer_lines is not None and count > seen.customer_lines and now - seen.acked_at >= ACK_EVERY_SECONDS:
            self.rasa.say(conversation_id, load_handoff_texts().still_waiting, chat_state="waiting")
            seen.acked_at = now
        seen.customer_lines = count

    def _leave(self, handoff_id: int, conversation_id: str) -> None:
        if self.desk.queue.abandon(handoff_id, "customer", "left the queue") is None:
            return  # an agent took it a moment ago: they talk now
        self.rasa.say(conversation_id, load_handoff_texts().left_queue)
        self.rasa.resume(conversation_id)
        self.rasa.listen(conversation_id)

    def _give_up(self, handoff_id: int, conversation_id: str) -> None:
        if self.desk.queue.abandon(handoff_id, "bot", "no agent") is None:
            return  # taken over a moment ago
        self.rasa.say(conversation_id, load_handoff_texts().gave_up)
        self.rasa.resume(conversation_id)
        # action_handoff finds nobody and offers a callback; its rules take "ja".
        self.rasa.run_action(conversation_id, "action_handoff")
        self.rasa.listen(conversation_id)
