"""The service desk: may a customer be handed to an agent now, and how long will it take?

Plain Python for the action server and the agent console: service hours from
knowledge/service.yml (or HANDOFF_SERVICE_HOURS), agents online from the
console sessions, positions from the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.handoff.agents import AgentDirectory
from bot.handoff.models import HandoffReason, HandoffStatus
from bot.handoff.queue import HandoffQueue, HandoffView, ServiceHours
from bot.handoff.texts import HandoffTexts, daytime
from bot.tickets.store import TicketStore
from bot.tickets.texts import TicketTexts, load_ticket_texts

# Slots that steer the bot's rules, after a person was involved (handback, close,
# leaving the queue): no old question or offer is still open.
AFTER_HANDOFF_SLOTS = {
    "diagnosis_active": False,
    "line_check_pending": False,
    "ticket_offer": False,
    "handoff_reason": None,
    "handoff_offered": None,
    "report_pending": False,
}


def after_handback(handoff: HandoffView, text: str, texts: HandoffTexts) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What the bot says and knows when it has the chat again (handback, close,
    leaving the queue): `text`, and the fault report if the chat has one (the
    agent may have opened it), so "wie ist der Stand?" is answered at once.
    The diagnosis itself stays in its slot: a new topic starts from what it found."""
    slots: dict[str, Any] = dict(AFTER_HANDOFF_SLOTS)
    text = daytime(text)
    if not handoff.ticket_number:
        messages = [{"text": text}]
    else:
        slots["ticket_number"] = handoff.ticket_number
        messages = _ticket_first(text, [{"text": texts.ticket_kept.format(number=handoff.ticket_number)}])
    if messages[-1]["text"].endswith("?"):  # "Kann ich sonst noch etwas für Sie tun?"
        messages[-1]["buttons"] = texts.yes_no(texts.more_yes, texts.more_no)
    return messages, slots


def open_topic(handoff: HandoffView, slots: dict[str, Any], engine) -> str | None:
    """The title of the diagnosis this chat left open when the person took over
    ("Internet geht gar nicht"), or None: none ran, it ended, or it is not the one
    the chat was queued with (slots carry over from an earlier session)."""
    from bot.diagnosis.engine import DiagnosisState

    data = slots.get("diagnosis")
    if not isinstance(data, dict) or handoff.ticket_number:
        return None
    try:
        state = DiagnosisState.from_dict(data)
        if state.area != handoff.area or engine.is_finished(state) or engine.ended_solved(state):
            return None
        return engine.tree(state.area).title
    except Exception:  # noqa: BLE001 - a state from an older version of the trees
        return None


RESUME_OFFER_ACTION = "action_handoff_resume_offer"
# Recorded when the chat went to a person while the bot offered a fault report
# and nobody opened one: back with the bot, the offer comes again, and the
# consent rules (ticket_offer: true) take the yes.
REPORT_OFFER_ACTION = "action_handoff_report_offer"
# Set by action_handoff when the customer was queued at the report offer.
REPORT_PENDING_SLOT = "report_pending"


def report_still_open(handoff: HandoffView, slots: dict[str, Any]) -> bool:
    """Was a fault report offered when the chat was queued, and is it still not
    opened (neither by the agent nor earlier in the chat)?"""
    return bool(slots.get(REPORT_PENDING_SLOT)) and not handoff.ticket_number and not slots.get("ticket_number")


def report_offer(
    intro: str, texts: HandoffTexts, ticket_texts: TicketTexts | None = None
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """(action, messages, slots) that offer the pending fault report again:
    `intro` without its closing question, that the report is still open, and
    the offer with its buttons, last, so the customer's yes answers it."""
    ticket_texts = ticket_texts or load_ticket_texts()
    statement, _question = _split_question(daytime(intro))
    messages = [
        {"text": statement},
        {"text": texts.report_still_open},
        {"text": ticket_texts.offer, "buttons": texts.yes_no(ticket_texts.offer_yes, ticket_texts.offer_no)},
    ]
    slots = {**AFTER_HANDOFF_SLOTS, "ticket_offer": True, REPORT_PENDING_SLOT: False}
    return REPORT_OFFER_ACTION, messages, slots


def handback_messages(
    handoff: HandoffView, texts: HandoffTexts, topic: str | None, slots: dict[str, Any] | None = None
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """(action to record, messages, slots) for a handback by the agent: a fault
    report offered before the handoff and still not opened is offered again;
    with a diagnosis left open, the bot offers to go on there (its rules take
    the yes); otherwise "anything else?" and what the chat's report is."""
    if report_still_open(handoff, slots or {}):
        return report_offer(texts.handed_back, texts)
    if topic:
        offer = {
            "text": daytime(texts.handed_back_open.format(topic=topic)),
            "buttons": texts.yes_no(texts.resume_yes, texts.resume_no),
        }
        return RESUME_OFFER_ACTION, [offer], dict(AFTER_HANDOFF_SLOTS)
    messages, slots = after_handback(handoff, texts.handed_back, texts)
    return "action_handoff_returned", messages, slots


def _split_question(text: str) -> tuple[str, str | None]:
    """ "Hier ist wieder Ihr digitaler Assistent. Kann ich sonst …?" -> the statement
    and the closing question (None: the text does not end with one)."""
    intro, sep, question = text.rpartition(". ")
    if not sep or not question.endswith("?"):
        return text, None
    return intro + ".", question


def _ticket_first(text: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ "Hier ist wieder Ihr digitaler Assistent." – the report – "Kann ich sonst …?":
    the question stays last, so the customer's yes or no answers it."""
    statement, question = _split_question(text)
    if question is None:
        return [{"text": text}] + messages
    return [{"text": statement}] + messages + [{"text": question}]


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
