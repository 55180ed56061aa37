"""The handoff queue: customers waiting for an agent, race-safe takeover, audit.

Plain Python over SQLAlchemy (the ticket store's database). Taking a chat over
is one conditional UPDATE (`... WHERE status = 'waiting'`), so of two agents who
click at the same moment exactly one gets it, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.german_time import GERMAN_TIME, utc
from bot.handoff.models import Handoff, HandoffEvent, HandoffReason, HandoffStatus
from bot.paths import knowledge_dir
from bot.tickets.models import utcnow
from bot.tickets.store import TicketStore

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHORT_DAY_NAMES = dict(zip(DAYS, ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), strict=True))
LONG_DAY_NAMES = dict(
    zip(DAYS, ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"), strict=True)
)


class HandoffError(Exception):
    pass


class AlreadyTaken(HandoffError):
    """Another agent took this chat a moment earlier (or it is no longer waiting)."""


class HandoffUnavailable(HandoffError):
    """The database cannot be reached."""


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    channel: str
    reason: HandoffReason
    area: str | None
    summary_text: str | None
    verdict: str | None
    ticket_number: str | None
    status: HandoffStatus
    agent: str | None
    created_at: datetime
    contact: str | None = None
    claimed_at: datetime | None = None
    ended_at: datetime | None = None
    notified_position: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in (HandoffStatus.WAITING, HandoffStatus.ACTIVE)


def _view(row: Handoff) -> HandoffView:
    return HandoffView(
        row.id,
        row.conversation_id,
        row.channel,
        row.reason,
        row.area,
        row.summary_text,
        row.verdict,
        row.ticket_number,
        row.status,
        row.agent,
        utc(row.created_at),
        row.contact,
        utc(row.claimed_at) if row.claimed_at else None,
        utc(row.ended_at) if row.ended_at else None,
        row.notified_position,
    )


@dataclass(frozen=True)
class ServiceHours:
    hours: dict[str, tuple[time, time]]
    average_chat_minutes: float

    @classmethod
    def from_env(cls) -> ServiceHours:
        """HANDOFF_SERVICE_HOURS: unset or a file path = the configured hours;
        "always" (the `make run` demo: agents can try it at any hour) or "never"."""
        setting = os.environ.get("HANDOFF_SERVICE_HOURS", "").strip()
        if setting not in ("always", "never"):
            return cls.load(Path(setting) if setting else None)
        minutes = cls.load().average_chat_minutes
        if setting == "always":
            return cls({day: (time(0, 0), time.max) for day in DAYS}, minutes)
        return cls({}, minutes)

    def describe(self, long: bool = False) -> str:
        """German summary for customers: "Mo–Fr 8–20 Uhr, Sa 9–16 Uhr", or with
        long=True (for a web page) "Montag bis Freitag von 8 bis 20 Uhr, Samstag von 9 bis 16 Uhr"."""
        short = LONG_DAY_NAMES if long else SHORT_DAY_NAMES
        groups: list[list] = []
        for day in DAYS:
            span = self.hours.get(day)
            if span and groups and groups[-1][1] == span and DAYS.index(groups[-1][0][-1]) == DAYS.index(day) - 1:
                groups[-1][0].append(day)
            elif span:
                groups.append([[day], span])

        def clock(t: time) -> str:
            return f"{t.hour}" if t.minute == 0 else f"{t.hour}:{t.minute:02d}"

        parts = []
        for days, (start, end) in groups:
            if long:
                named = short[days[0]] if len(days) == 1 else f"{short[days[0]]} bis {short[days[-1]]}"
                parts.append(f"{named} von {clock(start)} bis {clock(end)} Uhr")
            else:
                named = short[days[0]] if len(days) == 1 else f"{short[days[0]]}–{short[days[-1]]}"
                parts.append(f"{named} {clock(start)}–{clock(end)} Uhr")
        return ", ".join(parts)

    @classmethod
    def load(cls, path: Path | None = None) -> ServiceHours:
        raw = yaml.safe_load((path or knowledge_dir() / "service.yml").read_text(encoding="utf-8"))
        hours = {}
        for day, span in (raw.get("service_hours") or {}).items():
            if day not in DAYS or len(span) != 2:
                raise ValueError(f"service.yml: '{day}' needs [start, end] and a weekday name")
            start, end = (time.fromisoformat(t) for t in span)
            hours[day] = (start, end)
        return cls(hours, float(raw.get("average_chat_minutes", 6)))

    def is_open(self, now: datetime | None = None) -> bool:
        local = (now or datetime.now(timezone.utc)).astimezone(GERMAN_TIME)
        span = self.hours.get(DAYS[local.weekday()])
        # An end of 23:59:59.999999 means "until midnight" (HANDOFF_SERVICE_HOURS=always).
        return span is not None and span[0] <= local.time() and (local.time() < span[1] or span[1] == time.max)

    def wait_minutes(self, position: int, agents_online: int, chats_in_progress: int = 0) -> int:
        """A realistic estimate. A free agent takes the next chat within a minute;
        otherwise everyone still ahead of a free agent, shared among the agents."""
        if agents_online <= 0:
            raise ValueError("no agent online: offer a ticket or a callback instead of a wait")
        free = max(0, agents_online - chats_in_progress)
        if position <= free:
            return 1
        return max(1, math.ceil((position - free) * self.average_chat_minutes / agents_online))


MAX_CONVERSATION_ID = 120  # the column; a longer id is refused, never cut (lookups would miss it)


def _check_conversation_id(conversation_id: str) -> None:
    if not conversation_id or len(conversation_id) > MAX_CONVERSATION_ID:
        raise ValueError("conversation id missing or longer than 120 characters")


class HandoffQueue:
    def __init__(self, store: TicketStore) -> None:
        self.engine = store.engine
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    def _audit(self, session, handoff_id: int, actor: str, action: str, detail: str | None = None) -> None:
        session.add(HandoffEvent(handoff_id=handoff_id, actor=actor[:80], action=action, detail=(detail or "")[:500]))

    def enqueue(
        self,
        conversation_id: str,
        channel: str,
        reason: HandoffReason,
        area: str | None = None,
        summary_text: str | None = None,
        verdict: str | None = None,
        ticket_number: str | None = None,
    ) -> HandoffView:
        """Queue a conversation, or return its open handoff if it has one."""
        _check_conversation_id(conversation_id)
        try:
            with self._sessions.begin() as session:
                existing = self._open(session, conversation_id)
                if existing is not None:
                    return _view(existing)
                row = Handoff(
                    conversation_id=conversation_id,
                    channel=channel[:40],
                    reason=reason,
                    area=area,
                    summary_text=summary_text,
                    verdict=verdict,
                    ticket_number=ticket_number,
                )
                session.add(row)
                session.flush()
                self._audit(session, row.id, "bot", "queued", reason.value)
                return _view(row)
        except IntegrityError:  # the same conversation queued a moment earlier
            with self._sessions() as session:
                return _view(self._open(session, conversation_id))
        except SQLAlchemyError as error:
            raise HandoffUnavailable(type(error).__name__) from None

    @staticmethod
    def _open(session, conversation_id: str) -> Handoff | None:
        return session.execute(
            select(Handoff).where(
                Handoff.conversation_id == conversation_id,
                Handoff.status.in_((HandoffStatus.WAITING, HandoffStatus.ACTIVE)),
            )
        ).scalar_one_or_none()

    def waiting(self) -> list[HandoffView]:
        with self._sessions() as session:
            rows = session.execute(
                select(Handoff).where(Handoff.status == HandoffStatus.WAITING).order_by(Handoff.created_at, Handoff.id)
            ).scalars()
            return [_view(r) for r in rows]

    def position(self, conversation_id: str) -> int | None:
        """1 for the next in line; None when not waiting."""
        with self._sessions() as session:
            mine = session.execute(
                select(Handoff).where(
                    Handoff.conversation_id == conversation_id, Handoff.status == HandoffStatus.WAITING
                )
            ).scalar_one_or_none()
            if mine is None:
                return None
            ahead = session.execute(
                select(func.count())
                .select_from(Handoff)
                .where(Handoff.status == HandoffStatus.WAITING, Handoff.id < mine.id)
            ).scalar_one()
            return ahead + 1

    def claim(self, handoff_id: int, agent: str) -> HandoffView:
        """Take a chat over. Exactly one of several agents racing for it succeeds."""
        return self._move(
            handoff_id,
            f"agent:{agent}",
            "claimed",
            (HandoffStatus.WAITING,),
            status=HandoffStatus.ACTIVE,
            agent=agent[:80],
            claimed_at=utcnow(),
            required=True,
        )

    def finish(self, handoff_id: int, agent: str, status: HandoffStatus) -> HandoffView:
        """Hand back to the bot (RETURNED) or close the chat (CLOSED); only by its agent."""
        if status not in (HandoffStatus.RETURNED, HandoffStatus.CLOSED, HandoffStatus.ABANDONED):
            raise ValueError(status)
        return self._move(
            handoff_id,
            f"agent:{agent}",
            status.value,
            (HandoffStatus.ACTIVE,),
            by_agent=agent,
            status=status,
            ended_at=utcnow(),
            required=True,
        )

    def request_callback(
        self,
        conversation_id: str,
        channel: str,
        reason: HandoffReason,
        contact: str,
        area: str | None = None,
        summary_text: str | None = None,
        verdict: str | None = None,
        ticket_number: str | None = None,
    ) -> HandoffView:
        """Outside service hours: a callback request agents see in the console."""
        _check_conversation_id(conversation_id)
        try:
            with self._sessions.begin() as session:
                row = Handoff(
                    conversation_id=conversation_id,
                    channel=channel[:40],
                    reason=reason,
                    area=area,
                    summary_text=summary_text,
                    verdict=verdict,
                    ticket_number=ticket_number,
                    contact=contact[:120],
                    status=HandoffStatus.CALLBACK,
                )
                session.add(row)
                session.flush()
                self._audit(session, row.id, "bot", "callback", reason.value)
                return _view(row)
        except SQLAlchemyError as error:
            raise HandoffUnavailable(type(error).__name__) from None

    def get(self, handoff_id: int) -> HandoffView | None:
        with self._sessions() as session:
            row = session.get(Handoff, handoff_id)
            return _view(row) if row else None

    def open_for(self, conversation_id: str) -> HandoffView | None:
        """The waiting or active handoff of a conversation, if any."""
        try:
            with self._sessions() as session:
                row = self._open(session, conversation_id)
                return _view(row) if row else None
        except SQLAlchemyError as error:
            raise HandoffUnavailable(type(error).__name__) from None

    def listing(self, statuses: tuple[HandoffStatus, ...], limit: int = 100) -> list[HandoffView]:
        with self._sessions() as session:
            rows = session.execute(
                select(Handoff)
                .where(Handoff.status.in_(statuses))
                .order_by(Handoff.created_at, Handoff.id)
                .limit(limit)
            ).scalars()
            return [_view(r) for r in rows]

    def count(self, status: HandoffStatus) -> int:
        with self._sessions() as session:
            return session.execute(
                select(func.count()).select_from(Handoff).where(Handoff.status == status)
            ).scalar_one()

    def recent(self, limit: int = 20) -> list[HandoffView]:
        """Finished chats and callbacks, newest first (for the console's history)."""
        ended = (HandoffStatus.RETURNED, HandoffStatus.CLOSED, HandoffStatus.ABANDONED, HandoffStatus.DONE)
        with self._sessions() as session:
            rows = session.execute(
                select(Handoff).where(Handoff.status.in_(ended)).order_by(Handoff.id.desc()).limit(limit)
            ).scalars()
            return [_view(r) for r in rows]

    def abandon(self, handoff_id: int, actor: str, detail: str | None = None) -> HandoffView | None:
        """The customer left the queue, or no agent came: only a waiting chat."""
        return self._move(
            handoff_id,
            actor,
            "abandoned",
            (HandoffStatus.WAITING,),
            detail=detail,
            status=HandoffStatus.ABANDONED,
            ended_at=utcnow(),
        )

    def complete_callback(self, handoff_id: int, agent: str, note: str | None = None) -> HandoffView:
        return self._move(
            handoff_id,
            f"agent:{agent}",
            "callback_done",
            (HandoffStatus.CALLBACK,),
            detail=note,
            status=HandoffStatus.DONE,
            agent=agent[:80],
            ended_at=utcnow(),
            required=True,
        )

    def set_notified(self, handoff_id: int, position: int | None) -> bool:
        """Record the position told to the customer; False once the chat no
        longer waits (an agent took it meanwhile: say nothing about a queue)."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.WAITING)
                .values(notified_position=position)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def _move(
        self,
        handoff_id: int,
        actor: str,
        action: str,
        frm: tuple,
        by_agent: str | None = None,
        detail: str | None = None,
        required: bool = False,
        **values,
    ) -> HandoffView | None:
        """A conditional state change with its audit row; None (or AlreadyTaken when
        `required`) if the state was not `frm`: of two racing callers exactly one
        gets the row."""
        with self._sessions.begin() as session:
            query = update(Handoff).where(Handoff.id == handoff_id, Handoff.status.in_(frm))
            if by_agent is not None:
                query = query.where(Handoff.agent == by_agent)
            result = session.execute(query.values(**values).execution_options(synchronize_session=False))
            if result.rowcount != 1:
                if required:
                    raise AlreadyTaken(handoff_id)
                return None
            self._audit(session, handoff_id, actor, action, detail)
            return _view(session.get(Handoff, handoff_id))

    def reopen(self, handoff_id: int) -> bool:
        """Undo `abandon` when the customer could not be told (Rasa down): the
        watcher tries again on its next round."""
        return (
            self._move(
                handoff_id, "bot", "reopened", (HandoffStatus.ABANDONED,), status=HandoffStatus.WAITING, ended_at=None
            )
            is not None
        )

    def reactivate(self, handoff_id: int, agent: str) -> bool:
        """Undo a handback or close the customer could not be told about."""
        return (
            self._move(
                handoff_id,
                f"agent:{agent}",
                "reactivated",
                (HandoffStatus.RETURNED, HandoffStatus.CLOSED),
                by_agent=agent,
                status=HandoffStatus.ACTIVE,
                ended_at=None,
            )
            is not None
        )

    def requeue(self, handoff_id: int, reason: str) -> bool:
        """An active chat whose agent is gone (logged out, browser closed,
        account disabled) goes back to the queue for another agent."""
        return (
            self._move(
                handoff_id,
                "bot",
                "requeued",
                (HandoffStatus.ACTIVE,),
                detail=reason,
                status=HandoffStatus.WAITING,
                agent=None,
                claimed_at=None,
                notified_position=None,
            )
            is not None
        )

    def attach_ticket(self, handoff_id: int, number: str, actor: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id)
                .values(ticket_number=number[:12])
                .execution_options(synchronize_session=False)
            )
            self._audit(session, handoff_id, actor, "ticket", number)

    def record(self, handoff_id: int, actor: str, action: str, detail: str | None = None) -> None:
        with self._sessions.begin() as session:
            self._audit(session, handoff_id, actor, action, detail)

    def audit(self, handoff_id: int) -> list[tuple[datetime, str, str, str]]:
        with self._sessions() as session:
            rows = session.execute(
                select(HandoffEvent).where(HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id)
            ).scalars()
            return [(utc(e.at), e.actor, e.action, e.detail or "") for e in rows]
