"""What agents do in the console, as plain Python (no web framework here).

Takeover, reply, handback, close, tickets and callbacks: each checks who may do
it (the queue's conditional UPDATEs make it race-safe), tells the customer
through the Rasa API, and is recorded in the audit with agent and time.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Iterable

from bot.diagnosis.engine import DiagnosisEngine
from bot.diagnosis.model import PROBLEM_AREAS
from bot.handoff.agents import AgentView
from bot.handoff.desk import ServiceDesk, after_handback, handback_messages, open_topic
from bot.handoff.models import HandoffStatus
from bot.handoff.queue import AlreadyTaken, HandoffView
from bot.handoff.texts import load_handoff_texts
from bot.identity import verified_identity
from bot.rasa_api import ConversationState, RasaClient, RasaError, TranscriptLine
from bot.tickets.models import TicketStatus
from bot.tickets.store import TicketNotFound, TicketRequest, TicketStoreUnavailable

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
LIVE_CHANNELS = ("webchat",)
FIRST_WORDS_CHARS = 80
# Why a customer waits, in plain words for the queue row and the chat page.
REASONS = {
    "customer_request": "Wollte einen Menschen sprechen",
    "diagnosis": "Die Fehlersuche des Bots braucht hier einen Menschen",
    "misunderstood": "Der Bot hat die Kundin / den Kunden zweimal nicht verstanden",
    "complaint": "Ist verärgert und möchte sich beschweren",
    "backend_failure": "Ein Teil unseres Systems war gestört",
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
    # The greeting the customer got automatically at the takeover, while the agent
    # has not written yet (the page shows it, so nobody greets twice).
    auto_greeting: str | None = None
    # Set when Rasa could not be asked: the page keeps the lines it has.
    transcript_error: str | None = None


@dataclass(frozen=True)
class ChatSnapshot:
    """What the console knows of one chat at one moment: its queue row and, when
    Rasa answered, the conversation (bot/console/live.py polls these)."""

    handoff: HandoffView
    state: ConversationState | None

    def key(self) -> tuple:
        """Changes whenever anything the chat page shows (except the ticket) changes."""
        lines = self.state.lines if self.state else None
        return (self.handoff, self.state.paused if self.state else None, lines,
                bool(self.state and verified_identity(self.state.slots)))


def sender_name(agent: AgentView) -> str:
    return f"{agent.display_name}, Kundenservice"


def _greeting_pattern() -> re.Pattern[str]:
    parts = re.split(r"(\{name\}|\{greeting\})", load_handoff_texts().agent_joined)
    return re.compile("".join(r".{1,80}?" if part in ("{name}", "{greeting}") else re.escape(part) for part in parts))


def line_ids(lines: Iterable[TranscriptLine]) -> list[str]:
    """A stable id per transcript line: its time in microseconds, and a counter for
    lines with the same time. Lines are only ever appended, so an id keeps its line."""
    ids: list[str] = []
    seen: dict[int, int] = {}
    for line in lines:
        at = int(line.at.timestamp() * 1_000_000)
        n = seen.get(at, 0)
        seen[at] = n + 1
        ids.append(f"{at}-{n}")
    return ids


def first_words(lines: Iterable[TranscriptLine], limit: int = FIRST_WORDS_CHARS) -> str:
    """The customer's first own words (typed, else the first button they tapped),
    on one line and cut at a word boundary, for the queue row."""
    customer = [line for line in lines if line.who == "customer" and line.input != "command" and line.text.strip()]
    typed = [line for line in customer if line.input == "typed"]
    chosen = (typed or customer)[:1]
    if not chosen:
        return ""
    text = " ".join(chosen[0].text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


class Console:
    def __init__(self, desk: ServiceDesk, rasa: RasaClient) -> None:
        self.desk = desk
        self.queue = desk.queue
        self.rasa = rasa
        self._engine: DiagnosisEngine | None = None
        self._first_words: dict[int, str] = {}  # handoff id -> the customer's first words (they never change)
        self._lock = threading.Lock()

    def _open_topic(self, handoff: HandoffView, slots: dict[str, Any]) -> str | None:
        if self._engine is None:
            self._engine = DiagnosisEngine.load()
        return open_topic(handoff, slots, self._engine)

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

    def opening_words(self, handoff: HandoffView) -> str:
        """The customer's first words for a waiting chat's row; asked from Rasa once."""
        with self._lock:
            known = self._first_words.get(handoff.id)
        if known is not None:
            return known
        try:
            words = first_words(self.rasa.conversation(handoff.conversation_id).lines)
        except RasaError:
            return ""  # asked again at the next poll
        if not words:
            # Queued by the very first message: the queue row can appear before Rasa
            # has stored that message (it saves at the end of the turn). Ask again.
            return ""
        with self._lock:
            if len(self._first_words) > 2000:
                self._first_words.clear()
            self._first_words[handoff.id] = words
        return words

    # -- reading ----------------------------------------------------------------------

    def overview(self, agent: AgentView) -> dict[str, Any]:
        waiting = self.queue.listing((HandoffStatus.WAITING,))
        active = self.queue.listing((HandoffStatus.ACTIVE,))
        callbacks = self.queue.listing((HandoffStatus.CALLBACK,))
        available = self.desk.availability()
        return {
            "waiting": [{**self.describe(h, agent), "first_words": self.opening_words(h)} for h in waiting],
            "active": [self.describe(h, agent) for h in active],
            "callbacks": [self.describe(h, agent) for h in callbacks],
            "recent": [self.describe(h, agent) for h in self.queue.recent(10)],
            "agents_online": available.agents_online,
            "in_service_hours": available.in_service_hours,
        }

    def chat(self, handoff_id: int, agent: AgentView) -> ChatView:
        return self.view(self.snapshot(handoff_id), agent)

    def snapshot(self, handoff_id: int) -> ChatSnapshot:
        handoff = self._get(handoff_id)
        try:
            state = self.rasa.conversation(handoff.conversation_id)
        except RasaError as error:
            logger.warning("transcript unavailable: %s", error)
            state = None
        return ChatSnapshot(handoff, state)

    def view(self, snapshot: ChatSnapshot, agent: AgentView) -> ChatView:
        handoff, state = snapshot.handoff, snapshot.state
        if state is None:
            return ChatView(
                self.describe(handoff, agent), [], False, self._ticket(handoff), False,
                transcript_error="Der Gesprächsverlauf ist gerade nicht abrufbar. Die Seite versucht es weiter.",
            )
        greeting = _greeting_pattern()
        # The greeting claim() sends is an agent line with exactly that text; the
        # reminder is for the one of the current takeover, until the agent writes.
        claimed = handoff.claimed_at - timedelta(seconds=5) if handoff.claimed_at else None
        lines: list[dict[str, Any]] = []
        auto_greeting: str | None = None
        for line_id, line in zip(line_ids(state.lines), state.lines, strict=True):
            auto = line.who == "agent" and greeting.fullmatch(line.text) is not None
            lines.append({
                "id": line_id, "who": line.who, "text": line.text, "at": line.at.isoformat(),
                "name": line.name, "input": line.input, "auto": auto,
            })
            if auto and claimed is not None and line.at >= claimed:
                auto_greeting = line.text
            elif line.who == "agent":
                auto_greeting = None  # the agent wrote since: no reminder needed
        mine = handoff.status is HandoffStatus.ACTIVE and handoff.agent == agent.username
        return ChatView(
            self.describe(handoff, agent), lines, state.paused, self._ticket(handoff),
            verified_identity(state.slots) is not None,
            auto_greeting=auto_greeting if mine else None,
        )

    def _ticket(self, handoff: HandoffView) -> dict[str, Any] | None:
        if not handoff.ticket_number:
            return None
        try:
            view = self.desk.store.get(handoff.ticket_number)
            return {
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
            return {"number": handoff.ticket_number, "status": "?", "history": []}

    def _get(self, handoff_id: int) -> HandoffView:
        handoff = self.queue.get(handoff_id)
        if handoff is None:
            raise ConsoleError("Diesen Chat gibt es nicht.", 404)
        return handoff


    # -- acting -----------------------------------------------------------------------

    def claim(self, handoff_id: int, agent: AgentView) -> str | None:
        """Take the chat; returns the greeting the customer got automatically (None
        if it could not be delivered)."""
        try:
            handoff = self.queue.claim(handoff_id, agent.username)
        except AlreadyTaken:
            current = self.queue.get(handoff_id)
            who = current.agent if current and current.agent else None
            message = f"Diesen Chat hat gerade {who} übernommen." if who else "Dieser Chat wartet nicht mehr."
            raise ConsoleError(message) from None
        greeting = load_handoff_texts().joined(agent.display_name)
        try:
            self.rasa.say(handoff.conversation_id, greeting, sender_name(agent))
        except RasaError as error:
            logger.warning("greeting not delivered: %s", error)
            return None
        return greeting

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

    def typing(self, handoff_id: int, agent: AgentView) -> None:
        """The agent is writing: the customer's chat shows "Mia schreibt …"."""
        handoff = self._mine(handoff_id, agent)
        try:
            self.rasa.agent_typing(handoff.conversation_id, sender_name(agent))
        except RasaError:
            pass  # only a hint; the message itself is what counts

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
            texts = load_handoff_texts()
            if status is HandoffStatus.RETURNED:
                # A report still to open, or a diagnosis left open: the bot offers it again.
                slots = self.rasa.conversation(handoff.conversation_id).slots
                action, messages, new_slots = handback_messages(
                    handoff, texts, self._open_topic(handoff, slots), slots
                )
            else:
                messages, new_slots = after_handback(handoff, getattr(texts, text_key), texts)
            self.rasa.back_to_bot(handoff.conversation_id, action, messages, new_slots)
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
