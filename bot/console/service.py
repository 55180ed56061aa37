"""What agents do in the console, as plain Python (no web framework here).

Takeover, reply, handback, close, tickets and callbacks: each checks who may do
it (the queue's conditional UPDATEs make it race-safe), tells the customer
through the Rasa API, and is recorded in the audit with agent and time.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from bot.diagnosis.engine import DiagnosisEngine
from bot.diagnosis.model import PROBLEM_AREAS
from bot.handoff.agents import AgentView
from bot.handoff.desk import AFTER_HANDOFF_SLOTS, ServiceDesk
from bot.handoff.models import HandoffStatus
from bot.handoff.queue import AlreadyTaken, HandoffView
from bot.handoff.texts import load_handoff_texts
from bot.identity import verified_identity
from bot.rasa_api import RasaClient, RasaError
from bot.tickets.models import TicketStatus
from bot.tickets.store import TicketNotFound, TicketRequest, TicketStoreUnavailable

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
LIVE_CHANNELS = ("webchat",)
REASONS = {
    "customer_request": "Wollte einen Menschen sprechen",
    "diagnosis": "Diagnose endet bei einem Menschen",
    "misunderstood": "Bot hat zweimal nicht verstanden",
    "complaint": "Verärgert",
    "backend_failure": "System gestört",
}
# Line verdicts (knowledge/verdicts.yml ids, plus the route when no check was possible).
VERDICTS = {
    "area_outage": "Störung im Gebiet",
    "line_fault": "Leitungsstörung",
    "line_unstable": "Leitung instabil",
    "line_slow": "Leitung zu langsam",
    "line_weak": "Leitung schwach",
    "telephony_fault": "Telefonie gestört",
    "line_ok": "Leitung in Ordnung",
    "unavailable": "nicht geprüft",
}
TICKET_STATUS = {
    "open": "offen",
    "in_progress": "in Bearbeitung",
    "technician_scheduled": "Techniker-Termin",
    "resolved": "behoben",
    "closed": "geschlossen",
}
STATUS = {
    "waiting": "wartet",
    "active": "im Gespräch",
    "returned": "an den Bot zurückgegeben",
    "closed": "beendet",
    "abandoned": "abgebrochen",
    "callback": "Rückruf erbeten",
    "done": "Rückruf erledigt",
}


class ConsoleError(Exception):
    """An agent action that cannot be done; the message is German, for the agent."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ChatView:
    handoff: dict[str, Any]
    lines: list[dict[str, Any]]
    paused: bool
    ticket: dict[str, Any] | None
    identified: bool


def sender_name(agent: AgentView) -> str:
    return f"{agent.display_name}, Kundenservice"


class Console:
    def __init__(self, desk: ServiceDesk, rasa: RasaClient) -> None:
        self.desk = desk
        self.queue = desk.queue
        self.rasa = rasa
        self._engine: DiagnosisEngine | None = None

    def area_title(self, area: str | None) -> str:
        if not area:
            return "–"
        try:
            if self._engine is None:
                self._engine = DiagnosisEngine.load()
            return self._engine.tree(area).title
        except Exception:  # noqa: BLE001 - an area removed from knowledge/ since
            return area

    def describe(self, handoff: HandoffView, agent: AgentView | None = None) -> dict[str, Any]:
        data = {
            "id": handoff.id,
            "status": handoff.status.value,
            "status_label": STATUS.get(handoff.status.value, handoff.status.value),
            "reason": REASONS.get(handoff.reason.value, handoff.reason.value),
            "area": self.area_title(handoff.area),
            "verdict": VERDICTS.get(handoff.verdict, handoff.verdict) if handoff.verdict else "–",
            "ticket_number": handoff.ticket_number,
            "agent": handoff.agent,
            "mine": agent is not None and handoff.agent == agent.username,
            "channel": handoff.channel,
            # Channels whose customers get agent messages at once. REST (scripts,
            # `make shell`) only sees them in the tracker.
            "live": handoff.channel in LIVE_CHANNELS,
            "created_at": handoff.created_at.isoformat(),
            "claimed_at": handoff.claimed_at.isoformat() if handoff.claimed_at else None,
            "summary": handoff.summary_text or "",
            "contact": handoff.contact,
        }
        return data

    # -- reading ----------------------------------------------------------------------

    def overview(self, agent: AgentView) -> dict[str, Any]:
        waiting = self.queue.listing((HandoffStatus.WAITING,))
        active = self.queue.listing((HandoffStatus.ACTIVE,))
        callbacks = self.queue.listing((HandoffStatus.CALLBACK,))
        available = self.desk.availability()
        return {
            "waiting": [self.describe(h, agent) for h in waiting],
            "active": [self.describe(h, agent) for h in active],
            "callbacks": [self.describe(h, agent) for h in callbacks],
            "recent": [self.describe(h, agent) for h in self.queue.recent(10)],
            "agents_online": available.agents_online,
            "in_service_hours": available.in_service_hours,
        }

    def chat(self, handoff_id: int, agent: AgentView) -> ChatView:
        handoff = self._get(handoff_id)
        lines: list[dict[str, Any]] = []
        paused = False
        identified = False
        try:
            state = self.rasa.conversation(handoff.conversation_id)
            paused = state.paused
            lines = [
                {"who": line.who, "text": line.text, "at": line.at.isoformat(), "name": line.name, "input": line.input}
                for line in state.lines
            ]
            identified = verified_identity(state.slots) is not None
        except RasaError as error:
            logger.warning("transcript unavailable: %s", error)
            lines = [{"who": "note", "text": "Der Gesprächsverlauf ist gerade nicht abrufbar.", "at": "", "name": None}]
        ticket = None
        if handoff.ticket_number:
            try:
                view = self.desk.store.get(handoff.ticket_number)
                ticket = {
                    "number": view.number,
                    "status": TICKET_STATUS.get(view.status.value, view.status.value),
                    "history": [
                        {
                            "at": h["at"].isoformat() if h.get("at") else None,
                            "actor": h.get("actor"),
                            "status": TICKET_STATUS.get(h.get("to") or "", h.get("to")),
                            "note": h.get("note"),
                        }
                        for h in view.history
                    ][-5:],
                }
            except Exception:  # noqa: BLE001 - show the chat without it
                ticket = {"number": handoff.ticket_number, "status": "?", "history": []}
        return ChatView(self.describe(handoff, agent), lines, paused, ticket, identified)

    def _get(self, handoff_id: int) -> HandoffView:
        handoff = self.queue.get(handoff_id)
        if handoff is None:
            raise ConsoleError("Diesen Chat gibt es nicht.", 404)
        return handoff


    # -- acting -----------------------------------------------------------------------

    def claim(self, handoff_id: int, agent: AgentView) -> HandoffView:
        try:
            handoff = self.queue.claim(handoff_id, agent.username)
        except AlreadyTaken:
            current = self.queue.get(handoff_id)
            who = current.agent if current and current.agent else None
            message = f"Diesen Chat hat gerade {who} übernommen." if who else "Dieser Chat wartet nicht mehr."
            raise ConsoleError(message) from None
        name = agent.display_name
        try:
            self.rasa.say(
                handoff.conversation_id, load_handoff_texts().agent_joined.format(name=name), sender_name(agent)
            )
        except RasaError as error:
            logger.warning("greeting not delivered: %s", error)
        return handoff

    def _mine(self, handoff_id: int, agent: AgentView) -> HandoffView:
        handoff = self._get(handoff_id)
        if handoff.status is not HandoffStatus.ACTIVE or handoff.agent != agent.username:
            raise ConsoleError("Diesen Chat führen Sie gerade nicht. Übernehmen Sie ihn zuerst.")
        return handoff

    def reply(self, handoff_id: int, agent: AgentView, text: str) -> None:
        text = (text or "").strip()
        if not text:
            raise ConsoleError("Bitte schreiben Sie eine Nachricht.", 422)
        if len(text) > MAX_REPLY_CHARS:
            raise ConsoleError(f"Die Nachricht ist zu lang (höchstens {MAX_REPLY_CHARS} Zeichen).", 422)
        handoff = self._mine(handoff_id, agent)
        try:
            self.rasa.say(handoff.conversation_id, text, sender_name(agent))
        except RasaError:
            raise ConsoleError(
                "Die Nachricht konnte nicht zugestellt werden. Bitte versuchen Sie es noch einmal.", 503
            ) from None
        self.queue.record(handoff.id, f"agent:{agent.username}", "message", f"{len(text)} Zeichen")

    def hand_back(self, handoff_id: int, agent: AgentView) -> None:
        self._end(handoff_id, agent, HandoffStatus.RETURNED, "action_handoff_returned", "handed_back")

    def close(self, handoff_id: int, agent: AgentView) -> None:
        self._end(handoff_id, agent, HandoffStatus.CLOSED, "action_handoff_closed", "closed_by_agent")

    def _end(self, handoff_id: int, agent: AgentView, status: HandoffStatus, action: str, text_key: str) -> None:
        """The bot takes over again. The database decides first (a double click or
        a second tab ends the chat once); then one Rasa request resumes, records
        the bot's action, says the text, resets the slots and listens. If Rasa
        cannot be reached, the chat stays with the agent, who can try again."""
        handoff = self._mine(handoff_id, agent)
        try:
            self.queue.finish(handoff.id, agent.username, status)
        except AlreadyTaken:
            raise ConsoleError("Dieser Chat ist schon beendet.") from None
        try:
            text = getattr(load_handoff_texts(), text_key)
            self.rasa.back_to_bot(handoff.conversation_id, action, [{"text": text}], AFTER_HANDOFF_SLOTS)
        except RasaError:
            self.queue.reactivate(handoff.id, agent.username)
            raise ConsoleError(
                "Der Bot antwortet gerade nicht. Der Chat bleibt bei Ihnen; bitte versuchen Sie es gleich noch einmal.",
                503,
            ) from None

    def ticket(
        self, handoff_id: int, agent: AgentView, note: str, status: str | None, area: str | None = None
    ) -> dict[str, Any]:
        """Add a note (and a new status) to the chat's ticket, or open one."""
        handoff = self._mine(handoff_id, agent)
        note = (note or "").strip()[:2000]
        actor = f"agent:{agent.username}"
        try:
            if handoff.ticket_number:
                current = self.desk.store.get(handoff.ticket_number)
                new_status = TicketStatus(status) if status else current.status
                view = self.desk.store.change_status(handoff.ticket_number, new_status, actor, note=note or None)
                self.queue.record(handoff.id, actor, "ticket", f"{view.number}: {new_status.value}")
                return {"number": view.number, "created": False}
            state = self.rasa.conversation(handoff.conversation_id)
            identity = verified_identity(state.slots)
            if identity is None:
                raise ConsoleError(
                    "Für eine Störungsmeldung fehlen Kundennummer und Postleitzahl. Bitte fragen Sie danach.", 422
                )
            summary_text = handoff.summary_text or ""
            if note:
                summary_text += f"\nNotiz von {agent.display_name}: {note}"
            request = TicketRequest(
                request_key=f"handoff:{handoff.id}",
                customer_number=identity[0],
                postal_code=identity[1],
                area=area if area in PROBLEM_AREAS else (handoff.area or "internet_down"),
                summary={"source": "agent", "handoff_id": handoff.id},
                summary_text=summary_text,
                channel=handoff.channel,
                conversation_id=handoff.conversation_id,
                verdict=handoff.verdict,
            )
            opened = self.desk.store.open_or_update(request, actor=actor)
            if note:  # the agent's note belongs in the ticket's history, not only in its summary
                self.desk.store.change_status(opened.ticket.number, opened.ticket.status, actor, note=note)
        except (TicketStoreUnavailable, RasaError):
            raise ConsoleError("Die Störungsmeldung konnte gerade nicht gespeichert werden.", 503) from None
        except TicketNotFound:
            raise ConsoleError("Die Störungsmeldung zu diesem Chat gibt es nicht mehr.", 404) from None
        except ValueError:
            raise ConsoleError("Diesen Status gibt es nicht.", 422) from None
        self.queue.attach_ticket(handoff.id, opened.ticket.number, actor)
        return {"number": opened.ticket.number, "created": opened.created}

    def callback_done(self, handoff_id: int, agent: AgentView, note: str) -> None:
        self._get(handoff_id)  # 404 for a callback that does not exist
        try:
            self.queue.complete_callback(handoff_id, agent.username, (note or "").strip()[:400] or None)
        except AlreadyTaken:
            raise ConsoleError("Dieser Rückruf ist schon erledigt.") from None


def as_json(view: ChatView) -> dict[str, Any]:
    return asdict(view)
