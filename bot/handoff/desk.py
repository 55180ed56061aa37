"""The service desk: may a customer be handed to an agent now, and how long will it take?

Plain Python for the action server and the agent console: service hours from
knowledge/service.yml (or HANDOFF_SERVICE_HOURS), agents online from the
console sessions, positions from the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.handoff.agents import AgentDirectory
from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import HandoffQueue, HandoffView, ServiceHours
from bot.tickets.store import TicketStore

# Slots that steer the bot's rules, after a person was involved (handback, close,
# leaving the queue): no old question or offer is still open.
AFTER_HANDOFF_SLOTS = {
    "diagnosis_active": False,
    "line_check_pending": False,
    "ticket_offer": False,
    "handoff_reason": None,
    "handoff_offered": None,
}


@dataclass(frozen=True)
class Availability:
    in_service_hours: bool
    agents_online: int

    @property
    def can_queue(self) -> bool:
        return self.in_service_hours and self.agents_online > 0


@dataclass(frozen=True)
class Queued:
    handoff: HandoffView
    position: int
    minutes: int
    already: bool  # the conversation was queued before: nothing new happened


class ServiceDesk:
    def __init__(self, store: TicketStore | None = None, hours: ServiceHours | None = None) -> None:
        self.store = store or TicketStore()
        self.queue = HandoffQueue(self.store)
        self.agents = AgentDirectory(self.store)
        self.hours = hours or ServiceHours.from_env()

    def availability(self, now: datetime | None = None) -> Availability:
        return Availability(self.hours.is_open(now), self.agents.online_count(now))

    def wait(self, position: int, now: datetime | None = None) -> int:
        busy = self.queue.count(HandoffStatus.ACTIVE)
        return self.hours.wait_minutes(position, max(1, self.agents.online_count(now)), busy)

    def join_queue(
        self,
        conversation_id: str,
        channel: str,
        reason: HandoffReason,
        area: str | None,
        summary_text: str | None,
        verdict: str | None,
        ticket_number: str | None,
    ) -> Queued:
        before = self.queue.open_for(conversation_id)
        handoff = self.queue.enqueue(conversation_id, channel, reason, area, summary_text, verdict, ticket_number)
        if handoff.status is HandoffStatus.ACTIVE:  # an agent already has it: no queue position
            return Queued(handoff, 0, 0, already=True)
        position = self.queue.position(conversation_id) or 1
        minutes = self.wait(position)
        self.queue.set_notified(handoff.id, position)
        return Queued(handoff, position, minutes, already=before is not None)
